package io.mamori.core.message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.CipherInputStream;
import javax.crypto.CipherOutputStream;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * The decoded bytes of one message's attachment (non-text) parts, kept by the {@link MessageParser} so that
 * analyzers can look inside files: up to {@link ParseLimits#maxAttachmentBytes()} per message. Small parts stay
 * on the heap (at most {@link #HEAP_PER_PART} each and {@link #HEAP_PER_MESSAGE} in all); the rest goes to
 * temporary files encrypted with AES-CTR under a key that exists only in this object, because mail is never
 * written to disk in clear (DESIGN.md, encryption at rest). {@link #close()} deletes the files and drops the
 * heap copies; the receive path must close it once analysis is over. A holder dropped without being closed
 * still has its files deleted when it is garbage-collected (a {@link Cleaner}), so a missed close costs disk
 * space for a while, not forever.
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

    private static final Cleaner CLEANER = Cleaner.create();

    private final Path directory;
    private final TemporaryFiles files = new TemporaryFiles();
    private Cleaner.Cleanable cleanable;
    private SecretKey key;
    private SecureRandom random;
    private long heapUsed;
    private volatile boolean closed;

    private PartContents(Path directory) {
        this.directory = directory;
    }

    /** A holder that keeps nothing, for messages parsed without attachment contents. */
    public static PartContents none() {
        return NONE;
    }

    static PartContents in(Path directory) {
        return new PartContents(directory);
    }

    /** Whether {@link #close()} has been called (the shared {@link #none()} is never closed). */
    public boolean isClosed() {
        return closed;
    }

    /** Deletes every temporary file and drops the heap copies; idempotent. */
    @Override
    public synchronized void close() {
        if (this == NONE) {
            return;
        }
        closed = true;
        if (cleanable != null) {
            cleanable.clean();
        }
        key = null;
    }

    /** The temporary files of one holder; deletes them when run (by close or by the cleaner). */
    private static final class TemporaryFiles implements Runnable {
        private final List<Path> paths = new ArrayList<>();

        synchronized void add(Path path) {
            paths.add(path);
        }

        @Override
        public synchronized void run() {
            for (Path f : paths) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // Nothing better to do than try the others: the file is encrypted under a key now forgotten.
                }
            }
            paths.clear();
        }
    }

    /** A sink for one part; confined to the parsing thread. */
    Sink newSink() {
        return new Sink();
    }

    private synchronized Path newFile() throws IOException {
        if (closed) {
            throw new IOException("part contents are closed");
        }
        if (cleanable == null) {
            cleanable = CLEANER.register(this, files);
        }
        Path path = Files.createTempFile(directory, "mamori-part-", ".enc");
        files.add(path);
        return path;
    }

    private Cipher cipher(int mode, byte[] iv) throws IOException {
        try {
            synchronized (this) {
                if (key == null) {
                    if (closed) {
                        throw new IOException("part contents are closed");
                    }
                    random = new SecureRandom();
                    KeyGenerator generator = KeyGenerator.getInstance("AES");
                    generator.init(128, random);
                    key = generator.generateKey();
                }
            }
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(mode, key, new IvParameterSpec(iv));
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-CTR is not available", e);
        }
    }

    /** Collects one part's bytes in memory, moving them to an encrypted file past the heap limits. */
    final class Sink extends OutputStream {
        private ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private OutputStream file;
        private Path path;
        private byte[] iv;
        private long size;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (file == null && (memory.size() + len > HEAP_PER_PART || heapUsed + len > HEAP_PER_MESSAGE)) {
                spill();
            }
            if (file == null) {
                memory.write(b, off, len);
                heapUsed += len;
            } else {
                file.write(b, off, len);
            }
            size += len;
        }

        private void spill() throws IOException {
            path = newFile();
            iv = new byte[16];
            synchronized (PartContents.this) {
                if (random == null) {
                    random = new SecureRandom();
                }
                random.nextBytes(iv);
            }
            file = new CipherOutputStream(Files.newOutputStream(path), cipher(Cipher.ENCRYPT_MODE, iv));
            heapUsed -= memory.size();
            memory.writeTo(file);
            memory = null;
        }

        /** Finishes the part; {@code complete} says whether every decoded byte was kept. */
        PartContent finish(boolean complete) throws IOException {
            if (file != null) {
                file.close();
                return new PartContent(PartContents.this, null, path, iv, size, complete);
            }
            return new PartContent(PartContents.this, memory.toByteArray(), null, null, size, complete);
        }
    }

    InputStream open(byte[] bytes, Path path, byte[] iv) throws IOException {
        if (closed) {
            throw new IOException("part contents are closed");
        }
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        return new CipherInputStream(Files.newInputStream(path), cipher(Cipher.DECRYPT_MODE, iv));
    }
}
