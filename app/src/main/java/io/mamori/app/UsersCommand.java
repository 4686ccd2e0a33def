package io.mamori.app;

import io.mamori.gateway.auth.AppPassword;
import io.mamori.core.text.InvalidInput;
import io.mamori.gateway.auth.AppPasswords;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"送信リスナーの SMTP AUTH で使うアプリパスワードを管理します。",
            "SMTP AUTH app passwords for the outbound listener."},
        subcommands = {UsersCommand.AddAppPassword.class, UsersCommand.ListAppPasswords.class,
            UsersCommand.RevokeAppPassword.class})
final class UsersCommand extends CliHelp.Group {

    /** While the gateway runs, the web console's user page issues, lists and revokes app passwords. */
    static final LocalStore.Command STORE = new LocalStore.Command("users", "Web コンソールの「ユーザーとロール」のページ",
            "the web console's page Users and roles");


    @Command(name = "add-app-password", mixinStandardHelpOptions = true,
            description = {"USER のアプリパスワードを発行します（表示は一度だけで、保存するのは Argon2id ハッシュのみです）。",
                "送信リスナーの SMTP AUTH（STARTTLS 後の PLAIN/LOGIN）で使います。",
                "Issue an app password for USER (shown once; only its Argon2id hash is stored).",
                "Use it for SMTP AUTH (PLAIN/LOGIN after STARTTLS) on the outbound listener."})
    static final class AddAppPassword implements Callable<Integer> {
        @Parameters(paramLabel = "USER", description = "利用者のメールアドレス / the user's email address")
        String user;

        @Option(names = "--label", defaultValue = "default",
                description = {"パスワードの用途（例: 使う端末）。既定値: ${DEFAULT-VALUE}",
                    "what the password is for, e.g. the device (default: ${DEFAULT-VALUE})"})
        String label;

        @Override
        public Integer call() throws Exception {
            if (!io.mamori.core.text.MailAddresses.plausible(user)) {
                System.err.println("users: メールアドレスではありません / not an email address: " + user);
                return 2;
            }
            return LocalStore.with(STORE, s -> {
                String password;
                try {
                    // recorded with the password's label, refused or not, in the insert's transaction
                    password = ConsoleConfiguration.credentials(s, Clock.systemUTC()).issueAppPassword(user, label,
                            CliAudit.actor(), CliAudit.SOURCE);
                } catch (InvalidInput e) { // a label or address AppPasswords refuses
                    System.err.println("users: アプリパスワードを発行できません: " + e.messageJa()
                            + " / cannot issue the app password: " + e.getMessage());
                    return 2;
                }
                // The password itself never goes into the log; the label says which one it is.
                System.out.printf("%s（%s）のアプリパスワード。表示はこの一度だけです / App password for %s (%s), shown only"
                        + " once:%n%s%n", user, label, user, label, password);
                return 0;
            });
        }
    }

    @Command(name = "list-app-passwords", mixinStandardHelpOptions = true,
            description = {"利用者のアプリパスワードを一覧表示します（パスワードそのものは表示しません）。",
                "List a user's app passwords (never the passwords)."})
    static final class ListAppPasswords implements Callable<Integer> {
        @Parameters(paramLabel = "USER", description = "利用者のメールアドレス / the user's email address")
        String user;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                List<AppPassword> list = new AppPasswords(s.dataSource(), Clock.systemUTC()).list(user);
                for (AppPassword p : list) {
                    System.out.printf("%6d  %-20s 作成 / created %s  最終使用 / last used %s%s%n", p.id(), p.label(),
                            p.createdAt(), p.lastUsedAt() == null ? "未使用 / never" : p.lastUsedAt(),
                            p.revoked() ? "  失効 / REVOKED" : "");
                }
                System.out.printf("%d 件 / %d app password(s)%n", list.size(), list.size());
                return 0;
            });
        }
    }

    @Command(name = "revoke-app-password", mixinStandardHelpOptions = true,
            description = {"アプリパスワードを ID で指定して失効させます。", "Revoke one app password by id."})
    static final class RevokeAppPassword implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "USER", description = "利用者のメールアドレス / the user's email address")
        String user;

        @Parameters(index = "1", paramLabel = "ID",
                description = {"アプリパスワードの ID（list-app-passwords が表示する番号）",
                    "the app password's id, as list-app-passwords shows it"})
        long id;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                boolean revoked = ConsoleConfiguration.credentials(s, Clock.systemUTC()).revokeAppPassword(user, id,
                        CliAudit.actor(), CliAudit.SOURCE);
                if (revoked) {
                    System.out.printf("アプリパスワード #%d を失効させました / app password #%d revoked%n", id, id);
                } else {
                    System.err.println("users: 有効なアプリパスワード #" + id + " はありません / no such active app password: #" + id);
                }
                return revoked ? 0 : 1;
            });
        }
    }
}
