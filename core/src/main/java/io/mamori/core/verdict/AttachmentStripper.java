package io.mamori.core.verdict;

import io.mamori.core.analysis.FindingCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.field.DefaultFieldParser;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.HeaderImpl;
import org.apache.james.mime4j.stream.Field;

/**
 * Carries out "strip the attachment and deliver with a notice": each chosen leaf part is replaced by a short
 * text/plain part saying, in Japanese then English, which file was removed and why. Parts are chosen by the
 * path the {@link io.mamori.core.message.MessageParser} gave them ({@code MimePart.path()}, e.g. {@code 2} or
 * {@code 1.3}), so what the analyzers judged is exactly what is removed. Everything else is written back byte
 * for byte by {@link MessageRewriter}'s single pass, with large bodies kept in encrypted temporary files. Thread-safe: one
 * instance may rewrite many messages concurrently.
 */
public final class AttachmentStripper {

    /** One removed part. */
    public record Removed(String path, String filename) {
    }

    private final Path tempDirectory;

    /** Spills big bodies to the JVM's temporary directory. */
    public AttachmentStripper() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Spills big bodies (encrypted) to {@code tempDirectory}, e.g. the gateway's spool directory. */
    public AttachmentStripper(Path tempDirectory) {
        this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
    }

    /**
     * Writes {@code raw} to {@code out} with the parts at {@code partPaths} replaced by a notice listing
     * {@code reasons}. Paths that match no leaf part are ignored.
     *
     * @return the parts removed, in document order
     * @throws IOException when reading or writing fails; then {@code out} may hold a partial message and the
     *                     caller must fall back (e.g. quarantine instead)
     */
    public List<Removed> strip(InputStream raw, OutputStream out, Set<String> partPaths,
            List<FindingCatalogue.Entry> reasons) throws IOException {
        return new MessageRewriter(tempDirectory).rewrite(raw, out,
                MessageRewriter.Plan.NONE.stripping(partPaths, reasons, null)).removed();
    }

    /**
     * Strips a parsed message in place.
     *
     * @param originalId queue id of the quarantined original, named in the notice; {@code null} for none
     */
    static List<Removed> apply(Message message, Set<String> partPaths, List<FindingCatalogue.Entry> reasons,
            String originalId, SpoolingBodyFactory bodies) throws IOException {
        Objects.requireNonNull(partPaths, "partPaths");
        Objects.requireNonNull(reasons, "reasons");
        List<Removed> removed = new ArrayList<>();
        walk(message, "", partPaths, reasons, originalId, bodies, removed);
        return removed;
    }

    /** Numbers parts as the parser does: children 1-based under their parent; an embedded message keeps its part's path. */
    private static void walk(Entity entity, String path, Set<String> chosen, List<FindingCatalogue.Entry> reasons,
            String originalId, SpoolingBodyFactory bodies, List<Removed> removed) throws IOException {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            int i = 0;
            for (Entity child : multipart.getBodyParts()) {
                i++;
                walk(child, path.isEmpty() ? Integer.toString(i) : path + "." + i, chosen, reasons, originalId, bodies,
                        removed);
            }
        } else if (body instanceof Message embedded && !path.isEmpty()) {
            walk(embedded, path, chosen, reasons, originalId, bodies, removed);
        } else if (body instanceof SingleBody) {
            String leaf = path.isEmpty() ? "1" : path;
            if (chosen.contains(leaf)) {
                String filename = entity.getFilename();
                if ((filename == null || filename.isBlank()) && entity.getHeader() != null
                        && entity.getHeader().getField("Content-Type") instanceof org.apache.james.mime4j.dom.field.ContentTypeField type) {
                    // a name given only as Content-Type's name parameter (older mailers) is still the file's name
                    filename = type.getParameter("name");
                }
                replace(entity, filename, reasons, originalId, bodies);
                removed.add(new Removed(leaf, filename));
            }
        }
    }

    /** Longest file name the notice shows, in code points; a longer one is cut with "…". */
    static final int MAX_SHOWN_NAME = 100;

    /**
     * A file name as the notice shows it. The sender chose it, and the notice is the gateway's own, trusted text: a name
     * such as {@code invoice.pdf」は検査済みです。再送: https://…} with a line break and a right-to-left override would
     * otherwise write the sender's words (and a clickable link) into it. So hiding and control characters are written
     * out ({@link io.mamori.core.text.VisibleText}: no line break, no override), URLs and host names are defanged, and the
     * name is cut to {@value #MAX_SHOWN_NAME} characters.
     */
    static String shown(String filename) {
        String visible = io.mamori.core.text.VisibleText.of(filename.strip());
        if (visible.codePointCount(0, visible.length()) > MAX_SHOWN_NAME) {
            visible = visible.substring(0, visible.offsetByCodePoints(0, MAX_SHOWN_NAME)) + "…";
        }
        // the extension stays as it is: "macro.zip" is a file, though .zip is also a top-level domain
        int dot = visible.lastIndexOf('.');
        if (dot > 0 && visible.substring(dot + 1).matches("[A-Za-z0-9]{1,10}")) {
            return LinkDefanger.defangText(visible.substring(0, dot)) + visible.substring(dot);
        }
        return LinkDefanger.defangText(visible);
    }

    private static void replace(Entity entity, String filename, List<FindingCatalogue.Entry> reasons,
            String originalId, SpoolingBodyFactory bodies) throws IOException {
        String shown = filename == null || filename.isBlank() ? "(名前なし / unnamed)" : shown(filename);
        StringBuilder text = new StringBuilder();
        text.append("【Mamori】添付ファイル「").append(shown).append("」は安全のため削除されました。\r\n");
        for (FindingCatalogue.Entry e : reasons) {
            text.append("・").append(e.reasonJa()).append("\r\n");
        }
        if (originalId != null) {
            text.append("元のメールは隔離して保管されています（ID: ").append(originalId)
                    .append("）。必要な場合は、この ID を添えて情報システム部門にお問い合わせください。\r\n\r\n");
        } else {
            text.append("必要な場合は、送信者に別の方法での送付を依頼するか、情報システム部門にお問い合わせください。\r\n\r\n");
        }
        text.append("[Mamori] The attachment \"").append(shown).append("\" was removed for your safety.\r\n");
        for (FindingCatalogue.Entry e : reasons) {
            text.append("- ").append(e.reasonEn()).append("\r\n");
        }
        if (originalId != null) {
            text.append("The original message is kept in quarantine (ID: ").append(originalId)
                    .append("). If you need it, contact your IT department with this ID.\r\n");
        } else {
            text.append("If you need it, ask the sender to send it another way or contact your IT department.\r\n");
        }
        SingleBody notice;
        try (SpoolingBodyFactory.Sink sink = bodies.newSink()) {
            try (OutputStream encoder = new Base64OutputStream(sink.shielded())) {
                encoder.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            notice = sink.toBody();
        }
        Header header = new HeaderImpl();
        header.setField(Fields.contentType("text/plain", Map.of("charset", "utf-8")));
        header.setField(Fields.contentTransferEncoding("base64"));
        header.setField(field("Content-Disposition: inline"));
        header.setField(field("X-Mamori-Removed-Attachment: yes"));
        entity.setHeader(header);
        Body old = entity.removeBody();
        if (old != null) {
            old.dispose();
        }
        entity.setBody(notice);
    }

    private static Field field(String raw) throws IOException {
        try {
            return DefaultFieldParser.parse(raw);
        } catch (MimeException e) {
            throw new IOException("cannot build " + raw, e);
        }
    }
}
