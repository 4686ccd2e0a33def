package io.mamori.gateway.delivery;

import io.mamori.core.message.EncryptedSpool;
import io.mamori.core.verdict.MessageRewriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.james.mime4j.MimeIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 7-bit copy of one message (RFC 6152 §3) for the hosts of one delivery attempt that do not offer 8BITMIME. It is
 * made from the content the first time such a host is reached, after EHLO and before MAIL FROM, so that MAIL FROM
 * declares the size of what is sent (RFC 1870) and a message that cannot be converted is returned without a
 * transaction begun; every later transaction of the attempt (other recipients, other hosts, a retry on a new
 * connection) sends the same copy. That the message cannot be converted is remembered as well.
 *
 * <p>The copy is held encrypted in the scratch directory (on the heap up to a limit) until {@link #close()}. Not
 * thread-safe: one attempt, one thread.
 */
final class SevenBitCopy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SevenBitCopy.class);

    /** The message cannot be converted to 7 bit (RFC 3463 5.6.3); the reason says why. */
    static final class Unconvertible extends Exception {
        Unconvertible(String reason) {
            super(reason, null, false, false);
        }
    }

    private final MessageRewriter rewriter;
    private final Path scratchDirectory;
    private final int onHeap;
    private EncryptedSpool spool;
    private EncryptedSpool.Stored copy;
    private String unconvertible;
    /** The stream the copy was made from (read, so it cannot be sent as it is any more), or null. */
    private InputStream drained;

    SevenBitCopy(MessageRewriter rewriter, Path scratchDirectory, int onHeap) {
        this.rewriter = Objects.requireNonNull(rewriter);
        this.scratchDirectory = Objects.requireNonNull(scratchDirectory);
        this.onHeap = onHeap;
    }

    /**
     * The copy, converted from {@code content} the first time; afterwards {@code content} is left unread.
     *
     * @throws Unconvertible when the message cannot be converted (now or at the first call)
     * @throws IOException   when {@code content} or the scratch directory failed; a later call tries again
     */
    EncryptedSpool.Stored of(InputStream content) throws IOException, Unconvertible {
        if (unconvertible != null) {
            throw new Unconvertible(unconvertible);
        }
        if (copy != null) {
            return copy;
        }
        if (content == drained) {
            throw new IOException("the content was read by a conversion that failed");
        }
        drained = content;
        EncryptedSpool made = new EncryptedSpool(scratchDirectory, "mamori-7bit-", onHeap, onHeap);
        try (EncryptedSpool.Sink sink = made.newSink()) {
            int parts = rewriter.toSevenBit(content, sink);
            copy = sink.finish();
            spool = made;
            if (parts > 0) {
                log.debug("{} body part(s) converted to 7 bit for a host without 8BITMIME", parts);
            }
            return copy;
        } catch (MimeIOException e) {
            unconvertible = e.getMessage();
            throw new Unconvertible(unconvertible);
        } finally {
            if (spool != made) {
                made.close();
            }
        }
    }

    /** Whether {@code content} was read to make the copy, so only the copy can be sent now. */
    boolean drained(InputStream content) {
        return content == drained;
    }

    /** Deletes the copy. */
    @Override
    public void close() {
        if (spool != null) {
            spool.close();
        }
    }
}
