package io.mamori.core.message;

import java.io.IOException;
import java.io.InputStream;

/**
 * The decoded (transfer-decoded) bytes of one body part, as far as the message's content budget reached. Held
 * by the message's {@link PartContents}; valid until that is closed. Thread-safe: every {@link #open()}
 * returns an independent stream.
 */
public final class PartContent {

    private final EncryptedSpool.Stored stored;
    private final boolean complete;

    PartContent(EncryptedSpool.Stored stored, boolean complete) {
        this.stored = stored;
        this.complete = complete;
    }

    /**
     * A new stream over the kept bytes; the caller closes it.
     *
     * @throws IOException when the holder was closed or the temporary file cannot be read
     */
    public InputStream open() throws IOException {
        return stored.open();
    }

    /** Number of bytes kept (all of the part's decoded bytes when {@link #complete()}). */
    public long length() {
        return stored.size();
    }

    /**
     * Whether every decoded byte of the part was kept; {@code false} when the message's attachment budget ran
     * out, so what {@link #open()} returns is only the beginning of the file (possibly nothing).
     */
    public boolean complete() {
        return complete;
    }

    @Override
    public String toString() {
        return "PartContent[" + stored.size() + " bytes" + (complete ? "" : ", incomplete") + "]";
    }
}
