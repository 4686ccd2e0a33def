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
        description = {"The tamper-evident audit log of human actions (console, REST API, CLI).",
            "Works on the configured database; with the embedded H2 database the gateway must be stopped",
            "(use GET /api/v1/audit against a running gateway)."},
        subcommands = {AuditCommand.Verify.class, AuditCommand.ListEntries.class, AuditCommand.Export.class})
final class AuditCommand extends CliHelp.Group {

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
            if (QueueCommand.causeMentions(e, "already in use")) {
                System.err.println("audit: the embedded database is in use by a running gateway; stop it or use "
                        + "the REST API / 組み込みデータベースは稼働中のゲートウェイが使用中です");
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
        @Option(names = "--actor", description = "only this actor, e.g. cli:root, api-token, a user's email")
        String actor;

        @Option(names = "--action", description = "only this action, or a prefix ending in *, e.g. queue.*")
        String action;

        @Option(names = "--object", description = "only this object, e.g. a queue id or an email address")
        String object;

        @Option(names = "--since", description = "from this time (2026-11-28, 2026-11-28T10:00, or ISO-8601 with offset; local forms in this machine's time zone)")
        String since;

        @Option(names = "--until", description = "before this time (same forms as --since)")
        String until;

        AuditFilter filter() {
            ZoneId zone = ZoneId.systemDefault();
            return new AuditFilter(actor, action, object, AuditFilter.parseTime(since, zone), AuditFilter.parseTime(until, zone));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Walk the hash chain from the first entry and report OK with the count, or the first",
                "broken seq and why (edited, deleted, reordered). Exit code 0 if intact, 1 if broken.",
                "Note the printed anchor (SEQ:HASH) somewhere outside the database; giving it later with",
                "--anchor also finds a chain that was rebuilt with recomputed hashes."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--anchor", paramLabel = "SEQ:HASH", description = "a hash noted earlier that must still be in the chain")
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
                    System.out.printf("audit log OK / 監査ログは正常です: %d entr%s, last seq %d%n", ok.count(),
                            ok.count() == 1 ? "y" : "ies", ok.lastSeq());
                    if (ok.lastSeq() > 0) {
                        System.out.printf("anchor / アンカー: %d:%s%n", ok.lastSeq(), ok.lastHash());
                    }
                    return 0;
                }
                AuditVerification.Broken b = (AuditVerification.Broken) v;
                System.out.printf("audit log BROKEN / 監査ログが改ざんされています: first broken seq %d (%s)%n%s%n"
                        + "%d entr%s before it checked out%n", b.seq(), b.problem(), b.detail(), b.checked(),
                        b.checked() == 1 ? "y" : "ies");
                return 1;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List audit entries, newest first.")
    static final class ListEntries implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FilterOptions filter = new FilterOptions();

        @Option(names = "--limit", defaultValue = "50", description = "at most this many (1–1000)")
        int limit;

        @Option(names = "--before", paramLabel = "SEQ", description = "only entries older than this seq (the next page)")
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
                System.out.printf("%6s  %-19s  %-24s  %-15s  %-26s  %-3s  %s%n", "SEQ", "TIME", "ACTOR", "SOURCE",
                        "ACTION", "OK", "OBJECT: BEFORE → AFTER");
                for (AuditRecord r : page.entries()) {
                    System.out.printf("%6d  %-19s  %-24s  %-15s  %-26s  %-3s  %s%s%n", r.seq(), time.format(r.at()),
                            r.actor(), r.sourceIp(), r.action(), r.success() ? "yes" : "NO", r.object(),
                            r.before() == null && r.after() == null ? ""
                                    : ": " + (r.before() == null ? "-" : oneLine(r.before())) + " → "
                                    + (r.after() == null ? "-" : oneLine(r.after())));
                }
                System.out.printf("%d entr%s%s%n", page.entries().size(), page.entries().size() == 1 ? "y" : "ies",
                        page.nextBefore() == null ? "" : "; older ones with --before " + page.nextBefore());
                return 0;
            });
        }

        private static String oneLine(String s) {
            String flat = s.replaceAll("[\\r\\n\\t]+", " ");
            return flat.length() > 120 ? flat.substring(0, 119) + "…" : flat;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write audit entries, oldest first, to a CSV file (RFC 4180, UTF-8 with BOM so that",
                "Excel shows Japanese correctly). The export itself is recorded as audit.export."})
    static final class Export implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.csv")
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
                audit.record(CliAudit.entry("audit.export", "audit", null, f.describe() + " → " + file.toAbsolutePath(), true));
                long rows;
                try (OutputStream out = Files.newOutputStream(file)) {
                    rows = audit.exportCsv(f, out, ZoneId.systemDefault());
                }
                System.out.printf("%d entr%s written to %s%n", rows, rows == 1 ? "y" : "ies", file);
                return 0;
            });
        }
    }
}
