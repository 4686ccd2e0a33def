package io.mamori.app;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the usage help of every command shares beyond its own texts, in Japanese and English, Japanese first. The
 * headings and the descriptions of picocli's own -h, -V and {@code help} come from the resource bundle
 * {@code io/mamori/app/CliHelp.properties}, named once on the root command: picocli hands a parent's bundle to every
 * subcommand added to it, at any depth. The list of subcommands shows two lines of each, its first Japanese line and
 * the first line of its English (picocli shows the first line only), and a mistake in the command line is introduced
 * in both languages before picocli's own English message.
 */
final class CliHelp {

    /** The resource bundle of the root command, inherited by every subcommand. */
    static final String BUNDLE = "io.mamori.app.CliHelp";

    private static final Pattern JAPANESE = Pattern.compile("[\\p{IsHiragana}\\p{IsKatakana}\\p{IsHan}]");

    private CliHelp() {
    }

    /**
     * Installs the bilingual list of subcommands and error handler on {@code cli} and on the subcommands it has now
     * (picocli copies these settings to the subcommands present when they are set, not to ones added later).
     */
    static CommandLine install(CommandLine cli) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>(cli.getHelpSectionMap());
        sections.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CliHelp::commandList);
        return cli.setHelpSectionMap(sections).setParameterExceptionHandler(CliHelp::invalidInput);
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

    static boolean isJapanese(String line) {
        return JAPANESE.matcher(line).find();
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
