package io.mamori.core.verdict;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.EncodedWords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.field.DefaultFieldParser;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Carries out a TAG verdict: puts the subject prefix in front of the subject and a short warning, Japanese
 * then English, listing the reasons, at the top of every text/plain and text/html body part a reader can see
 * (see {@link #findTargets}). Every other header field, body part, boundary, preamble and epilogue is written
 * back byte for byte; the rewritten parts are re-encoded in UTF-8 (quoted-printable for mostly-ASCII text, else
 * base64) with their charset updated.
 *
 * <p>The pass itself is {@link MessageRewriter}'s (Mime4j DOM, big bodies in AES-encrypted temporary files), so
 * big attachments are neither held in memory nor written to disk in clear; this class holds the tagging edits
 * and is the entry point for a TAG alone. Thread-safe: one instance may rewrite many messages concurrently.
 */
public final class TagRewriter {

    private final Path tempDirectory;

    /** Spills big bodies to the JVM's temporary directory. */
    public TagRewriter() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Spills big bodies (encrypted) to {@code tempDirectory}, e.g. the gateway's spool directory. */
    public TagRewriter(Path tempDirectory) {
        this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
    }

    /**
     * Writes {@code raw} to {@code out} with the prefix and warning added. A subject that already starts with
     * the prefix is left as it is.
     *
     * @throws IOException when reading or writing fails, or the message has a header line over 1 MiB that
     *                     cannot be rewritten; then {@code out} may hold a partial message and the caller must
     *                     fall back (e.g. deliver the original or hold it)
     */
    public void rewrite(InputStream raw, OutputStream out, String subjectPrefix, List<FindingCatalogue.Entry> reasons)
            throws IOException {
        new MessageRewriter(tempDirectory).rewrite(raw, out,
                MessageRewriter.Plan.NONE.tagging(subjectPrefix, reasons));
    }

    /** Tags a parsed message in place: the subject prefix, and the warning in every visible text body part. */
    static void apply(Message message, String subjectPrefix, List<FindingCatalogue.Entry> reasons,
            SpoolingBodyFactory bodies) throws IOException {
        prefixSubject(message.getHeader(), subjectPrefix);
        Banner banner = new Banner(reasons);
        for (Entity part : findTargets(message)) {
            boolean html = isHtml(part);
            addBanner(part, html ? banner.html() : banner.plain(), html, bodies);
        }
    }

    static void prefixSubject(Header header, String prefix) throws IOException {
        Field current = header.getField("Subject");
        String subject = current == null ? "" : EncodedWords.decode(valueBytes(current)).strip();
        if (!prefix.isEmpty() && subject.startsWith(prefix)) {
            return;
        }
        String tagged = subject.isEmpty() ? prefix : prefix + " " + subject;
        String value = isPrintableAscii(tagged) && !tagged.contains("=?")
                ? tagged
                : EncoderUtil.encodeEncodedWord(tagged, EncoderUtil.Usage.TEXT_TOKEN, "Subject: ".length(),
                        StandardCharsets.UTF_8, EncoderUtil.Encoding.B);
        try {
            header.setField(DefaultFieldParser.parse(foldBetweenWords("Subject: " + value)));
        } catch (MimeException e) {
            throw new IOException("cannot build the tagged Subject field", e);
        }
    }

    /** RFC 5322 section 2.2.3 folding at the spaces between encoded words, so no line exceeds 78 characters. */
    private static String foldBetweenWords(String field) {
        StringBuilder out = new StringBuilder(field.length() + 16);
        int lineLength = 0;
        for (String word : field.split(" ")) {
            if (lineLength > 0 && lineLength + 1 + word.length() > 76) {
                out.append("\r\n ");
                lineLength = 1;
            } else if (lineLength > 0) {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.toString();
    }

    private static boolean isPrintableAscii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
    }

    private static byte[] valueBytes(Field field) {
        ByteSequence raw = field.getRaw();
        if (raw == null) {
            return (field.getBody() == null ? "" : field.getBody()).getBytes(StandardCharsets.UTF_8);
        }
        byte[] bytes = raw.toByteArray();
        int colon = 0;
        while (colon < bytes.length && bytes[colon] != ':') {
            colon++;
        }
        int from = Math.min(colon + 1, bytes.length);
        byte[] value = new byte[bytes.length - from];
        System.arraycopy(bytes, from, value, 0, value.length);
        return value;
    }

    /**
     * The parts that get the warning, in document order: every text/plain and text/html leaf that is not an
     * attachment, outside attached messages (message/rfc822 is someone else's mail, left untouched).
     *
     * <p>Every one, not the first of each type: which alternative a reader sees is the client's choice (RFC 2046
     * section 5.1.4 says the last one it can show, some prefer plain text, some show the first), and
     * multipart/mixed shows its inline text parts one after another. A sender who could guess the choice would
     * put a decoy first, for the warning, and the real text last; with the warning in every visible text part
     * there is no choice to guess. The cost is a repeated warning in a message with several inline text parts.
     */
    static List<Entity> findTargets(Entity message) {
        List<Entity> targets = new ArrayList<>();
        findTargets(message, targets);
        return targets;
    }

    private static void findTargets(Entity entity, List<Entity> targets) {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            for (Entity part : multipart.getBodyParts()) {
                findTargets(part, targets);
            }
            return;
        }
        if (!(body instanceof SingleBody) || "attachment".equalsIgnoreCase(entity.getDispositionType())) {
            return;
        }
        String type = entity.getMimeType().toLowerCase(Locale.ROOT);
        if (type.equals("text/plain") || type.equals("text/html")) {
            targets.add(entity);
        }
    }

    private static boolean isHtml(Entity part) {
        return part.getMimeType().equalsIgnoreCase("text/html");
    }

    static void addBanner(Entity entity, String banner, boolean html, SpoolingBodyFactory bodies) throws IOException {
        SingleBody body = (SingleBody) entity.getBody();
        TextParts.Decoded decoded = TextParts.open(entity, html);
        if (body.size() <= TextParts.IN_MEMORY_TEXT_LIMIT) {
            String original;
            try (Reader r = decoded.reader()) {
                original = readAll(r);
            }
            String tagged = html ? insertIntoHtml(original, banner) : banner + original;
            boolean quotedPrintable = TextParts.nonAsciiShare(tagged) < 0.2;
            SingleBody replacement = TextParts.encode(bodies, quotedPrintable, w -> w.write(tagged));
            TextParts.replace(entity, entity.getMimeType(), replacement, quotedPrintable);
        } else {
            // Too big to hold: the banner goes first, so an HTML banner sits before <html>; browsers cope.
            SingleBody replacement = TextParts.encode(bodies, false, w -> {
                w.write(banner);
                try (Reader r = decoded.reader()) {
                    r.transferTo(w);
                }
            });
            TextParts.replace(entity, entity.getMimeType(), replacement, false);
        }
    }

    private static String readAll(Reader r) throws IOException {
        StringBuilder b = new StringBuilder();
        char[] buf = new char[8192];
        for (int n; (n = r.read(buf)) >= 0; ) {
            b.append(buf, 0, n);
        }
        return b.toString();
    }

    /** The banner where the body begins (see {@link HtmlBodyStart}); the rest of the text is kept as it was. */
    static String insertIntoHtml(String html, String banner) {
        int at = HtmlBodyStart.insertionPoint(html);
        return html.substring(0, at) + banner + html.substring(at);
    }

    /** The warning in both forms. */
    record Banner(List<FindingCatalogue.Entry> reasons) {

        String plain() {
            StringBuilder b = new StringBuilder();
            b.append("【要注意】このメールは Mamori の検査で注意が必要と判定されました。\r\n");
            for (FindingCatalogue.Entry e : reasons) {
                b.append("・").append(e.reasonJa()).append("\r\n");
            }
            b.append("[Caution] Mamori's inspection flagged this message.\r\n");
            for (FindingCatalogue.Entry e : reasons) {
                b.append("- ").append(e.reasonEn()).append("\r\n");
            }
            b.append("----------------------------------------\r\n\r\n");
            return b.toString();
        }

        String html() {
            StringBuilder b = new StringBuilder();
            b.append("<div style=\"border:2px solid #c00;background:#fff4f4;color:#000;padding:8px;margin:0 0 12px 0;")
                    .append("font-family:sans-serif;font-size:14px\">");
            b.append("<p style=\"margin:0\"><strong>【要注意】このメールは Mamori の検査で注意が必要と判定されました。</strong></p><ul>");
            for (FindingCatalogue.Entry e : reasons) {
                b.append("<li>").append(escape(e.reasonJa())).append("</li>");
            }
            b.append("</ul><p style=\"margin:0\"><strong>[Caution] Mamori's inspection flagged this message.</strong></p><ul>");
            for (FindingCatalogue.Entry e : reasons) {
                b.append("<li>").append(escape(e.reasonEn())).append("</li>");
            }
            b.append("</ul></div>\r\n");
            return b.toString();
        }

        static String escape(String s) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&#39;");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }
    }

    /**
     * Writes bodies as they are stored (still transfer-encoded, as parsed with decoding off), where Mime4j's
     * writer would encode them a second time.
     */
    static final class RawPreservingWriter extends DefaultMessageWriter {
        @Override
        public void writeEntity(Entity entity, OutputStream out) throws IOException {
            writeHeader(entity.getHeader(), out);
            Body body = entity.getBody();
            if (body instanceof Multipart multipart) {
                writeMultipart(multipart, out);
            } else if (body instanceof Message embedded) {
                OutputStream encoded = encodeStream(out, entity.getContentTransferEncoding(), false);
                writeEntity(embedded, encoded);
                if (encoded != out) {
                    encoded.close();
                }
            } else if (body instanceof SingleBody single) {
                single.writeTo(out);
            }
        }
    }
}
