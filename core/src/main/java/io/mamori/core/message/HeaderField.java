package io.mamori.core.message;

/**
 * One header field of the top-level message.
 *
 * @param name  field name as written
 * @param value unfolded value with RFC 2047 encoded words decoded (charset-aware, see MessageParser)
 */
public record HeaderField(String name, String value) {
}
