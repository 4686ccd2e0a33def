package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline commands, run in-process through picocli exactly as {@code ./mamori} runs them. */
class MamoriCliTest {

    @TempDir
    Path dir;

    private static final io.mamori.gateway.testing.TestDnsServer DNS = new io.mamori.gateway.testing.TestDnsServer().start();

    @org.junit.jupiter.api.AfterAll
    static void stopDns() {
        DNS.close();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    static {
        // Logging starts before standard output is captured, whichever test runs first.
        org.slf4j.LoggerFactory.getLogger(MamoriCliTest.class);
    }

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty("mamori.data-dir", dir.resolve("data").toString());
        System.setProperty("mamori.policy.file", dir.resolve("absent-policy.yaml").toString());
        System.setProperty("mamori.dns.server", "127.0.0.1:" + DNS.address().getPort());
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
        System.clearProperty("mamori.data-dir");
        System.clearProperty("mamori.policy.file");
        System.clearProperty("mamori.dns.server");
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return MamoriCli.commandLine().execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * What the command wrote to standard error, as it wrote it. No gateway of another test class may still be running
     * in this JVM and log into it (GatewayEndToEndTest ends its Spring context with the class).
     */
    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noGatewayLeftRunningByAnotherTestClassLogsIntoTheCapturedStandardError() throws Exception {
        assertThat(run("--version")).isZero();
        // GatewayEndToEndTest's gateway, left in Spring's test context cache, retried its deferred mail every 2 s
        // (mamori.delivery.retry-max) for as long as the JVM ran, and logged each attempt here
        Thread.sleep(2_500);
        assertThat(err()).doesNotContain("[mamori-");
    }

    /** A message whose attachment hides a program behind a document name: 請求書.pdf.exe. */
    private Path invoiceWithDoubleExtension() throws Exception {
        return Files.writeString(dir.resolve("exe.eml"), "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: invoice\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "hi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"請求書.pdf.exe\"\r\n"
                + "\r\nMZ\r\n--b--\r\n", StandardCharsets.UTF_8);
    }

    @Test
    void scanJsonReportsActionScoreAndFindingsWithEvidence() throws Exception {
        Path eml = invoiceWithDoubleExtension();

        assertThat(run("scan", eml.toString(), "--json")).as(err()).isZero();

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("action").asText()).isEqualTo("QUARANTINE");
        assertThat(json.get("score").asDouble()).isPositive();
        assertThat(json.get("findings")).anySatisfy(f -> {
            assertThat(f.get("code").asText()).isEqualTo("ATTACHMENT_DOUBLE_EXTENSION");
            assertThat(f.get("evidence").asText()).isEqualTo("請求書.pdf.exe");
        });
    }

    @Test
    void scanShowsThePolicysOwnWeightOfAFindingAndScoresWithIt() throws Exception {
        Path eml = invoiceWithDoubleExtension();
        assertThat(run("scan", eml.toString(), "--json")).as(err()).isZero();
        JsonNode shipped = new ObjectMapper().readTree(out());
        out.reset();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, Files.readString(Path.of("..", "config", "policy.example.yaml"))
                .replace("  # weights:\n", "  weights: { ATTACHMENT_DOUBLE_EXTENSION: 0.5 }\n"));

        assertThat(run("scan", eml.toString(), "--json", "--policy", policy.toString())).as(err()).isZero();

