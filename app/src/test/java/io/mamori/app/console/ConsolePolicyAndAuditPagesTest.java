package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.policy.PolicyEditor;
import io.mamori.core.access.Role;
import io.mamori.core.malware.EngineStatus;
import io.mamori.core.malware.MalwareScanner;
import io.mamori.core.reputation.BlocklistStatus;
import io.mamori.core.reputation.DnsBlocklistAnalyzer;
import org.springframework.beans.factory.annotation.Autowired;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * The policy editor and the audit log page over real HTTPS: validation errors in place, diff against the running
 * version, saving (only valid, only from the version the editor started from) that the gateway's watcher then
 * applies, the history of versions, who may do what, and the audit log's search, export and chain check.
 */
class ConsolePolicyAndAuditPagesTest extends ConsoleContext {

    @Autowired
    AuditTrail trail;

    @Autowired
    BlocklistStatus blocklistStatus;

    @Autowired
    EngineStatus antivirusStatus;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private static final String RUNNING_THRESHOLDS = "thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }";

    @Test
    void thePolicyEditorShowsErrorsInPlaceDiffsAndSavesAValidEditThatTheGatewayApplies() throws Exception {
        ConsoleClient admin = signedIn("policy-admin", "ポリシー 管理者", Role.ADMIN);
        int mark = auditMark();
        try {
            admin.get("/policy");
            assertThat(admin.last.statusCode()).isEqualTo(200);
            String original = admin.page().selectFirst("#policy-text").wholeText();
            assertThat(original).contains(RUNNING_THRESHOLDS);
            String baseHash = admin.page().selectFirst("input[name=baseHash]").attr("value");

            String broken = original.replace("tag: 4, hold", "tag: many, hold");
            int brokenLine = lineOf(broken, "tag: many");
            admin.post("/policy/validate", "text", broken, "baseHash", baseHash);
            assertThat(admin.text("#errors")).contains(brokenLine + " 行").contains("inbound.thresholds.tag");
            Element marked = admin.page().selectFirst("#line-" + brokenLine);
            assertThat(marked.hasClass("error-line")).isTrue();
            assertThat(marked.text()).contains("tag: many").contains("inbound.thresholds.tag");
            assertThat(admin.text("#errors")).as("the error in the user's language")
                    .contains("数値にしてください（文字列 'many' が指定されています）").doesNotContain("must be a number");
            admin.post("/language", "lang", "en", "return", "/policy");
            admin.get("/policy");
            admin.post("/policy/validate", "text", broken, "baseHash", baseHash);
            assertThat(admin.text("#errors")).contains("must be a number, got a string 'many'").doesNotContain("数値にしてください");
            assertThat(admin.page().selectFirst("#line-" + brokenLine).text()).contains("must be a number");
            admin.post("/language", "lang", "ja", "return", "/policy");
            admin.get("/policy");
            admin.post("/policy/validate", "text", broken, "baseHash", baseHash);
            assertThat(admin.page().selectFirst("#policy-text").wholeText()).as("the edit is kept").isEqualTo(broken);

            admin.post("/policy/save", "text", broken, "baseHash", baseHash);
            assertThat(admin.last.statusCode()).isEqualTo(200);
            assertThat(admin.text("#outcome")).contains("保存しませんでした");
            assertThat(Files.readString(POLICY)).as("an invalid edit never reaches the file").isEqualTo(original);

            String edited = original.replace("tag: 4, hold", "tag: 5, hold");
            admin.post("/policy/diff", "text", edited, "baseHash", baseHash);
            assertThat(admin.text("#diff-view")).contains("-  thresholds: { tag: 4").contains("+  thresholds: { tag: 5");

            admin.post("/policy/save", "text", edited.replace("\n", "\r\n"), "baseHash", baseHash);
            assertThat(admin.last.statusCode()).isEqualTo(302);
            admin.follow();
            assertThat(admin.text("#outcome")).contains("保存しました");
            assertThat(Files.readString(POLICY)).as("saved with the file's own line ends").isEqualTo(edited);
            awaitRunning(edited);

            admin.post("/policy/save", "text", original, "baseHash", baseHash);
            assertThat(admin.text("#outcome")).as("a save from the version before is stale").contains("別の人が");
            assertThat(admin.text("#diff-view")).contains("tag: 5").contains("tag: 4");
            assertThat(Files.readString(POLICY)).isEqualTo(edited);

            admin.get("/policy/history");
            Element newest = admin.page().selectFirst("#versions tbody tr");
            assertThat(newest.selectFirst(".author").text()).isEqualTo(admin.email);
            admin.get(newest.selectFirst("a").attr("href"));
            assertThat(admin.text("#author")).isEqualTo(admin.email);
            assertThat(admin.page().selectFirst("#content").wholeText()).isEqualTo(edited);

            assertThat(auditSince(mark)).anySatisfy(line -> assertThat(line).contains("action=policy.save")
                    .contains("ok=true").contains("actor=" + admin.email).contains("version"))
                    .anySatisfy(line -> assertThat(line).contains("action=policy.save").contains("ok=false").contains("stale"))
                    .anySatisfy(line -> assertThat(line).contains("action=policy.save").contains("ok=false").contains("error"));
        } finally {
            usePolicy("");
        }
    }

