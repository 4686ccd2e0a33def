package io.mamori.core.classifier;

import io.mamori.core.message.Direction;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teaches the organisation's content model from its analysts' decisions: a held or quarantined inbound message that
 * an analyst releases is learnt as legitimate, one an analyst deletes as phishing (the quarantine's own findings
 * decided nothing here: only a person's decision teaches). The model lives in a file ({@link ContentModelFile} reads it
 * for the analyzer): read at start if it exists, written again (to a temporary file, then renamed) a second after the
 * first lesson of a burst, so a bulk release writes it a few times, not once per message. Thread-safe; {@link #close}
 * writes what is pending.
 */
public final class ContentLearner implements DecisionLearning, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContentLearner.class);
    static final long WRITE_DELAY_MILLIS = 1000;

    private final MessageStore store;
    private final Path file;
    private final MessageParser parser = new MessageParser(ParseLimits.defaults());
    private final ScheduledExecutorService writer;
    private ContentModel.Builder builder;
    /** Lessons since the last write: applied again to the file's model if someone else rewrote it meanwhile. */
    private final List<Lesson> pending = new ArrayList<>();
    /** The file's modification time after this learner last read or wrote it; null: no file. */
    private FileTime lastSeen;
    private boolean scheduled;

    private record Lesson(Set<String> tokens, boolean phishing) {
    }

    /** Starts from the model in {@code file} if there is one (a malformed file is refused), else from nothing. */
    public ContentLearner(MessageStore store, Path file) throws IOException {
        this.store = Objects.requireNonNull(store, "store");
        this.file = Objects.requireNonNull(file, "file");
        this.builder = Files.exists(file) ? new ContentModel.Builder(ContentModelFile.read(file)) : new ContentModel.Builder();
        this.lastSeen = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mamori-content-learner");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Runnable prepare(StoredMessage message, boolean legitimate) {
        boolean decided = message.state() == MessageState.HELD || message.state() == MessageState.QUARANTINED;
        if (!decided || message.direction() != Direction.INBOUND) {
            return () -> { };
        }
        Set<String> tokens;
        try (InputStream in = store.openContent(message.id()); ParsedMessage parsed = parser.parse(in)) {
            tokens = ContentTokens.of(parsed);
        } catch (IOException | RuntimeException e) {
            log.warn("message {} could not be read for the content model: {}", message.id(), e.toString());
            return () -> { };
        }
        return () -> learn(tokens, !legitimate);
    }

    private synchronized void learn(Set<String> tokens, boolean phishing) {
        builder.learn(tokens, phishing);
        pending.add(new Lesson(tokens, phishing));
        if (!scheduled) {
            scheduled = true;
            writer.schedule(this::write, WRITE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Writes the model if something was learnt since the last write. If the file was rewritten by someone else
     * meanwhile ({@code mamori learn --from FILE --out FILE}), the lessons since the last write are added to that
     * file's model instead of overwriting it.
     */
    public synchronized void write() {
        scheduled = false;
        if (pending.isEmpty()) {
            return;
        }
        try {
            FileTime now = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
            if (!Objects.equals(now, lastSeen)) {
                builder = now == null ? new ContentModel.Builder() : new ContentModel.Builder(ContentModelFile.read(file));
                pending.forEach(l -> builder.learn(l.tokens(), l.phishing()));
            }
            ContentModel model = builder.build();
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".content-model", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    OutputStream target = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(out) : out;
                    model.write(target, 1);
                    target.close();
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            lastSeen = Files.getLastModifiedTime(file);
            pending.clear();
        } catch (IOException | RuntimeException e) {
            // the lessons stay pending: written with the next one or at close
            log.error("content model {} could not be written: {}", file, e.toString());
        }
    }

    /** The model as learnt so far (also what the file will hold once written). */
    public synchronized ContentModel model() {
        return builder.build();
    }

    @Override
    public void close() {
        writer.shutdownNow();
        write();
    }
}
