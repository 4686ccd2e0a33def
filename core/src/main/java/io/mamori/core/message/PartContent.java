package io.mamori.core.message;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The decoded (transfer-decoded) bytes of one body part, as far as the message's content budget reached. Held
 * by the message's {@link PartContents}; valid until that is closed. Thread-safe: every {@link #open()}
 * returns an independent stream.
 */
public final class PartContent {

    private final PartContents owner;
    private final byte[] bytes;
    private final Path path;
    private final byte[] iv;
    private final long length;
    private final boolean complete;

    PartContent(PartContents owner, byte[] bytes, Path path, byte[] iv, long length, boolean complete) {
        this.owner = owner;
        this.bytes = bytes;
        this.path = path;
        this.iv = iv;
        this.length = length;
        this.complete = complete;
    }

    /**
     * A new stream over the kept bytes; the caller closes it.
     *
     * @throws IOException when the holder was closed or the temporary file cannot be read
     */
    public InputStream open() throws IOException {
        return owner.open(bytes, path, iv);
    }

    /** Number of bytes kept (all of the part's decoded bytes when {@link #complete()}). */
    public long length() {
        return length;
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
        return "PartContent[" + length + " bytes" + (complete ? "" : ", incomplete") + "]";
    }
}
