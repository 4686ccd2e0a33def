package io.mamori.core.verdict;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
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
import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.BodyFactory;

/**
 * Mime4j body storage for one rewrite: small bodies in memory, bodies over {@link #MEMORY_LIMIT} in temporary
 * files encrypted with AES-CTR under a key that exists only in this object, so message content never lands on
 * disk in clear (the project keeps mail encrypted at rest). Mime4j's own storage module would do the spilling,
 * but it is not among the project's dependencies and does not encrypt. Closing deletes every file. Confined
 * to one rewrite; not thread-safe.
 */
final class SpoolingBodyFactory implements BodyFactory, AutoCloseable {

    static final int MEMORY_LIMIT = 256 * 1024;

    private final Path directory;
    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    private final List<Path> files = new ArrayList<>();

    SpoolingBodyFactory(Path directory) {
        this.directory = directory;
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(128, random);
            this.key = generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }

    @Override
    public BinaryBody binaryBody(InputStream is) throws IOException {
        Stored stored = store(is);
        return new BinaryBody() {
            @Override
            public InputStream getInputStream() throws IOException {
                return stored.open();
            }

            @Override
            public long size() {
                return stored.size;
            }
        };
    }

    @Override
    public TextBody textBody(InputStream is, String mimeCharset) throws IOException {
        Stored stored = store(is);
        return new TextBody() {
            @Override
            public String getMimeCharset() {
                return mimeCharset;
            }

            @Override
            public Charset getCharset() {
                return StandardCharsets.ISO_8859_1;
            }

            @Override
            public Reader getReader() throws IOException {
                // Bodies are stored still transfer-encoded; TagRewriter decodes what it rewrites itself.
                return new InputStreamReader(stored.open(), StandardCharsets.ISO_8859_1);
            }

            @Override
            public InputStream getInputStream() throws IOException {
                return stored.open();
            }

            @Override
            public long size() {
                return stored.size;
            }
        };
    }

    /** A place to write a new body into. */
    Sink newSink() {
        return new Sink();
    }

    @Override
    public void close() {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete temporary body " + f, e);
            }
        }
        files.clear();
    }

    private Stored store(InputStream in) throws IOException {
        try (Sink sink = new Sink()) {
            in.transferTo(sink);
            return sink.stored();
        }
    }

    /** Collects bytes in memory and moves them to an encrypted file once they pass the memory limit. */
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
            if (file == null && memory.size() + len > MEMORY_LIMIT) {
                spill();
            }
            (file != null ? file : memory).write(b, off, len);
            size += len;
        }

        private void spill() throws IOException {
            path = Files.createTempFile(directory, "mamori-body-", ".enc");
            files.add(path);
            iv = new byte[16];
            random.nextBytes(iv);
            file = new CipherOutputStream(Files.newOutputStream(path), cipher(Cipher.ENCRYPT_MODE, iv));
            memory.writeTo(file);
            memory = null;
        }

        /** This sink, but closing the returned stream does not finish it (encoders close what they wrap). */
        OutputStream shielded() {
            return new FilterOutputStream(this) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Sink.this.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                file.close();
            }
        }

        Stored stored() throws IOException {
            close();
            return file == null ? new Stored(memory.toByteArray(), null, null, size) : new Stored(null, path, iv, size);
        }

        SingleBody toBody() throws IOException {
            Stored stored = stored();
            return new BinaryBody() {
                @Override
                public InputStream getInputStream() throws IOException {
                    return stored.open();
                }

                @Override
                public long size() {
                    return stored.size;
                }
            };
        }
    }

    private final class Stored {
        private final byte[] bytes;
        private final Path path;
        private final byte[] iv;
        private final long size;

        Stored(byte[] bytes, Path path, byte[] iv, long size) {
            this.bytes = bytes;
            this.path = path;
            this.iv = iv;
            this.size = size;
        }

        InputStream open() throws IOException {
            if (bytes != null) {
                return new ByteArrayInputStream(bytes);
            }
            return new CipherInputStream(Files.newInputStream(path), cipher(Cipher.DECRYPT_MODE, iv));
        }
    }

    private Cipher cipher(int mode, byte[] iv) throws IOException {
        try {
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(mode, key, new IvParameterSpec(iv));
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-CTR is not available", e);
        }
    }
}
