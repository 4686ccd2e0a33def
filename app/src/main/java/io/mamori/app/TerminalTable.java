package io.mamori.app;

import java.util.List;

/**
 * The table a list command prints (audit list, queue list, directory list): headings in Japanese on one line and in
 * English on the next, as the help's list of commands shows each summary, then one line per row. Columns are padded
 * to widths counted in terminal columns, in which kana, kanji and full-width forms take two ({@link CliHelp#isWide}):
 * a directory's names and departments line up as ASCII text does. A column is at least as wide as its headings; a
 * value wider than its column pushes the rest of its line to the right, as printf's {@code %-20s} did. The last column
 * is not padded.
 */
final class TerminalTable {

    /** One column: its headings, its width in terminal columns, and whether values are aligned to the right. */
    record Column(String japanese, String english, int width, boolean right) {

        static Column left(String japanese, String english, int width) {
            return new Column(japanese, english, width, false);
        }

        static Column right(String japanese, String english, int width) {
            return new Column(japanese, english, width, true);
        }

        Column {
            width = Math.max(width, Math.max(columns(japanese), columns(english)));
        }
    }

    private final String gap;
    private final List<Column> columns;

    /** @param gap what separates two columns */
    TerminalTable(String gap, Column... columns) {
        this.gap = gap;
        this.columns = List.of(columns);
    }

    /** The two lines of headings, each ending with a line break. */
    String headings() {
        return line(columns.stream().map(Column::japanese).toArray()) + line(columns.stream().map(Column::english).toArray());
    }

    /** One row, ending with a line break; {@code null} is shown as {@code null}, as printf shows it. */
    String line(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(columns.size() + " columns, " + values.length + " values");
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            String value = String.valueOf(values[i]);
            Column column = columns.get(i);
            if (i > 0) {
                line.append(gap);
            }
            if (i == values.length - 1 && !column.right()) {
                line.append(value);
                continue;
            }
            String padding = " ".repeat(Math.max(0, column.width() - columns(value)));
            line.append(column.right() ? padding + value : value + padding);
        }
        return line.append(System.lineSeparator()).toString();
    }

    /** How many terminal columns {@code text} takes. */
    static int columns(String text) {
        return text.codePoints().map(c -> CliHelp.isWide(c) ? 2 : 1).sum();
    }
}
