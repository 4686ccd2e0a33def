package io.mamori.app;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Entry point of the jar behind {@code ./mamori}. Only {@code start} boots Spring; the offline commands
 * bind the same settings without it so they answer in well under a second of start-up.
 */
@Command(name = "mamori", mixinStandardHelpOptions = true, version = "Mamori 0.1",
        description = {"Mamori メールセキュリティゲートウェイ", "Mamori mail security gateway"})
public final class MamoriCli extends CliHelp.Group {

    /** The subcommands, in the order the help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
            Start.class,
            ScanCommand.class,
            EvalCommand.class,
            LearnCommand.class,
            QueueCommand.class,
            QuarantineCommand.class,
            ListsCommand.class,
            PolicyCommand.class,
            KeysCommand.class,
            UsersCommand.class,
            AuditCommand.class,
            NoticesCommand.class,
            DirectoryCommand.class,
            ConsoleCommand.class,
            CliHelp.HelpCommand.class);

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("start")) {
            System.setProperty(CliLogging.PROPERTY, "true");
        }
        int code = commandLine(args.length == 0 ? null : args[0]).execute(args);
        if (code != 0 || !Start.running) {
            System.exit(code);
        }
    }

    /** The whole command line, every subcommand with it. */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command line with only the subcommand named {@code first}, when it names one other than {@code help}, and
     * with all of them otherwise (help, a mistyped name, options of the top command). Picocli reads the annotations of
     * every subcommand it is given, with their options and mixins: for all fourteen that was a fifth of the start-up
     * of a short offline command, for nothing but the one that runs.
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new MamoriCli());
        Class<?> only = null;
        for (Class<?> c : SUBCOMMANDS) {
            if (c != CliHelp.HelpCommand.class && c.getAnnotation(Command.class).name().equals(first)) {
                only = c;
            }
        }
        for (Class<?> c : only != null ? List.<Class<?>>of(only) : SUBCOMMANDS) {
            cli.addSubcommand(c);
        }
        // after the subcommands: picocli applies such settings to the ones it already has
        return CliHelp.install(cli.setCaseInsensitiveEnumValuesAllowed(true));
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"ゲートウェイを起動します（SMTP の受信と送信、配送、HTTP）。",
            "Spring や mamori.* の設定を続けて指定できます。例: --mamori.smtp.inbound.port=25 --server.port=8081",
            "Start the gateway (SMTP inbound/outbound, delivery, HTTP).",
            "Any Spring or mamori.* setting can follow, e.g. --mamori.smtp.inbound.port=25 --server.port=8081"})
    static final class Start implements java.util.concurrent.Callable<Integer> {
        static volatile boolean running;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Unmatched
        List<String> settings = new ArrayList<>();

        @Override
        public Integer call() {
            for (String s : settings) {
                if (!s.startsWith("--") || !s.contains("=")) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "設定は --key=value の形で指定してください: " + s + " / expected --key=value settings, got: " + s);
                }
            }
            SpringApplication app = new SpringApplication(MamoriApplication.class);
            try {
                app.run(settings.toArray(String[]::new));
            } catch (RuntimeException e) {
                // Spring Boot has reported it already: its failure report (a bad policy or list file, a port in use …)
                // or "Application run failed" with the stack trace; picocli would print the same trace again
                return 1;
            }
            running = true;
            return 0;
        }
    }
}
