package io.mamori.core.verdict;

import java.util.List;

/**
 * The HTML of the boxes the gateway puts at the top of a message (the TAG warning, the disarm notice), styled so that
 * the message's own stylesheet cannot hide them: every declaration is inline and {@code !important}, which wins the
 * cascade over any rule of a {@code <style>} element, layered or not (CSS Cascade 5 §6.1: element-attached
 * declarations before layers and specificity). So {@code div{display:none!important}}, {@code *{font-size:0!important}},
 * {@code p{color:transparent!important}}, an off-screen position, a zero height or a transform no longer make the
 * warning invisible while the sender's text stays on screen. What this cannot stop: an element of the message placed
 * over the box with the same highest {@code z-index} later in the document (mail clients remove {@code position} from
 * received mail anyway), and a client that drops inline styles. Stateless.
 */
final class WarningBox {

    /** What keeps any element of the box visible and readable. */
    private static final String SHOWN = "visibility:visible!important;opacity:1!important;transform:none!important;"
            + "translate:none!important;scale:none!important;rotate:none!important;"
            + "filter:none!important;clip-path:none!important;height:auto!important;max-height:none!important;"
            + "overflow:visible!important;text-indent:0!important;color:#000!important;-webkit-text-fill-color:#000!important;"
            + "font-size:14px!important;line-height:1.4!important;font-family:sans-serif!important;"
            + "letter-spacing:normal!important;text-shadow:none!important;content-visibility:visible!important;"
            + "zoom:1!important;mix-blend-mode:normal!important;";

    private WarningBox() {
    }

    /** The opening of a box with a {@code border} colour and a {@code background}, both CSS colours of our own. */
    static String open(String border, String background) {
        return "<div style=\"display:block!important;position:relative!important;inset:auto!important;"
                + "z-index:2147483647!important;" + SHOWN
                + "border:2px solid " + border + "!important;background:" + background + "!important;"
                + "padding:8px!important;margin:0 0 12px 0!important\">";
    }

    static String close() {
        return "</div>\r\n";
    }

    /**
     * A paragraph of lines of plain text (escaped here), in bold when {@code bold}. One element for all the lines, with
     * {@code <br>} between them, keeps the box small: each element needs the whole set of declarations.
     */
    static String paragraph(List<String> lines, boolean bold) {
        StringBuilder b = new StringBuilder("<p style=\"display:block!important;position:static!important;").append(SHOWN)
                .append("font-weight:").append(bold ? "bold" : "normal").append("!important;margin:0 0 4px 0!important;")
                .append("padding:0!important\">");
        for (int i = 0; i < lines.size(); i++) {
            b.append(i == 0 ? "" : "<br>").append(TagRewriter.Banner.escape(lines.get(i)));
        }
        return b.append("</p>").toString();
    }
}
