package io.mamori.core.verdict;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.EncodedWords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.BodyPart;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.HeaderImpl;
import org.apache.james.mime4j.message.MultipartImpl;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Carries out a TAG verdict: puts the subject prefix in front of the subject and a short warning, Japanese
 * then English, listing the reasons, at the top of every text/plain and text/html body part a reader can see
 * (see {@link #findTargets}), or, when there is none (only attachments, a signed message), as a text part of its own
 * before the content ({@link #addBannerPart}). Every other header field, body part, boundary, preamble and epilogue is written
 * back byte for byte; the rewritten parts are re-encoded in UTF-8 (quoted-printable for mostly-ASCII text, else
 * base64) with their charset updated.
 *
 * <p>The pass itself is {@link MessageRewriter}'s (Mime4j DOM, big bodies in AES-encrypted temporary files), so
 * big attachments are neither held in memory nor written to disk in clear; this class holds the tagging edits
 * and is the entry point for a TAG alone. Thread-safe: one instance may rewrite many messages concurrently.
 */
public final class TagRewriter {

    private static final SecureRandom BOUNDARY_RANDOM = new SecureRandom();
    /** Characters of a big HTML part in which its body start is looked for. */
    static final int HTML_HEAD_WINDOW = 256 * 1024;

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
        List<Entity> targets = findTargets(message, false);
        for (Entity part : targets) {
            boolean html = isHtml(part);
            addBanner(part, html ? banner.html() : banner.plain(), html, bodies);
        }
        if (targets.isEmpty()) {
            addBannerPart(message, banner.plain(), bodies);
        }
    }

    /**
     * For a message without a text part a reader sees (only attachments, a signed or encrypted message): the warning as
     * a text part of its own, first, so it is not left with the subject prefix alone. A multipart/mixed message gets it
     * as its first part; any other message is wrapped: its content becomes the second part of a new multipart/mixed,
     * byte for byte (a signed part stays verifiable).
     */
    static void addBannerPart(Message message, String plainBanner, SpoolingBodyFactory bodies) throws IOException {
        BodyPart bannerPart = new BodyPart();
        Header bannerHeader = new HeaderImpl();
        bannerHeader.addField(Fields.contentType("text/plain", Map.of("charset", "utf-8")));
        bannerHeader.addField(Fields.contentTransferEncoding("base64"));
        bannerHeader.addField(Fields.contentDisposition("inline"));
        bannerPart.setHeader(bannerHeader);
        bannerPart.setBody(TextParts.encode(bodies, false, w -> w.write(plainBanner)));
        if (message.getBody() instanceof Multipart multipart && message.getMimeType().equalsIgnoreCase("multipart/mixed")) {
            multipart.addBodyPart(bannerPart, 0);
            return;
        }
        Header top = message.getHeader();
        Header outer = new HeaderImpl();
        Header inner = new HeaderImpl();
        for (Field f : top.getFields()) {
            String name = f.getName().strip().toLowerCase(Locale.ROOT);
            (name.startsWith("content-") ? inner : outer).addField(f);
        }
        if (outer.getField("MIME-Version") == null) {
            outer.addField(Fields.version("1.0"));
        }
        String boundary = "=_mamori_" + new BigInteger(120, BOUNDARY_RANDOM).toString(36);
        outer.addField(Fields.contentType("multipart/mixed", Map.of("boundary", boundary)));
        BodyPart original = new BodyPart();
        original.setHeader(inner);
        original.setBody(message.removeBody());
        MultipartImpl mixed = new MultipartImpl("mixed");
        mixed.addBodyPart(bannerPart);
        mixed.addBodyPart(original);
        message.setHeader(outer);
        message.setBody(mixed);
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
     *
     * @param intoSigned whether to look inside multipart/signed too: disarm changes signed content anyway; tagging
     *                   alone leaves it byte for byte so the signature still verifies
     */
    static List<Entity> findTargets(Entity message, boolean intoSigned) {
        List<Entity> targets = new ArrayList<>();
        findTargets(message, intoSigned, targets);
        return targets;
    }

    private static void findTargets(Entity entity, boolean intoSigned, List<Entity> targets) {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            if (!intoSigned && entity.getMimeType().equalsIgnoreCase("multipart/signed")) {
                // RFC 1847: a changed byte breaks the signature (S/MIME, PGP/MIME); the warning goes beside it instead
                return;
            }
            for (Entity part : multipart.getBodyParts()) {
                findTargets(part, intoSigned, targets);
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
            // Too big to hold: the body start is looked for in the first characters only (any real document's
            // <body> comes early); a head longer than that gets the warning before the token the window cut
            SingleBody replacement = TextParts.encode(bodies, false, w -> {
                try (Reader r = decoded.reader()) {
                    if (html) {
                        w.write(insertIntoHtml(readUpTo(r, HTML_HEAD_WINDOW), banner));
                    } else {
                        w.write(banner);
                    }
                    r.transferTo(w);
                }
            });
            TextParts.replace(entity, entity.getMimeType(), replacement, false);
        }
    }

    private static String readUpTo(Reader r, int chars) throws IOException {
        char[] buf = new char[chars];
        int n = 0;
        for (int k; n < chars && (k = r.read(buf, n, chars - n)) >= 0; ) {
            n += k;
        }
        return new String(buf, 0, n);
    }

    private static String readAll(Reader r) throws IOException {
        StringBuilder b = new StringBuilder();
        char[] buf = new char[8192];
        for (int n; (n = r.read(buf)) >= 0; ) {
            b.append(buf, 0, n);
        }
        return b.toString();
    }

    /**
     * The banner where the body begins (see {@link HtmlBodyStart}); before it, a {@code <meta>} charset says
     * {@code utf-8}, as the part now is; the rest of the text is kept as it was.
     */
    static String insertIntoHtml(String html, String banner) {
        int at = HtmlBodyStart.insertionPoint(html);
        return TextParts.metaCharsetUtf8(html.substring(0, at)) + banner + html.substring(at);
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
            return WarningBox.open("#c00", "#fff4f4")
                    + WarningBox.paragraph(List.of("【要注意】このメールは Mamori の検査で注意が必要と判定されました。"), true)
                    + WarningBox.paragraph(reasons.stream().map(e -> "・" + e.reasonJa()).toList(), false)
                    + WarningBox.paragraph(List.of("[Caution] Mamori's inspection flagged this message."), true)
                    + WarningBox.paragraph(reasons.stream().map(e -> "- " + e.reasonEn()).toList(), false)
                    + WarningBox.close();
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
