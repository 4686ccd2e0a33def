package io.mamori.core.evasion;

import io.mamori.core.analysis.AnalysisInput;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Pictures drawn without a picture: a grid of dark and light cells written as text with the block elements
 * {@code █ ▀ ▄} (one character one cell wide, one line two cells high, the upper and lower half of a character each a
 * cell), or as an HTML table whose cells are coloured dark and light. Phishing mail draws QR codes this way ("ASCII
 * QR codes") because filters look for QR codes in pictures; the link analyzers hand what is found here to their QR
 * reader. Hand-written: no library renders text or an HTML table to a grid without a browser, and a browser is not
 * something a mail gateway runs on every message.
 *
 * <p>What counts: in text, at least {@value #MIN_LINES} lines in a row that hold nothing but those characters and
 * spaces (a space, a no-break space, an ideographic space two cells wide), with at least {@value #MIN_BLOCKS} of the
 * characters, {@value #MIN_SIDE} to {@value #MAX_SIDE} cells a side; the lines of HTML are its text between block
 * elements and {@code <br>}, spaces collapsed as a browser collapses them (not inside {@code <pre>}). A table counts
 * with {@value #MIN_SIDE} to {@value #MAX_SIDE} rows and columns (spans laid out as HTML lays them out), a cell dark
 * when its background (its own, else its row's, row group's or table's; from {@code bgcolor}, a {@code style}
 * attribute or the document's style rules; else that of a lone element inside it) is darker than mid-grey.
 * Bounded: only text with enough such characters, or HTML whose visible text has as many or which has a table of
 * {@value #MIN_SIDE} rows whose cells are nearly all empty ({@link HtmlText.Reading#gridTables()}: a drawing's cells
 * are coloured, not written in), is looked at further; at most {@value #MAX_DRAWINGS} drawings per text and
 * {@value #MAX_TABLES} large tables per document.
 * Stateless and thread-safe.
 */
public final class DrawnPictures {

    /** How a drawing was made. */
    public enum Kind {
        /** Lines of block characters. */
        CHARACTERS,
        /** The coloured cells of an HTML table. */
        TABLE_CELLS
    }

    /**
     * A grid of {@code width × height} cells, row by row. For {@link Kind#CHARACTERS} a cell is a character's width
     * and half a line's height (a character's upper or lower half), so that a grid drawn with half blocks, or with two
     * full blocks per module, has square modules.
     */
    public record Drawing(Kind kind, int width, int height, BitSet dark) {
        public boolean isDark(int x, int y) {
            return dark.get(y * width + x);
        }
    }

    /** The smallest QR code (version 1) is 21 modules a side. */
    public static final int MIN_SIDE = 21;
    /** The largest QR code (version 40) is 177 modules, 354 cells when drawn two characters a module, plus a margin. */
    public static final int MAX_SIDE = 400;
    /** Eleven lines of half blocks draw 21 rows. */
    static final int MIN_LINES = 11;
    static final int MIN_BLOCKS = 100;
    public static final int MAX_DRAWINGS = 3;
    static final int MAX_TABLES = 20;

    private static final char FULL = '\u2588';
    private static final char UPPER = '\u2580';
    private static final char LOWER = '\u2584';

    private DrawnPictures() {
    }

    /** The drawings in plain text, in order. */
    public static List<Drawing> inText(String text) {
        if (blocks(text) < MIN_BLOCKS) {
            return List.of();
        }
        return fromLines(lines(text));
    }

    /** The drawings in an HTML body: tables of coloured cells first, then lines of block characters. */
    public static List<Drawing> inHtml(String html) {
        return inHtml(HtmlText.read(html), html);
    }

    /**
     * The drawings in an HTML body of the input's message. Its reading ({@link HtmlText#read(AnalysisInput, String)},
     * shared with the analyzers that read its text) tells whether there can be one: enough block characters in the
     * visible text, or a table that may be a grid; only then is the HTML parsed again for its lines and tables.
     */
    public static List<Drawing> inHtml(AnalysisInput input, String html) {
        return inHtml(HtmlText.read(input, html), html);
    }

    private static List<Drawing> inHtml(HtmlText.Reading reading, String html) {
        boolean characters = blocks(reading.visible()) >= MIN_BLOCKS;
        boolean cells = reading.gridTables() > 0;
        if (!characters && !cells) {
            return List.of();
        }
        Document doc = HtmlText.parse(html);
        List<Drawing> found = new ArrayList<>();
        if (cells) {
            tables(doc, found);
        }
        if (characters && found.size() < MAX_DRAWINGS) {
            Lines lines = new Lines();
            NodeTraversor.filter(lines, doc.body() != null ? doc.body() : doc);
            lines.end();
            for (Drawing d : fromLines(lines.lines)) {
                if (found.size() < MAX_DRAWINGS) {
                    found.add(d);
                }
            }
        }
        return found;
    }

    // ---- lines of characters ----

    private static boolean isBlock(int c) {
        return c == FULL || c == UPPER || c == LOWER;
    }

    private static boolean isBlank(int c) {
        return c == ' ' || c == '\u00a0' || c == '\u3000';
    }

    /**
     * Block characters in the text. Most text has none (and a Latin-1 string cannot hold one), which
     * {@code String.indexOf} tells without a loop over the characters here.
     */
    private static int blocks(String s) {
        int first = firstBlock(s);
        if (first < 0) {
            return 0;
        }
        int n = 0;
        for (int i = first; i < s.length(); i++) {
            if (isBlock(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    private static int firstBlock(String s) {
        int first = -1;
        for (char c : new char[] {FULL, UPPER, LOWER}) {
            int at = s.indexOf(c);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n') {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                lines.add(text.substring(start, end));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Columns a line takes if it is a line of a drawing, else -1. */
    private static int columns(String line) {
        int end = line.length();
        while (end > 0 && isBlank(line.charAt(end - 1))) {
            end--;
        }
        int columns = 0;
        boolean block = false;
        for (int i = 0; i < end; i++) {
            char c = line.charAt(i);
            if (isBlock(c)) {
                block = true;
                columns++;
            } else if (isBlank(c)) {
                columns += c == '\u3000' ? 2 : 1;
            } else {
                return -1;
            }
            if (columns > MAX_SIDE) {
                return -1;
            }
        }
        return block ? columns : -1;
    }

    private static List<Drawing> fromLines(List<String> lines) {
        List<Drawing> found = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && found.size() < MAX_DRAWINGS) {
            if (columns(lines.get(i)) < 0) {
                i++;
                continue;
            }
            int first = i;
            int width = 0;
            int blocks = 0;
            while (i < lines.size() && i - first < MAX_SIDE / 2) {
                int w = columns(lines.get(i));
                if (w < 0) {
                    break;
                }
                width = Math.max(width, w);
                blocks += blocks(lines.get(i));
                i++;
            }
            int count = i - first;
            if (count >= MIN_LINES && blocks >= MIN_BLOCKS && width >= MIN_SIDE) {
                found.add(draw(lines.subList(first, i), width));
            }
        }
        return found;
    }

    private static Drawing draw(List<String> lines, int width) {
        int height = 2 * lines.size();
        BitSet dark = new BitSet(width * height);
        for (int row = 0; row < lines.size(); row++) {
            String line = lines.get(row);
            int x = 0;
            for (int i = 0; i < line.length() && x < width; i++) {
                char c = line.charAt(i);
                int top = (2 * row) * width + x;
                int bottom = top + width;
                if (c == FULL || c == UPPER) {
                    dark.set(top);
                }
                if (c == FULL || c == LOWER) {
                    dark.set(bottom);
                }
                x += c == '\u3000' ? 2 : 1;
            }
        }
        return new Drawing(Kind.CHARACTERS, width, height, dark);
    }

    /**
     * The lines of an HTML body as a browser breaks them: at block elements and {@code <br>}; runs of spaces, tabs
     * and line ends collapsed to one space and dropped at a line's ends, except inside {@code <pre>}, where line ends
     * break lines. Hidden text is not told apart: a drawing hidden from the reader is still read (and not scanned by
     * a phone, so nothing is lost by reading it).
     */
    private static final class Lines implements NodeFilter {
        final List<String> lines = new ArrayList<>();
        private final StringBuilder line = new StringBuilder();
        private int pre;
        private int nodes;

        @Override
        public FilterResult head(Node node, int depth) {
            if ((++nodes & 0xFF) == 0 && Thread.currentThread().isInterrupted()) {
                return FilterResult.STOP;
            }
            if (node instanceof TextNode t) {
                text(t.getWholeText());
            } else if (node instanceof Element e) {
                String name = e.normalName();
                if (name.equals("script") || name.equals("style") || name.equals("head")) {
                    return FilterResult.SKIP_ENTIRELY;
                }
                if (name.equals("br") || e.isBlock()) {
                    end();
                }
                if (name.equals("pre") || name.equals("textarea")) {
                    pre++;
                }
            }
            return lines.size() > 100_000 ? FilterResult.STOP : FilterResult.CONTINUE;
        }

        @Override
        public FilterResult tail(Node node, int depth) {
            if (node instanceof Element e) {
                String name = e.normalName();
                if (e.isBlock() && !name.equals("br")) {
                    end();
                }
                if (name.equals("pre") || name.equals("textarea")) {
                    pre--;
                }
            }
            return FilterResult.CONTINUE;
        }

        private void text(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (pre > 0) {
                    if (c == '\n') {
                        end();
                    } else if (c != '\r') {
                        add(c == '\t' ? ' ' : c);
                    }
                } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                    if (line.length() > 0 && line.charAt(line.length() - 1) != ' ') {
                        add(' ');
                    }
                } else {
                    add(c);
                }
            }
        }

        private void add(char c) {
            if (line.length() <= MAX_SIDE) {
                line.append(c);
            }
        }

        /** Ends the current line; a block element right after another ends no empty line. */
        void end() {
            if (line.length() == 0) {
                return;
            }
            int from = 0;
            while (pre == 0 && from < line.length() && line.charAt(from) == ' ') {
                from++;
            }
            lines.add(line.substring(from));
            line.setLength(0);
        }
    }

    // ---- tables ----

    private static void tables(Document doc, List<Drawing> found) {
        CssRules rules = null;
        int looked = 0;
        for (Element table : doc.getElementsByTag("table")) {
            if (found.size() >= MAX_DRAWINGS || looked >= MAX_TABLES || Thread.currentThread().isInterrupted()) {
                return;
            }
            List<Element> rows = rows(table);
            // the test the HTML reading counted the document's candidate tables by: the others are layout
            if (rows.size() > MAX_SIDE || !mayBeGrid(rows)) {
                continue;
            }
            looked++;
            if (rules == null) {
                rules = CssRules.backgrounds(doc, HtmlText.MAX_STYLE_RULES);
            }
            Drawing d = grid(table, rows, rules);
            if (d != null) {
                found.add(d);
            }
        }
    }

    /** The table's own rows: its {@code tr} children and those of its row groups, not those of tables inside. */
    private static List<Element> rows(Element table) {
        List<Element> rows = new ArrayList<>();
        for (Element child : table.children()) {
            String name = child.normalName();
            if (name.equals("tr")) {
                rows.add(child);
            } else if (name.equals("tbody") || name.equals("thead") || name.equals("tfoot")) {
                for (Element row : child.children()) {
                    if (row.normalName().equals("tr")) {
                        rows.add(row);
                    }
                }
            }
            if (rows.size() > MAX_SIDE) {
                break;
            }
        }
        return rows;
    }

    private static boolean mayBeGrid(List<Element> rows) {
        int cells = 0;
        int empty = 0;
        for (Element row : rows) {
            for (Element cell : row.children()) {
                if (isCell(cell)) {
                    cells++;
                    if (HtmlText.emptyCell(cell)) {
                        empty++;
                    }
                }
            }
        }
        return HtmlText.mayBeGrid(rows.size(), cells, empty);
    }

    private static boolean isCell(Element e) {
        return e.normalName().equals("td") || e.normalName().equals("th");
    }

    /** The table as a grid, laid out with its row and column spans; null when its columns are out of bounds. */
    private static Drawing grid(Element table, List<Element> rows, CssRules rules) {
        int height = rows.size();
        // layout: the columns a cell takes are the first free ones of its row, free meaning not taken by a row span
        boolean[][] taken = new boolean[height][];
        Boolean[][] darkAt = new Boolean[height][];
        int width = 0;
        Boolean tableDark = darkness(table, rules);
        for (int r = 0; r < height; r++) {
            Element row = rows.get(r);
            Element group = row.parent() == table ? null : row.parent();
            Boolean inherited = darkness(row, rules);
            if (inherited == null && group != null) {
                inherited = darkness(group, rules);
            }
            if (inherited == null) {
                inherited = tableDark;
            }
            int x = 0;
            for (Element cell : row.children()) {
                if (!isCell(cell)) {
                    continue;
                }
                while (taken[r] != null && x < taken[r].length && taken[r][x]) {
                    x++;
                }
                int colspan = span(cell.attr("colspan"));
                int rowspan = Math.min(span(cell.attr("rowspan")), height - r);
                if (x + colspan > MAX_SIDE) {
                    return null;
                }
                Boolean dark = darkness(cell, rules);
                if (dark == null) {
                    dark = lone(cell, rules);
                }
                if (dark == null) {
                    dark = inherited;
                }
                for (int dy = 0; dy < rowspan; dy++) {
                    int y = r + dy;
                    if (taken[y] == null) {
                        taken[y] = new boolean[MAX_SIDE];
                        darkAt[y] = new Boolean[MAX_SIDE];
                    }
                    for (int dx = 0; dx < colspan; dx++) {
                        taken[y][x + dx] = true;
                        darkAt[y][x + dx] = dark;
                    }
                }
                x += colspan;
                width = Math.max(width, x);
            }
        }
        if (width < MIN_SIDE) {
            return null;
        }
        BitSet dark = new BitSet(width * height);
        boolean any = false;
        for (int y = 0; y < height; y++) {
            for (int x = 0; darkAt[y] != null && x < width; x++) {
                if (Boolean.TRUE.equals(darkAt[y][x])) {
                    dark.set(y * width + x);
                    any = true;
                }
            }
        }
        return any ? new Drawing(Kind.TABLE_CELLS, width, height, dark) : null;
    }

    private static int span(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.length() > 4) {
            return 1;
        }
        try {
            return Math.max(1, Math.min(MAX_SIDE, Integer.parseInt(v)));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The darkness of the one element a cell holds (a coloured box drawn inside it), within two levels. */
    private static Boolean lone(Element cell, CssRules rules) {
        Element inside = cell;
        for (int depth = 0; depth < 2 && inside.childrenSize() == 1; depth++) {
            inside = inside.child(0);
            Boolean dark = darkness(inside, rules);
            if (dark != null) {
                return dark;
            }
        }
        return null;
    }

    /** Whether an element's own background is dark, or null when it declares none (or a transparent one). */
    private static Boolean darkness(Element e, CssRules rules) {
        Map<String, String> style = rules.styleOf(e);
        String value = style.containsKey("background-color") ? style.get("background-color")
                : style.containsKey("background") ? Colours.firstColourIn(style.get("background"))
                : e.hasAttr("bgcolor") ? e.attr("bgcolor") : null;
        if (value == null || Colours.inherits(value)) {
            return null;
        }
        Colours.Rgba colour = Colours.parse(value.strip().toLowerCase(Locale.ROOT));
        if (colour == null || colour.alpha() < 0.5) {
            return null;
        }
        return 299 * colour.r() + 587 * colour.g() + 114 * colour.b() < 128_000;
    }
}
