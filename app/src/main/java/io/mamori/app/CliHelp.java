package io.mamori.app;

import io.mamori.core.text.InvalidInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PropertyResourceBundle;
import java.util.ResourceBundle;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the usage help of every command shares beyond its own texts, in Japanese and English, Japanese first. The
 * headings and the descriptions of picocli's own -h, -V and {@code help} come from {@code CliHelp.properties} beside
 * this class, the resource bundle of the root command and of every subcommand it has. The list of subcommands shows two lines of each, its first Japanese line and
 * the first line of its English (picocli shows the first line only), and a mistake in the command line is introduced
 * in both languages before picocli's own English message.
 */
final class CliHelp {

    private CliHelp() {
    }

    /**
     * Installs the texts, the bilingual list of subcommands and the error handler on {@code cli} and on the subcommands
     * it has now (picocli copies these settings to the subcommands present when they are set, not to ones added later).
     */
    static CommandLine install(CommandLine cli) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>(cli.getHelpSectionMap());
        sections.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CliHelp::commandList);
        return cli.setResourceBundle(texts()).setHelpSectionMap(sections)
                .setParameterExceptionHandler(CliHelp::invalidInput).setExecutionExceptionHandler(CliHelp::refused);
    }

    /**
     * The texts, read directly rather than named in {@code @Command(resourceBundle = …)}: ResourceBundle.getBundle,
     * which picocli then calls, looks for bundle providers and for a bundle of the default locale: about 70 classes
     * more on every start (≈ 0.03 s of CPU time for {@code --version}, measured against this).
     */
    private static ResourceBundle texts() {
        try (InputStream in = CliHelp.class.getResourceAsStream("CliHelp.properties")) {
            return new PropertyResourceBundle(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command that only groups subcommands: run on its own, it prints its usage help. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            // the command's own CommandLine, with the root's resource bundle and sections (CommandLine.usage(this, …)
            // would build a new one without them)
            spec.commandLine().usage(System.out);
        }
    }

    /**
     * The {@code help} command. Picocli's own looks up one name only, so {@code help users add-app-password} showed the
     * help of {@code users}; this one follows every name given down the subcommands. Its texts come from the resource
     * bundle ({@code mamori.help.usage.*}, {@code helpCommand.*}), as picocli's did.
     */
    @Command(name = "help", helpCommand = true)
    static final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

        @Option(names = {"-h", "--help"}, usageHelp = true, descriptionKey = "helpCommand.help")
        boolean helpRequested;

        @Parameters(paramLabel = "COMMAND", arity = "0..*", descriptionKey = "helpCommand.command")
        List<String> path = new ArrayList<>();

        private CommandLine self;
        private Help.ColorScheme colors;
        private PrintWriter out;

        @Override
        public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
            this.self = helpCommandLine;
            this.colors = colorScheme;
            this.out = out;
        }

        @Override
        public void run() {
            CommandLine command = self.getParent();
            for (String name : path) {
                CommandLine sub = command.getSubcommands().get(name);
                if (sub == null) {
                    throw new ParameterException(command, "'" + command.getCommandSpec().qualifiedName() + "' に '" + name
                            + "' というコマンドはありません / '" + command.getCommandSpec().qualifiedName()
                            + "' has no command '" + name + "'", null, name);
                }
                command = sub;
            }
            command.usage(out, colors);
        }
    }

    /** Whether the text has kana or kanji (a plain loop: the regex with Unicode scripts costs every start). */
    static boolean isJapanese(String line) {
        return line.codePoints().anyMatch(c -> (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F));
    }

    /** Whether a terminal shows the character in two columns (kana, kanji, full-width forms). */
    static boolean isWide(int codePoint) {
        return codePoint >= 0x1100 && (codePoint <= 0x115F || (codePoint >= 0x2E80 && codePoint <= 0xA4CF)
                || (codePoint >= 0xAC00 && codePoint <= 0xD7A3) || (codePoint >= 0xF900 && codePoint <= 0xFAFF)
                || (codePoint >= 0xFE30 && codePoint <= 0xFE4F) || (codePoint >= 0xFF00 && codePoint <= 0xFF60)
                || (codePoint >= 0xFFE0 && codePoint <= 0xFFE6));
    }

    /** Picocli's list of subcommands, with each one's first Japanese and first English line. */
    static String commandList(Help help) {
        Map<String, Help> subcommands = help.subcommands();
        if (subcommands.isEmpty()) {
            return "";
        }
        UsageMessageSpec usage = help.commandSpec().usageMessage();
        int longest = 0;
        for (Help sub : subcommands.values()) {
            longest = Math.max(longest, sub.commandNamesText(", ").getCJKAdjustedLength());
        }
        int names = Math.min(longest, usage.longOptionsMaxWidth()) + 2;
        TextTable table = TextTable.forColumns(help.colorScheme(), new Column(names, 2, Column.Overflow.SPAN),
                new Column(usage.width() - names, 2, Column.Overflow.WRAP));
        table.setAdjustLineBreaksForWideCJKCharacters(usage.adjustLineBreaksForWideCJKCharacters());
        for (Help sub : subcommands.values()) {
            UsageMessageSpec subUsage = sub.commandSpec().usageMessage();
            String[] lines = subUsage.header().length > 0 ? subUsage.header() : subUsage.description();
            // the first Japanese line, and the first line after the last Japanese one (where the English begins)
            String japanese = null;
            String english = null;
            for (String line : lines) {
                String text = String.format(line).strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (isJapanese(text)) {
                    japanese = japanese == null ? text : japanese;
                    english = null;
                } else if (english == null) {
                    english = text;
                }
            }
            Help.Ansi.Text name = sub.commandNamesText(", ");
            for (String text : new String[] {japanese, english}) {
                if (text != null) {
                    table.addRowValues(name, help.colorScheme().text(text));
                    name = help.colorScheme().text("");
                }
            }
        }
        return table.toString();
    }

    /**
     * A command that stopped at something a person gave that cannot be used, a setting above all ({@link InvalidSetting},
     * which names key and value), or another input a command does not report itself: one line, Japanese then English,
     * and exit code 2. Anything else goes on to picocli, which prints its stack trace.
     */
    static int refused(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        InvalidInput refused = null;
        for (Throwable t = e; t != null && refused == null; t = t.getCause()) {
            refused = t instanceof InvalidInput input ? input : null;
        }
        if (refused == null) {
            throw e;
        }
        LoggerFactory.getLogger(CliHelp.class).debug("{} refused", cli.getCommandSpec().qualifiedName(), e);
        String line = refused instanceof InvalidSetting
                ? "mamori: 設定に誤りがあります: " + refused.messageJa() + " / invalid setting: " + refused.getMessage()
                : "mamori: " + refused.bilingual();
        cli.getErr().println(cli.getColorScheme().errorText(line));
        return 2;
    }

    /** Picocli's handling of a mistake in the command line, with a Japanese and English first line. */
    static int invalidInput(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(cli.getColorScheme().errorText("mamori: コマンドの指定に誤りがあります / invalid command line: "
                + e.getMessage()));
        if (!UnmatchedArgumentException.printSuggestions(e, err)) {
            cli.usage(err, cli.getColorScheme());
        }
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }
}
