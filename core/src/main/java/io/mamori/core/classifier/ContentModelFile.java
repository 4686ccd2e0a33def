package io.mamori.core.classifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content model kept in a file a site trains ({@code mamori learn}), plain or gzip-compressed: read when created
 * (a missing or malformed file is refused then, with the reason), and read again when the file's modification time
 * or size changes, looked at no more than once every {@link #CHECK_EVERY}. A file that has become unreadable keeps
 * the model in force and is logged, so a half-written retraining never leaves the gateway without a model.
 * Thread-safe.
 */
public final class ContentModelFile implements Supplier<ContentModel> {

    private static final Logger log = LoggerFactory.getLogger(ContentModelFile.class);
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final Path file;
    private final Clock clock;
    private volatile ContentModel model;
    private volatile FileTime modified;
    private volatile long size;
    private volatile Instant nextCheck;

    public ContentModelFile(Path file, Clock clock) throws IOException {
        this(file, clock, true);
    }

    private ContentModelFile(Path file, Clock clock, boolean required) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (required || Files.exists(file)) {
            FileTime t = Files.getLastModifiedTime(file);
            long s = Files.size(file);
            this.model = read(file);
            this.modified = t;
            this.size = s;
        } else {
            this.model = ContentModel.EMPTY;
            this.modified = null;
            this.size = -1;
        }
        this.nextCheck = clock.instant().plus(CHECK_EVERY);
    }

    /**
     * A model file that may not exist yet (the gateway's own, which {@link ContentLearner} writes once analysts have
     * decided something): {@link ContentModel#EMPTY} until it appears. A file that exists must be readable.
     */
    public static ContentModelFile optional(Path file, Clock clock) throws IOException {
        return new ContentModelFile(file, clock, false);
    }

    /** Reads a model file, gzip-compressed when its name ends in {@code .gz}. */
    public static ContentModel read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            InputStream source = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
            return ContentModel.read(source, file.toString());
        }
    }

    @Override
    public ContentModel get() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return model;
        }
        synchronized (this) {
            if (now.isBefore(nextCheck)) {
                return model;
            }
            nextCheck = now.plus(CHECK_EVERY);
            try {
                if (modified == null && !Files.exists(file)) {
                    return model;
                }
                FileTime t = Files.getLastModifiedTime(file);
                long s = Files.size(file);
                if (!t.equals(modified) || s != size) {
                    model = read(file);
                    modified = t;
                    size = s;
                    log.info("content model {} reloaded: {} phishing and {} legitimate messages learnt", file,
                            model.phishingMessages(), model.legitimateMessages());
                }
            } catch (IOException | UncheckedIOException e) {
                log.error("content model {} could not be read again; the model in force stays: {}", file, e.getMessage());
            }
            return model;
        }
    }
}
