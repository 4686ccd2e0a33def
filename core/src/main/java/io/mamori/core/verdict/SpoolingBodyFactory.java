package io.mamori.core.verdict;

import io.mamori.core.message.EncryptedSpool;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.BodyFactory;

/**
 * Mime4j body storage for one rewrite: small bodies in memory, bodies over {@link #MEMORY_LIMIT} in temporary
 * files encrypted under a key that exists only for this rewrite ({@link EncryptedSpool}), so message content never
 * lands on disk in clear (the project keeps mail encrypted at rest). Mime4j's own storage module would do the
 * spilling, but it is not among the project's dependencies and does not encrypt. Closing deletes every file.
 * Confined to one rewrite; not thread-safe.
 */
final class SpoolingBodyFactory implements BodyFactory, AutoCloseable {

    static final int MEMORY_LIMIT = 256 * 1024;

    private final EncryptedSpool spool;

    SpoolingBodyFactory(Path directory) {
        this.spool = new EncryptedSpool(directory, "mamori-body-", MEMORY_LIMIT, Long.MAX_VALUE);
    }

    @Override
    public BinaryBody binaryBody(InputStream is) throws IOException {
        return binary(store(is));
    }

    @Override
    public TextBody textBody(InputStream is, String mimeCharset) throws IOException {
        EncryptedSpool.Stored stored = store(is);
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
                return stored.size();
            }
        };
    }

    /** A place to write a new body into. */
    Sink newSink() {
        return new Sink(spool.newSink());
    }

    @Override
    public void close() {
        spool.close();
    }

    private EncryptedSpool.Stored store(InputStream in) throws IOException {
        try (EncryptedSpool.Sink sink = spool.newSink()) {
            in.transferTo(sink);
            return sink.finish();
        }
    }

    private static BinaryBody binary(EncryptedSpool.Stored stored) {
        return new BinaryBody() {
            @Override
            public InputStream getInputStream() throws IOException {
                return stored.open();
            }

            @Override
            public long size() {
                return stored.size();
            }
        };
    }

    /** A new body being written: through {@link #shielded()}, then made a body with {@link #toBody()}. */
    static final class Sink implements AutoCloseable {
        private final EncryptedSpool.Sink spooled;

        private Sink(EncryptedSpool.Sink spooled) {
            this.spooled = spooled;
        }

        /** This sink, but closing the returned stream does not finish it (encoders close what they wrap). */
        OutputStream shielded() {
            return new FilterOutputStream(spooled) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    spooled.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        SingleBody toBody() throws IOException {
            return binary(spooled.finish());
        }

        @Override
        public void close() throws IOException {
            spooled.close();
        }
    }
}
