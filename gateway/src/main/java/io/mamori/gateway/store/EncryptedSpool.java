package io.mamori.gateway.store;

import io.mamori.core.store.Spool;
import io.mamori.gateway.crypto.ContentKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A message being received, written as Streaming-AEAD ciphertext to {@code <spool dir>/<queue id>}; the
 * store moves the file into the message directory when it commits. Not thread-safe (one session owns it).
 */
final class EncryptedSpool implements Spool {

    /** Large buffers: with 4 KB cipher segments an unbuffered file stream would cost a syscall per segment. */
    static final int IO_BUFFER = 64 * 1024;

    private enum Phase { EMPTY, WRITING, WRITTEN, COMMITTED, DISCARDED }

    private final JdbcMessageStore owner;
    private final String id;
    private final ContentKey key;
    private Path file;
    private Phase phase = Phase.EMPTY;
    private CountingOutputStream output;
    private boolean outputFailed;

    EncryptedSpool(JdbcMessageStore owner, String id, ContentKey key, Path file) {
        this.owner = owner;
        this.id = id;
        this.key = key;
        this.file = file;
    }

    @Override
    public OutputStream output() throws IOException {
        if (phase == Phase.WRITING) {
            return output;
        }
        if (phase != Phase.EMPTY) {
            throw new IOException("spool " + id + " is " + phase.name().toLowerCase(java.util.Locale.ROOT) + "; its output cannot be reopened");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream encrypted;
        try {
            encrypted = key.encrypt(new BufferedOutputStream(Channels.newOutputStream(channel), IO_BUFFER), id);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        output = new CountingOutputStream(encrypted);
        phase = Phase.WRITING;
        return output;
    }

    @Override
    public InputStream openInput() throws IOException {
        if (phase != Phase.WRITTEN && phase != Phase.COMMITTED) {
            throw new IOException("spool " + id + " has no finished content to read (" + phase + ")");
        }
        return openDecrypted(file);
    }

    @Override
    public long size() {
        return output == null ? 0 : output.count;
    }

    @Override
    public void discard() {
        if (phase == Phase.COMMITTED || phase == Phase.DISCARDED) {
            return;
        }
        if (phase == Phase.WRITING) {
            try {
                output.close();
            } catch (IOException ignored) {
                // The file is deleted next; a failing close changes nothing.
            }
        }
        phase = Phase.DISCARDED;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left for the orphan sweep at the next start.
        }
    }

    @Override
    public String id() {
        return id;
    }

    ContentKey key() {
        return key;
    }

    boolean ownedBy(JdbcMessageStore store) {
        return owner == store;
    }

    /** Closes the content (an untouched spool becomes an empty message) and fsyncs it. */
    void finishAndForce() throws IOException {
        switch (phase) {
            case EMPTY -> output().close();
            case WRITING -> output.close();
            case WRITTEN -> { }
            default -> throw new IllegalStateException("spool " + id + " is already " + phase);
        }
        if (outputFailed || phase != Phase.WRITTEN) {
            throw new IOException("spool " + id + " content was not written completely");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Moves the finished file; rename within one file system, so it is atomic. */
    void moveTo(Path target) throws IOException {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        file = target;
    }

    void markCommitted() {
        phase = Phase.COMMITTED;
    }

    /** After a failed commit: the spool is spent; {@code deleteFile} says whether its content may go. */
    void abandon(boolean deleteFile) {
        phase = Phase.DISCARDED;
        if (deleteFile) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left for the orphan sweep at the next start.
            }
        }
    }

    InputStream openDecrypted(Path path) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), IO_BUFFER);
        try {
            return key.decrypt(raw, id);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Counts plaintext bytes and marks the spool written once the ciphertext is complete. */
    private final class CountingOutputStream extends FilterOutputStream {
        private long count;
        private boolean closed;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                outputFailed = true;
                throw e;
            }
            if (phase == Phase.WRITING) {
                phase = Phase.WRITTEN;
            }
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("spool " + id + " output is closed");
            }
        }
    }
}
