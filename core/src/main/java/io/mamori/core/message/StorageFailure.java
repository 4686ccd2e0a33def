package io.mamori.core.message;

import java.io.IOException;

/**
 * The local disk refused to keep content the gateway was writing (full, gone, not writable): a fault of this gateway,
 * not of the message. Told apart from the other {@link IOException}s of parsing and rewriting, which say the message
 * itself could not be handled: a message the gateway cannot store for now is deferred (451, the sender tries again),
 * never quarantined or refused for its content.
 */
public final class StorageFailure extends IOException {

    private static final long serialVersionUID = 1L;

    public StorageFailure(String message, IOException cause) {
        super(message + ": " + cause, cause);
    }

    /** The storage failure {@code e} is or was caused by, or {@code null}. */
    public static StorageFailure find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StorageFailure failure) {
                return failure;
            }
        }
        return null;
    }
}