        JsonNode own = new ObjectMapper().readTree(out());
        assertThat(own.get("findings")).anySatisfy(f -> {
            assertThat(f.get("code").asText()).isEqualTo("ATTACHMENT_DOUBLE_EXTENSION");
            assertThat(f.get("weight").asDouble()).isEqualTo(0.5);
        });
        assertThat(shipped.get("findings")).anySatisfy(f -> {
            assertThat(f.get("code").asText()).isEqualTo("ATTACHMENT_DOUBLE_EXTENSION");
            assertThat(f.get("weight").asDouble()).isEqualTo(8.0);
        });
        assertThat(own.get("score").asDouble()).isEqualTo(shipped.get("score").asDouble() - 7.5);
    }

    @Test
    void scanAndEvalJudgeAStoredMessageAsOfItsArrivalFromTheTopmostReceivedField() throws Exception {
        // a signature valid for one day from 2020-09-13 12:26:40 UTC; offline there is no key, so the only question is
        // whether it had expired: not when the message arrived, long since on the day of the scan
        String signed = "DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=test; c=relaxed/relaxed;\r\n"
                + " h=from:subject; t=1600000000; x=1600086400; bh=zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=; b=AAAA\r\n"
                + "From: joe@football.example.com\r\nSubject: hello\r\n\r\nhello\r\n";
        Path arrived = Files.writeString(dir.resolve("arrived.eml"), "Received: from mail.football.example.com"
                + " (mail.football.example.com [192.0.2.1])\r\n\tby mx.example.co.jp with ESMTPS id 1; Sun, 13 Sep 2020"
                + " 22:30:00 +0900 (JST)\r\nReceived: from client by mail.football.example.com; Sun, 1 Jan 2090 00:00:00 +0000\r\n"
                + signed, StandardCharsets.US_ASCII);
        Path undated = Files.writeString(dir.resolve("undated.eml"), signed, StandardCharsets.US_ASCII);

        assertThat(run("scan", arrived.toString(), "--json")).as(err()).isZero();
        assertThat(out()).contains("\"code\":\"DKIM_PERMERROR\"").doesNotContain("signature expired");
        out.reset();
        assertThat(run("scan", undated.toString(), "--json")).as(err()).isZero();
        assertThat(out()).contains("reason=signature expired");
        out.reset();
        Path corpus = Files.createDirectories(dir.resolve("dated"));
        Files.copy(arrived, corpus.resolve("a.eml"));
        assertThat(run("eval", corpus.toString(), "--expect", "ham", "--json")).as(err()).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("topFindings").toString()).doesNotContain("DKIM_FAIL");
        out.reset();
        Path undatedCorpus = Files.createDirectories(dir.resolve("undated"));
        Files.copy(undated, undatedCorpus.resolve("u.eml"));
        assertThat(run("eval", undatedCorpus.toString(), "--expect", "ham", "--json")).as(err()).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("topFindings").toString()).contains("DKIM_FAIL");
    }

    @Test
    void scanTextNamesTheVerdictAndTheReasonsInJapaneseAndEnglish() throws Exception {
        Path eml = dir.resolve("plain.eml");
        Files.writeString(eml, "From: a@partner.example\r\nSubject: hello\r\n\r\nbody\r\n");

        assertThat(run("scan", eml.toString())).isZero();

        assertThat(out()).contains("ファイル / File:  " + eml + "\n")
                .contains("件名 / Subject:   hello\n")
                .contains("パート / Parts:   1（うち添付 0 件）、")
                .contains("判定 / Verdict:   DELIVER (スコア / score 0.00)\n")
                .contains("検知 / Findings:  なし / none\n");

        Path exe = invoiceWithDoubleExtension();
        assertThat(run("scan", exe.toString())).isZero();
        assertThat(out()).contains("判定 / Verdict:   QUARANTINE (スコア / score ").contains("\n検知 / Findings:\n")
                .containsPattern("(?m)^  ATTACHMENT_DOUBLE_EXTENSION .* 請求書\\.pdf\\.exe$");
    }

    @Test
    void scanOfAMissingFileIsAClearErrorNotACrash() throws Exception {
        assertThat(run("scan", dir.resolve("nope.eml").toString())).isEqualTo(2);
        assertThat(err()).contains("scan: 読み取れるファイルではありません / not a readable file: " + dir.resolve("nope.eml"));

        Path eml = Files.writeString(dir.resolve("plain.eml"), "From: a@partner.example\r\nSubject: hello\r\n\r\nbody\r\n");
        assertThat(run("scan", eml.toString(), dir.resolve("nope.eml").toString(), "--json")).isEqualTo(2);
        assertThat(err()).as("the summary of several files does not look like an error line to bench/scan-corpus.sh")
                .contains("\n2 件のファイルをスキャンしました: {DELIVER=1}、エラー 1 件 / scanned 2 file(s): {DELIVER=1}; errors 1\n");
    }

    /** Runs the command with one more setting, as -Dmamori.… or MAMORI_… would give it. */
    private int runWith(String key, String value, String... args) {
        System.setProperty(key, value);
        try {
            return run(args);
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void aSettingThatCannotBeUsedIsOneLineInJapaneseAndEnglishNamingKeyAndValue() throws Exception {
        assertThat(runWith("mamori.smtp.inbound.port", "abc", "queue", "list")).isEqualTo(2);
        assertThat(err()).as("Spring could not convert it").isEqualTo("mamori: 設定に誤りがあります: mamori.smtp.inbound.port='abc':"
                + " 整数にしてください / invalid setting: mamori.smtp.inbound.port='abc': must be a whole number\n");
        assertThat(out()).isEmpty();

        assertThat(runWith("mamori.smtp.inbound.port", "70000", "users", "list-app-passwords", "sato@example.co.jp"))
                .isEqualTo(2);
        assertThat(err()).as("a port no listener can bind, not a stack trace at start").isEqualTo("mamori: 設定に誤りがあります:"
                + " mamori.smtp.inbound.port='70000': 0〜65535 にしてください（0 は空いているポート） / invalid setting:"
                + " mamori.smtp.inbound.port='70000': must be 0 to 65535 (0: any free port)\n");
        assertThat(runWith("mamori.smtp.max-message-size", "100B", "queue", "list")).isEqualTo(2);
        assertThat(err()).as("the listener's limits, checked before any listener starts").isEqualTo("mamori: 設定に誤りがあります:"
                + " mamori.smtp.max-message-size='100B': 1KB〜2047MB にしてください / invalid setting:"
                + " mamori.smtp.max-message-size='100B': must be 1KB to 2047MB\n");
        assertThat(runWith("mamori.smtp.max-connections-per-ip", "500", "queue", "list")).isEqualTo(2);
        assertThat(err()).contains("mamori.smtp.max-connections-per-ip='500': 1〜mamori.smtp.max-connections にしてください");
        assertThat(runWith("mamori.console.session-timeout", "10s", "console", "reset-user", "sato@example.co.jp")).isEqualTo(2);
        assertThat(err()).as("the value as written").isEqualTo("mamori: 設定に誤りがあります: mamori.console.session-timeout='10s':"
                + " 1m 以上にしてください / invalid setting: mamori.console.session-timeout='10s': must be at least 1m\n");
        assertThat(runWith("mamori.store.batch-window", "soon", "keys", "rotate")).isEqualTo(2);
        assertThat(err()).contains("mamori.store.batch-window='soon': 時間の長さにしてください（例: 500ms、30s、15m、2h、5d） /")
                .endsWith(" must be a duration such as 500ms, 30s, 15m, 2h or 5d\n");
        assertThat(runWith("mamori.console.trusted-proxies", "10.0.0.0/8, nonsense", "audit", "verify")).isEqualTo(2);
        assertThat(err()).startsWith("mamori: 設定に誤りがあります: mamori.console.trusted-proxies='nonsense': CIDR 表記の");
        assertThat(runWith("mamori.smtp.outbound.trusted-networks", "127.0.0.0/8,0.0.0.0/0", "audit", "verify")).isEqualTo(2);
        assertThat(err()).isEqualTo("mamori: 設定に誤りがあります: mamori.smtp.outbound.trusted-networks='0.0.0.0/0':"
                + " すべてのアドレスを信頼するとオープンリレーになります / invalid setting: mamori.smtp.outbound.trusted-networks="
                + "'0.0.0.0/0': would trust every address: an open relay\n");
        assertThat(runWith("mamori.smtp.outbound.trusted-networks", "10.0.0.0/-0", "audit", "verify")).isEqualTo(2);
        assertThat(err()).startsWith("mamori: 設定に誤りがあります: mamori.smtp.outbound.trusted-networks='10.0.0.0/-0': CIDR 表記の");
        Path eml = Files.writeString(dir.resolve("plain.eml"), "From: a@partner.example\r\nSubject: hello\r\n\r\nbody\r\n");
        assertThat(runWith("mamori.dns.server", "[::1", "scan", eml.toString())).isEqualTo(2);
        assertThat(err()).startsWith("mamori: 設定に誤りがあります: mamori.dns.server='[::1': ホスト名か IP アドレスと、ポートにしてください");
        assertThat(run("eval", dir.toString(), "--expect", "ham", "--dns", "[::1")).as("the option, not the setting").isEqualTo(2);
        assertThat(err()).isEqualTo("eval: --dns '[::1': host:port か offline にしてください / --dns '[::1': must be host:port or"
                + " offline\n");
        assertThat(runWith("mamori.db.url", "jdbc:mysql://db.example/mamori?user=m&password=hunter2", "queue", "list"))
                .isEqualTo(2);
        assertThat(err()).as("never a secret's value").contains("mamori.db.url='jdbc:mysql://db.example/mamori?user=m&password=***':"
                + " jdbc:postgresql:… か jdbc:h2:… にしてください").doesNotContain("hunter2");
        assertThat(new InvalidSetting("mamori.db.password", "hunter2", "使えません", "cannot be used").bilingual())
                .isEqualTo("mamori.db.password='****': 使えません / mamori.db.password='****': cannot be used");
        assertThat(runWith("mamori.notices.from", "nobody", "notices", "mfa-reminders", "--from-directory")).isEqualTo(2);
        assertThat(lastErrorLine()).as("checked by the console's notices, when they are made").isEqualTo("mamori:"
                + " mamori.notices.from: 'nobody' はメールアドレスではありません / mamori.notices.from: 'nobody' is not an email address");
        assertThat(err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void policyValidateNamesFileLineAndKeyOfAnError() throws Exception {
        Path bad = dir.resolve("policy.yaml");
        Files.writeString(bad, "version: 1\norganisation:\n  name: x\n  internal_domains: [example.co.jp]\n"
                + "inbound:\n  thresholds: { tag: 4, hold: 2 }\noutbound:\n  thresholds: {}\n");

        assertThat(run("policy", "validate", bad.toString())).isEqualTo(1);

        assertThat(err()).contains("policy.yaml:6:").contains("inbound.thresholds.hold")
                .contains("inbound.thresholds.hold: tag (4) 以上にしてください / must be ≥ tag (4)");
    }

    @Test
    void policyValidateAcceptsTheShippedExample() {
        assertThat(run("policy", "validate", Path.of("..", "config", "policy.example.yaml").toString())).as(err()).isZero();
        assertThat(out()).contains("policy.example.yaml: 正常です（社内ドメイン 2 件、").contains(" / OK (2 internal domain(s), ");
    }

    @Test
    void checkBlocklistsAsksEachZonesTestEntriesThroughTheConfiguredResolver() throws Exception {
        // two zones of the test's own on the local DNS server: one answers as RFC 5782 says, one refuses this resolver
        // as Spamhaus refuses a public one; the key in the second zone's name is never printed
        DNS.a("2.0.0.127.zen.cli-blocklist.test", "127.0.0.2");
        DNS.a("test.k3y0fthesubscriber0123456.dbl.cli-blocklist.test", "127.255.255.254");
        DNS.a("invalid.k3y0fthesubscriber0123456.dbl.cli-blocklist.test", "127.255.255.254");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, Files.readString(Path.of("..", "config", "policy.example.yaml"))
                + "blocklists:\n  ip: [zen.cli-blocklist.test]\n  domain: [k3y0fthesubscriber0123456.dbl.cli-blocklist.test]\n");

        assertThat(run("policy", "check-blocklists", policy.toString())).as(err()).isEqualTo(1);
        assertThat(out()).contains("zen.cli-blocklist.test (IP): 動作しています / works [127.0.0.2 → 127.0.0.2; 127.0.0.1 → NXDOMAIN]")
                .contains("<key>.dbl.cli-blocklist.test (ドメイン / domain): エラー応答").contains("127.255.255.254")
                .doesNotContain("k3y0fthesubscriber0123456");

        Files.writeString(policy, Files.readString(Path.of("..", "config", "policy.example.yaml"))
                + "blocklists:\n  ip: [zen.cli-blocklist.test]\n");
        assertThat(run("policy", "check-blocklists", policy.toString())).as(err()).isZero();
        assertThat(run("policy", "check-blocklists", Path.of("..", "config", "policy.example.yaml").toString())).isZero();
        assertThat(out()).contains("names no block list zones");
    }

    @Test
    void theBlocklistKeyComesFromTheSettingAndIsNeverPrinted() throws Exception {
        DNS.a("2.0.0.127.s3cr3tkey.zen.cli-keyed.test", "127.0.0.2");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, Files.readString(Path.of("..", "config", "policy.example.yaml"))
                + "blocklists:\n  ip: [\"{key}.zen.cli-keyed.test\"]\n");
        assertThat(run("policy", "check-blocklists", policy.toString())).as("no key set: the zone is not asked").isEqualTo(1);
        assertThat(out()).contains("{key}.zen.cli-keyed.test (IP): mamori.dns.blocklist-key が未設定のため問い合わせません");
        try {
            System.setProperty("mamori.dns.blocklist-key", "S3cr3tKey");
            assertThat(run("policy", "check-blocklists", policy.toString())).as(out() + err()).isZero();
            assertThat(out()).contains("{key}.zen.cli-keyed.test (IP): 動作しています / works").doesNotContainIgnoringCase("s3cr3tkey");
            System.setProperty("mamori.dns.blocklist-key", "not a key!");
            assertThat(run("policy", "check-blocklists", policy.toString())).isNotZero();
            assertThat(err()).contains("mamori.dns.blocklist-key='****'").doesNotContain("not a key!");
        } finally {
            System.clearProperty("mamori.dns.blocklist-key");
        }
    }

    @Test
    void appPasswordIsShownOnceAndListedWithoutTheSecret() {
        assertThat(run("users", "add-app-password", "sato@example.co.jp", "--label", "laptop")).as(err()).isZero();
        assertThat(out()).startsWith("sato@example.co.jp（laptop）のアプリパスワード。表示はこの一度だけです"
                + " / App password for sato@example.co.jp (laptop), shown only once:");
        String issued = out().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertThat(issued).hasSizeGreaterThanOrEqualTo(20);

        assertThat(run("users", "list-app-passwords", "sato@example.co.jp")).isZero();
        assertThat(out()).contains("laptop").doesNotContain(issued).contains("作成 / created ")
                .contains("最終使用 / last used 未使用 / never").contains("1 件 / 1 app password(s)");

        assertThat(run("users", "add-app-password", "sato@example.co.jp", "--label", "tab\tbed"))
                .as("a label AppPasswords refuses is an error, not a crash").isEqualTo(2);
        assertThat(err()).contains("users: アプリパスワードを発行できません: ラベルは 1〜200 文字で、制御文字は使えません / cannot issue"
                + " the app password: label must be 1..200 characters without control characters\n");

        assertThat(run("users", "add-app-password", "not-an-address")).isEqualTo(2);
        assertThat(err()).contains("users: メールアドレスではありません / not an email address: not-an-address");
    }

    @Test
    void keysRotateAddsANewPrimaryKeyAndQueueListWorksOnTheSameStore() {
        assertThat(run("queue", "list")).as(err()).isZero();
        assertThat(out()).contains("0 message(s)");

        assertThat(run("keys", "rotate")).as(err()).isZero();
        assertThat(out()).containsPattern("新しい主マスター鍵 \\d+（以前は \\d+）。メッセージ鍵 0 件を包み直し、TOTP 鍵 0 件を暗号化し直し、"
                + "変更前のキーセットを .+ に保存しました / new primary master key \\d+ \\(was \\d+\\); 0 message key\\(s\\)"
                + " re-wrapped; 0 TOTP key\\(s\\) re-encrypted; previous keyset saved as ");
    }

    @Test
    void keysRotateAlsoReencryptsConsoleTotpKeysUnderTheNewPrimaryKey() throws Exception {
        String secret = enrollTotp("sato@example.co.jp");

        assertThat(run("keys", "rotate")).as(err()).isZero();

        assertThat(out()).contains("TOTP 鍵 1 件を暗号化し直し").contains("; 1 TOTP key(s) re-encrypted;");
        int primary = io.mamori.gateway.crypto.MasterKeys.openOrCreate(dir.resolve("data/keys")).primaryKeyId();
        byte[] sealed = java.util.Base64.getDecoder().decode(query("SELECT totp_secret FROM console_account"
                + " WHERE email = 'sato@example.co.jp'"));
        assertThat(sealed[0]).as("Tink output prefix").isEqualTo((byte) 1);
        assertThat(java.nio.ByteBuffer.wrap(sealed, 1, 4).getInt()).as("names the new primary key").isEqualTo(primary);
        java.time.Clock later = java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(60));
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), later)) {
            assertThat(consoleAccounts(local, later).checkSecondFactor("sato@example.co.jp", totpCode(secret, later.instant())))
                    .isInstanceOf(io.mamori.console.identity.ConsoleAccounts.SecondFactorCheck.Accepted.class);
        }
        assertThat(run("audit", "list")).isZero();
        assertThat(out()).containsPattern("keys\\.rotate +yes +master-key: primary \\d+ → primary " + Integer.toUnsignedString(primary)
                + "; 0 message key\\(s\\) re-wrapped; 1 TOTP key\\(s\\) re-encrypted");
    }

    @Test
    void aDataDirectoryWhoseKeysetIsMissingIsRefusedWhileItHoldsEncryptedData() throws Exception {
        Path keys = dir.resolve("data/keys").toAbsolutePath();
        assertThat(run("queue", "list")).as("a fresh data directory opens: " + err()).isZero();
        assertThat(keys.resolve("master-keyset.json")).exists();
        deleteTree(keys);
        assertThat(run("queue", "list")).as("nothing encrypted yet, so new keys are fine: " + err()).isZero();
        String id;
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            id = quarantine(local, "a@partner.example", "OFFICE_MACRO");
        }
        Path saved = dir.resolve("keys-backup");
        Files.move(keys, saved);

        assertThat(run("queue", "list")).isEqualTo(1);
        assertThat(err()).contains("queue: マスター鍵セット " + keys.resolve("master-keyset.json") + " がありませんが、")
                .contains("鍵ディレクトリ " + keys + " をデータと同時に取ったバックアップから戻すか")
                .contains(" / the master keyset " + keys.resolve("master-keyset.json") + " is missing, but the database holds")
                .contains("Restore the keys directory " + keys + " from the backup taken with the data");
        assertThat(keys).as("no new keyset").doesNotExist();
        assertThatThrownBy(() -> LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC()))
                .isInstanceOf(io.mamori.gateway.crypto.MasterKeys.KeysetMissing.class);

        Files.move(saved, keys);
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC());
             java.io.InputStream in = local.store().openContent(id)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).contains("From: a@partner.example");
        }
    }

    @Test
    void aConsoleTotpKeyAloneAlsoKeepsAMissingKeysetFromBeingReplaced() throws Exception {
        enrollTotp("sato@example.co.jp");
        deleteTree(dir.resolve("data/keys"));

        assertThat(run("keys", "rotate")).isEqualTo(1);
        assertThat(err()).contains("keys: マスター鍵セット ").contains(" / the master keyset ");
        assertThat(dir.resolve("data/keys")).doesNotExist();
    }

    /** Creates a console account for {@code email} with an enrolled authenticator; returns its key as displayed. */
    private static String enrollTotp(String email) throws Exception {
        java.time.Clock clock = java.time.Clock.systemUTC();
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), clock)) {
            io.mamori.console.identity.ConsoleAccounts accounts = consoleAccounts(local, clock);
            accounts.createUser(email, "佐藤", null, java.util.Set.of(io.mamori.core.access.Role.ADMIN));
            io.mamori.console.identity.ConsoleAccounts.Enrollment e = accounts.startEnrollment(email, "Mamori");
            accounts.finishEnrollment(email, e, totpCode(e.displaySecret(), clock.instant())).orElseThrow();
            return e.displaySecret();
        }
    }

    private static io.mamori.console.identity.ConsoleAccounts consoleAccounts(LocalStore local, java.time.Clock clock) {
        return ConsoleConfiguration.accounts(local, new io.mamori.console.directory.JdbcDirectory(local.dataSource(), clock),
                Settings.load(List.of()), clock);
    }

    /** What an authenticator app shows for the displayed key at {@code at} (java-otp, independent of the gateway). */
    private static String totpCode(String displayedSecret, java.time.Instant at) throws Exception {
        byte[] key = new org.apache.commons.codec.binary.Base32().decode(displayedSecret.replace(" ", ""));
        return new com.eatthepath.otp.TimeBasedOneTimePasswordGenerator()
                .generateOneTimePasswordString(new javax.crypto.spec.SecretKeySpec(key, "RAW"), at);
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void evalCountsActionsOverEmlAndMboxFilesAndListsTheWrongWay() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(corpus.resolve("plain.eml"), "From: a@partner.example\r\nSubject: hi\r\n\r\nhello\r\n");
        Files.writeString(corpus.resolve("box.mbox"), "From a@x Sat Nov 28 10:00:00 2026\n"
                + "From: a@partner.example\nSubject: one\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee\n"
                + ">From the attachment\n--b\nContent-Type: application/octet-stream; name=\"run.exe\"\n"
                + "Content-Disposition: attachment; filename=\"run.exe\"\n\nMZ\n--b--\n"
                + "\nFrom b@x Sat Nov 28 10:01:00 2026\nFrom: b@partner.example\nSubject: two\n\nplain\n",
                StandardCharsets.UTF_8);
        Files.writeString(corpus.resolve("notes.txt"), "not mail, not counted");
        Files.writeString(corpus.resolve("README"), "# not mail either\n");
        Files.writeString(corpus.resolve("1234567890.M1P2.host_2_S"), "From: c@partner.example\r\nSubject: maildir\r\n\r\nplain\r\n");
        // a plain message in RFC 5322's obsolete syntax (space before the colon) is no mbox
        Files.writeString(corpus.resolve("obsolete"), "From  : John Doe <jdoe@machine(comment).  example>\r\n"
                + "Subject     : Saying Hello\r\n\r\nhello\r\n");

        assertThat(run("eval", dir.resolve("corpus").toString(), "--expect", "phishing", "--json")).as(err()).isZero();

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("total").asInt()).isEqualTo(5);
        assertThat(json.get("byAction").get("QUARANTINE").asInt()).isEqualTo(1);
        assertThat(json.get("byAction").get("DELIVER").asInt()).isEqualTo(4);
        assertThat(json.get("wrongWayCount").asInt()).isEqualTo(4);
        assertThat(json.get("topFindings").get(0).get("code").asText()).isEqualTo("ATTACHMENT_EXECUTABLE");
        assertThat(json.get("wrongWay").findValuesAsText("message")).anyMatch(m -> m.endsWith("obsolete"))
                .noneMatch(m -> m.contains("obsolete#"));

        assertThat(run("eval", dir.resolve("corpus").toString(), "--expect", "ham")).isZero();
        assertThat(out()).containsPattern("QUARANTINE +1 +20.0%").contains("box.mbox#1")
                .contains("期待と逆の判定 / Wrong way (1):");
    }

    /** Mail of two kinds, each message a different mix of its kind's sentences. */
    private void writeMail(Path folder, String[] sentences, String subject, int count) throws Exception {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            StringBuilder body = new StringBuilder();
            for (int k = 0; k < sentences.length; k++) {
                if (((i + 1) >> (k % 4) & 1) == 1 || k == i % sentences.length) {
                    body.append(sentences[k]).append("\r\n");
                }
            }
            Files.writeString(folder.resolve("m" + i + ".eml"), "From: someone" + i + "@sender.example\r\nTo: keiri@example.co.jp\r\n"
                    + "Subject: " + subject + "\r\n\r\n" + body, StandardCharsets.UTF_8);
        }
    }

    private static final String[] PHISHING_SENTENCES = {"Your mailbox has been suspended.", "Verify your password immediately.",
        "Confirm your billing details to restore access.", "Unusual sign-in activity was detected on your account.",
        "Failure to verify will result in permanent closure.", "Update your credentials using the secure portal."};
    private static final String[] HAM_SENTENCES = {"The agenda for Thursday's meeting is attached.",
        "Please review the minutes before the quarterly planning session.", "Lunch will be provided in room four.",
        "The budget spreadsheet has the revised headcount.", "Thanks for presenting the roadmap yesterday.",
        "Let me know if the schedule works for your team."};

    @Test
    void learnWritesAModelThatEvalAndScanUseAndRefusesWhatItCannotRead() throws Exception {
        writeMail(dir.resolve("confirmed"), PHISHING_SENTENCES, "Account notice", 60);
        writeMail(dir.resolve("mailbox"), HAM_SENTENCES, "Team update", 60);
        Path model = dir.resolve("model.tsv.gz");

        assertThat(run("learn", "--phishing", dir.resolve("confirmed").toString(), "--ham", dir.resolve("mailbox").toString(),
                "--out", model.toString())).as(err()).isZero();
        assertThat(out()).startsWith("学習: フィッシング 60 通、正常 60 通。モデルの合計: フィッシング 60 通、正常 60 通。" + model
                + " に書き出しました\nLearnt 60 phishing and 60 legitimate message(s)");
        io.mamori.core.classifier.ContentModel learnt = io.mamori.core.classifier.ContentModelFile.read(model);
        assertThat(learnt.phishingMessages()).isEqualTo(60);
        assertThat(learnt.legitimateMessages()).isEqualTo(60);
        assertThat(learnt.trained()).isTrue();

        Path incoming = Files.createDirectories(dir.resolve("incoming"));
        Files.writeString(incoming.resolve("lure.eml"), "From: Help Desk <desk@elsewhere.example>\r\nTo: keiri@example.co.jp\r\n"
                + "Subject: Action required\r\n\r\nUnusual sign-in activity was detected. Verify your password to restore"
                + " access to your mailbox.\r\n", StandardCharsets.UTF_8);
        assertThat(run("eval", incoming.toString(), "--expect", "phishing", "--json", "--model", model.toString())).as(err()).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("topFindings").findValuesAsText("code")).contains("CONTENT_LIKE_PHISHING");
        assertThat(run("eval", incoming.toString(), "--expect", "phishing", "--json")).as(err()).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("topFindings").findValuesAsText("code"))
                .as("no model configured: no opinion").doesNotContain("CONTENT_LIKE_PHISHING");

        System.setProperty("mamori.analysis.content-model", model.toString());
        try {
            assertThat(run("scan", incoming.resolve("lure.eml").toString(), "--json")).as(err()).isZero();
            assertThat(out()).containsPattern("\"code\":\"CONTENT_LIKE_PHISHING\"[^}]*\"evidence\":\"p=0\\.9\\d\\d; ");
        } finally {
            System.clearProperty("mamori.analysis.content-model");
        }

        Files.writeString(dir.resolve("more.mbox"), "From x@y Sat Nov 28 10:00:00 2026\nFrom: a@b.example\nSubject: lunch\n\n"
                + "Lunch will be provided.\n\nFrom x@y Sat Nov 28 10:01:00 2026\nFrom: c@d.example\nSubject: agenda\n\nagenda\n",
                StandardCharsets.UTF_8);
        assertThat(run("learn", "--from", model.toString(), "--ham", dir.resolve("more.mbox").toString(), "--out",
                model.toString())).as(err()).isZero();
        assertThat(io.mamori.core.classifier.ContentModelFile.read(model).legitimateMessages()).isEqualTo(62);

        assertThat(run("learn", "--ham", dir.resolve("absent").toString(), "--out", model.toString())).isEqualTo(2);
        assertThat(err()).contains("learn: ディレクトリがありません / no such directory: ");
        assertThat(run("learn", "--ham", dir.resolve("mailbox").toString(), "--out", dir.resolve("absent/m.tsv").toString()))
                .isEqualTo(2);
        assertThat(err()).contains("learn: --out のディレクトリがありません / the directory of --out does not exist: ");
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "not a model\n");
        assertThat(run("learn", "--from", bad.toString(), "--ham", dir.resolve("mailbox").toString(), "--out",
                dir.resolve("x.tsv").toString())).isEqualTo(2);
        assertThat(err()).contains("learn: 元のモデルを読めません / cannot read the starting model: ")
                .contains("not a Mamori content model");
        assertThat(run("eval", incoming.toString(), "--expect", "ham", "--model", bad.toString())).isEqualTo(2);
        assertThat(err()).contains("eval: モデルファイル " + bad + " を読めません / cannot read the content model " + bad + ": ")
                .contains("not a Mamori content model");
        assertThat(io.mamori.core.classifier.ContentModelFile.read(model).legitimateMessages())
                .as("a refused run leaves the model as it was").isEqualTo(62);
        assertThat(run("learn", "--out", dir.resolve("x.tsv").toString())).isEqualTo(2);
        assertThat(err()).contains("learn: --phishing か --ham のディレクトリを 1 つ以上指定してください / give at least one"
                + " --phishing or --ham directory");
        assertThat(run("eval", dir.resolve("absent").toString(), "--expect", "ham")).isEqualTo(2);
        assertThat(err()).contains("eval: ディレクトリがありません / no such directory: " + dir.resolve("absent"));
    }

    @Test
    void learnFromTheShippedSeedKeepsItsPhishingAndAddsTheOrganisationsMail() throws Exception {
        writeMail(dir.resolve("mailbox"), HAM_SENTENCES, "Team update", 5);
        Path model = dir.resolve("site.tsv");
        assertThat(run("learn", "--from", "shipped", "--ham", dir.resolve("mailbox").toString(), "--out", model.toString()))
                .as(err()).isZero();
        io.mamori.core.classifier.ContentModel seed = io.mamori.core.classifier.ShippedContentModel.get();
        io.mamori.core.classifier.ContentModel site = io.mamori.core.classifier.ContentModelFile.read(model);
        assertThat(site.phishingMessages()).isEqualTo(seed.phishingMessages()).isGreaterThanOrEqualTo(100);
        assertThat(site.legitimateMessages()).isEqualTo(seed.legitimateMessages() + 5);
        assertThat(Files.readString(model)).startsWith("# mamori content model 2\nmessages\t");
    }

    @Test
    void evalUsesANeutralOrganisationAndNoDnsUnlessToldOtherwise() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("neutral"));
        // example.com is "the same name under another suffix" as the built-in policy's example.co.jp
        Files.writeString(corpus.resolve("a.eml"), "From: Billing <billing@example.com>\r\nTo: x@example.net\r\n"
                + "Subject: hello\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; c=relaxed/relaxed;"
                + " h=from:subject; bh=zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=; b=AAAA\r\n\r\nhello\r\n");

        assertThat(run("scan", corpus.resolve("a.eml").toString(), "--json")).as(err()).isZero();
        assertThat(out()).contains("\"code\":\"LOOKALIKE_DOMAIN\"");

        assertThat(run("eval", corpus.toString(), "--expect", "ham", "--json", "--dns", "offline")).as(err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("internalDomains").asText()).isEqualTo("[evaluation.invalid]");
        assertThat(json.get("dns").asText()).startsWith("no DNS");
        assertThat(json.get("topFindings").findValuesAsText("code")).contains("AUTH_TEMPFAIL")
                .doesNotContain("LOOKALIKE_DOMAIN", "DKIM_FAIL", "DKIM_PERMERROR");

        assertThat(run("eval", corpus.toString(), "--expect", "ham", "--json")).as(err()).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("dns").asText())
                .isEqualTo("DNS server 127.0.0.1:" + DNS.address().getPort());
    }

    @Test
    void bulkReleaseByFindingMovesOnlyTheMatchingQuarantinedMessages() throws Exception {
        String exe;
        String macro;
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            exe = quarantine(local, "a@partner.example", "ATTACHMENT_EXECUTABLE");
            macro = quarantine(local, "b@partner.example", "OFFICE_MACRO");
        }

        assertThat(run("queue", "release", "--finding", "ATTACHMENT_EXECUTABLE")).as(err()).isZero();
        assertThat(out()).contains("1 件を解放しました / 1 message(s) released");
        assertThat(run("queue", "release")).isEqualTo(2);
        assertThat(err()).contains("queue release: ID、--sender、--finding のどれか 1 つを指定してください"
                + " / give exactly one of ID, --sender or --finding");
        assertThat(run("queue", "show", macro)).as(err()).isZero();
        assertThat(out()).startsWith("ID:                         " + macro + "\n方向 / Direction:           inbound\n")
                .contains("\n判定 / Verdict:             QUARANTINE (スコア / score 8.00) OFFICE_MACRO\n")
                .contains("\n最後のエラー / Last error:  ").containsPattern("(?m)^  宛先 / rcpt sato@example\\.co\\.jp ");
        assertThat(run("queue", "show", "NO-SUCH-ID")).isEqualTo(1);
        assertThat(err()).contains("queue: メッセージ NO-SUCH-ID はありません / no message NO-SUCH-ID");

        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            assertThat(local.store().find(exe).orElseThrow().state()).isEqualTo(io.mamori.core.store.MessageState.QUEUED);
            assertThat(local.store().find(macro).orElseThrow().state()).isEqualTo(io.mamori.core.store.MessageState.QUARANTINED);
        }
        assertThat(run("queue", "release", "--sender", "B@partner.example")).isZero();
        assertThat(out()).contains("1 message(s) released");
    }

    private static String quarantine(LocalStore local, String from, String code) throws Exception {
        io.mamori.core.store.Spool spool = local.store().openSpool();
        try (java.io.OutputStream o = spool.output()) {
            o.write(("From: " + from + "\r\nSubject: q\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        io.mamori.core.message.Envelope envelope = new io.mamori.core.message.Envelope(
                io.mamori.core.message.Direction.INBOUND, from, List.of("sato@example.co.jp"), "192.0.2.1", "h", null,
                false, java.time.Instant.now());
        io.mamori.core.analysis.Verdict verdict = new io.mamori.core.analysis.Verdict(
                io.mamori.core.analysis.Action.QUARANTINE, 8, List.of(io.mamori.core.analysis.Finding.of(code, "x")));
        return local.store().commit(spool, new io.mamori.core.store.NewMessage(envelope, "q", verdict,
                io.mamori.core.store.MessageState.QUARANTINED), "").id();
    }

    private static final String ME = "cli:" + System.getProperty("user.name");

    /** The first column of the first row of {@code select} on the configured database (the CLI has closed it). */
    private static String query(String select) throws Exception {
        try (com.zaxxer.hikari.HikariDataSource ds = io.mamori.gateway.store.Databases.open(
                LocalStore.databaseSettings(Settings.load(List.of())));
             java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(select)) {
            assertThat(rs.next()).as(select).isTrue();
            return rs.getString(1);
        }
    }

    /** Runs SQL on the configured database as someone with direct access to it would (the CLI has closed it). */
    private static void sql(String statement) throws Exception {
        try (com.zaxxer.hikari.HikariDataSource ds = io.mamori.gateway.store.Databases.open(
                LocalStore.databaseSettings(Settings.load(List.of())));
             java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    @Test
    void eachStoreCommandSaysItselfWhatToUseWhileAGatewayHoldsTheEmbeddedDatabase() throws Exception {
        assertThat(run("users", "list-app-passwords", "sato@example.co.jp")).as(err()).isZero();
        Path csv = Files.writeString(dir.resolve("people.csv"), "email,display_name\nsato@example.co.jp,佐藤");
        // another process holding the H2 file, as a running gateway does: H2's own shell, connected until its input ends
        // (it answers a query once it is)
        io.mamori.gateway.store.Databases.Settings db = LocalStore.databaseSettings(Settings.load(List.of()));
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.h2.tools.Shell", "-url", db.url(), "-user", db.user(),
                "-password", db.password()).redirectErrorStream(true).start();
        try {
            holder.getOutputStream().write("SELECT 'HOLDING' AS X;\n".getBytes(StandardCharsets.US_ASCII));
            holder.getOutputStream().flush();
            java.io.BufferedReader shell = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            do {
                line = shell.readLine();
                assertThat(line).as("H2's shell ended before it connected").isNotNull();
            } while (!line.contains("HOLDING"));
            // each open waits about a second for H2's file lock: the commands with code of their own, not all
            String busy = ": 組み込みデータベースは稼働中のゲートウェイが使用中です。ゲートウェイを停止";

            assertThat(run("users", "add-app-password", "sato@example.co.jp")).isEqualTo(3);
            assertThat(lastErrorLine()).isEqualTo("users" + busy + "するか、Web コンソールの「ユーザーとロール」のページを使ってください / the"
                    + " embedded database is in use by a running gateway; stop it or use the web console's page Users and roles");
            assertThat(run("keys", "rotate")).isEqualTo(3);
            assertThat(lastErrorLine()).isEqualTo("keys" + busy + "してください / the embedded database is in use by a running gateway;"
                    + " stop it first");
            assertThat(run("queue", "list")).isEqualTo(3);
            assertThat(lastErrorLine()).startsWith("queue" + busy + "するか、REST API（/api/v1/messages）を使ってください / ")
                    .endsWith(" or use the REST API (/api/v1/messages)");
            assertThat(run("audit", "verify")).isEqualTo(3);
            assertThat(lastErrorLine()).startsWith("audit" + busy).endsWith(" or use the REST API (GET /api/v1/audit)");
            assertThat(run("directory", "import", csv.toString())).isEqualTo(3);
            assertThat(lastErrorLine()).startsWith("directory" + busy).endsWith(" (Import from CSV)");
            assertThat(run("notices", "mfa-reminders", "--from-directory")).isEqualTo(3);
            assertThat(lastErrorLine()).startsWith("notices" + busy).endsWith(" (Send MFA set-up reminders)");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
        assertThat(run("users", "list-app-passwords", "sato@example.co.jp")).as("free again: " + err()).isZero();
    }

    /** The last line the command wrote to standard error (the test's logging writes the pool's INFO lines there too). */
    private String lastErrorLine() {
        return err().lines().reduce((first, second) -> second).orElse("");
    }

    @Test
    void readingTheQueueIsRecordedInTheAuditLogAsTheConsolesSearchAndViewAre() throws Exception {
        String a;
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            a = quarantine(local, "a@partner.example", "ATTACHMENT_EXECUTABLE");
        }
        assertThat(run("queue", "list", "--state", "QUARANTINED")).as(err()).isZero();
        assertThat(run("queue", "show", a)).as(err()).isZero();
        assertThat(run("queue", "show", "NO-SUCH-ID")).isEqualTo(1);

        assertThat(run("audit", "list", "--action", "message.*")).as(err()).isZero();
        assertThat(out()).containsPattern("(?m)^ +1 .* local +message\\.search +yes +state=QUARANTINED: - → 1 message\\(s\\)$")
                .containsPattern("(?m)^ +2 .* message\\.view +yes +" + a + ": - → QUARANTINED$")
                .containsPattern("(?m)^ +3 .* message\\.view +NO +NO-SUCH-ID: - → not found$")
                .contains("3 件 / 3 entries");
    }

    @Test
    void queueActionsAreRecordedInTheAuditLogAndAnEditedRowIsFoundByVerify() throws Exception {
        String a;
        String b;
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            a = quarantine(local, "a@partner.example", "ATTACHMENT_EXECUTABLE");
            b = quarantine(local, "b@partner.example", "OFFICE_MACRO");
        }
        assertThat(run("queue", "release", a)).as(err()).isZero();
        assertThat(run("queue", "delete", b)).as(err()).isZero();
        assertThat(run("queue", "release", b)).isEqualTo(1);
        assertThat(run("queue", "delete", "NO-SUCH-ID")).isEqualTo(1);
        // the release and the deletion taught the gateway's own content model (written when the CLI closed the store)
        io.mamori.core.classifier.ContentModel learnt = io.mamori.core.classifier.ContentModelFile.read(
                dir.resolve("data").resolve("content-model.tsv"));
        assertThat(learnt.legitimateMessages()).isEqualTo(1);
        assertThat(learnt.phishingMessages()).isEqualTo(1);

        assertThat(run("audit", "list", "--action", "queue.*")).as(err()).isZero();
        assertThat(out()).containsPattern("(?m)^ +1 .* " + java.util.regex.Pattern.quote(ME) + " +local +queue\\.release +yes +"
                        + a + ": QUARANTINED → QUEUED$")
                .containsPattern("(?m)^ +2 .* queue\\.delete +yes +" + b + ": QUARANTINED → DELETED$")
                .containsPattern("(?m)^ +3 .* queue\\.release +NO +" + b + ": DELETED → refused: not allowed in state DELETED$")
                .containsPattern("(?m)^ +4 .* queue\\.delete +NO +NO-SUCH-ID: - → not found$")
                .contains("4 件 / 4 entries");
        assertThat(run("audit", "list", "--object", a)).isZero();
        assertThat(out()).contains("1 件 / 1 entry");
        assertThat(run("audit", "list", "--limit", "3")).isZero();
        assertThat(out()).contains("3 件。それより古い記録は --before 2 で表示します / 3 entries; older ones with --before 2");

        assertThat(run("audit", "verify")).as(err()).isZero();
        assertThat(out()).contains("監査ログは正常です: 4 件、最後の seq 4 / audit log OK: 4 entries, last seq 4")
                .containsPattern("(?m)^アンカー / anchor: 4:[0-9a-f]{64}$");

        sql("UPDATE audit_log SET after_state = 'HELD' WHERE seq = 2");

        assertThat(run("audit", "verify")).isEqualTo(1);
        assertThat(out()).contains("監査ログが改ざんされています: 最初に壊れている seq 2（EDITED） / audit log BROKEN: first broken"
                        + " seq 2 (EDITED)")
                .contains("row seq 2 was edited").contains("それより前の 1 件は正常でした / 1 entry before it checked out");
    }

    @Test
    void auditVerifyFindsADeletedRowAndARebuiltChainThroughAnAnchor() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(run("queue", "delete", "NO-SUCH-" + i)).isEqualTo(1);
        }
        assertThat(run("audit", "verify")).isZero();
        String anchor = out().lines().filter(l -> l.startsWith("アンカー / anchor: ")).findFirst().orElseThrow().replaceAll(".*: ", "");

        sql("DELETE FROM audit_log WHERE seq = 2");
        assertThat(run("audit", "verify")).isEqualTo(1);
        assertThat(out()).contains("first broken seq 2 (DELETED)").contains("row seq 2 was deleted");

        assertThat(run("audit", "verify", "--anchor", "3:" + "0".repeat(64))).isEqualTo(1);
        assertThat(run("audit", "verify", "--anchor", "bogus")).isEqualTo(2);
        assertThat(err()).contains("audit verify: アンカーは SEQ:HASH の形で指定してください（例: 42:9f86d0…）: bogus"
                + " / anchor must be SEQ:HASH, e.g. 42:9f86d0…: bogus");
        assertThat(anchor).startsWith("3:");
    }

    @Test
    void auditCommandsWorkOnPostgresqlToo() throws Exception {
        String server = "jdbc:postgresql://127.0.0.1:5432/test";
        String schema = "mamori_cli_" + Long.toHexString(System.nanoTime());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(server, "postgres", "");
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        System.setProperty("mamori.db.url", server + "?currentSchema=" + schema);
        System.setProperty("mamori.db.user", "postgres");
        try {
            assertThat(run("queue", "release", "NO-SUCH-PG")).isEqualTo(1);
            assertThat(run("audit", "verify")).as(err()).isZero();
            assertThat(out()).contains("audit log OK").contains("1 entry, last seq 1");
            assertThat(run("audit", "list")).isZero();
            assertThat(out()).contains("NO-SUCH-PG: - → not found");
        } finally {
            System.clearProperty("mamori.db.url");
            System.clearProperty("mamori.db.user");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(server, "postgres", "");
                 java.sql.Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void appPasswordsAndKeyRotationAreAuditedWithoutSecrets() throws Exception {
        assertThat(run("users", "add-app-password", "sato@example.co.jp", "--label", "laptop")).as(err()).isZero();
        String password = out().lines().reduce((x, y) -> y).orElseThrow().trim();
        assertThat(run("users", "list-app-passwords", "sato@example.co.jp")).isZero();
        String id = out().lines().findFirst().orElseThrow().trim().split(" +")[0];
        assertThat(run("users", "revoke-app-password", "sato@example.co.jp", id)).isZero();
        assertThat(out()).isEqualTo("アプリパスワード #" + id + " を失効させました / app password #" + id + " revoked\n");
        assertThat(run("users", "revoke-app-password", "sato@example.co.jp", id)).isEqualTo(1);
        assertThat(err()).contains("users: 有効なアプリパスワード #" + id + " はありません / no such active app password: #" + id);
        assertThat(run("keys", "rotate")).as(err()).isZero();

        assertThat(run("audit", "list")).isZero();
        assertThat(out()).containsPattern("user\\.app-password\\.add +yes +sato@example\\.co\\.jp: - → label=laptop")
                .containsPattern("user\\.app-password\\.revoke +yes +sato@example\\.co\\.jp: id=" + id + " → revoked")
                .containsPattern("user\\.app-password\\.revoke +NO +sato@example\\.co\\.jp: id=" + id + " → refused")
                .containsPattern("keys\\.rotate +yes +master-key: primary \\d+ → primary \\d+; 0 message key\\(s\\) re-wrapped")
                .doesNotContain(password);
        assertThat(run("audit", "list", "--actor", "someone-else")).isZero();
        assertThat(out()).contains("0 件 / 0 entries");
        assertThat(run("audit", "list", "--since", "tomorrow")).isEqualTo(2);
        assertThat(err()).contains("audit list: 日時として読めません: 'tomorrow'（例: ").contains(" / not a time: 'tomorrow'");
        assertThat(run("audit", "list", "--limit", "0")).isEqualTo(2);
        assertThat(err()).contains("audit list: --limit は 1〜1000 にしてください / --limit must be between 1 and 1000");
    }

    @Test
    void auditExportWritesExcelReadableCsvAndIsItselfAudited() throws Exception {
        assertThat(run("queue", "delete", "請求書-ID")).isEqualTo(1);
        Path csv = dir.resolve("audit.csv");

        assertThat(run("audit", "export", csv.toString())).as(err()).isZero();

        assertThat(out()).contains("2 件を " + csv + " に書き出しました / 2 entries written to " + csv);
        byte[] bytes = Files.readAllBytes(csv);
        assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text.lines().toList()).hasSize(3);
        assertThat(text).contains(",queue.delete,請求書-ID,,not found,false,").contains(",audit.export,audit,,filter: all → ");
        assertThat(run("audit", "export", csv.toString(), "--action", "queue.delete")).isZero();
        assertThat(out()).contains("1 entry written");

        Path nowhere = dir.resolve("no-such-dir").resolve("audit.csv");
        assertThat(run("audit", "export", nowhere.toString())).isEqualTo(2);
        assertThat(err()).contains("audit export: " + nowhere + " に書き込めません / cannot write " + nowhere
                + " (NoSuchFileException").doesNotContain("\tat ");
        assertThat(run("audit", "export", csv.toString(), "--action", "audit.export")).isZero();
        assertThat(Files.readString(csv, StandardCharsets.UTF_8)).as("the failed export is recorded as failed")
                .contains(",audit.export,audit,,filter: action=audit.export → " + csv.toAbsolutePath())
                .contains("→ " + nowhere.toAbsolutePath() + ": NoSuchFileException,false,");
    }

    @Test
    void aDirectoryImportNotifiesPeopleWhoseAccessChangedAndRemindersCanComeFromTheDirectory() throws Exception {
        System.setProperty("mamori.notices.setup-url", "https://mamori.example.co.jp/login");
        try {
            Path csv = dir.resolve("people.csv");
            Files.write(csv, ("email,display_name,department,roles\n"
                    + "yamada@example.co.jp,山田 太郎,営業部,\n"
                    + "sato@example.co.jp,佐藤 花子,経理部,admin\n").getBytes(StandardCharsets.UTF_8));
            assertThat(run("directory", "import", csv.toString())).as(err()).isZero();
            Files.write(csv, ("email,display_name,department,roles,approver_departments\n"
                    + "yamada@example.co.jp,山田 太郎,営業部,approver,営業部\n"
                    + "sato@example.co.jp,佐藤 花子,経理部,admin,\n").getBytes(StandardCharsets.UTF_8));
            assertThat(run("directory", "import", csv.toString())).as(err()).isZero();
            assertThat(out()).contains("updated 1");
            try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
                List<io.mamori.core.store.StoredMessage> queued = local.store().list(io.mamori.core.store.MessageState.QUEUED, 10);
                assertThat(queued).as("only the person whose access changed is told").singleElement().satisfies(m -> {
                    assertThat(m.recipients().get(0).address()).isEqualTo("yamada@example.co.jp");
                    assertThat(m.subject()).contains("権限が変更されました");
                });
            }

            assertThat(run("console", "add-user", "sato@example.co.jp")).as(err()).isZero();
            assertThat(run("notices", "mfa-reminders", "--from-directory", "--dry-run")).as(err()).isZero();
            assertThat(out()).as("no language in the file: both").contains("送信予定 / would send to sato@example.co.jp [ja, en]")
                    .doesNotContain("yamada@")
                    .contains("1 件中 1 件のリマインダーをキューに入れます（ドライランのため何もしていません） / 1 of 1 reminder(s)"
                            + " would be queued (dry run)");
            assertThat(run("notices", "mfa-reminders", "--from-directory")).as(err()).isZero();
            assertThat(out()).containsPattern("sato@example\\.co\\.jp 宛ての通知 ([0-9A-Z]{26}) をキューに入れました / \\1 queued for"
                    + " sato@example\\.co\\.jp").contains("1 件中 1 件のリマインダーをキューに入れました / 1 of 1 reminder(s) queued");
            assertThat(run("notices", "mfa-reminders", "--from-directory", csv.toString())).isEqualTo(2);
            assertThat(run("audit", "list", "--action", "notice.*")).isZero();
            assertThat(out()).containsPattern("notice\\.access-changed +yes +yamada@example\\.co\\.jp")
                    .containsPattern("notice\\.mfa-reminders +yes +directory");
        } finally {
            System.clearProperty("mamori.notices.setup-url");
        }
    }

    @Test
    void consoleAddUserThatChangesAnExistingPersonsRolesSendsTheAccessChangedNotice() throws Exception {
        System.setProperty("mamori.notices.setup-url", "https://mamori.example.co.jp/login");
        try {
            Path csv = dir.resolve("people.csv");
            Files.write(csv, ("email,display_name,department,roles,language\n"
                    + "yamada@example.co.jp,山田 太郎,営業部,,en\n"
                    + "sato@example.co.jp,佐藤 花子,経理部,admin,\n").getBytes(StandardCharsets.UTF_8));
            assertThat(run("directory", "import", csv.toString())).as(err()).isZero();

            assertThat(run("console", "add-user", "yamada@example.co.jp", "--roles", "approver")).as(err()).isZero();
            assertThat(run("console", "add-user", "sato@example.co.jp")).as(err()).isZero();
            try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
                List<io.mamori.core.store.StoredMessage> queued = local.store().list(io.mamori.core.store.MessageState.QUEUED, 10);
                assertThat(queued).as("only the person whose roles changed is told").singleElement().satisfies(m -> {
                    assertThat(m.recipients().get(0).address()).isEqualTo("yamada@example.co.jp");
                    assertThat(m.subject()).as("in the person's language").contains("Your access to the mail security console has changed");
                });
            }
            assertThat(run("audit", "list", "--action", "notice.*")).isZero();
            assertThat(out()).containsPattern("notice\\.access-changed +yes +yamada@example\\.co\\.jp")
                    .doesNotContain("sato@example.co.jp");
        } finally {
            System.clearProperty("mamori.notices.setup-url");
        }
    }

    @Test
    void mfaRemindersAreQueuedForEveryUserInTheCsvAndAudited() throws Exception {
        System.setProperty("mamori.notices.setup-url", "https://mamori.example.co.jp/mfa");
        try {
            Path users = dir.resolve("users.csv");
            Files.write(users, ("\uFEFFemail,name,department,language\r\n"
                    + "yamada@example.co.jp,山田 太郎,経理部,ja\r\n"
                    + "\r\n"
                    + "ito@partner.example,\"Ito, Ken\",Sales,\r\n").getBytes(StandardCharsets.UTF_8));

            assertThat(run("notices", "mfa-reminders", users.toString(), "--dry-run")).as(err()).isZero();
            assertThat(out()).contains("would send to yamada@example.co.jp [ja]: 【株式会社サンプル】多要素認証（MFA）の設定をお願いします")
                    .contains("would send to ito@partner.example [ja, en]: 【株式会社サンプル】");

            assertThat(run("notices", "mfa-reminders", users.toString())).as(err()).isZero();
            assertThat(out()).contains("2 件中 2 件のリマインダーをキューに入れました / 2 of 2 reminder(s) queued");

            try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
                List<io.mamori.core.store.StoredMessage> queued = local.store().list(io.mamori.core.store.MessageState.QUEUED, 10);
                assertThat(queued).extracting(m -> m.recipients().get(0).address())
                        .containsExactlyInAnyOrder("yamada@example.co.jp", "ito@partner.example");
                assertThat(queued).allSatisfy(m -> assertThat(m.mailFrom()).isEqualTo("mamori-noreply@example.co.jp"));
                assertThat(queued).extracting(io.mamori.core.store.StoredMessage::subject).contains(
                        "【株式会社サンプル】多要素認証（MFA）の設定をお願いします",
                        "【株式会社サンプル】多要素認証（MFA）の設定をお願いします / [株式会社サンプル] Please set up multi-factor authentication (MFA)");
            }
            assertThat(run("audit", "list", "--action", "notice.*")).isZero();
            assertThat(out()).containsPattern("notice\\.mfa-reminder +yes +yamada@example\\.co\\.jp: - → queued [0-9A-Z]{26}")
                    .containsPattern("notice\\.mfa-reminder +yes +ito@partner\\.example")
                    .containsPattern("notice\\.mfa-reminders +yes +users\\.csv: - → 2 of 2 queued");
        } finally {
            System.clearProperty("mamori.notices.setup-url");
        }
    }

    @Test
    void aBadRecipientsFileIsRefusedWithTheLineOfEachProblem() throws Exception {
        Path users = dir.resolve("bad.csv");
        Files.writeString(users, "email,name\nok@example.co.jp,OK\nnot-an-address,X\nalso bad,Y\n");
        assertThat(run("notices", "mfa-reminders", users.toString())).isEqualTo(2);
        assertThat(err()).contains("bad.csv:3: 'not-an-address' はメールアドレスではありません / not an email address: 'not-an-address'")
                .contains("bad.csv:4: 'also bad' はメールアドレスではありません / not an email address");

        Files.writeString(users, "email,name\nok@example.co.jp,OK\n\"unterminated@example.co.jp,Y\n");
        assertThat(run("notices", "mfa-reminders", users.toString())).isEqualTo(2);
        assertThat(err()).contains("bad.csv: CSV ファイルとして正しくありません / not a valid CSV file: (startline 3) EOF reached"
                + " before encapsulated token finished");

        Files.writeString(users, "someone@example.co.jp,Someone\n");
        assertThat(run("notices", "mfa-reminders", users.toString())).isEqualTo(2);
        assertThat(err()).contains("bad.csv:1: 1 行目に列名（例: email,name,department,language）が必要です"
                + " / the first line must name the columns");

        Files.writeString(users, "email\nsato@example.co.jp\n");
        assertThat(run("notices", "mfa-reminders", users.toString())).as("no setup URL configured").isEqualTo(1);
        assertThat(err()).contains("notices: mfa-reminder.ja.txt: mamori.notices.setup-url が設定されていないため、{setupUrl}"
                + " を使うこのテンプレートで通知を作れません / mamori.notices.setup-url is not set, and this template uses {setupUrl}\n");

        System.setProperty("mamori.notices.setup-url", "https://mamori.example.co.jp/mfa");
        try {
            Files.writeString(users, "email\nsato@example.co.jp\na(b@example.co.jp\n");
            assertThat(run("notices", "mfa-reminders", users.toString())).as("one of two not queued").isEqualTo(1);
            assertThat(err()).as("an address the notice's mail cannot carry").contains("notices: bad.csv:3: キューに入れられません:"
                    + " 'a(b@example.co.jp' はメールアドレスではありません / cannot queue it: 'a(b@example.co.jp' is not an email"
                    + " address\n");
            assertThat(out()).contains("2 件中 1 件のリマインダーをキューに入れました / 1 of 2 reminder(s) queued");
        } finally {
            System.clearProperty("mamori.notices.setup-url");
        }
    }

    @Test
    void aShiftJisCsvSavedByExcelIsReadToo() throws Exception {
        Path users = dir.resolve("sjis.csv");
        Files.write(users, "email,name,department,language\r\nsato@example.co.jp,佐藤 花子,総務部,ja\r\n"
                .getBytes(java.nio.charset.Charset.forName("windows-31j")));
        List<NoticesCommand.Recipient> read = NoticesCommand.readRecipients(users);
        assertThat(read).containsExactly(new NoticesCommand.Recipient(2, "sato@example.co.jp", "佐藤 花子", "総務部", "ja"));
    }

    @Test
    void aRecipientsFileThatNamesAColumnTwiceIsRefusedInBothLanguages() throws Exception {
        Path users = dir.resolve("twice.csv");
        Files.writeString(users, "email,name,email\nsato@example.co.jp,佐藤 花子,sato@example.co.jp\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> NoticesCommand.readRecipients(users)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(users + ":1: 1 行目に同じ列名が 2 回あります / the first line names a column twice");
        Files.writeString(users, "email,name,,\nsato@example.co.jp,佐藤 花子,,\n", StandardCharsets.UTF_8);
        assertThat(NoticesCommand.readRecipients(users)).as("unnamed columns (an editor's trailing commas) are no duplicates")
                .extracting(NoticesCommand.Recipient::email).containsExactly("sato@example.co.jp");
    }

    @Test
    void noticeTemplatesAreListedAndCheckedWithSpecificErrors() throws Exception {
        Path templates = Files.createDirectories(dir.resolve("notices"));
        System.setProperty("mamori.notices.templates-dir", templates.toString());
        try {
            assertThat(run("notices", "templates")).as(err()).isZero();
            assertThat(out()).contains("mfa-reminder     ja  (製品の既定 / shipped default)")
                    .contains("すべてのテンプレートは正常です / all templates OK");

            Files.writeString(templates.resolve("mfa-reminder.ja.txt"), "Subject: {company}\n\n{userName} {setupUrl} {url}\n");
            assertThat(run("notices", "templates")).isEqualTo(1);
            assertThat(out()).contains("mfa-reminder     ja  " + templates.resolve("mfa-reminder.ja.txt"));
            assertThat(err()).contains("mfa-reminder.ja.txt:3:23: ").contains("unknown placeholder {url}");

            assertThat(run("notices", "templates", "--show", "access-changed.en")).isZero();
            assertThat(out()).startsWith("Subject: [{company}]");
        } finally {
            System.clearProperty("mamori.notices.templates-dir");
        }
    }

    @Test
    void directoryImportReportsWhatChangedAndASecondImportChangesNothing() throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.write(csv, ("\uFEFFemail,display_name,department,roles,approver_departments\n"
                + "yamada@example.co.jp,山田 太郎,営業部,approver,営業部\n"
                + "sato@example.co.jp,佐藤 花子,経理部,admin,\n").getBytes(StandardCharsets.UTF_8));

        assertThat(run("directory", "import", csv.toString(), "--dry-run")).as(err()).isZero();
        assertThat(out()).contains("  + yamada@example.co.jp").endsWith("ドライランのため何も変更していません: 追加 2 人、更新 0 人、無効化 0 人、"
                + "変更なし 0 人 / dry run, nothing changed: added 2, updated 0, deactivated 0, unchanged 0\n");
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("0 人 / 0 person(s)");

        assertThat(run("directory", "import", csv.toString())).as(err()).isZero();
        assertThat(out()).endsWith("\n追加 2 人、更新 0 人、無効化 0 人、変更なし 0 人 / added 2, updated 0, deactivated 0, unchanged 0\n");
        assertThat(err()).contains("action=directory.import").contains("added=2");
        assertThat(run("directory", "import", csv.toString())).isZero();
        assertThat(out()).contains("added 0, updated 0, deactivated 0, unchanged 2");
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("山田 太郎", "approver (営業部)", "2 人 / 2 person(s)");

        Files.writeString(csv, "email,display_name,roles\nyamada@,山田,approver;root\n", StandardCharsets.UTF_8);
        assertThat(run("directory", "import", csv.toString())).isEqualTo(1);
        assertThat(err()).contains("people.csv:2:1: email: 'yamada@' はメールアドレスではありません / 'yamada@' is not an email"
                        + " address\n", "people.csv:2:3: roles: 不明な役割 'root' です。admin、analyst、approver、auditor、employee の"
                        + "いずれかを指定してください(複数は ; で区切ります) / unknown role 'root'; expected admin, analyst, approver,"
                        + " auditor or employee (separate several with ;)\n",
                "people.csv:2: approver_departments: 承認者には承認する部署が必要です(この列か、本人の部署) / an approver needs"
                        + " a department to approve for (this one or a department of their own)\n",
                "directory: 取り込みませんでした（問題 3 件） / nothing imported (3 problem(s))");
        assertThat(run("console", "add-user", "sato@example.co.jp")).as(err()).isZero();
        Files.writeString(csv, "email,display_name\nyamada@example.co.jp,山田\n", StandardCharsets.UTF_8);
        assertThat(run("directory", "import", csv.toString())).isEqualTo(1);
        assertThat(err()).as("the console's check that an administrator remains").contains("people.csv:1: 取り込むとログインできる"
                + "有効な管理者がいなくなります。役割 admin でコンソールのアカウントを持つ人を 1 人以上残してください / the import would"
                + " leave no active administrator who can sign in; keep at least one person with the role admin and a console"
                + " account\n");
    }

    @Test
    void listTablesHaveHeadingsInJapaneseThenEnglishAndLineUpJapaneseValues() throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.write(csv, ("email,display_name,department,roles,language\n"
                + "yamada@example.co.jp,山田 太郎,営業部,admin,ja\n"
                + "ito@example.co.jp,Ken Ito,Sales,employee,en\n").getBytes(StandardCharsets.UTF_8));
        assertThat(run("directory", "import", csv.toString())).as(err()).isZero();

        assertThat(run("directory", "list")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines.get(0)).startsWith("メールアドレス").contains("氏名").endsWith(" 有効");
        assertThat(lines.get(1)).startsWith("EMAIL").contains("NAME").endsWith(" ACTIVE");
        // each column begins at the same terminal column on every line, a kanji or kana taking two
        String[][] cells = {{"氏名", "部署", "役割", "言語", "有効"}, {"NAME", "DEPARTMENT", "ROLES", "LANG", "ACTIVE"},
            {"Ken Ito", "Sales", "employee", "en", "yes"}, {"山田 太郎", "営業部", "admin", "ja", "yes"}};
        int[] starts = {33, 54, 71, 96, 101};
        List<String> rows = List.of(lines.get(0), lines.get(1),
                lines.stream().filter(l -> l.startsWith("ito@")).findFirst().orElseThrow(),
                lines.stream().filter(l -> l.startsWith("yamada@")).findFirst().orElseThrow());
        for (int row = 0; row < cells.length; row++) {
            String line = rows.get(row);
            int from = line.indexOf(' ');
            for (int column = 0; column < starts.length; column++) {
                int at = line.indexOf(cells[row][column], from);
                assertThat(terminalColumns(line.substring(0, at))).as(line + ": " + cells[row][column]).isEqualTo(starts[column]);
                from = at + cells[row][column].length();
            }
        }

        assertThat(run("queue", "list")).isZero();
        assertThat(out()).startsWith("ID                          方向      状態         判定        スコア  送信者 → 宛先\n"
                + "ID                          DIR       STATE        ACTION       SCORE  FROM → TO\n");
        assertThat(run("audit", "list")).isZero();
        assertThat(out()).startsWith("  番号  日時                 実行者                    送信元           操作                        結果"
                + "  対象: 変更前 → 変更後\n   SEQ  TIME                 ACTOR                     SOURCE           ACTION"
                + "                      OK    OBJECT: BEFORE → AFTER\n");
    }

    /** Columns of a terminal: two for each kana (ー too), kanji, Japanese punctuation and full-width form, else one. */
    private static int terminalColumns(String text) {
        java.util.Set<Character.UnicodeBlock> wide = java.util.Set.of(Character.UnicodeBlock.HIRAGANA,
                Character.UnicodeBlock.KATAKANA, Character.UnicodeBlock.CJK_UNIFIED_IDEOGRAPHS,
                Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION);
        return text.codePoints().map(c -> wide.contains(Character.UnicodeBlock.of(c)) || (c >= 0xFF01 && c <= 0xFF60) ? 2 : 1)
                .sum();
    }

    @Test
    void consoleAddUserPrintsAOneTimePasswordThatSignsInOnce() throws Exception {
        assertThat(run("console", "add-user", "Joho@example.co.jp", "--roles", "admin,analyst", "--name", "情報 太郎",
                "--department", "情報システム部")).as(err()).isZero();
        String password = out().lines().filter(l -> l.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}")).findFirst().orElseThrow();
        assertThat(out()).startsWith("コンソールアカウント joho@example.co.jp を作成しました。初期パスワード / Console account"
                + " joho@example.co.jp created. One-time password:\n").contains("画面にだけ表示され、ログには残りません。")
                .contains("never written to a log file");
        assertThat(err()).contains("action=user.created object=joho@example.co.jp").doesNotContain(password);
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("joho@example.co.jp", "admin,analyst");

        assertThat(run("console", "add-user", "joho@example.co.jp")).isEqualTo(1);
        assertThat(err()).as("the users page's words").contains("console: joho@example.co.jp のアカウントを作成できません:"
                + " このユーザーにはすでにアカウントがあります。 / cannot create the account of joho@example.co.jp: This user"
                + " already has an account.\n");
        assertThat(run("console", "add-user", "joho@")).isEqualTo(1);
        assertThat(err()).contains("console: joho@ のアカウントを作成できません: 'joho@' はメールアドレスではありません / cannot"
                + " create the account of joho@: 'joho@' is not an email address\n");
        assertThat(run("console", "add-user", "x@example.co.jp", "--roles", "root")).isEqualTo(2);
        assertThat(err()).contains("console: 不明なロール 'root' です。").contains(" / unknown role 'root'; expected admin, ");

        assertThat(run("console", "reset-user", "joho@example.co.jp", "--clear-totp")).as(err()).isZero();
        assertThat(out()).startsWith("joho@example.co.jp の新しい初期パスワード / New one-time password for joho@example.co.jp:\n");
        String reset = out().lines().filter(l -> l.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}")).findFirst().orElseThrow();
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            io.mamori.console.directory.JdbcDirectory directory = new io.mamori.console.directory.JdbcDirectory(
                    local.dataSource(), java.time.Clock.systemUTC());
            io.mamori.console.identity.ConsoleAccounts accounts = ConsoleConfiguration.accounts(local, directory,
                    Settings.load(List.of()), java.time.Clock.systemUTC());
            assertThat(accounts.checkPassword("joho@example.co.jp", password))
                    .isInstanceOf(io.mamori.console.identity.ConsoleAccounts.PasswordCheck.Rejected.class);
            assertThat(accounts.checkPassword("joho@example.co.jp", reset)).isInstanceOfSatisfying(
                    io.mamori.console.identity.ConsoleAccounts.PasswordCheck.Accepted.class,
                    a -> assertThat(a.mustChangePassword()).isTrue());
        }
        assertThat(run("console", "reset-user", "nobody@example.co.jp")).isEqualTo(1);
        assertThat(err()).contains("console: コンソールアカウント nobody@example.co.jp はありません / no console account"
                + " nobody@example.co.jp");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"--help"}, {"start", "--help"}, {"scan", "--help"}, {"eval", "--help"}, {"learn", "--help"}, {"queue", "--help"},
                {"policy", "validate", "--help"}, {"policy", "check-blocklists", "--help"}, {"keys", "rotate", "--help"}, {"users", "add-app-password", "--help"},
                {"directory", "import", "--help"}, {"directory", "list", "--help"}, {"console", "add-user", "--help"},
                {"console", "reset-user", "--help"},
                {"audit", "--help"}, {"audit", "verify", "--help"}, {"audit", "list", "--help"}, {"audit", "export", "--help"},
                {"notices", "--help"}, {"notices", "mfa-reminders", "--help"}, {"notices", "templates", "--help"},
                {"quarantine", "--help"}, {"quarantine", "list", "--help"}, {"quarantine", "requests", "approve", "--help"},
                {"quarantine", "requests", "deny", "--help"}, {"lists", "--help"}, {"lists", "allow", "add", "--help"},
                {"lists", "block", "remove", "--help"}, {"lists", "block", "list", "--help"}}) {
            assertThat(run(cmd)).as(String.join(" ", cmd)).isZero();
            assertThat(out()).as(String.join(" ", cmd)).startsWith("使い方 / Usage: mamori").contains("\nオプション / Options:\n")
                    .contains("  -h, --help ").contains("この使い方を表示して終了します").contains("Show this help message and exit.");
        }
    }

    @Test
    void helpShowsJapaneseThenEnglishDescriptionsAndHeadings() {
        assertThat(run("--help")).isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori [-hV] [COMMAND]\n\nMamori メールセキュリティゲートウェイ\n"
                        + "Mamori mail security gateway\n\nオプション / Options:\n")
                .contains("\n  -V, --version   バージョンを表示して終了します\n                  Print version information and exit.\n")
                .contains("\nコマンド / Commands:\n")
                .as("each command listed with its Japanese and its English summary")
                .containsPattern("(?m)^  users +送信リスナーの SMTP AUTH で使うアプリパスワードを管理します。\n +SMTP AUTH app passwords for"
                        + " the outbound listener\\.$")
                .containsPattern("(?m)^  scan +メールをオフラインで解析・判定し、.*\n(?: {14}\\S.*\n)* +Parse, analyze and decide")
                .containsPattern("(?m)^  help +コマンドの使い方を表示します。\n +Display help information about the specified command\\.$");

        assertThat(run("users", "add-app-password", "--help")).isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori users add-app-password [-hV] [--label=<label>] USER\n\n"
                        + "USER のアプリパスワードを発行します")
                .contains("\nIssue an app password for USER (shown once; only its Argon2id hash is stored).\n")
                .contains("\n引数 / Parameters:\n      USER              利用者のメールアドレス / the user's email address\n")
                .contains("\nオプション / Options:\n")
                .contains("パスワードの用途（例: 使う端末）。既定値: default").contains("what the password is for, e.g. the device");
        assertThat(out().indexOf("USER のアプリパスワードを発行します")).isLessThan(out().indexOf("Issue an app password"));

        assertThat(run("users")).as("a group command on its own prints its usage, with the same headings").isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori users [-hV] [COMMAND]").contains("\nコマンド / Commands:\n")
                .containsPattern("(?m)^  revoke-app-password +アプリパスワードを ID で指定して失効させます。\n +Revoke one app password by id\\.$");
        assertThat(run("help", "audit")).isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori audit ").contains("改ざんを検出できる監査ログ")
                .contains("The tamper-evident audit log");
        assertThat(run("help", "--help")).isZero();
        assertThat(out()).startsWith("コマンドの使い方を表示します。\nDisplay help information about the specified command.\n"
                        + "使い方 / Usage: mamori help [-h] [COMMAND...]\n")
                .contains("COMMAND を省略すると mamori 全体の使い方を").contains("When no COMMAND is given")
                .contains("\n      [COMMAND...]   使い方を表示するコマンドとサブコマンド\n"
                        + "                     The COMMAND and subcommands to show the usage help for.\n");

        out.reset();
        assertThat(MamoriCli.commandLine("lists").execute("lists", "block", "add", "--help"))
                .as("the command line of ./mamori, which holds only the subcommand that runs").isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori lists block add ").contains("VALUE をリストに追加します。")
                .contains("Add VALUE to the list.").contains("\n引数 / Parameters:\n").contains("この使い方を表示して終了します");

        assertThat(run("users", "add-app-password")).isEqualTo(2);
        assertThat(err()).startsWith("mamori: コマンドの指定に誤りがあります / invalid command line: Missing required parameter: 'USER'\n"
                + "使い方 / Usage: mamori users add-app-password ");
        assertThat(run("start", "port=25")).isEqualTo(2);
        assertThat(err()).startsWith("mamori: コマンドの指定に誤りがあります / invalid command line: 設定は --key=value の形で"
                + "指定してください: port=25 / expected --key=value settings, got: port=25\n使い方 / Usage: mamori start ");
    }

    @Test
    void helpFollowsTheWholePathOfSubcommands() {
        assertThat(run("help", "users", "add-app-password")).as(err()).isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori users add-app-password [-hV] [--label=<label>] USER\n")
                .contains("Issue an app password for USER");
        out.reset();
        assertThat(MamoriCli.commandLine("help").execute("help", "lists", "block", "add")).as("as ./mamori runs it").isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori lists block add ").contains("Add VALUE to the list.");
        assertThat(run("help")).isZero();
        assertThat(out()).startsWith("使い方 / Usage: mamori [-hV] [COMMAND]\n");

        assertThat(run("help", "users", "add-app-pasword")).isEqualTo(2);
        assertThat(err()).startsWith("mamori: コマンドの指定に誤りがあります / invalid command line: 'mamori users' に"
                        + " 'add-app-pasword' というコマンドはありません / 'mamori users' has no command 'add-app-pasword'\n")
                .as("the usage of the command where the name was looked for").contains("使い方 / Usage: mamori users ");
        assertThat(out()).isEmpty();
    }

    /** Every command, option and parameter of every command: Japanese first, then English. */
    @Test
    void everyDescriptionIsInJapaneseThenEnglish() {
        List<String> problems = new java.util.ArrayList<>();
        describedInBothLanguages(MamoriCli.commandLine(), problems);
        assertThat(problems).isEmpty();
    }

    private static void describedInBothLanguages(picocli.CommandLine cli, List<String> problems) {
        picocli.CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        String name = spec.qualifiedName();
        checkJapaneseThenEnglish(name, spec.usageMessage().header().length > 0 ? spec.usageMessage().header()
                : spec.usageMessage().description(), problems);
        if (spec.usageMessage().header().length > 0) {
            checkJapaneseThenEnglish(name + " (description)", spec.usageMessage().description(), problems);
        }
        spec.options().forEach(o -> checkJapaneseThenEnglish(name + " " + o.longestName(), o.description(), problems));
        spec.positionalParameters().forEach(p -> checkJapaneseThenEnglish(name + " " + p.paramLabel(), p.description(), problems));
        cli.getSubcommands().values().forEach(sub -> describedInBothLanguages(sub, problems));
    }

    private static final java.util.regex.Pattern JAPANESE = java.util.regex.Pattern.compile("[\\p{IsHiragana}\\p{IsKatakana}\\p{IsHan}]");

    /** Either lines in Japanese followed by lines in English, or one line 'Japanese / English'. */
    private static void checkJapaneseThenEnglish(String what, String[] description, List<String> problems) {
        List<String> lines = java.util.Arrays.stream(description).map(String::strip).filter(l -> !l.isEmpty()
                && !l.equals("%n")).toList();
        if (lines.isEmpty()) {
            problems.add(what + ": no description");
            return;
        }
        boolean japaneseFirst = JAPANESE.matcher(lines.get(0)).find();
        String last = lines.get(lines.size() - 1);
        String english = lines.size() == 1 && last.contains(" / ") ? last.substring(last.lastIndexOf(" / ") + 3) : last;
        boolean englishLast = lines.size() > 1 || last.contains(" / ");
        if (!japaneseFirst || !englishLast || JAPANESE.matcher(english).find() || !english.matches(".*[A-Za-z]{3}.*")) {
            problems.add(what + ": " + lines);
        }
    }

    @Test
    void scanSaysWhatIsNotEvaluatedOffline() throws Exception {
        Path eml = dir.resolve("plain.eml");
        Files.writeString(eml, "From: a@partner.example\r\nSubject: hello\r\n\r\nbody\r\n");

        assertThat(run("scan", eml.toString())).isZero();
        assertThat(out()).contains("FIRST_CONTACT(初めての相手)と OWN_DOMAIN_UNAUTHENTICATED(自社ドメインの認証なし")
                .contains("FIRST_CONTACT is not evaluated").contains("nor OWN_DOMAIN_UNAUTHENTICATED");

        assertThat(run("scan", eml.toString(), "--json")).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("notEvaluated").get(0).asText()).isEqualTo("FIRST_CONTACT");
        assertThat(new ObjectMapper().readTree(out()).get("notEvaluated").get(1).asText())
                .isEqualTo("OWN_DOMAIN_UNAUTHENTICATED");
    }

    @Test
    void theListFileNamedByThePolicyIsAppliedOfflineAndValidatedWithTheLineOfABadEntry() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, new String(Files.readAllBytes(Path.of("..", "config", "policy.example.yaml")),
                StandardCharsets.UTF_8).replace("  # file: lists.txt", "  file: lists.txt"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("lists.txt"), "# test\nblock sender spam.example\n", StandardCharsets.UTF_8);
        Path eml = dir.resolve("spam.eml");
        Files.writeString(eml, "From: Offers <offers@news.spam.example>\r\nSubject: sale\r\n\r\nbuy\r\n");

        assertThat(run("scan", eml.toString(), "--policy", policy.toString(), "--json")).as(err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("action").asText()).isEqualTo("QUARANTINE");
        assertThat(json.get("findings")).anySatisfy(f -> {
            assertThat(f.get("code").asText()).isEqualTo("SENDER_BLOCKED");
            assertThat(f.get("evidence").asText()).isEqualTo(
                    "from=offers@news.spam.example entry=spam.example source=file:lists.txt:2");
        });

        assertThat(run("policy", "validate", policy.toString())).as(err()).isZero();
        assertThat(out()).contains("policy.yaml: 正常です（社内ドメイン 2 件、組織 株式会社サンプル、リスト ")
                .containsPattern("件） / OK \\(2 internal domain\\(s\\), organisation 株式会社サンプル, \\d+ list entr")
                .contains("lists.txt: 正常です（1 件） / OK (1 entry)");
        Files.writeString(dir.resolve("lists.txt"), "block sender spam.example\nblock sendr x.example\n", StandardCharsets.UTF_8);
        assertThat(run("policy", "validate", policy.toString())).isEqualTo(1);
        assertThat(err()).contains("lists.txt:2: 不明な対象 'sendr' です。sender か link を指定してください"
                + " / unknown target 'sendr'; expected sender or link");

        Files.writeString(dir.resolve("lists.txt"), "block sender co.jp\nblock sender\n", StandardCharsets.UTF_8);
        assertThat(run("scan", eml.toString(), "--policy", policy.toString())).as("a bad list file is an error, not a crash")
                .isEqualTo(2);
        assertThat(err()).contains("scan: lists.txt:1:1: 'co.jp' はパブリックサフィックスです。その下のすべてのドメインに"
                        + "一致してしまいます / 'co.jp' is a public suffix; it would match every domain under it")
                .contains("scan: lists.txt:2:1: '<allow|block> <sender|link> <値>' の 3 語で書いてください（2 語あります）"
                        + " / expected '<allow|block> <sender|link> <value>', got 2 word(s)");
    }

    @Test
    void listEntriesAreAddedListedAndRemovedGloballyAndPerUser() {
        assertThat(run("lists", "block", "add", "spam.example", "--comment", "campaign")).as(err()).isZero();
        assertThat(out()).containsPattern("追加しました / added block sender spam.example \\(global#\\d+\\)");
        assertThat(run("lists", "block", "add", "--link", "evil.example")).as(err()).isZero();
        assertThat(run("lists", "block", "add", "https://bit.ly/3abc")).as(err()).isZero();
        assertThat(out()).contains("added block link https://bit.ly/3abc");
        assertThat(run("lists", "allow", "add", "--user", "Sato@example.co.jp", "partner.example")).as(err()).isZero();
        assertThat(out()).containsPattern("\\(user:sato@example.co.jp#\\d+\\)");

        assertThat(run("lists", "block", "add", "SPAM.example")).isEqualTo(1);
        assertThat(err()).containsPattern("lists: すでにリストにあります \\(#\\d+\\) / already on the list \\(#\\d+\\)");
        assertThat(run("lists", "block", "add", "co.jp")).isEqualTo(2);
        assertThat(err()).as("Japanese first, then English, as the policy CLI").contains("lists: 'co.jp' はパブリックサフィックスです。"
                + "その下のすべてのドメインに一致してしまいます / 'co.jp' is a public suffix; it would match every domain under it");
        assertThat(run("lists", "block", "add", "taro@@partner.example")).isEqualTo(2);
        assertThat(err()).contains("lists: 'taro@@partner.example' はメールアドレスではありません"
                + " / 'taro@@partner.example' is not an e-mail address");
        assertThat(run("lists", "allow", "add", "https://x.example/")).isEqualTo(2);
        assertThat(err()).contains("lists: 許可リスト (allow) には送信者 (sender) だけを登録できます / allow entries are for senders only");

        assertThat(run("lists", "block", "list")).as(err()).isZero();
        assertThat(out()).contains("spam.example").contains("evil.example").contains("https://bit.ly/3abc")
                .doesNotContain("partner.example").contains("3 entries");
        assertThat(run("lists", "allow", "list", "--user", "sato@example.co.jp")).isZero();
        assertThat(out()).contains("partner.example").contains("1 entry");

        assertThat(run("lists", "block", "remove", "spam.example")).as(err()).isZero();
        assertThat(run("lists", "block", "remove", "spam.example")).isEqualTo(1);
        assertThat(err()).contains("lists: block リストに登録されていません: spam.example / not on the block list: spam.example");
        assertThat(run("lists", "block", "list")).isZero();
        assertThat(out()).doesNotContain("spam.example").contains("2 entries");
    }

    @Test
    void anEmployeesRequestIsListedApprovedOrDeniedFromTheCli() throws Exception {
        String first;
        String second;
        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            first = quarantine(local, "a@partner.example", "SENDER_BLOCKED");
            second = quarantine(local, "b@partner.example", "LURE_COMBINED");
        }

        assertThat(run("quarantine", "list")).as(err()).isZero();
        assertThat(out()).contains(first).contains("SENDER_BLOCKED").contains("差出人が受信拒否リスト")
                .contains("The sender is on a block list").contains("  件名 / Subject: q\n").contains("2 件 / 2 message(s)");

        assertThat(run("quarantine", "requests", "create", first, "--requester", "tanaka@example.co.jp")).isEqualTo(1);
        assertThat(err()).contains("not a recipient");
        assertThat(run("quarantine", "requests", "create", first, "--requester", "sato@example.co.jp", "--comment", "請求書です"))
                .as(err()).isZero();
        long firstRequest = Long.parseLong(out().replaceAll("(?s).*#(\\d+).*", "$1"));
        assertThat(run("quarantine", "requests", "create", second, "--requester", "sato@example.co.jp", "--comment",
                "x".repeat(1001))).isEqualTo(2);
        assertThat(err()).contains("quarantine: コメントは 1000 文字以内にしてください / comment must be at most 1000 characters");
        assertThat(run("quarantine", "requests", "create", second, "--requester", "sato@example.co.jp")).isZero();
        long secondRequest = Long.parseLong(out().replaceAll("(?s).*#(\\d+).*", "$1"));

        assertThat(run("quarantine", "requests", "list", "--status", "PENDING")).isZero();
        assertThat(out()).contains("#" + firstRequest).contains("メッセージ / message " + first + "  申請者 / by sato@example.co.jp")
                .contains("    コメント / comment: 請求書です\n").contains("2 件 / 2 request(s)");

        assertThat(run("quarantine", "requests", "approve", String.valueOf(firstRequest))).as(err()).isZero();
        assertThat(out()).contains("メッセージ " + first + " を解放しました").contains("message " + first + " released");
        assertThat(run("quarantine", "requests", "deny", String.valueOf(secondRequest))).isEqualTo(2);
        assertThat(run("quarantine", "requests", "deny", String.valueOf(secondRequest), "--reason", " ")).isEqualTo(2);
        assertThat(err()).contains("quarantine: 却下の理由を入力してください / a denial needs a reason");
        assertThat(run("quarantine", "requests", "deny", String.valueOf(secondRequest), "--reason", "業務外のメールです")).isZero();
        assertThat(run("quarantine", "requests", "approve", String.valueOf(secondRequest))).isEqualTo(1);
        assertThat(err()).contains("already denied");

        try (LocalStore local = LocalStore.open(Settings.load(List.of()), java.time.Clock.systemUTC())) {
            assertThat(local.store().find(first).orElseThrow().state()).isEqualTo(io.mamori.core.store.MessageState.QUEUED);
            assertThat(local.store().find(second).orElseThrow().state()).isEqualTo(io.mamori.core.store.MessageState.QUARANTINED);
        }
        assertThat(run("quarantine", "requests", "list", "--json")).isZero();
        assertThat(out()).contains("\"status\":\"DENIED\"").contains("\"decisionReason\":\"業務外のメールです\"");
        assertThat(run("quarantine", "requests", "list")).isZero();
        assertThat(out()).containsPattern("(?m)^    承認 / approved: " + java.util.regex.Pattern.quote(ME) + ", \\S+$")
                .containsPattern("(?m)^    却下 / denied: " + java.util.regex.Pattern.quote(ME) + ", \\S+: 業務外のメールです$");
    }
}
