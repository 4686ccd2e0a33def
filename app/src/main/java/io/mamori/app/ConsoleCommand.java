package io.mamori.app;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.users.UserAdministration;
import io.mamori.core.access.Role;
import io.mamori.core.text.InvalidInput;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Web コンソールのアカウントを管理します。", "Web console accounts."},
        subcommands = {ConsoleCommand.AddUser.class, ConsoleCommand.ResetUser.class})
final class ConsoleCommand extends CliHelp.Group {

    /** While the gateway runs, the web console's user page creates and resets accounts. */
    static final LocalStore.Command STORE = new LocalStore.Command("console", "Web コンソールの「ユーザーとロール」のページ",
            "the web console's page Users and roles");

    private static final String SHOWN_ONCE = "画面にだけ表示され、ログには残りません。初回ログイン時に変更が必要です。%n"
            + "Shown only here, never written to a log file; it must be changed at the first sign-in.%n";

    @Command(name = "add-user", mixinStandardHelpOptions = true,
            description = {"コンソールのアカウントを、"
                    + "一度だけ使える初期パスワード付きで作成します（パスワードの表示は一度だけです）。",
                "名簿にない人は名簿に追加し、名簿にいる人には指定したロールを与えます。",
                "Create a console account with a one-time initial password (printed once).",
                "A person missing from the directory is added; an existing one gets the given roles."})
    static final class AddUser implements Callable<Integer> {
        @Parameters(paramLabel = "EMAIL", description = "利用者のメールアドレス / the user's email address")
        String email;

        @Option(names = "--roles", split = ",", paramLabel = "ROLE",
                description = {"admin、analyst、approver、auditor、employee（カンマ区切り）。既定: 名簿のロール、なければ employee",
                    "admin, analyst, approver, auditor, employee (comma-separated); default: the directory's, else employee"})
        java.util.List<String> roles = new java.util.ArrayList<>();

        @Option(names = "--name", description = {"名簿にいない人の表示名", "display name for a person new to the directory"})
        String name;

        @Option(names = "--department", description = {"名簿にいない人の部署（approver はその部署の申請を承認します）",
            "department for a person new to the directory (an approver approves for it)"})
        String department;

        @Override
        public Integer call() throws Exception {
            Set<Role> parsed = EnumSet.noneOf(Role.class);
            for (String r : roles) {
                Optional<Role> role = Role.parse(r);
                if (role.isEmpty()) {
                    System.err.println("console: 不明なロール '" + r + "' です。admin、analyst、approver、auditor、employee のいずれかを"
                            + "指定してください / unknown role '" + r + "'; expected admin, analyst, approver, auditor or employee");
                    return 2;
                }
                parsed.add(role.get());
            }
            return LocalStore.with(STORE, s -> {
                MamoriProperties settings = Settings.load(java.util.List.of());
                JdbcDirectory directory = new JdbcDirectory(s.dataSource(), Clock.systemUTC());
                // The same path as the users page: an existing person whose access changes gets the notice.
                UserAdministration administration = new UserAdministration(directory,
                        ConsoleConfiguration.accounts(s, directory, settings, Clock.systemUTC()),
                        DirectoryCommand.notices(s, settings), s.audit(), Clock.systemUTC());
                String address = ConsoleAccounts.normalize(email);
                String password;
                try {
                    password = administration.createAccount(email, name, department, parsed, CliAudit.actor(), CliAudit.SOURCE);
                } catch (IllegalArgumentException e) {
                    String japanese = e instanceof InvalidInput refused ? refused.messageJa() : e.getMessage();
                    System.err.println("console: " + address + " のアカウントを作成できません: " + japanese
                            + " / cannot create the account of " + address + ": " + e.getMessage());
                    return 1;
                }
                System.out.printf("コンソールアカウント %s を作成しました。初期パスワード / Console account %s created."
                        + " One-time password:%n%s%n" + SHOWN_ONCE, address, address, password);
                return 0;
            });
        }
    }

    @Command(name = "reset-user", mixinStandardHelpOptions = true,
            description = {"アカウントに新しい初期パスワードを発行し（表示は一度だけです）、ロックを解除します。",
                "--clear-totp を付けると、認証アプリも設定し直してもらいます（スマートフォンを紛失したときなど）。",
                "Give an account a new one-time password (printed once) and lift a lockout.",
                "With --clear-totp the user also sets up the authenticator app again (a lost phone)."})
    static final class ResetUser implements Callable<Integer> {
        @Parameters(paramLabel = "EMAIL", description = "利用者のメールアドレス / the user's email address")
        String email;

        @Option(names = "--clear-totp", description = {"TOTP の鍵とリカバリーコードを削除します",
            "remove the TOTP key and recovery codes"})
        boolean clearTotp;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                Optional<String> password = ConsoleConfiguration.credentials(s, Clock.systemUTC()).resetAccount(email,
                        clearTotp, CliAudit.actor(), CliAudit.SOURCE);
                String address = ConsoleAccounts.normalize(email);
                if (password.isEmpty()) {
                    System.err.println("console: コンソールアカウント " + address + " はありません / no console account " + address);
                    return 1;
                }
                System.out.printf("%s の新しい初期パスワード / New one-time password for %s:%n%s%n" + SHOWN_ONCE, address, address,
                        password.get());
                return 0;
            });
        }
    }
}
