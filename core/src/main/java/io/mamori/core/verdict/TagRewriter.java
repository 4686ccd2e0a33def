package io.mamori.core.verdict;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.EncodedWords;
import io.mamori.core.message.MailCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.field.DefaultFieldParser;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Carries out a TAG verdict: puts the subject prefix in front of the subject and a short warning, Japanese
 * then English, listing the reasons, at the top of the first text/plain and the first text/html body part.
 * Every other header field, body part, boundary, preamble and epilogue is written back byte for byte; the two
 * rewritten parts are re-encoded in UTF-8 (quoted-printable for mostly-ASCII text, else base64) with their
 * charset updated.
 *
 * <p>Built on Apache Mime4j's DOM with transfer decoding off and a body factory that keeps bodies over
 * 256 KiB in AES-encrypted temporary files (deleted when done), so big attachments are neither held in
 * memory nor written to disk in clear. Thread-safe: one instance may rewrite many messages concurrently.
 */
public final class TagRewriter {

    /** Decoded text parts larger than this are re-encoded while streaming, with the JDK charset for their label. */
    private static final int IN_MEMORY_TEXT_LIMIT = 4 * 1024 * 1024;

    private static final Pattern HTML_BODY_TAG = Pattern.compile("<body[^>]*>", Pattern.CASE_INSENSITIVE);

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
        Objects.requireNonNull(subjectPrefix, "subjectPrefix");
        Objects.requireNonNull(reasons, "reasons");
        try (SpoolingBodyFactory bodies = new SpoolingBodyFactory(tempDirectory)) {
            DefaultMessageBuilder builder = new DefaultMessageBuilder();
            builder.setMimeEntityConfig(MimeConfig.custom()
                    .setMaxLineLen(1024 * 1024)
                    .setMaxHeaderLen(1024 * 1024)
                    .setMaxHeaderCount(-1)
                    .setMaxContentLen(-1)
                    .build());
            builder.setDecodeMonitor(DecodeMonitor.SILENT);
            builder.setContentDecoding(false);
            builder.setBodyFactory(bodies);
            Message message = builder.parseMessage(raw);
            try {
                prefixSubject(message.getHeader(), subjectPrefix);
                Banner banner = new Banner(reasons);
                Targets targets = new Targets();
                findTargets(message, targets);
                if (targets.plain != null) {
                    addBanner(targets.plain, banner.plain(), false, bodies);
                }
                if (targets.html != null) {
                    addBanner(targets.html, banner.html(), true, bodies);
                }
                new RawPreservingWriter().writeMessage(message, out);
                out.flush();
            } finally {
                message.dispose();
            }
        }
    }

    private static void prefixSubject(Header header, String prefix) throws IOException {
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

    /** The first text/plain and text/html parts in document order that are not attachments. */
    private static final class Targets {
        Entity plain;
        Entity html;
    }

    private static void findTargets(Entity entity, Targets targets) {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            for (Entity part : multipart.getBodyParts()) {
                findTargets(part, targets);
            }
            return;
        }
        if (!(body instanceof SingleBody) || "attachment".equalsIgnoreCase(entity.getDispositionType())) {
            return; // embedded messages are someone else's mail: left untouched
        }
        String type = entity.getMimeType().toLowerCase(Locale.ROOT);
        if (type.equals("text/plain") && targets.plain == null) {
            targets.plain = entity;
        } else if (type.equals("text/html") && targets.html == null) {
            targets.html = entity;
        }
    }

    private static void addBanner(Entity entity, String banner, boolean html, SpoolingBodyFactory bodies)
            throws IOException {
        SingleBody body = (SingleBody) entity.getBody();
        String label = declaredCharset(entity);
        String transfer = entity.getContentTransferEncoding();
        long encodedSize = body.size();
        byte[] utf8;
        boolean mostlyAscii;
        Reader text;
        if (encodedSize <= IN_MEMORY_TEXT_LIMIT) {
            byte[] decoded;
            try (InputStream in = transferDecoded(body.getInputStream(), transfer)) {
                decoded = in.readAllBytes();
            }
            if (label == null && html) {
                label = htmlMetaCharset(decoded);
            }
            String original = MailCharsets.decode(decoded, label);
            String tagged = html ? insertIntoHtml(original, banner) : banner + original;
            utf8 = tagged.getBytes(StandardCharsets.UTF_8);
            mostlyAscii = nonAsciiShare(tagged) < 0.2;
            text = null;
        } else {
            Charset charset = label == null ? null : MailCharsets.lookup(label);
            text = new java.io.InputStreamReader(transferDecoded(body.getInputStream(), transfer),
                    charset == null ? StandardCharsets.UTF_8 : charset);
            utf8 = null;
            mostlyAscii = false;
        }
        String newTransfer = mostlyAscii ? "quoted-printable" : "base64";
        SingleBody replacement;
        try (SpoolingBodyFactory.Sink sink = bodies.newSink()) {
            try (OutputStream encoder = mostlyAscii
                    ? new QuotedPrintableOutputStream(sink.shielded(), false)
                    : new Base64OutputStream(sink.shielded())) {
                if (utf8 != null) {
                    encoder.write(utf8);
                } else {
                    // Too big to hold: the banner goes first, so an HTML banner sits before <html>; browsers cope.
                    encoder.write(banner.getBytes(StandardCharsets.UTF_8));
                    try (Reader r = text) {
                        char[] buf = new char[8192];
                        for (int n; (n = r.read(buf)) >= 0; ) {
                            encoder.write(new String(buf, 0, n).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            replacement = sink.toBody();
        }
        Header header = entity.getHeader();
        Map<String, String> params = new LinkedHashMap<>();
        Field typeField = header.getField("Content-Type");
        if (typeField instanceof ContentTypeField ct) {
            // "text/html;iso-8859-1" parses as a parameter without a value, which Mime4j cannot write back
            ct.getParameters().forEach((name, value) -> {
                if (name != null && !name.isBlank() && value != null) {
                    params.put(name, value);
                }
            });
        }
        params.put("charset", "utf-8");
        header.setField(Fields.contentType(entity.getMimeType(), params));
        header.setField(Fields.contentTransferEncoding(newTransfer));
        Body old = entity.removeBody();
        if (old != null) {
            old.dispose();
        }
        entity.setBody(replacement);
    }

    private static String declaredCharset(Entity entity) {
        Field field = entity.getHeader().getField("Content-Type");
        if (field instanceof ContentTypeField ct && ct.getCharset() != null && !ct.getCharset().isBlank()) {
            return ct.getCharset();
        }
        return null;
    }

    private static InputStream transferDecoded(InputStream raw, String transfer) {
        String t = transfer == null ? "" : transfer.trim().toLowerCase(Locale.ROOT);
        if (t.equals("base64")) {
            return new Base64InputStream(raw, DecodeMonitor.SILENT);
        }
        if (t.equals("quoted-printable")) {
            return new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT);
        }
        return raw;
    }

    private static String htmlMetaCharset(byte[] html) {
        String head = new String(html, 0, Math.min(html.length, 4096), StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("charset\\s*=\\s*[\"']?([A-Za-z0-9_.:\\-]+)", Pattern.CASE_INSENSITIVE).matcher(head);
        return m.find() ? m.group(1) : null;
    }

    private static String insertIntoHtml(String html, String banner) {
        Matcher body = HTML_BODY_TAG.matcher(html);
        if (body.find()) {
            return html.substring(0, body.end()) + banner + html.substring(body.end());
        }
        return banner + html;
    }

    private static double nonAsciiShare(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        long nonAscii = s.chars().filter(c -> c >= 0x80).count();
        return (double) nonAscii / s.length();
    }

    /** The warning in both forms. */
    private record Banner(List<FindingCatalogue.Entry> reasons) {

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

        private static String escape(String s) {
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
