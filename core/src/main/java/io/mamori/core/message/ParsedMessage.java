package io.mamori.core.message;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the streaming parser learned about a message: top-level headers (decoded), leaf parts, and the
 * defects it survived. It never holds the raw message; the raw bytes live in the spool.
 *
 * @param headers  top-level header fields in order (up to the header limit)
 * @param parts    leaf parts in document order (up to the part limit)
 * @param defects  structural problems met
 * @param maxDepth deepest multipart nesting seen
 * @param rawSize  bytes read
 */
public record ParsedMessage(
        List<HeaderField> headers,
        List<MimePart> parts,
        List<MimeDefect> defects,
        int maxDepth,
        long rawSize) {

    public ParsedMessage {
        headers = List.copyOf(headers);
        parts = List.copyOf(parts);
        defects = List.copyOf(defects);
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

    public String subject() {
        return header("Subject").orElse("");
    }

    public List<MimePart> attachments() {
        return parts.stream().filter(MimePart::attachment).toList();
    }
}
