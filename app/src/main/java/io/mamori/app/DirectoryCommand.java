package io.mamori.app;

import io.mamori.console.directory.DirectoryFileException;
import io.mamori.console.directory.ImportReport;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.notice.NoticeTemplates;
import io.mamori.console.notice.Notices;
import io.mamori.console.users.UserAdministration;
import io.mamori.core.policy.PolicyException;
import io.mamori.console.directory.Person;
import io.mamori.core.access.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "directory", mixinStandardHelpOptions = true,
        description = {"人、部署、ロールの名簿（コンソールの利用者と承認経路）を管理します。",
            "The directory of people, departments and roles (console users and approval routes)."},
        subcommands = {DirectoryCommand.Import.class, DirectoryCommand.ListPeople.class})
final class DirectoryCommand extends CliHelp.Group {

    /** While the gateway runs, the web console imports the file and lists the directory. */
    static final LocalStore.Command STORE = new LocalStore.Command("directory",
            "Web コンソールの「ユーザーとロール」のページ（CSV から取り込む）", "the web console's page Users and roles (Import from CSV)");

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"名簿を CSV ファイルの内容に合わせます。",
                "ファイルは UTF-8（BOM の有無は問いません）で、"
                    + "列は email,display_name,department,manager_email,roles,approver_departments,language,active"
                    + " です。必須は email と display_name だけで、複数のロールや部署は ';' で区切ります。",
                "ファイルにない人は無効にします（'console add-user' で作成した人は除きます）。"
                    + "変更内容を表示します。ファイルに問題が 1 つでもあれば何も変更しません（終了コード 1）。",
                "Bring the directory in line with a CSV file.",
                "The file is UTF-8 (with or without BOM) with the columns"
                    + " email,display_name,department,manager_email,roles,approver_departments,language,active. Only"
                    + " email and display_name are required; several roles or departments are separated by ';'.",
                "People missing from the file are deactivated (never people created with 'console add-user')."
                    + " Prints what changed; nothing changes when the file has any problem (exit code 1)."})
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.csv", description = "取り込む CSV ファイル / the CSV file to import")
        Path file;

        @Option(names = "--dry-run", description = "変更内容を表示するだけで、何も変更しません / only report what would change")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                System.err.println("directory: ファイルがありません / no such file: " + file);
                return 2;
            }
            if (Files.size(file) > 16L * 1024 * 1024) {
                System.err.println("directory: " + file + " は 16 MiB を超えています / " + file + " is larger than 16 MiB");
                return 2;
            }
            byte[] content = Files.readAllBytes(file);
            MamoriProperties settings = Settings.load(List.of());
            return LocalStore.with(STORE, s -> {
                JdbcDirectory directory = new JdbcDirectory(s.dataSource(), Clock.systemUTC());
                // People whose roles or access the import changes get the access-changed notice, as from the console.
                Notices notices = notices(s, settings);
                UserAdministration administration = new UserAdministration(directory,
                        ConsoleConfiguration.accounts(s, directory, settings, Clock.systemUTC()), notices, s.audit(), Clock.systemUTC());
                try {
                    ImportReport report = administration.importCsv(content, file.getFileName().toString(), dryRun,
                            CliAudit.actor(), CliAudit.SOURCE);
                    // one line per change (addresses and field values), then the totals
                    report.changeLines().forEach(System.out::println);
                    System.out.println(totals(report));
                    return 0;
                } catch (DirectoryFileException e) {
                    e.problems().forEach(problem -> System.err.println(problem.renderBilingual()));
                    System.err.printf("directory: 取り込みませんでした（問題 %d 件） / nothing imported (%d problem(s))%n",
                            e.problems().size(), e.problems().size());
                    return 1;
                }
            });
        }
    }

    /** The last line of an import's report: how many people were added, updated, deactivated and left as they were. */
    static String totals(ImportReport report) {
        int added = report.added().size();
        int updated = report.updated().size();
        int deactivated = report.deactivated().size();
        int unchanged = report.unchanged();
        return String.format("%s追加 %d 人、更新 %d 人、無効化 %d 人、変更なし %d 人 / %sadded %d, updated %d, deactivated %d,"
                + " unchanged %d", report.applied() ? "" : "ドライランのため何も変更していません: ", added, updated, deactivated,
                unchanged, report.applied() ? "" : "dry run, nothing changed: ", added, updated, deactivated, unchanged);
    }

    /** Notices sent through the gateway's store, with the policy file as it is now (for the CLI). */
    static Notices notices(LocalStore s, MamoriProperties settings) {
        return new Notices(s.store(), new NoticeTemplates(settings.notices().templatesDir()), () -> {
            try {
                return NoticesCommand.currentPolicy(settings);
            } catch (PolicyException e) {
                throw new IllegalStateException("ポリシーファイルが正しくないため、通知を送りませんでした / the policy file is invalid,"
                        + " so no notice was sent:\n" + e.errors().stream().map(io.mamori.core.policy.PolicyError::renderBilingual)
                        .collect(java.util.stream.Collectors.joining("\n")), e);
            }
        }, GatewayConfiguration.noticeSettings(settings), Clock.systemUTC());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"名簿の人を一覧表示します。", "List the people in the directory."})
    static final class ListPeople implements Callable<Integer> {
        /** The words of the console's users page. */
        private static final TerminalTable TABLE = new TerminalTable(" ",
                TerminalTable.Column.left("メールアドレス", "EMAIL", 32), TerminalTable.Column.left("氏名", "NAME", 20),
                TerminalTable.Column.left("部署", "DEPARTMENT", 16), TerminalTable.Column.left("役割", "ROLES", 24),
                TerminalTable.Column.left("言語", "LANG", 4), TerminalTable.Column.left("有効", "ACTIVE", 0));

        @Option(names = "--inactive", description = "無効にした人も含めます / include deactivated people")
        boolean inactive;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                List<Person> people = new JdbcDirectory(s.dataSource(), Clock.systemUTC()).list().stream()
                        .filter(p -> inactive || p.active()).toList();
                System.out.print(TABLE.headings());
                for (Person p : people) {
                    String roles = p.roles().stream().map(Role::key).collect(Collectors.joining(","))
                            + (p.approverDepartments().isEmpty() ? "" : " (" + String.join(";", p.approverDepartments()) + ")");
                    System.out.print(TABLE.line(p.email(), p.displayName(), p.department() == null ? "-" : p.department(), roles,
                            p.language() == null ? "-" : p.language(), p.active() ? "yes" : "no"));
                }
                System.out.printf("%d 人 / %d person(s)%n", people.size(), people.size());
                return 0;
            });
        }
    }
}
