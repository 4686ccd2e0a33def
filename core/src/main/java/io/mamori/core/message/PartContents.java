package io.mamori.core.message;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The decoded bytes of one message's attachment (non-text) parts, kept by the {@link MessageParser} so that
 * analyzers can look inside files: up to {@link ParseLimits#maxAttachmentBytes()} per message. Small parts stay
 * on the heap (at most {@link #HEAP_PER_PART} each and {@link #HEAP_PER_MESSAGE} in all); the rest goes to
 * temporary files encrypted under a key that exists only in this holder ({@link EncryptedSpool}), because mail is
 * never written to disk in clear. {@link #close()} deletes the files and drops the heap copies; the receive path must
 * close it once analysis is over (a holder dropped without being closed still has its files deleted when it is
 * garbage-collected).
 *
 * <p>Thread-safe for reading: once parsing is done, any number of analyzers may {@link PartContent#open()}
 * contents concurrently. Opening after {@link #close()} fails with an {@link IOException}.
 */
public final class PartContents implements AutoCloseable {

    /** A part larger than this goes to an encrypted temporary file. */
    public static final int HEAP_PER_PART = 256 * 1024;
    /** Heap held for one message's parts; later parts go to files even when small. */
    public static final int HEAP_PER_MESSAGE = 1024 * 1024;

    private static final PartContents NONE = new PartContents(null);

    /** Null for {@link #none()}. */
    private final EncryptedSpool spool;

    private PartContents(EncryptedSpool spool) {
        this.spool = spool;
    }

    /** A holder that keeps nothing, for messages parsed without attachment contents. */
    public static PartContents none() {
        return NONE;
    }

    static PartContents in(Path directory) {
        return new PartContents(new EncryptedSpool(directory, "mamori-part-", HEAP_PER_PART, HEAP_PER_MESSAGE));
    }

    /**
     * A holder keeping up to {@code perMessage} bytes of parts on the heap, any part up to that size, as far as the
     * budget shared with other holders allows; the rest in encrypted files as {@link #in(Path)} does.
     */
    static PartContents in(Path directory, long perMessage, EncryptedSpool.HeapBudget shared) {
        return new PartContents(new EncryptedSpool(directory, "mamori-part-",
                (int) Math.min(perMessage, Integer.MAX_VALUE - 8), perMessage, shared));
    }

    /** Whether {@link #close()} has been called (the shared {@link #none()} is never closed). */
    public boolean isClosed() {
        return spool != null && spool.isClosed();
    }

    /** Deletes every temporary file and drops the heap copies; idempotent. */
    @Override
    public void close() {
        if (spool != null) {
            spool.close();
        }
    }

    /** A sink for one part, made a {@link PartContent} when the part ends; confined to the parsing thread. */
    EncryptedSpool.Sink newSink() {
        if (spool == null) {
            throw new IllegalStateException("this holder keeps no contents");
        }
        return spool.newSink();
    }
}