    @Test
    void aPolicyFileSavedAsShiftJisIsShownWithTheReasonAndAValidSaveReplacesIt() throws Exception {
        ConsoleClient admin = signedIn("policy-sjis", "文字 管理者", Role.ADMIN);
        int mark = auditMark();
        String running = policy.currentSource();
        try {
            Files.write(POLICY, running.getBytes(Charset.forName("Shift_JIS")));
            admin.get("/policy");
            assertThat(admin.last.statusCode()).isEqualTo(200);
            assertThat(admin.text("#file-errors")).contains(POLICY.toString())
                    .contains("UTF-8 として正しくありません。ファイルを UTF-8 で保存してください");
            assertThat(admin.page().selectFirst("#showing-running")).isNotNull();
            assertThat(admin.page().selectFirst("#policy-text").wholeText()).as("the running policy").isEqualTo(running);

            admin.post("/policy/save", "text", running, "baseHash", admin.page().selectFirst("input[name=baseHash]").attr("value"));
            assertThat(admin.last.statusCode()).isEqualTo(302);
            assertThat(Files.readString(POLICY)).isEqualTo(running);
            admin.follow();
            assertThat(admin.text("#outcome")).contains("保存しました");
            assertThat(admin.page().selectFirst("#file-errors")).isNull();
            assertThat(auditSince(mark)).anySatisfy(line -> assertThat(line).contains("action=policy.save").contains("ok=true")
                    .contains("before=unusable: " + POLICY + ":"));
        } finally {
            usePolicy("");
        }
    }

