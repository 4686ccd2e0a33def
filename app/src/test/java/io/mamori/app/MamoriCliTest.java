package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

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

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void scanJsonReportsActionScoreAndFindingsWithEvidence() throws Exception {
        Path eml = dir.resolve("exe.eml");
        Files.writeString(eml, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"請求書.pdf.exe\"\r\n\r\n"
                + "MZ\r\n--b--\r\n", StandardCharsets.UTF_8);

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
    void scanTextNamesTheVerdictAndTheReasonsInJapaneseAndEnglish() throws Exception {
        Path eml = dir.resolve("plain.eml");
        Files.writeString(eml, "From: a@partner.example\r\nSubject: hello\r\n\r\nbody\r\n");

        assertThat(run("scan", eml.toString())).isZero();

        assertThat(out()).contains("Verdict:  DELIVER").contains("Findings: none");
    }

    @Test
    void scanOfAMissingFileIsAClearErrorNotACrash() {
        assertThat(run("scan", dir.resolve("nope.eml").toString())).isEqualTo(2);
        assertThat(err()).contains("not a readable file");
    }

    @Test
    void policyValidateNamesFileLineAndKeyOfAnError() throws Exception {
        Path bad = dir.resolve("policy.yaml");
        Files.writeString(bad, "version: 1\norganisation:\n  name: x\n  internal_domains: [example.co.jp]\n"
                + "inbound:\n  thresholds: { tag: 4, hold: 2 }\noutbound:\n  thresholds: {}\n");

        assertThat(run("policy", "validate", bad.toString())).isEqualTo(1);

        assertThat(err()).contains("policy.yaml:6:").contains("inbound.thresholds.hold");
    }

    @Test
    void policyValidateAcceptsTheShippedExample() {
        assertThat(run("policy", "validate", Path.of("..", "config", "policy.example.yaml").toString())).as(err()).isZero();
        assertThat(out()).contains("OK");
    }

    @Test
    void appPasswordIsShownOnceAndListedWithoutTheSecret() {
        assertThat(run("users", "add-app-password", "sato@example.co.jp", "--label", "laptop")).as(err()).isZero();
        String issued = out().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertThat(issued).hasSizeGreaterThanOrEqualTo(20);

        assertThat(run("users", "list-app-passwords", "sato@example.co.jp")).isZero();
        assertThat(out()).contains("laptop").doesNotContain(issued);

        assertThat(run("users", "add-app-password", "not-an-address")).isEqualTo(2);
    }

    @Test
    void keysRotateAddsANewPrimaryKeyAndQueueListWorksOnTheSameStore() {
        assertThat(run("queue", "list")).as(err()).isZero();
        assertThat(out()).contains("0 message(s)");

        assertThat(run("keys", "rotate")).as(err()).isZero();
        assertThat(out()).containsPattern("new primary master key \\d+ \\(was \\d+\\); 0 message key\\(s\\) re-wrapped");
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
        Files.writeString(corpus.resolve("1234567890.M1P2.host_2_S"), "Subject: maildir\r\n\r\nplain\r\n");

        assertThat(run("eval", dir.resolve("corpus").toString(), "--expect", "phishing", "--json")).as(err()).isZero();

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("total").asInt()).isEqualTo(4);
        assertThat(json.get("byAction").get("QUARANTINE").asInt()).isEqualTo(1);
        assertThat(json.get("byAction").get("DELIVER").asInt()).isEqualTo(3);
        assertThat(json.get("wrongWayCount").asInt()).isEqualTo(3);
        assertThat(json.get("topFindings").get(0).get("code").asText()).isEqualTo("ATTACHMENT_EXECUTABLE");

        assertThat(run("eval", dir.resolve("corpus").toString(), "--expect", "ham")).isZero();
        assertThat(out()).containsPattern("QUARANTINE +1 +25.0%").contains("box.mbox#1");
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
        assertThat(out()).contains("1 message(s) released");
        assertThat(run("queue", "release")).isEqualTo(2);

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

    @Test
    void directoryImportReportsWhatChangedAndASecondImportChangesNothing() throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.write(csv, ("\uFEFFemail,display_name,department,roles,approver_departments\n"
                + "yamada@example.co.jp,山田 太郎,営業部,approver,営業部\n"
                + "sato@example.co.jp,佐藤 花子,経理部,admin,\n").getBytes(StandardCharsets.UTF_8));

        assertThat(run("directory", "import", csv.toString(), "--dry-run")).as(err()).isZero();
        assertThat(out()).contains("  + yamada@example.co.jp", "dry run, nothing changed");
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("0 person(s)");

        assertThat(run("directory", "import", csv.toString())).as(err()).isZero();
        assertThat(out()).contains("added 2, updated 0, deactivated 0, unchanged 0");
        assertThat(err()).contains("action=directory.import").contains("added=2");
        assertThat(run("directory", "import", csv.toString())).isZero();
        assertThat(out()).contains("added 0, updated 0, deactivated 0, unchanged 2");
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("山田 太郎", "approver (営業部)", "2 person(s)");

        Files.writeString(csv, "email,display_name\nyamada@,山田\n", StandardCharsets.UTF_8);
        assertThat(run("directory", "import", csv.toString())).isEqualTo(1);
        assertThat(err()).contains("people.csv:2: column 1 (email): 'yamada@' is not an email address", "nothing imported");
    }

    @Test
    void consoleAddUserPrintsAOneTimePasswordThatSignsInOnce() throws Exception {
        assertThat(run("console", "add-user", "Joho@example.co.jp", "--roles", "admin,analyst", "--name", "情報 太郎",
                "--department", "情報システム部")).as(err()).isZero();
        String password = out().lines().filter(l -> l.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}")).findFirst().orElseThrow();
        assertThat(out()).contains("never written to a log file");
        assertThat(err()).contains("action=user.created object=joho@example.co.jp").doesNotContain(password);
        assertThat(run("directory", "list")).isZero();
        assertThat(out()).contains("joho@example.co.jp", "admin,analyst");

        assertThat(run("console", "add-user", "joho@example.co.jp")).isEqualTo(1);
        assertThat(err()).contains("already has a console account");
        assertThat(run("console", "add-user", "x@example.co.jp", "--roles", "root")).isEqualTo(2);

        assertThat(run("console", "reset-user", "joho@example.co.jp", "--clear-totp")).as(err()).isZero();
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
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"--help"}, {"start", "--help"}, {"scan", "--help"}, {"eval", "--help"}, {"queue", "--help"},
                {"policy", "validate", "--help"}, {"keys", "rotate", "--help"}, {"users", "add-app-password", "--help"},
                {"directory", "import", "--help"}, {"directory", "list", "--help"}, {"console", "add-user", "--help"},
                {"console", "reset-user", "--help"}}) {
            assertThat(run(cmd)).as(String.join(" ", cmd)).isZero();
            assertThat(out()).contains("Usage:");
        }
    }
}
