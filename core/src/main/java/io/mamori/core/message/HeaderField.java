package io.mamori.core.message;

import java.util.Locale;
import java.util.Set;

/**
 * One header field of the top-level message.
 *
 * @param name      field name as written
 * @param value     unfolded value with RFC 2047 encoded words decoded (charset-aware, see MessageParser)
 * @param asWritten the unfolded value with its encoded words left as they are, for the address fields
 *                  ({@link #ADDRESS_FIELDS}); otherwise, and when there was nothing to decode, {@code value}. RFC 2047
 *                  §5 lets encoded words stand only in phrases and comments, so mail programs read an address field's
 *                  structure before decoding them: decoded, {@code =?utf-8?q?=22?=} is a quote that hides an address
 *                  from a parser, or a comma, parenthesis or bracket that the reader's program never saw. Which
 *                  addresses a field holds is read from this.
 */
public record HeaderField(String name, String value, String asWritten) {

    /** The fields of RFC 5322 §3.6.2 and §3.6.3 that hold addresses, lower-case. */
    public static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "reply-to", "to", "cc", "bcc");

    /** A field whose value is as written (nothing to decode, or not an address field). */
    public HeaderField(String name, String value) {
        this(name, value, value);
    }

    /** Whether the field holds addresses, by its name. */
    public static boolean addressField(String name) {
        return ADDRESS_FIELDS.contains(name.strip().toLowerCase(Locale.ROOT));
    }
}
