package io.mamori.core.evasion;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import java.util.Map;

/** QR codes drawn as text and tables, as "ASCII QR code" phishing draws them: for tests. */
public final class DrawnCodes {

    private DrawnCodes() {
    }

    /** A QR code's modules with no quiet zone. */
    public static BitMatrix code(String text) {
        try {
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, Map.of(EncodeHintType.MARGIN, 0));
        } catch (WriterException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The code as lines of half blocks, one character a module wide and two modules high (what {@code qrencode -t
     * UTF8} writes), dark modules drawn, with {@code indent} leading spaces on each line.
     */
    public static String halfBlocks(BitMatrix m, String indent, boolean inverted) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y += 2) {
            s.append(indent);
            for (int x = 0; x < m.getWidth(); x++) {
                boolean top = m.get(x, y) != inverted;
                boolean bottom = (y + 1 < m.getHeight() ? m.get(x, y + 1) : false) != inverted;
                s.append(top && bottom ? '\u2588' : top ? '\u2580' : bottom ? '\u2584' : ' ');
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** The code as lines of full blocks, two characters and one line a module, light modules as no-break spaces. */
    public static String fullBlocks(BitMatrix m) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                s.append(m.get(x, y) ? "\u2588\u2588" : "\u00a0\u00a0");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** The code as a table of coloured cells; {@code dark} and {@code light} are the attributes of each kind. */
    public static String table(BitMatrix m, String dark, String light) {
        StringBuilder s = new StringBuilder("<table cellspacing=0 cellpadding=0>");
        for (int y = 0; y < m.getHeight(); y++) {
            s.append("<tr>");
            for (int x = 0; x < m.getWidth(); x++) {
                s.append("<td ").append(m.get(x, y) ? dark : light).append("></td>");
            }
            s.append("</tr>\n");
        }
        return s.append("</table>").toString();
    }
}
