package io.mamori.core.analysis;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Opens the raw bytes of the message exactly as received (after the SMTP dot-unstuffing, before any change),
 * for the analyzers that must see them: DKIM and ARC hash the header fields and the body byte for byte.
 *
 * <p>Contract: every call to {@link #open} returns a new stream positioned at the first byte; the caller
 * closes it. Implementations must be thread-safe (several analyzers may open the message at once) and cheap
 * to hold: the receive path opens the spool file lazily, so a message nobody reads is never read twice.
 */
@FunctionalInterface
public interface RawMessage {

    InputStream open() throws IOException;

    /** The raw message held in memory (tests, offline scans of small files). */
    static RawMessage of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return () -> new ByteArrayInputStream(bytes);
    }
}
