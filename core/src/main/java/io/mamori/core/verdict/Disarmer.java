package io.mamori.core.verdict;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;

/**
 * Disarms (メール無害化) a parsed message in place: every HTML part (body parts, HTML attachments, and the parts of
 * forwarded messages) is rebuilt by {@link DisarmedHtml}, or turned into text; text/plain body parts get their URLs
 * defanged; and every text/plain and text/html body part a reader can see (the parts
 * {@link TagRewriter#findTargets} names, for the same reason) gets a notice, Japanese then English, saying what was
 * done (after the TAG warning when the message is also tagged). Rewritten parts are UTF-8; everything
 * else is left as it was. Stateless.
 */
final class Disarmer {

    private enum Kind { HTML_BODY, HTML_ATTACHMENT, PLAIN_BODY, OTHER }

    private Disarmer() {
    }

    /**
     * @param banner the TAG warning to put above the notice, or {@code null}
     * @return how many parts were rewritten
     */
    static int apply(Message message, MessageRewriter.Disarm options, TagRewriter.Banner banner,
            SpoolingBodyFactory bodies) throws IOException {
        Set<Entity> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        targets.addAll(TagRewriter.findTargets(message, true));
        List<Entity> leaves = new ArrayList<>();
        collect(message, leaves);
        int rewritten = 0;
        for (Entity part : leaves) {
            boolean notice = targets.contains(part);
            String plainPrelude = notice ? (banner == null ? "" : banner.plain()) + plainNotice(options) : "";
            String htmlPrelude = notice ? (banner == null ? "" : banner.html()) + htmlNotice(options) : "";
            switch (kind(part)) {
                case HTML_BODY -> {
                    if (options.htmlToText()) {
                        toText(part, plainPrelude, options.defangLinks(), bodies);
                    } else {
                        sanitize(part, htmlPrelude, options.defangLinks(), bodies);
                    }
                    rewritten++;
                }
                case HTML_ATTACHMENT -> {
                    sanitize(part, "", options.defangLinks(), bodies);
                    rewritten++;
                }
                case PLAIN_BODY -> {
                    if (notice || options.defangLinks()) {
                        plain(part, plainPrelude, options.defangLinks(), bodies);
                        rewritten++;
                    }
                }
                case OTHER -> {
                    // images, documents and other attachments are the attachment analyzers' business
                }
            }
        }
        return rewritten;
    }

    /** Leaf parts in document order, those of forwarded (message/rfc822) messages included. */
    private static void collect(Entity entity, List<Entity> leaves) {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            for (Entity child : multipart.getBodyParts()) {
                collect(child, leaves);
            }
        } else if (body instanceof Message embedded) {
            collect(embedded, leaves);
        } else if (body instanceof SingleBody) {
            leaves.add(entity);
        }
    }

    private static Kind kind(Entity part) {
        String type = part.getMimeType() == null ? "" : part.getMimeType().toLowerCase(Locale.ROOT);
        boolean attachment = "attachment".equalsIgnoreCase(part.getDispositionType());
        String name = part.getFilename() == null ? "" : part.getFilename().strip().toLowerCase(Locale.ROOT);
        boolean htmlName = name.endsWith(".html") || name.endsWith(".htm") || name.endsWith(".xhtml")
                || name.endsWith(".shtml");
        if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
            return attachment || htmlName ? Kind.HTML_ATTACHMENT : Kind.HTML_BODY;
        }
        if (htmlName && (type.equals("application/octet-stream") || type.equals("text/plain"))) {
            // An HTML file by its name opens in a browser whatever type the sender declared.
            return Kind.HTML_ATTACHMENT;
        }
        if (type.equals("image/svg+xml") || name.endsWith(".svg") || name.endsWith(".mht") || name.endsWith(".mhtml")) {
            // SVG and MHTML open in a browser too, and run their scripts there (SVG attachments carrying JavaScript are
            // a phishing method of their own; the HTML attachment analyzer counts both as pages): sanitized as HTML.
            // What is left is no longer a valid SVG or MHTML file, so it opens as an error page — inert, as intended.
            return Kind.HTML_ATTACHMENT;
        }
        if (type.equals("text/plain") && !attachment) {
            return Kind.PLAIN_BODY;
        }
        return Kind.OTHER;
    }

    private static void sanitize(Entity part, String prelude, boolean defang, SpoolingBodyFactory bodies)
            throws IOException {
        TextParts.Decoded decoded = TextParts.open(part, true);
        SingleBody body = TextParts.encode(bodies, decoded.mostlyAscii(), w -> {
            w.write("<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>\r\n");
            w.write(prelude);
            try (Reader r = decoded.reader()) {
                DisarmedHtml.sanitize(r, w, defang);
            }
            w.write("\r\n</body></html>\r\n");
        });
        TextParts.replace(part, "text/html", body, decoded.mostlyAscii());
    }

    private static void toText(Entity part, String prelude, boolean defang, SpoolingBodyFactory bodies)
            throws IOException {
        TextParts.Decoded decoded = TextParts.open(part, true);
        SingleBody body = TextParts.encode(bodies, decoded.mostlyAscii(), w -> {
            w.write(prelude);
            try (Reader r = decoded.reader()) {
                DisarmedHtml.toText(r, w, defang);
            }
        });
        TextParts.replace(part, "text/plain", body, decoded.mostlyAscii());
    }

    private static void plain(Entity part, String prelude, boolean defang, SpoolingBodyFactory bodies)
            throws IOException {
        TextParts.Decoded decoded = TextParts.open(part, false);
        SingleBody body = TextParts.encode(bodies, decoded.mostlyAscii(), w -> {
            w.write(prelude);
            try (Reader r = decoded.reader()) {
                if (defang) {
                    LinkDefanger.defangStream(r, w);
                } else {
                    r.transferTo(w);
                }
            }
        });
        TextParts.replace(part, "text/plain", body, decoded.mostlyAscii());
    }

    static String plainNotice(MessageRewriter.Disarm options) {
        StringBuilder b = new StringBuilder();
        b.append("【Mamori】このメールは安全のため無害化されました。スクリプト、フォーム、外部の画像など、開いたときに動作したり外部と通信したりする内容を取り除いています。");
        if (options.htmlToText()) {
            b.append("HTML 形式の本文はテキストに変換しました。");
        }
        if (options.defangLinks()) {
            b.append("リンクはクリックできない形（例: hxxps://example[.]com/）で、表示テキストの後ろの [ ] 内に示しています。");
        }
        b.append("\r\n[Mamori] This message was disarmed for your safety: scripts, forms, remote images and other content"
                + " that runs or connects to the internet when opened were removed.");
        if (options.htmlToText()) {
            b.append(" The HTML body was converted to plain text.");
        }
        if (options.defangLinks()) {
            b.append(" Links are shown in [ ] after their text, in a form that cannot be clicked (e.g. hxxps://example[.]com/).");
        }
        b.append("\r\n----------------------------------------\r\n\r\n");
        return b.toString();
    }

    static String htmlNotice(MessageRewriter.Disarm options) {
        String[] lines = plainNotice(options).split("\r\n");
        return WarningBox.open("#1f4e9c", "#f2f6fc") + WarningBox.paragraph(List.of(lines), false) + WarningBox.close();
    }
}
