package io.mamori.app;

import io.mamori.console.lists.ListService;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListFile;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.gateway.lists.JdbcListStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

@Command(name = "lists", mixinStandardHelpOptions = true,
        description = {"データベースに保存する許可リストと拒否リストを扱います（組織全体、または --user で受信者ごと）。",
            "'list' はポリシーとリストファイルの項目も表示します（それらはファイルを編集して変更します）。",
            "値: メールアドレス（taro@partner.co.jp）、ドメインとそのサブドメイン（partner.co.jp）、"
                + "拒否リストのリンク項目では URL（https://bit.ly/3abc）も指定できます。",
            "組み込み H2 データベースの場合はゲートウェイを停止してください。"
                + "稼働中のゲートウェイには REST API（/api/v1/lists）を使います。"
                + "共有データベースで稼働中のゲートウェイは 10 秒以内に変更を反映します。",
            "Allow and block lists kept in the database: organisation-wide, or one recipient's with --user.",
            "'list' also shows the policy's and the list file's entries (edit those files to change them).",
            "Values: an address (taro@partner.co.jp), a domain and its sub-domains (partner.co.jp) or, for"
                + " block link entries, a URL (https://bit.ly/3abc).",
            "With the embedded H2 database the gateway must be stopped; use the REST API (/api/v1/lists)"
                + " against a running gateway. A running gateway on a shared database picks up changes within 10"
                + " seconds."},
        subcommands = {ListsCommand.Allow.class, ListsCommand.Block.class})
final class ListsCommand extends CliHelp.Group {

    /** While the gateway runs, its REST API does what this command does. */
    static final LocalStore.Command STORE = new LocalStore.Command("lists", "REST API（/api/v1/lists）",
            "the REST API (/api/v1/lists)");

    @Command(name = "allow", mixinStandardHelpOptions = true,
            description = {"許可リスト（送信者のみ）を扱います。", "The allow list (senders only)."},
            subcommands = {Add.class, Remove.class, Show.class})
    static final class Allow extends CliHelp.Group implements Kind {
        @Override
        public ListKind kind() {
            return ListKind.ALLOW;
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true,
            description = {"拒否リスト（送信者とリンク）を扱います。", "The block list (senders and links)."},
            subcommands = {Add.class, Remove.class, Show.class})
    static final class Block extends CliHelp.Group implements Kind {
        @Override
        public ListKind kind() {
            return ListKind.BLOCK;
        }
    }

    /** The list a sub-command acts on, from its parent command. */
    interface Kind {
        ListKind kind();
    }

    /** The policy file or the list file it names cannot be read; each line is one error in Japanese and English. */
    static final class UnusableFiles extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<String> lines;

        UnusableFiles(List<String> lines, Throwable cause) {
            super(String.join("\n", lines), cause);
            this.lines = List.copyOf(lines);
        }

        /** Prints the errors and returns the exit code for them. */
        int report() {
            lines.forEach(line -> System.err.println("lists: " + line));
            return 2;
        }
    }

    static ListService service(LocalStore s) throws UnusableFiles {
        MamoriProperties settings = Settings.load(List.of());
        Path file = settings.policy().file();
        PolicyLoader loader = new PolicyLoader(FindingCatalogue.builtIn());
        Policy policy;
        List<ListEntry> fileEntries;
        try {
            policy = Files.isRegularFile(file) ? loader.load(file) : loader.defaults();
            fileEntries = Files.isRegularFile(file) && policy.lists().file().isPresent()
                    ? ListFile.read(ListFile.resolve(file, policy.lists().file().get())) : List.of();
        } catch (PolicyException e) {
            throw new UnusableFiles(e.errors().stream().map(PolicyError::renderBilingual).toList(), e);
        } catch (ListFile.Invalid e) {
            throw new UnusableFiles(e.errors().stream().map(ListFile.Error::renderBilingual).toList(), e);
        }
        return new ListService(new JdbcListStore(s.dataSource(), Clock.systemUTC(), Duration.ZERO),
                () -> policy.lists().entries(), () -> fileEntries, s.audit(), Clock.systemUTC());
    }

