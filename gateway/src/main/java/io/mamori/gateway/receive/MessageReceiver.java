package io.mamori.gateway.receive;

import io.mamori.core.message.Envelope;
import java.io.IOException;
import java.io.InputStream;

/**
 * Takes the DATA of one SMTP transaction: spools, parses, analyzes, decides and commits it, and tells the
 * SMTP session what to answer. The SMTP listener calls it once per transaction after the final dot.
 *
 * <p>Contract: thread-safe (called from every session concurrently). It reads {@code data} to its end
 * (even when it rejects). It returns {@link ReceiveResult.Accepted} only after the message is durably
 * committed: the listener then answers 250. Any {@link IOException} or runtime failure means the listener
 * answers 451 4.3.0 and nothing was accepted.
 */
public interface MessageReceiver {

    ReceiveResult receive(Envelope envelope, InputStream data) throws IOException;
}
