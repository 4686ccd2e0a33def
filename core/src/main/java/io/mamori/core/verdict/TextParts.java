package io.mamori.core.verdict;

import io.mamori.core.message.MailCharsets;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.stream.Field;

/**
 * Reading and re-writing the text of one body part in a message parsed with transfer decoding off (bodies are
 * stored still encoded): decode the transfer encoding and the charset, and write new text back as UTF-8 with
 * quoted-printable (mostly ASCII) or base64, updating {@code Content-Type} and
 * {@code Content-Transfer-Encoding}. Shared by {@link TagRewriter} and {@link Disarmer}. Stateless.
 */
final class TextParts {

    /** Decoded text parts larger than this are read while streaming, with the JDK charset for their label. */
    static final int IN_MEMORY_TEXT_LIMIT = 4 * 1024 * 1024;
    /** Bytes of a bigger part its charset is judged from. */
    private static final int SAMPLE = 64 * 1024;

    private static final Pattern META_CHARSET =
            Pattern.compile("charset\\s*=\\s*[\"']?([A-Za-z0-9_.:\\-]+)", Pattern.CASE_INSENSITIVE);

    /** Writes text into a writer; may throw like the I/O it does. */
    interface TextWriter {
        void write(Writer out) throws IOException;
    }

    /**
     * A part's decoded text.
     *
     * @param reader      the text
     * @param mostlyAscii whether under a fifth of it is non-ASCII (then quoted-printable suits it); {@code false}
     *                    when it was too big to look at
     */
    record Decoded(Reader reader, boolean mostlyAscii) {
    }

    private TextParts() {
    }

    /**
     * Opens the decoded text of a leaf part. Up to {@link #IN_MEMORY_TEXT_LIMIT} bytes it is decoded whole with
     * {@link MailCharsets} (which knows the Japanese mislabellings); bigger parts stream through the JDK charset
     * for their label (without one, the charset {@link MailCharsets#likelyCharset} judges from the first 64 KiB). An
     * HTML part without a charset parameter takes the one its
     * {@code <meta>} declares in the first 4 KiB.
     */
    static Decoded open(Entity entity, boolean html) throws IOException {
        SingleBody body = (SingleBody) entity.getBody();
        String label = declaredCharset(entity);
        String transfer = entity.getContentTransferEncoding();
        if (body.size() <= IN_MEMORY_TEXT_LIMIT) {
            byte[] decoded;
            try (InputStream in = transferDecoded(body.getInputStream(), transfer)) {
                decoded = in.readAllBytes();
            }
            if (label == null && html) {
                label = htmlMetaCharset(decoded, decoded.length);
            }
            String text = MailCharsets.decode(decoded, label);
            return new Decoded(new StringReader(text), nonAsciiShare(text) < 0.2);
        }
        BufferedInputStream in = new BufferedInputStream(transferDecoded(body.getInputStream(), transfer), SAMPLE);
        byte[] sample = null;
        if (label == null) {
            in.mark(SAMPLE);
            sample = in.readNBytes(SAMPLE);
            in.reset();
            if (html) {
                label = htmlMetaCharset(sample, sample.length);
            }
        }
        Charset charset = label == null ? null : MailCharsets.lookup(label);
        if (charset == null) {
            // unlabelled (or an unknown label): judged from the first bytes, as small parts are judged whole — read as
            // UTF-8, Shift_JIS text would come out as replacement characters and be lost in the rewrite
            if (sample == null) {
                in.mark(SAMPLE);
                sample = in.readNBytes(SAMPLE);
                in.reset();
            }
            charset = MailCharsets.likelyCharset(sample, sample.length);
        }
        return new Decoded(new InputStreamReader(in, charset), false);
    }

    /** A new body holding what {@code content} writes, in UTF-8, transfer-encoded. */
    static SingleBody encode(SpoolingBodyFactory bodies, boolean quotedPrintable, TextWriter content) throws IOException {
        try (SpoolingBodyFactory.Sink sink = bodies.newSink()) {
            try (OutputStream encoder = quotedPrintable
                    ? new QuotedPrintableOutputStream(sink.shielded(), false)
                    : new Base64OutputStream(sink.shielded());
                    Writer writer = new BufferedWriter(new OutputStreamWriter(encoder, StandardCharsets.UTF_8), 16 * 1024)) {
                content.write(writer);
            }
            return sink.toBody();
        }
    }

    /**
     * Puts {@code replacement} in place of the part's body, with {@code Content-Type: mimeType; …; charset=utf-8}
     * (other parameters kept) and the transfer encoding {@code encode} used.
     */
    static void replace(Entity entity, String mimeType, SingleBody replacement, boolean quotedPrintable) {
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
        header.setField(Fields.contentType(mimeType, params));
        header.setField(Fields.contentTransferEncoding(quotedPrintable ? "quoted-printable" : "base64"));
        Body old = entity.removeBody();
        if (old != null) {
            old.dispose();
        }
        entity.setBody(replacement);
    }

    static String declaredCharset(Entity entity) {
        Field field = entity.getHeader().getField("Content-Type");
        if (field instanceof ContentTypeField ct && ct.getCharset() != null && !ct.getCharset().isBlank()) {
            return ct.getCharset();
        }
        return null;
    }

    static InputStream transferDecoded(InputStream raw, String transfer) {
        String t = transfer == null ? "" : transfer.trim().toLowerCase(Locale.ROOT);
        if (t.equals("base64")) {
            return new Base64InputStream(raw, DecodeMonitor.SILENT);
        }
        if (t.equals("quoted-printable")) {
            return new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT);
        }
        return raw;
    }

    static String htmlMetaCharset(byte[] html, int length) {
        String head = new String(html, 0, Math.min(length, 4096), StandardCharsets.ISO_8859_1);
        Matcher m = META_CHARSET.matcher(head);
        return m.find() ? m.group(1) : null;
    }

    private static final Pattern META_TAG = Pattern.compile("<meta\\b[^>]*>", Pattern.CASE_INSENSITIVE);

    /**
     * {@code head} with the charset its {@code <meta>} elements declare made {@code utf-8}: a rewritten HTML part is
     * UTF-8, and a client that loads the HTML without the MIME label (a web view fed the bytes) would otherwise decode
     * it as the old charset, garbling Japanese text (HTML §4.2.5.4, the meta charset pre-scan).
     */
    static String metaCharsetUtf8(String head) {
        Matcher tags = META_TAG.matcher(head);
        StringBuilder out = new StringBuilder(head.length());
        while (tags.find()) {
            tags.appendReplacement(out, Matcher.quoteReplacement(
                    META_CHARSET.matcher(tags.group()).replaceAll(m -> Matcher.quoteReplacement(
                            m.group().substring(0, m.start(1) - m.start()) + "utf-8"))));
        }
        tags.appendTail(out);
        return out.toString();
    }

    static double nonAsciiShare(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        long nonAscii = s.chars().filter(c -> c >= 0x80).count();
        return (double) nonAscii / s.length();
    }
}