    @Test
    void aSaveNamingAListFileThatCannotBeReadIsRefusedWithTheReasonAndAudited() throws Exception {
        ConsoleClient admin = signedIn("policy-list-file", "リスト 管理者", Role.ADMIN);
        int mark = auditMark();
        admin.get("/policy");
        String original = admin.page().selectFirst("#policy-text").wholeText();
        String baseHash = admin.page().selectFirst("input[name=baseHash]").attr("value");

        // Validate says what Save would refuse
        admin.post("/policy/validate", "text", original + "lists:\n  file: missing-lists.txt\n", "baseHash", baseHash);
        assertThat(admin.text("#outcome")).contains("リストファイルを使えません").doesNotContain("正しい形式です。");
        assertThat(admin.page().selectFirst("#outcome").hasClass("error")).isTrue();
        assertThat(admin.text("#list-file-errors")).contains("missing-lists.txt").contains("ファイルを読めません（NoSuchFileException");

        admin.post("/policy/save", "text", original + "lists:\n  file: missing-lists.txt\n", "baseHash", baseHash);
        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.text("#outcome")).contains("リストファイルを使えないため保存しませんでした");
        assertThat(admin.text("#list-file-errors")).contains("missing-lists.txt").contains("ファイルを読めません（NoSuchFileException");
        assertThat(Files.readString(POLICY)).isEqualTo(original);
        assertThat(auditSince(mark)).anySatisfy(line -> assertThat(line).contains("action=policy.save").contains("ok=false")
                .contains("actor=" + admin.email).contains("refused: list file: missing-lists.txt: cannot read the file"));
    }

    @Test
    void aTextTooLongToCompareGetsTheReasonInsteadOfADiffAlsoWhenASaveIsStale() throws Exception {
        ConsoleClient admin = signedIn("policy-diff-long", "差分 管理者", Role.ADMIN);
        admin.get("/policy");
        String original = admin.page().selectFirst("#policy-text").wholeText();
        String baseHash = admin.page().selectFirst("input[name=baseHash]").attr("value");
        String manyLines = original + "# x\n".repeat(40_000);

        admin.post("/policy/diff", "text", manyLines, "baseHash", baseHash);
        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.page().selectFirst("#diff-view")).isNull();
        assertThat(admin.text("#errors")).contains("edited/policy.yaml").contains("5000 行を超えているため比較できません");

        admin.post("/policy/save", "text", manyLines, "baseHash", PolicyEditor.hash("a version before"));
        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.text("#outcome")).contains("別の人が");
        assertThat(admin.page().selectFirst("#diff-view")).isNull();
        assertThat(admin.text("#errors")).contains("5000 行を超えているため比較できません");
        assertThat(Files.readString(POLICY)).isEqualTo(original);

        try {
            admin.post("/policy/save", "text", manyLines, "baseHash", baseHash);
            admin.follow();
            assertThat(admin.text("#outcome")).as("valid, so saved").contains("保存しました");
            admin.post("/policy/save", "text", original, "baseHash", PolicyEditor.hash(manyLines));
            admin.follow();
            admin.get("/policy/history");
            var rows = admin.page().select("#versions tbody tr");
            admin.get("/policy/history/" + rows.get(0).selectFirst("a").text() + "?against=" + rows.get(1).selectFirst("a").text());
            assertThat(admin.last.statusCode()).isEqualTo(200);
            assertThat(admin.text("#diff-refused")).contains("5000 行を超えているため比較できません");
            assertThat(admin.page().selectFirst("#content").wholeText()).isEqualTo(original);
        } finally {
            usePolicy("");
        }
    }

    @Test
    void historyShowsTheDifferenceBetweenAnyTwoVersions() throws Exception {
        ConsoleClient admin = signedIn("policy-history", "履歴 確認", Role.ADMIN);
        try {
            admin.get("/policy");
            String original = admin.page().selectFirst("#policy-text").wholeText();
            String first = original.replace("hold: 8,", "hold: 7,");
            admin.post("/policy/save", "text", first, "baseHash", admin.page().selectFirst("input[name=baseHash]").attr("value"));
            admin.follow();
            String second = first.replace("reject: 20", "reject: 25");
            admin.post("/policy/save", "text", second, "baseHash", admin.page().selectFirst("input[name=baseHash]").attr("value"));
            admin.follow();
            admin.get("/policy/history");
            var rows = admin.page().select("#versions tbody tr");
            String newestId = rows.get(0).selectFirst("a").text();
            String olderId = rows.get(1).selectFirst("a").text();
            admin.get("/policy/history/" + newestId + "?against=" + olderId);
            assertThat(admin.text("#diff-view")).contains("-  thresholds: { tag: 4, hold: 7, quarantine: 10, reject: 20 }")
                    .contains("+  thresholds: { tag: 4, hold: 7, quarantine: 10, reject: 25 }");
            assertThat(admin.get("/policy/history/999999").statusCode()).isEqualTo(404);
        } finally {
            usePolicy("");
        }
    }

    @Test
    void anAuditorMayReadThePolicyButNotSaveIt() throws Exception {
        ConsoleClient auditor = signedIn("policy-auditor", "監査 担当", Role.AUDITOR);
        String before = Files.readString(POLICY);
        auditor.get("/policy");
        assertThat(auditor.last.statusCode()).isEqualTo(200);
        assertThat(auditor.page().selectFirst("#policy-text").hasAttr("readonly")).isTrue();
        assertThat(auditor.page().selectFirst("#save")).isNull();
        assertThat(auditor.page().selectFirst("#nav-policy")).isNotNull();
        assertThat(auditor.page().selectFirst("#nav-users")).as("users are for administrators").isNull();
        String baseHash = auditor.page().selectFirst("input[name=baseHash]").attr("value");
        auditor.post("/policy/validate", "text", before, "baseHash", baseHash);
        assertThat(auditor.text("#outcome")).contains("正しい形式");
        // the list file a text names is not read for a read-only auditor: its errors would tell what files hold
        java.nio.file.Path secret = Files.createTempFile("secret", ".txt");
        try {
            Files.writeString(secret, "SecretWord hunter2 extra\n");
            auditor.post("/policy/validate", "text", before + "lists:\n  file: " + secret + "\n", "baseHash", baseHash);
            assertThat(auditor.last.statusCode()).isEqualTo(200);
            assertThat(auditor.page().selectFirst("#list-file-errors")).isNull();
            assertThat(auditor.last.body()).doesNotContain("SecretWord");
        } finally {
            Files.deleteIfExists(secret);
        }
        assertThat(auditor.post("/policy/save", "text", before.replace("tag: 4,", "tag: 3,"), "baseHash", baseHash)
                .statusCode()).isEqualTo(403);
        assertThat(Files.readString(POLICY)).isEqualTo(before);
        assertThat(auditor.get("/policy/history").statusCode()).isEqualTo(200);
    }

    @Test
    void otherRolesCannotOpenThePolicyUsersOrAuditPagesAndASaveWithoutCsrfIsRefused() throws Exception {
        ConsoleClient analyst = signedIn("policy-analyst", "分析 担当", Role.ANALYST, Role.APPROVER);
        for (String page : new String[] {"/policy", "/policy/history", "/audit", "/users"}) {
            assertThat(analyst.get(page).statusCode()).as(page).isEqualTo(403);
        }
        assertThat(analyst.page().selectFirst("#nav-policy")).isNull();

        ConsoleClient admin = signedIn("policy-csrf", "CSRF 管理者", Role.ADMIN);
        admin.get("/policy");
        String before = Files.readString(POLICY);
        String baseHash = admin.page().selectFirst("input[name=baseHash]").attr("value");
        assertThat(admin.postForm("/policy/save", Map.of("text", before.replace("tag: 4,", "tag: 3,"), "baseHash", baseHash))
                .statusCode()).isEqualTo(403);
        assertThat(Files.readString(POLICY)).isEqualTo(before);
    }

    @Test
    void theAuditPageSearchesPagesExportsAndVerifiesTheChain() throws Exception {
        ConsoleClient auditor = signedIn("audit-page", "監査 閲覧", Role.AUDITOR);
        auditor.get("/audit?actor=" + auditor.email);
        assertThat(auditor.last.statusCode()).isEqualTo(200);
        assertThat(auditor.page().select("#entries tr.entry")).isNotEmpty()
                .allSatisfy(row -> assertThat(row.selectFirst(".actor").text()).isEqualTo(auditor.email));
        assertThat(auditor.page().select("#entries .action")).anySatisfy(a -> assertThat(a.text()).isEqualTo("login.success"));

        auditor.get("/audit?action=login&actor=" + auditor.email);
        assertThat(auditor.page().select("#entries .action")).isNotEmpty()
                .allSatisfy(a -> assertThat(a.text()).startsWith("login."));
        auditor.get("/audit?action=policy.&actor=" + auditor.email);
        assertThat(auditor.page().selectFirst("#no-entries")).isNotNull();
        auditor.get("/audit?from=2026-12-03&to=2026-12-03&actor=" + auditor.email);
        assertThat(auditor.page().selectFirst("#no-entries")).as("nothing the day after").isNotNull();
        auditor.get("/audit?from=yesterday");
        assertThat(auditor.text("#search-error")).as("in the page's language, the reason too")
                .startsWith("検索条件が正しくありません: 日時として読めません: 'yesterday'（例: 2026-11-28").doesNotContain("not a time");

        String batch = "batch:" + newAddress("job");
        for (int i = 0; i < 60; i++) {
            trail.record(new AuditEntry(CLOCK.instant(), batch, "local", "test.step", "item-" + i, null, null, true));
        }
        auditor.get("/audit?actor=" + batch);
        assertThat(auditor.page().select("#entries tr.entry")).hasSize(50);
        assertThat(auditor.page().selectFirst("#entries .object").text()).isEqualTo("item-59");
        auditor.get(auditor.page().selectFirst("#older").attr("href"));
        assertThat(auditor.page().select("#entries .object")).extracting(Element::text)
                .containsExactly("item-9", "item-8", "item-7", "item-6", "item-5", "item-4", "item-3", "item-2", "item-1", "item-0");
        assertThat(auditor.page().selectFirst("#older")).isNull();

        int mark = auditMark();
        auditor.get("/audit/export?actor=" + auditor.email);
        assertThat(auditor.last.statusCode()).isEqualTo(200);
        assertThat(auditor.last.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(auditor.last.body()).startsWith("\uFEFF").contains("login.success").contains(auditor.email);
        assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=audit.export").contains("actor=" + auditor.email));

        auditor.get("/audit");
        auditor.post("/audit/verify");
        assertThat(auditor.text("#chain-status")).contains("改ざんは検出されませんでした");
        assertThat(auditor.page().selectFirst("#chain-status").hasClass("chain-ok")).isTrue();
    }

    private void awaitRunning(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!text.equals(policy.currentSource())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the saved policy was not applied within 20 s");
            }
            Thread.sleep(50);
        }
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }

    @Test
    void thePolicyPageShowsWhatTheBlockListsAnswerAndChecksThemOnRequestWhichTheAuditLogRecords() throws Exception {
        // the local DNS server answers as the lists do: one list works, the other refuses this resolver (error codes)
        DNS.a("2.0.0.127.zen.console-bl.test", "127.0.0.2");
        DNS.a("test.refusing-bl.test", "127.255.255.254");
        DNS.a("invalid.refusing-bl.test", "127.255.255.254");
        ConsoleClient admin = signedIn("blocklist-admin", "リスト 管理者", Role.ADMIN);
        ConsoleClient analyst = signedIn("blocklist-analyst", "リスト 分析", Role.ANALYST);
        int mark = auditMark();
        try {
            Files.writeString(POLICY, ConsoleContext.policy("")
                    + "blocklists:\n  ip: [zen.console-bl.test]\n  domain: [refusing-bl.test]\n", StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (policy.current().blocklists().isEmpty()) {
                assertThat(System.nanoTime()).as("the policy is applied within 20 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            // as the gateway's block list analyzer reports an inbound message's error-code answer
            blocklistStatus.answered("refusing-bl.test", false, DnsBlocklistAnalyzer.Outcome.ERROR_CODE);

            admin.get("/policy");
            assertThat(admin.page().select("#blocklist-status tbody tr")).extracting(r -> r.attr("data-zone") + ": "
                    + r.selectFirst(".state").text()).containsExactly("zen.console-bl.test: まだ応答がありません",
                    "refusing-bl.test: エラー応答: このゲートウェイのリゾルバーからの問い合わせを拒否しています");
            assertThat(admin.page().selectFirst("#blocklist-checks")).as("nothing checked yet").isNull();

            admin.post("/policy/check-blocklists");
            assertThat(admin.last.statusCode()).isEqualTo(200);
            assertThat(admin.page().select("#blocklist-checks tbody tr")).extracting(r -> r.attr("data-zone") + " "
                    + r.attr("data-outcome") + ": " + r.selectFirst(".outcome").text()).containsExactly(
                    "zen.console-bl.test WORKS: 動作しています",
                    "refusing-bl.test ERROR_CODE: エラー応答: このリゾルバーからの問い合わせを拒否しています(公開リゾルバー経由、キーの誤り、上限超過など)");
            assertThat(auditSince(mark)).anySatisfy(line -> assertThat(line).contains("action=policy.blocklists.check")
                    .contains("actor=" + admin.email).contains("zen.console-bl.test (ip): WORKS")
                    .contains("refusing-bl.test (domain): ERROR_CODE"));

            admin.get("/dashboard");
            assertThat(admin.page().select("#blocklist-warning li")).extracting(li -> li.attr("data-zone"))
                    .containsExactly("refusing-bl.test");
            assertThat(admin.text("#blocklist-warning")).contains("refusing-bl.test(ドメイン)が")
                    .contains("エラー応答を返しています");
            analyst.get("/dashboard");
            assertThat(analyst.last.statusCode()).isEqualTo(200);
            assertThat(analyst.page().selectFirst("#blocklist-warning")).as("for those who look after the policy").isNull();
            assertThat(analyst.post("/policy/check-blocklists").statusCode()).isEqualTo(403);

            blocklistStatus.answered("refusing-bl.test", false, DnsBlocklistAnalyzer.Outcome.NOT_LISTED);
            admin.get("/dashboard");
            assertThat(admin.page().selectFirst("#blocklist-warning")).as("working again").isNull();
        } finally {
            usePolicy("");
            while (!policy.current().blocklists().isEmpty()) {
                Thread.sleep(50);
            }
        }
    }

    @Test
    void theDashboardTellsAdministratorsWhenTheAntivirusEngineDoesNotAnswer() throws Exception {
        ConsoleClient admin = signedIn("antivirus-admin", "検査 管理者", Role.ADMIN);
        ConsoleClient analyst = signedIn("antivirus-analyst", "検査 分析", Role.ANALYST);
        try {
            // as the antivirus analyzer's watched engine reports a message's attachment it could not scan
            antivirusStatus.answered(new MalwareScanner.Unavailable("clamd 127.0.0.1:3310: Connection refused"));
            admin.get("/dashboard");
            assertThat(admin.text("#antivirus-warning")).contains("ウイルス検査エンジンが応答しません")
                    .contains("clamd 127.0.0.1:3310: Connection refused").contains("AV_UNAVAILABLE");
            analyst.get("/dashboard");
            assertThat(analyst.page().selectFirst("#antivirus-warning")).isNull();
            assertThat(meters.get("mamori.antivirus.scans").tag("outcome", "unavailable").counter().count())
                    .as("the metric counts the engine's answers").isPositive();
        } finally {
            antivirusStatus.answered(new MalwareScanner.Clean());
        }
        admin.get("/dashboard");
        assertThat(admin.page().selectFirst("#antivirus-warning")).as("answering again").isNull();
    }
}
