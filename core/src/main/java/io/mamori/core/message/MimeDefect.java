package io.mamori.core.message;

/**
 * A structural problem the parser met and survived.
 *
 * @param kind   what kind of problem
 * @param detail specific, short detail (e.g. the part path and what was wrong); no message content
 */
public record MimeDefect(Kind kind, String detail) {

    public enum Kind {
        /** Syntax the parser had to guess about: bad boundary, unterminated multipart, bad header, bad encoding. */
        MALFORMED,
        /** Multipart nesting deeper than the limit; deeper parts were not examined. */
        TOO_DEEP,
        /** More body parts than the limit; later parts were not examined. */
        TOO_MANY_PARTS,
        /** Too many header fields, or a header field longer than the limit. */
        HEADER_LIMIT,
        /** A line longer than RFC 5322's 998 characters. */
        LONG_LINE
    }
}
