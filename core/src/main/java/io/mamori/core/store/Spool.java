package io.mamori.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A message being received: content written to {@link #output()} goes to stable storage encrypted, but the
 * message does not exist until {@link MessageStore#commit} returns. A spool that is neither committed nor
 * {@link #discard() discarded} is removed at the next start.
 *
 * <p>Not thread-safe: one SMTP session owns it.
 */
public interface Spool extends AutoCloseable {

    /** The queue id the message gets if this spool is committed (shown in {@code Received} and replies). */
    String id();

    /** The stream for the message content; closing it finishes the content (it is then fsynced at commit). */
    OutputStream output() throws IOException;

    /** Reads back the content written so far (after {@code output()} was closed), decrypted. */
    InputStream openInput() throws IOException;

    /** Bytes of plaintext written. */
    long size();

    /** Drops the content; safe to call more than once and after commit (then a no-op). */
    void discard();

    @Override
    default void close() {
        discard();
    }
}
