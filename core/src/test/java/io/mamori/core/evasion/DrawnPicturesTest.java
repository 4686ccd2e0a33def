package io.mamori.core.evasion;

import static org.assertj.core.api.Assertions.assertThat;

import static io.mamori.core.evasion.DrawnCodes.code;
import static io.mamori.core.evasion.DrawnCodes.fullBlocks;
import static io.mamori.core.evasion.DrawnCodes.halfBlocks;
import static io.mamori.core.evasion.DrawnCodes.table;

import com.google.zxing.common.BitMatrix;
import io.mamori.core.evasion.DrawnPictures.Drawing;
import io.mamori.core.evasion.DrawnPictures.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrawnPicturesTest {

    private static final String URL = "https://evil.example.net/login";

    /** Whether the drawing shows the code's modules with its top-left module at cell (x0, y0), each module a cell. */
    private static void assertShows(Drawing d, BitMatrix m, int x0, int y0, int moduleWidth, int moduleHeight) {
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                for (int dy = 0; dy < moduleHeight; dy++) {
                    for (int dx = 0; dx < moduleWidth; dx++) {
                        assertThat(d.isDark(x0 + x * moduleWidth + dx, y0 + y * moduleHeight + dy))
                                .as("module %d,%d", x, y).isEqualTo(m.get(x, y));
                    }
                }
            }
        }
    }

    @Test
    void halfBlocksInTextAreACellAModuleWithTheirIndent() {
        BitMatrix m = code(URL);
        String text = "Scan to keep your mailbox:\n\n" + halfBlocks(m, "    ", false) + "\nIT Support\n";
        List<Drawing> found = DrawnPictures.inText(text);
        assertThat(found).hasSize(1);
        Drawing d = found.get(0);
        assertThat(d.kind()).isEqualTo(Kind.CHARACTERS);
        assertThat(d.width()).isEqualTo(4 + m.getWidth());
        assertThat(d.height()).isEqualTo(2 * ((m.getHeight() + 1) / 2));
        assertShows(d, m, 4, 0, 1, 1);
        assertThat(d.isDark(0, 0)).isFalse();
    }

    @Test
    void fullBlocksTwoCharactersAModuleAndCrLfLines() {
        BitMatrix m = code(URL);
        List<Drawing> found = DrawnPictures.inText(fullBlocks(m).replace("\n", "\r\n"));
        assertThat(found).hasSize(1);
        Drawing d = found.get(0);
        assertThat(d.width()).isEqualTo(2 * m.getWidth());
        assertThat(d.height()).isEqualTo(2 * m.getHeight());
        assertShows(d, m, 0, 0, 2, 2);
    }

    @Test
    void aTableOfCellsColouredByAttributeInlineStyleOrStyleRule() {
        BitMatrix m = code(URL);
        for (String html : List.of(
                table(m, "bgcolor=#000000", "bgcolor=#ffffff"),
                table(m, "style='background-color: rgb(20, 20, 20); width:4px'", "style='background:#fff'"),
                "<style>td.k{background:black} td.w{background:white}</style>" + table(m, "class=k", "class=w"),
                // light cells with no colour of their own show the table's white; dark ones a box inside them
                "<table bgcolor=white>" + table(m, "><div style='background:#111;height:4px'></div", "")
                        .substring("<table cellspacing=0 cellpadding=0>".length()))) {
            List<Drawing> found = DrawnPictures.inHtml("<html><body><p>Scan:</p>" + html + "</body></html>");
            assertThat(found).as(html.substring(0, 60)).hasSize(1);
            Drawing d = found.get(0);
            assertThat(d.kind()).isEqualTo(Kind.TABLE_CELLS);
            assertThat(d.width()).isEqualTo(m.getWidth());
            assertThat(d.height()).isEqualTo(m.getHeight());
            assertShows(d, m, 0, 0, 1, 1);
        }
    }

    @Test
    void spansAreLaidOutAsHtmlLaysThemOut() {
        // a run of dark modules in a row as one cell with colspan, the first column as one cell with rowspan
        BitMatrix m = code(URL);
        StringBuilder s = new StringBuilder("<table>");
        for (int y = 0; y < m.getHeight(); y++) {
            s.append("<tr>");
            if (y == 0) {
                s.append("<td rowspan=").append(m.getHeight()).append(" bgcolor=black></td>");
            }
            int x = 1;
            while (x < m.getWidth()) {
                int run = 1;
                while (x + run < m.getWidth() && m.get(x + run, y) == m.get(x, y)) {
                    run++;
                }
                s.append("<td colspan=").append(run).append(" bgcolor=").append(m.get(x, y) ? "black" : "white")
                        .append("></td>");
                x += run;
            }
            s.append("</tr>");
        }
        s.append("</table>");
        List<Drawing> found = DrawnPictures.inHtml(s.toString());
        assertThat(found).hasSize(1);
        Drawing d = found.get(0);
        assertThat(d.width()).isEqualTo(m.getWidth());
        for (int y = 0; y < m.getHeight(); y++) {
            // the real first column of a QR code's rows is not all dark; the rowspan cell is, and takes column 0
            assertThat(d.isDark(0, y)).isTrue();
            for (int x = 1; x < m.getWidth(); x++) {
                assertThat(d.isDark(x, y)).as("%d,%d", x, y).isEqualTo(m.get(x, y));
            }
        }
    }

    @Test
    void blockCharactersInHtmlLinesBetweenBlocksAndBreaksAsCharacterReferences() {
        BitMatrix m = code(URL);
        String text = halfBlocks(m, "", false);
        // each line a div, light modules as no-break spaces, dark ones as character references, source indented
        StringBuilder divs = new StringBuilder("<div style='font-family:monospace;line-height:1'>\n");
        for (String line : text.split("\n")) {
            divs.append("  <div>").append(line.replace(" ", "&nbsp;").replace("\u2588", "&#9608;")
                    .replace("\u2580", "&#x2580;").replace("\u2584", "&lhblk;")).append("</div>\n");
        }
        divs.append("</div>");
        String brs = "<p>" + text.replace(" ", "\u00a0").replace("\n", "<br>\n") + "</p>";
        String pre = "<pre>\n" + text + "</pre>";
        for (String html : List.of(divs.toString(), brs, pre)) {
            List<Drawing> found = DrawnPictures.inHtml("<p>Your mailbox is full.</p>" + html + "<p>Help desk</p>");
            assertThat(found).as(html.substring(0, 40)).hasSize(1);
            assertShows(found.get(0), m, 0, 0, 1, 1);
        }
    }

    @Test
    void textAndTablesThatDrawNoGridAreNothing() {
        // progress bars and separators of block characters, fewer lines than a code needs
        String bars = "Disk usage\n" + "\u2588".repeat(40) + " 80%\n" + "\u2588".repeat(30) + "    60%\n"
                + ("\u2580".repeat(60) + "\n").repeat(5);
        assertThat(DrawnPictures.inText(bars)).isEmpty();
        // block characters mixed with words on every line
        assertThat(DrawnPictures.inText(("\u2588\u2588 item " + "\u2588".repeat(30) + "\n").repeat(30))).isEmpty();
        // a calendar-like layout table of 25 × 25 cells without backgrounds; a newsletter grid with one dark header row
        StringBuilder plain = new StringBuilder("<table>");
        for (int y = 0; y < 25; y++) {
            plain.append("<tr>").append("<td>x</td>".repeat(25)).append("</tr>");
        }
        assertThat(DrawnPictures.inHtml(plain.append("</table>").toString())).isEmpty();
        // fewer than 21 rows, however many cells
        StringBuilder wide = new StringBuilder("<table>");
        for (int y = 0; y < 20; y++) {
            wide.append("<tr>").append("<td bgcolor=black></td><td bgcolor=white></td>".repeat(30)).append("</tr>");
        }
        assertThat(DrawnPictures.inHtml(wide.append("</table>").toString())).isEmpty();
        // no block characters or cells at all: not parsed
        assertThat(DrawnPictures.inHtml("<p>hello</p>")).isEmpty();
        assertThat(DrawnPictures.inText("")).isEmpty();
    }

    @Test
    void theReadingCountsTablesOfEnoughRowsWhoseCellsAreNearlyAllEmpty() {
        BitMatrix m = code(URL);
        String grid = table(m, "bgcolor=black", "bgcolor=white");
        assertThat(HtmlText.read(grid).gridTables()).isEqualTo(1);
        // inside a layout table with text; cells holding a no-break space, a zero-width space or one box
        assertThat(HtmlText.read("<table><tr><td>Menu</td><td>" + grid + "</td></tr></table>").gridTables()).isEqualTo(1);
        assertThat(HtmlText.read(table(m, "bgcolor=black>&nbsp;</td><td hidden", "bgcolor=white>\u200b</td><td hidden")
                .replace("<td hidden></td>", "")).gridTables()).isEqualTo(1);
        // a price list of 30 rows: cells written in
        StringBuilder prices = new StringBuilder("<table>");
        for (int i = 0; i < 30; i++) {
            prices.append("<tr><td>item ").append(i).append("</td><td></td><td></td><td>").append(100 + i)
                    .append(" yen</td></tr>");
        }
        assertThat(HtmlText.read(prices.append("</table>").toString()).gridTables()).isZero();
        // 20 rows of empty cells: fewer rows than the smallest code
        assertThat(HtmlText.read("<table>" + ("<tr>" + "<td></td>".repeat(30) + "</tr>").repeat(20) + "</table>")
                .gridTables()).isZero();
        // two empty cells per row, however many rows
        assertThat(HtmlText.read("<table>" + "<tr><td></td><td></td></tr>".repeat(100) + "</table>").gridTables())
                .isZero();
    }

    @Test
    void tablesInsideTablesAreEachTheirOwnGrid() {
        BitMatrix m = code(URL);
        String html = "<table><tr><td>" + "<table>" + "<tr><td>menu</td></tr>".repeat(30) + "</table>"
                + "</td><td>" + table(m, "bgcolor=#000", "bgcolor=#fff") + "</td></tr></table>";
        List<Drawing> found = DrawnPictures.inHtml(html);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).width()).isEqualTo(m.getWidth());
        assertShows(found.get(0), m, 0, 0, 1, 1);
    }

    @Test
    void boundedInSizeAndCount() {
        // lines longer than the largest code are no drawing
        String wide = ("\u2588 ".repeat(DrawnPictures.MAX_SIDE) + "\n").repeat(20);
        assertThat(DrawnPictures.inText(wide)).isEmpty();
        // many drawings: at most three
        BitMatrix m = code(URL);
        String many = (halfBlocks(m, "", false) + "text between\n").repeat(6);
        assertThat(DrawnPictures.inText(many)).hasSize(DrawnPictures.MAX_DRAWINGS);
        StringBuilder tables = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            tables.append(table(m, "bgcolor=black", "bgcolor=white"));
        }
        assertThat(DrawnPictures.inHtml(tables.toString())).hasSize(DrawnPictures.MAX_DRAWINGS);
    }
}
