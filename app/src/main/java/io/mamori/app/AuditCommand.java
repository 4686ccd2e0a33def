package io.mamori.app;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditAnchor;
import io.mamori.console.audit.AuditFilter;
import io.mamori.console.audit.AuditPage;
import io.mamori.console.audit.AuditRecord;
import io.mamori.console.audit.AuditVerification;
import io.mamori.console.audit.InvalidAuditInput;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.gateway.store.Databases;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"人の操作（コンソール、REST API、CLI）を記録した、改ざんを検出できる監査ログです。",
            "設定されたデータベースを使います。"
                + "組み込み H2 データベースの場合はゲートウェイを停止してください（稼働中のゲートウェイには GET"
                + " /api/v1/audit を使います）。",
            "The tamper-evident audit log of human actions (console, REST API, CLI).",
            "Works on the configured database; with the embedded H2 database the gateway must be stopped (use"
                + " GET /api/v1/audit against a running gateway)."},
        subcommands = {AuditCommand.Verify.class, AuditCommand.ListEntries.class, AuditCommand.Export.class})
final class AuditCommand extends CliHelp.Group {

    /** While the gateway runs, its REST API reads the audit log. */
    static final LocalStore.Command STORE = new LocalStore.Command("audit", "REST API（GET /api/v1/audit）",
            "the REST API (GET /api/v1/audit)");

    interface AuditAction {
        int apply(JdbcAuditTrail audit) throws Exception;
    }

    /** Opens only the database (no keys, no spool): reading the audit log needs nothing else. */
    static int withAudit(AuditAction action) throws Exception {
        MamoriProperties settings = Settings.load(List.of());
        HikariDataSource ds;
        try {
            ds = Databases.open(LocalStore.databaseSettings(settings));
        } catch (RuntimeException e) {
            if (LocalStore.databaseInUse(e)) {
                System.err.println(STORE.databaseInUse());
                return 3;
            }
            throw e;
        }
        try (ds) {
            return action.apply(new JdbcAuditTrail(ds));
        }
    }

    /** Japanese first, then English, for the errors that have both (a bad time or anchor). */
    static String bilingual(IllegalArgumentException e) {
        return e instanceof InvalidAuditInput bad ? bad.bilingual() : e.getMessage();
    }

    /** Filter options shared by list and export. */
    static final class FilterOptions {
        @Option(names = "--actor", description = {"この操作者の記録だけ（例: cli:root、api-token、利用者のメールアドレス）",
            "only this actor, e.g. cli:root, api-token, a user's email"})
        String actor;

        @Option(names = "--action", description = {"この操作の記録だけ。* で終わる前方一致も可（例: queue.*）",
            "only this action, or a prefix ending in *, e.g. queue.*"})
        String action;

        @Option(names = "--object", description = {"この対象の記録だけ（例: キューの ID、メールアドレス）",
            "only this object, e.g. a queue id or an email address"})
        String object;

        @Option(names = "--since", description = {"この日時から（2026-11-28、2026-11-28T10:00、またはオフセット付きの ISO-8601。"
            + "オフセットのない形はこのマシンのタイムゾーン）", "from this time (2026-11-28, 2026-11-28T10:00, or ISO-8601 with"
            + " offset; local forms in this machine's time zone)"})
        String since;

        @Option(names = "--until", description = {"この日時より前（--since と同じ形）", "before this time (same forms as --since)"})
        String until;

        AuditFilter filter() {
            ZoneId zone = ZoneId.systemDefault();
            return new AuditFilter(actor, action, object, AuditFilter.parseTime(since, zone), AuditFilter.parseTime(until, zone));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"監査ログのハッシュチェーンを検証します。",
                "最初の記録からチェーンをたどり、正常なら件数を、壊れていれば最初に壊れている seq と理由（編集、"
                    + "削除、順序の入れ替え）を表示します。正常なら終了コード 0、壊れていれば 1 です。",
                "表示されたアンカー（SEQ:HASH）はデータベースの外に控えてください。後で --anchor に指定すると、"
                    + "ハッシュを計算し直して作り直されたチェーンも見つけられます。",
                "Verify the audit log's hash chain.",
                "Walk the chain from the first entry and report OK with the count, or the first broken seq and"
                    + " why (edited, deleted, reordered). Exit code 0 if intact, 1 if broken.",
                "Note the printed anchor (SEQ:HASH) somewhere outside the database; giving it later with --anchor"
                    + " also finds a chain that was rebuilt with recomputed hashes."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--anchor", paramLabel = "SEQ:HASH", description = {"以前に控えた、チェーンに残っているはずのハッシュ（繰り返し指定可）",
            "a hash noted earlier that must still be in the chain (repeatable)"})
        List<String> anchors = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<AuditAnchor> parsed = new ArrayList<>();
            for (String a : anchors) {
                try {
                    parsed.add(AuditAnchor.parse(a));
                } catch (IllegalArgumentException e) {
                    System.err.println("audit verify: " + bilingual(e));
                    return 2;
                }
            }
            return withAudit(audit -> {
                AuditVerification v = audit.verify(parsed);
                if (v instanceof AuditVerification.Intact ok) {
                    System.out.printf("監査ログは正常です: %d 件、最後の seq %d / audit log OK: %d entr%s, last seq %d%n",
                            ok.count(), ok.lastSeq(), ok.count(), ok.count() == 1 ? "y" : "ies", ok.lastSeq());
                    if (ok.lastSeq() > 0) {
                        System.out.printf("アンカー / anchor: %d:%s%n", ok.lastSeq(), ok.lastHash());
                    }
                    return 0;
                }
                AuditVerification.Broken b = (AuditVerification.Broken) v;
                System.out.printf("監査ログが改ざんされています: 最初に壊れている seq %d（%s） / audit log BROKEN: first broken"
                        + " seq %d (%s)%n%s%n", b.seq(), b.problem(), b.seq(), b.problem(), b.detail());
                System.out.printf("それより前の %d 件は正常でした / %d entr%s before it checked out%n", b.checked(), b.checked(),
                        b.checked() == 1 ? "y" : "ies");
                return 1;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"監査ログの記録を新しい順に表示します。", "List audit entries, newest first."})
    static final class ListEntries implements Callable<Integer> {
        /** The words of the console's audit page. */
        private static final TerminalTable TABLE = new TerminalTable("  ", TerminalTable.Column.right("番号", "SEQ", 6),
                TerminalTable.Column.left("日時", "TIME", 19), TerminalTable.Column.left("実行者", "ACTOR", 24),
                TerminalTable.Column.left("送信元", "SOURCE", 15), TerminalTable.Column.left("操作", "ACTION", 26),
                TerminalTable.Column.left("結果", "OK", 3),
                TerminalTable.Column.left("対象: 変更前 → 変更後", "OBJECT: BEFORE → AFTER", 0));