    static ListTarget target(boolean link, String value) {
        return link ? ListTarget.LINK : ListService.impliedTarget(value);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"VALUE をリストに追加します。", "Add VALUE to the list."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        Kind parent;

        @Parameters(paramLabel = "VALUE", description = "メールアドレス、ドメイン、または URL / an address, a domain or a URL")
        String value;

        @Option(names = "--user", paramLabel = "EMAIL", description = {"この受信者の個人のリストに追加",
            "the recipient whose own list it goes on"})
        String user;

        @Option(names = "--link", description = {"リンク項目（リンク先として認めないドメインや URL）。拒否リストのみ",
            "a link entry (a domain or URL that links may not lead to); block only"})
        boolean link;

        @Option(names = "--comment", description = "登録の理由 / why")
        String comment;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                try {
                    ListService.View v = service(s).add(parent.kind(), target(link, value), user, value, comment,
                            CliAudit.actor(), CliAudit.SOURCE);
                    System.out.printf("追加しました / added %s %s %s (%s)%n", v.list(), v.target(), v.value(), v.origin());
                    return 0;
                } catch (JdbcListStore.DuplicateEntry e) {
                    System.err.println("lists: " + e.bilingual());
                    return 1;
                } catch (InvalidListEntry e) {
                    System.err.println("lists: " + e.bilingual());
                    return 2;
                } catch (UnusableFiles e) {
                    return e.report();
                }
            });
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"VALUE をリストから削除します。", "Remove VALUE from the list."})
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        Kind parent;

        @Parameters(paramLabel = "VALUE", description = "メールアドレス、ドメイン、または URL / an address, a domain or a URL")
        String value;

        @Option(names = "--user", paramLabel = "EMAIL", description = {"この受信者の個人のリストから削除",
            "the recipient whose own list it is on"})
        String user;

        @Option(names = "--link", description = "リンク項目 / a link entry")
        boolean link;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                try {
                    ListService.View v = service(s).remove(parent.kind(), target(link, value), user, value,
                            CliAudit.actor(), CliAudit.SOURCE);
                    System.out.printf("削除しました / removed %s %s %s (%s)%n", v.list(), v.target(), v.value(), v.origin());
                    return 0;
                } catch (ListService.NotListed e) {
                    System.err.println("lists: " + e.bilingual());
                    return 1;
                } catch (InvalidListEntry e) {
                    System.err.println("lists: " + e.bilingual());
                    return 2;
                } catch (UnusableFiles e) {
                    return e.report();
                }
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"リストを表示します。組織全体の項目をすべての登録元から、または 1 人の受信者の項目（--user）を表示します。",
                "Show the list: organisation-wide entries of every source, or one recipient's (--user)."})
    static final class Show implements Callable<Integer> {
        @ParentCommand
        Kind parent;

        @Option(names = "--user", paramLabel = "EMAIL", description = {"この受信者の個人のリストを表示",
            "the recipient whose own list to show"})
        String user;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                try {
                    List<ListService.View> views = service(s).list(parent.kind(), user, CliAudit.actor(), CliAudit.SOURCE);
                    for (ListService.View v : views) {
                        System.out.printf("%-6s %-40s %-32s %s%n", v.target(), v.value(), v.origin(),
                                v.comment() == null ? "" : v.comment());
                    }
                    System.out.printf("%d 件 / %d entr%s%n", views.size(), views.size(), views.size() == 1 ? "y" : "ies");
                    return 0;
                } catch (InvalidListEntry e) {
                    System.err.println("lists: " + e.bilingual());
                    return 2;
                } catch (UnusableFiles e) {
                    return e.report();
                }
            });
        }
    }
}
