package io.mamori.core.message;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the streaming parser learned about a message: top-level headers (decoded), leaf parts, and the
 * defects it survived. It never holds the raw message; the raw bytes live in the spool. Attachment contents,
 * when the parser kept them, live in {@link #contents()}: closing this message releases them (temporary files
 * included), so whoever parsed it closes it once analysis is over. Closing is idempotent; everything but
 * {@link MimePart#content()} stays usable afterwards.
 *
 * @param headers        top-level header fields in order (up to the header limit)
 * @param parts          leaf parts in document order (up to the part limit)
 * @param defects        structural problems met
 * @param maxDepth       deepest multipart nesting seen
 * @param rawSize        bytes read
 * @param contents       holder of the parts' {@link MimePart#content() contents}
 * @param headerComplete whether {@code headers} holds every field of the top-level header: false when the parser
 *                       dropped fields past its limit or stopped inside the header (a field longer than its limit), so
 *                       that a field not listed, a second From say, may still be in the message for its reader
 */
public record ParsedMessage(
        List<HeaderField> headers,
        List<MimePart> parts,
        List<MimeDefect> defects,
        int maxDepth,
        long rawSize,
        PartContents contents,
        boolean headerComplete) implements AutoCloseable {

    public ParsedMessage {
        headers = List.copyOf(headers);
        parts = List.copyOf(parts);
        defects = List.copyOf(defects);
        Objects.requireNonNull(contents, "contents");
    }

    /** A message whose whole header is given. */
    public ParsedMessage(List<HeaderField> headers, List<MimePart> parts, List<MimeDefect> defects, int maxDepth,
            long rawSize, PartContents contents) {
        this(headers, parts, defects, maxDepth, rawSize, contents, true);
    }

    /** A message whose whole header is given, without kept attachment contents. */
    public ParsedMessage(List<HeaderField> headers, List<MimePart> parts, List<MimeDefect> defects, int maxDepth,
            long rawSize) {
        this(headers, parts, defects, maxDepth, rawSize, PartContents.none());
    }

    /** Releases the attachment contents (deletes their temporary files); idempotent. */
    @Override
    public void close() {
        contents.close();
    }

    /** First value of a header field (case-insensitive name). */
    public Optional<String> header(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.name().toLowerCase(Locale.ROOT).equals(n)).map(HeaderField::value).findFirst();
    }

    /** All values of a header field (case-insensitive name), in order. */
    public List<String> headers(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.name().toLowerCase(Locale.ROOT).equals(n)).map(HeaderField::value).toList();
    }

    /** All fields of a name (case-insensitive), in order. */
    public List<HeaderField> headerFields(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.name().toLowerCase(Locale.ROOT).equals(n)).toList();
    }

    public String subject() {
        return header("Subject").orElse("");
    }

    public List<MimePart> attachments() {
        return parts.stream().filter(MimePart::attachment).toList();
    }
}
