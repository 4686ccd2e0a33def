package io.mamori.app;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.users.UserAdministration;
import io.mamori.core.access.Role;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "console", mixinStandardHelpOptions = true, description = "Web console accounts.",
        subcommands = {ConsoleCommand.AddUser.class, ConsoleCommand.ResetUser.class})
final class ConsoleCommand extends CliHelp.Group {

    private static final String SHOWN_ONCE = "Shown only here, never written to a log file; it must be changed at the"
            + " first sign-in.%n画面にだけ表示され、ログには残りません。初回ログイン時に変更が必要です。%n";

    @Command(name = "add-user", mixinStandardHelpOptions = true,
            description = {"Create a console account with a one-time initial password (printed once).",
                "A person missing from the directory is added; an existing one gets the given roles."})
    static final class AddUser implements Callable<Integer> {
        @Parameters(paramLabel = "EMAIL")
        String email;

        @Option(names = "--roles", split = ",", paramLabel = "ROLE",
                description = "admin, analyst, approver, auditor, employee (comma-separated); default: the directory's, else employee")
        java.util.List<String> roles = new java.util.ArrayList<>();

        @Option(names = "--name", description = "display name for a person new to the directory")
        String name;

        @Option(names = "--department", description = "department for a person new to the directory (an approver approves for it)")
        String department;

        @Override
        public Integer call() throws Exception {
            Set<Role> parsed = EnumSet.noneOf(Role.class);
            for (String r : roles) {
                Optional<Role> role = Role.parse(r);
                if (role.isEmpty()) {
                    System.err.println("console: unknown role '" + r + "'; expected admin, analyst, approver, auditor or employee");
                    return 2;
                }
                parsed.add(role.get());
            }
            return QueueCommand.withStore(s -> {
                MamoriProperties settings = Settings.load(java.util.List.of());
                JdbcDirectory directory = new JdbcDirectory(s.dataSource(), Clock.systemUTC());
                // The same path as the users page: an existing person whose access changes gets the notice.
                UserAdministration administration = new UserAdministration(directory,
                        ConsoleConfiguration.accounts(s, directory, settings, Clock.systemUTC()),
                        DirectoryCommand.notices(s, settings), s.audit(), Clock.systemUTC());
                String password;
                try {
                    password = administration.createAccount(email, name, department, parsed, CliAudit.actor(), CliAudit.SOURCE);
                } catch (IllegalArgumentException e) {
                    System.err.println("console: " + e.getMessage());
                    return 1;
                }
                String address = email.strip().toLowerCase(java.util.Locale.ROOT);
                System.out.printf("Console account %s created. One-time password / 初期パスワード:%n%s%n" + SHOWN_ONCE, address, password);
                return 0;
            });
        }
    }

    @Command(name = "reset-user", mixinStandardHelpOptions = true,
            description = {"Give an account a new one-time password (printed once) and lift a lockout.",
                "With --clear-totp the user also sets up the authenticator app again (a lost phone)."})
    static final class ResetUser implements Callable<Integer> {
        @Parameters(paramLabel = "EMAIL")
        String email;

        @Option(names = "--clear-totp", description = "remove the TOTP key and recovery codes")
        boolean clearTotp;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
                MamoriProperties settings = Settings.load(java.util.List.of());
                JdbcDirectory directory = new JdbcDirectory(s.dataSource(), Clock.systemUTC());
                Optional<String> password = ConsoleConfiguration.accounts(s, directory, settings, Clock.systemUTC())
                        .resetUser(email, clearTotp);
                String address = email.strip().toLowerCase(java.util.Locale.ROOT);
                s.audit().record(CliAudit.entry("user.reset", address, null, clearTotp ? "password and totp" : "password", password.isPresent()));
                if (password.isEmpty()) {
                    System.err.println("console: no console account " + address);
                    return 1;
                }
                System.out.printf("New one-time password for %s / 新しい初期パスワード:%n%s%n" + SHOWN_ONCE, address, password.get());
                return 0;
            });
        }
    }
}
