package io.mamori.core.message;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes kept on the heap up to a limit and beyond it in temporary files encrypted with an AEAD under a key that exists
 * only in this object, because mail is never written to disk in clear (DESIGN.md, encryption at rest): the decoded
 * parts of a message ({@link PartContents}) and the bodies of a rewrite ({@code verdict.SpoolingBodyFactory}). Each
 * {@link Sink} keeps at most {@code heapPerSink} bytes on the heap, and the sinks of one spool at most
 * {@code heapInAll} together, and, when the spool is given a {@link HeapBudget} shared with other spools, no more than
 * that budget has left; past any of these its bytes go to a file of its own. {@link #close()} deletes the files and
 * forgets the key; a spool dropped without being closed still has its files deleted when it is garbage-collected (a
 * {@link Cleaner}), so a missed close costs disk space for a while, not forever.
 *
 * <p>The files are Tink Streaming AEAD (AES256_GCM_HKDF_4KB, as the message store's content, for the same reason: small
 * segments keep an open stream's buffers small) with the file's name as associated data: a file changed, cut short or
 * put in another's place fails to read with an {@link IOException} instead of giving the analyzers other bytes than
 * the mail's.
 *
 * <p>Thread-safe for reading: any number of threads may {@link Stored#open()} what was stored. A sink is written by one
 * thread, and the sinks of one spool one after another (the heap count is not shared safely between writers).
 * Opening after {@link #close()} fails with an {@link IOException}.
 */
public final class EncryptedSpool implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    /** Tink's segments are 4 KiB: unbuffered, each would be a system call. */
    private static final int IO_BUFFER = 64 * 1024;

    /** Registers Tink's streaming AEAD when a spool first spills: most scans never load Tink at all. */
    private static final class Tink {
        static {
            try {
                StreamingAeadConfig.register();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot register Tink's streaming AEAD", e);
            }
        }

        static StreamingAead newKey() throws GeneralSecurityException {
            return KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB)
                    .getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        }
    }

    private final Path directory;
    private final String prefix;
    private final int heapPerSink;
    private final long heapInAll;
    /** Shared with other spools, or null. */
    private final HeapBudget shared;
    private final TemporaryFiles files = new TemporaryFiles();
    private Cleaner.Cleanable cleanable;
    private StreamingAead aead;
    private long heapUsed;
    private volatile boolean closed;

    /**
     * A spool writing its files into {@code directory}, named {@code prefix…enc}, keeping at most {@code heapPerSink}
     * bytes of a sink and {@code heapInAll} bytes of all its sinks on the heap.
     */
    public EncryptedSpool(Path directory, String prefix, int heapPerSink, long heapInAll) {
        this(directory, prefix, heapPerSink, heapInAll, null);
    }

    /**
     * As {@link #EncryptedSpool(Path, String, int, long)}, the bytes on the heap also taken from {@code shared} (if not
     * null), a budget of all the spools given it: what this spool holds on the heap is given back to it when the
     * spool is closed.
     */
    public EncryptedSpool(Path directory, String prefix, int heapPerSink, long heapInAll, HeapBudget shared) {
        this.directory = directory;
        this.prefix = prefix;
        this.heapPerSink = heapPerSink;
        this.heapInAll = heapInAll;
        this.shared = shared;
    }

    /**
     * Bytes that several spools may keep on the heap together (the offline commands' parser: many messages in
     * parallel, each allowed more than the gateway's few hundred kilobytes, never more than this in all). Thread-safe.
     */
    public static final class HeapBudget {
        private final AtomicLong left;

        public HeapBudget(long bytes) {
            this.left = new AtomicLong(bytes);
        }

        /** Takes {@code n} bytes if that many are left. */
        boolean take(long n) {
            for (long l = left.get(); l >= n; l = left.get()) {
                if (left.compareAndSet(l, l - n)) {
                    return true;
                }
            }
            return false;
        }

        void giveBack(long n) {
            left.addAndGet(n);
        }

        /** Bytes left: for tests. */
        long left() {
            return left.get();
        }
    }

    /** A place to write one piece of content into; {@link Sink#finish()} gives what was written. */
    public Sink newSink() {
        return new Sink();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Deletes every temporary file and forgets the key; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed && shared != null) {
            shared.giveBack(heapUsed);
        }
        closed = true;
        if (cleanable != null) {
            cleanable.clean();
        }
        aead = null;
    }

    /** The temporary files of one spool; deletes them when run (by close or by the cleaner). */
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

    private synchronized Path newFile() throws IOException {
        if (closed) {
            throw new IOException("the spool is closed");
        }
        if (cleanable == null) {
            cleanable = CLEANER.register(this, files);
        }
        Path path = Files.createTempFile(directory, prefix, ".enc");
        files.add(path);
        return path;
    }

    /** The spool's key, made on first use (most messages never spill). */
    private synchronized StreamingAead aead() throws IOException {
        if (closed) {
            throw new IOException("the spool is closed");
        }
        if (aead == null) {
            try {
                aead = Tink.newKey();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot make the spool's key", e);
            }
        }
        return aead;
    }

    private static byte[] associatedData(Path path) {
        return path.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Collects one piece of content on the heap, moving it to an encrypted file past the spool's heap limits. */
    public final class Sink extends OutputStream {
        private ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private OutputStream file;
        private Path path;
        private long size;
        private Stored stored;

        private Sink() {
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (stored != null) {
                throw new IOException("the content is finished");
            }
            if (file == null && (memory.size() + len > heapPerSink || heapUsed + len > heapInAll
                    || (shared != null && !shared.take(len)))) {
                spill();
            }
            if (file == null) {
                memory.write(b, off, len);
                heapUsed += len;
            } else {
                try {
                    file.write(b, off, len);
                } catch (IOException e) {
                    throw new StorageFailure("cannot write a spool file", e);
                }
            }
            size += len;
        }

        private void spill() throws IOException {
            try {
                path = newFile();
                file = aead().newEncryptingStream(new BufferedOutputStream(Files.newOutputStream(path), IO_BUFFER),
                        associatedData(path));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt a spool file", e);
            } catch (IOException e) {
                throw closed ? e : new StorageFailure("cannot create a spool file in " + directory, e);
            }
            heapUsed -= memory.size();
            if (shared != null) {
                shared.giveBack(memory.size());
            }
            try {
                memory.writeTo(file);
            } catch (IOException e) {
                throw new StorageFailure("cannot write a spool file", e);
            }
            memory = null;
        }

        /** Ends the content (closing its file, if any) and gives it; finishing again gives the same. */
        public Stored finish() throws IOException {
            if (stored == null) {
                if (file != null) {
                    try {
                        file.close();
                    } catch (IOException e) {
                        throw new StorageFailure("cannot write a spool file", e);
                    }
                    stored = new Stored(null, path, size);
                } else {
                    stored = new Stored(memory.toByteArray(), null, size);
                }
            }
            return stored;
        }

        /** {@link #finish()}; a sink closed without being finished keeps what it was given. */
        @Override
        public void close() throws IOException {
            finish();
        }
    }

    /** What one sink was given: on the heap, or in an encrypted file of the spool. */
    public final class Stored {
        private final byte[] bytes;
        private final Path path;
        private final long size;

        private Stored(byte[] bytes, Path path, long size) {
            this.bytes = bytes;
            this.path = path;
            this.size = size;
        }

        /** The number of bytes stored. */
        public long size() {
            return size;
        }

        /**
         * A new stream over the bytes; the caller closes it.
         *
         * @throws IOException when the spool was closed or the temporary file cannot be read; reading fails with one
         *                     when the file was changed or cut short
         */
        public InputStream open() throws IOException {
            if (closed) {
                throw new IOException("the spool is closed");
            }
            if (bytes != null) {
                return new ByteArrayInputStream(bytes);
            }
            InputStream file = new BufferedInputStream(Files.newInputStream(path), IO_BUFFER);
            try {
                return aead().newDecryptingStream(file, associatedData(path));
            } catch (GeneralSecurityException | IOException e) {
                file.close();
                throw e instanceof IOException io ? io : new IOException("cannot decrypt a spool file", e);
            }
        }
    }
}