        @picocli.CommandLine.Mixin
        FilterOptions filter = new FilterOptions();

        @Option(names = "--limit", defaultValue = "50",
                description = "表示する最大件数（1〜1000、既定値 ${DEFAULT-VALUE}） / at most this many (1–1000, default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--before", paramLabel = "SEQ",
                description = {"この seq より古い記録だけ（次のページ）", "only entries older than this seq (the next page)"})
        Long before;

        @Override
        public Integer call() throws Exception {
            AuditFilter f;
            try {
                f = filter.filter();
                if (limit < 1 || limit > 1000) {
                    throw new IllegalArgumentException("--limit は 1〜1000 にしてください / --limit must be between 1 and 1000");
                }
            } catch (IllegalArgumentException e) {
                System.err.println("audit list: " + bilingual(e));
                return 2;
            }
            return withAudit(audit -> {
                AuditPage page = audit.search(f, before, limit);
                DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
                System.out.print(TABLE.headings());
                for (AuditRecord r : page.entries()) {
                    System.out.print(TABLE.line(r.seq(), time.format(r.at()), r.actor(), r.sourceIp(), r.action(),
                            r.success() ? "yes" : "NO", r.object() + (r.before() == null && r.after() == null ? ""
                                    : ": " + (r.before() == null ? "-" : oneLine(r.before())) + " → "
                                    + (r.after() == null ? "-" : oneLine(r.after())))));
                }
                int n = page.entries().size();
                System.out.printf("%d 件%s / %d entr%s%s%n", n,
                        page.nextBefore() == null ? "" : "。それより古い記録は --before " + page.nextBefore() + " で表示します", n,
                        n == 1 ? "y" : "ies", page.nextBefore() == null ? "" : "; older ones with --before " + page.nextBefore());
                return 0;
            });
        }

        private static String oneLine(String s) {
            String flat = s.replaceAll("[\\r\\n\\t]+", " ");
            return flat.length() > 120 ? flat.substring(0, 119) + "…" : flat;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"監査ログの記録を古い順に CSV ファイルへ書き出します。",
                "形式は RFC 4180、Excel で日本語が正しく表示されるよう BOM 付きの UTF-8 です。"
                    + "書き出したこと自体も audit.export として記録します。",
                "Write audit entries, oldest first, to a CSV file.",
                "RFC 4180, UTF-8 with BOM so that Excel shows Japanese correctly. The export itself is recorded"
                    + " as audit.export."})
    static final class Export implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.csv", description = "書き出す CSV ファイル / the CSV file to write")
        Path file;

        @picocli.CommandLine.Mixin
        FilterOptions filter = new FilterOptions();

        @Override
        public Integer call() throws Exception {
            AuditFilter f;
            try {
                f = filter.filter();
            } catch (IllegalArgumentException e) {
                System.err.println("audit export: " + bilingual(e));
                return 2;
            }
            return withAudit(audit -> {
                String what = f.describe() + " → " + file.toAbsolutePath();
                OutputStream out;
                try {
                    out = Files.newOutputStream(file);
                } catch (IOException e) {
                    return failed(audit, what, e);
                }
                // recorded before the rows are read, so that the file holds its own export too
                audit.record(CliAudit.entry("audit.export", "audit", null, what, true));
                long rows;
                try (out) {
                    rows = audit.exportCsv(f, out, ZoneId.systemDefault());
                } catch (IOException e) {
                    return failed(audit, what, e);
                }
                System.out.printf("%d 件を %s に書き出しました / %d entr%s written to %s%n", rows, file, rows,
                        rows == 1 ? "y" : "ies", file);
                return 0;
            });
        }

        private int failed(JdbcAuditTrail audit, String what, IOException e) {
            audit.record(CliAudit.entry("audit.export", "audit", null, what + ": " + e.getClass().getSimpleName(), false));
            System.err.println("audit export: " + file + " に書き込めません / cannot write " + file + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            return 2;
        }
    }
}
