package io.mamori.console.tracking;

import io.mamori.core.message.HeaderField;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.text.VisibleText;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.jsoup.safety.Safelist;

/**
 * A message as the console shows it to people who must judge it without being harmed by it: its header fields,
 * its body as <em>plain text</em>, the links it contains as text, and its attachments by name. The message's
 * own HTML is never rendered as markup: an HTML body is reduced to its text (jsoup, with every element removed),
 * so scripts, styles, forms and remote images (tracking pixels) never run or load; how many remote resources
 * were dropped is counted so the page can say so. Pages print every value escaped. Header fields, link targets and
 * attachment names show their invisible formatting and control characters written out ({@link VisibleText}), so a
 * right-to-left override cannot make {@code invoice<U+202E>fdp.exe} read as {@code invoiceexe.pdf}.
 *
 * @param headers             top-level header fields, decoded, at most {@value #MAX_HEADERS}
 * @param body                the body as text (the first text/plain part, else the first text/html part's text)
 * @param bodyFromHtml        whether {@code body} came from HTML
 * @param remoteContentBlocked remote images, frames, style sheets and scripts the HTML asked for (not loaded)
 * @param links               link targets found in the HTML, at most {@value #MAX_LINKS}
 * @param attachments         attachments (and other non-text parts)
 * @param truncated           whether the body was cut at {@value #MAX_BODY} characters
 */
public record SafeMessage(List<HeaderField> headers, String body, boolean bodyFromHtml, int remoteContentBlocked,
        List<String> links, List<Attachment> attachments, boolean truncated) {

    static final int MAX_HEADERS = 200;
    static final int MAX_LINKS = 200;
    static final int MAX_BODY = 200_000;
    /** Attachment contents are not needed to show a message; only their names, types and sizes. */
    private static final MessageParser PARSER = new MessageParser(ParseLimits.defaults().withMaxAttachmentBytes(0));

    /** One attachment as listed: decoded file name (or {@code null}), media type and decoded size. */
    public record Attachment(String filename, String contentType, long size) {
    }

    /** Reads and parses a message (header prefix included); {@code raw} is read to its end, not closed. */
    public static SafeMessage read(InputStream raw) throws IOException {
        try (ParsedMessage parsed = PARSER.parse(raw)) {
            List<HeaderField> headers = parsed.headers().stream().limit(MAX_HEADERS)
                    .map(h -> new HeaderField(VisibleText.of(h.name()), VisibleText.of(h.value()))).toList();
            MimePart plain = null;
            MimePart html = null;
            List<Attachment> attachments = new ArrayList<>();
            for (MimePart part : parsed.parts()) {
                boolean text = !part.attachment() && part.text() != null;
                if (text && plain == null && part.contentType().equals("text/plain")) {
                    plain = part;
                } else if (text && html == null && part.contentType().equals("text/html")) {
                    html = part;
                } else if (part.attachment() || part.text() == null) {
                    attachments.add(new Attachment(part.filename() == null ? null : VisibleText.of(part.filename()),
                            part.contentType(), part.size()));
                }
            }
            String body = "";
            boolean fromHtml = false;
            int blocked = 0;
            List<String> links = List.of();
            if (html != null) {
                Document doc = Jsoup.parse(html.text());
                blocked = doc.select("img[src], image, iframe[src], frame[src], link[href], script[src], video, audio,"
                        + " source[src], object, embed, [background], [style*=url(]").size();
                links = doc.select("a[href], area[href]").stream().map(a -> VisibleText.of(a.attr("href").strip()))
                        .filter(h -> !h.isEmpty()).distinct().limit(MAX_LINKS).toList();
                if (plain == null) {
                    body = text(doc);
                    fromHtml = true;
                }
            }
            if (plain != null) {
                body = plain.text();
            }
            boolean truncated = body.length() > MAX_BODY;
            if (truncated) {
                body = body.substring(0, MAX_BODY);
            }
            return new SafeMessage(headers, body, fromHtml, blocked, links, List.copyOf(attachments), truncated);
        }
    }

    /** First value of a header field, or {@code ""}. */
    public String header(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.name().toLowerCase(Locale.ROOT).equals(n)).map(HeaderField::value)
                .findFirst().orElse("");
    }

    /** The text of an HTML document with line breaks where blocks end; no element survives. */
    private static String text(Document doc) {
        doc.select("script, style, head, title, noscript, template").remove();
        doc.outputSettings(new Document.OutputSettings().prettyPrint(false));
        for (Element br : doc.select("br")) {
            br.after("\n");
        }
        for (Element block : doc.select("p, div, tr, li, h1, h2, h3, h4, h5, h6, blockquote, pre, table")) {
            block.after("\n");
        }
        String cleaned = Jsoup.clean(doc.body().html(), "", Safelist.none(), doc.outputSettings());
        String text = Parser.unescapeEntities(cleaned, false);
        return text.replace("\r", "").replaceAll("[ \t\u00a0]+\n", "\n").replaceAll("\n{3,}", "\n\n").strip();
    }
}
