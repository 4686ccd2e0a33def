package io.mamori.gateway.store;

import io.mamori.core.store.Spool;
import io.mamori.gateway.crypto.ContentKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.Arrays;

/**
 * A message being received. Content up to {@code inlineLimit} bytes stays in memory and is committed
 * encrypted inside the database row's transaction (one fsync per group-commit batch covers it); the moment it
 * grows past the limit it becomes Streaming-AEAD ciphertext in {@code <spool dir>/<queue id>}, which the
 * store fsyncs and moves into the message directory when it commits. Keeping small messages off the file
 * system saves a file create, fsync, rename, open and delete per message (about a fifth of a small message's
 * CPU cost in the relay benchmark), and analysis re-reads the plaintext from memory instead of decrypting.
 * Not thread-safe (one session owns it).
 */
final class EncryptedSpool implements Spool {

    /** Large buffers: with 4 KB cipher segments an unbuffered file stream would cost a syscall per segment. */
    static final int IO_BUFFER = 64 * 1024;

    private enum Phase { EMPTY, WRITING, WRITTEN, COMMITTED, DISCARDED }

    private final JdbcMessageStore owner;
    private final String id;
    private final ContentKey key;
    private final int inlineLimit;
    private Path file;
    private Phase phase = Phase.EMPTY;
    private CountingOutputStream output;
    private boolean outputFailed;
    /** Plaintext while the content is small; null once it went to the file. */
    private Memory memory;
    /** Whether the content lives in {@link #file} (it outgrew the limit). */
    private boolean onDisk;
    /** The ciphertext of in-memory content, made by {@link #finishAndForce()}. */
    private byte[] inlineCiphertext;

    EncryptedSpool(JdbcMessageStore owner, String id, ContentKey key, Path file, int inlineLimit) {
        this.owner = owner;
        this.id = id;
        this.key = key;
        this.file = file;
        this.inlineLimit = Math.max(0, inlineLimit);
    }

    @Override
    public OutputStream output() throws IOException {
        if (phase == Phase.WRITING) {
            return output;
        }
        if (phase != Phase.EMPTY) {
            throw new IOException("spool " + id + " is " + phase.name().toLowerCase(java.util.Locale.ROOT) + "; its output cannot be reopened");
        }
        OutputStream target;
        if (inlineLimit > 0) {
            memory = new Memory();
            target = memory;
        } else {
            target = openFile();
        }
        output = new CountingOutputStream(target);
        phase = Phase.WRITING;
        return output;
    }

    /** Creates the spool file and returns the encrypting stream into it. */
    private OutputStream openFile() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            OutputStream encrypted = key.encrypt(new BufferedOutputStream(Channels.newOutputStream(channel), IO_BUFFER), id);
            onDisk = true;
            return encrypted;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public InputStream openInput() throws IOException {
        if (phase != Phase.WRITTEN && phase != Phase.COMMITTED) {
            throw new IOException("spool " + id + " has no finished content to read (" + phase + ")");
        }
        if (!onDisk) {
            return new ByteArrayInputStream(memory.bytes(), 0, memory.size());
        }
        return openDecrypted(file);
    }

    /** Whether the content stays in memory and is committed into the database row's transaction. */
    boolean inline() {
        return !onDisk;
    }

    /** The encrypted content of an inline spool (after {@link #finishAndForce()}). */
    byte[] inlineCiphertext() {
        if (onDisk || inlineCiphertext == null) {
            throw new IllegalStateException("spool " + id + " has no inline content");
        }
        return inlineCiphertext;
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
        memory = null;
        inlineCiphertext = null;
        if (!onDisk) {
            return;
        }
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

    /**
     * Closes the content (an untouched spool becomes an empty message); a file is fsynced, in-memory content
     * encrypted for the row (the database transaction makes it durable).
     */
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
        if (!onDisk) {
            if (inlineCiphertext == null) {
                ByteArrayOutputStream cipher = new ByteArrayOutputStream(memory.size() + 256);
                try (OutputStream out = key.encrypt(cipher, id)) {
                    out.write(memory.bytes(), 0, memory.size());
                }
                inlineCiphertext = cipher.toByteArray();
            }
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Moves the finished file; rename within one file system, so it is atomic. Nothing to move for inline content. */
    void moveTo(Path target) throws IOException {
        if (!onDisk) {
            return;
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        file = target;
    }

    void markCommitted() {
        phase = Phase.COMMITTED;
    }

    /** After a failed commit: the spool is spent; {@code deleteFile} says whether its content may go. */
    void abandon(boolean deleteFile) {
        phase = Phase.DISCARDED;
        memory = null;
        inlineCiphertext = null;
        if (deleteFile && onDisk) {
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

    /**
     * Plaintext held while the message is small. Past {@code inlineLimit} it hands what it holds to the
     * encrypting file stream and forwards everything after it there.
     */
    private final class Memory extends OutputStream {
        private byte[] buffer = new byte[Math.min(inlineLimit, 32 * 1024)];
        private int size;
        private OutputStream spilled;

        byte[] bytes() {
            return buffer;
        }

        int size() {
            return size;
        }

        @Override
        public void write(int b) throws IOException {
            if (spilled == null && size < buffer.length) {
                buffer[size++] = (byte) b;
                return;
            }
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (spilled != null) {
                spilled.write(b, off, len);
                return;
            }
            if ((long) size + len > inlineLimit) {
                spilled = openFile();
                spilled.write(buffer, 0, size);
                buffer = null;
                size = 0;
                memory = null;
                spilled.write(b, off, len);
                return;
            }
            if (size + len > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(inlineLimit, Math.max((long) buffer.length * 2, size + len)));
            }
            System.arraycopy(b, off, buffer, size, len);
            size += len;
        }

        @Override
        public void flush() throws IOException {
            if (spilled != null) {
                spilled.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (spilled != null) {
                spilled.close();
            }
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
