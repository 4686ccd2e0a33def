package io.mamori.core.lists;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of the list file in force, hot-reloaded the way the policy is (see
 * {@code io.mamori.core.policy.PolicyWatcher} for why it polls the content instead of watching the directory):
 * a change is applied once two consecutive polls see the same new content, and what is applied is the content the
 * second poll read, so a half-written file is never loaded; a valid edit replaces the entries and is logged at INFO; an invalid edit, an unreadable or deleted
 * file keeps the last good entries and logs every bad line at WARN, in Japanese and English. The path itself
 * comes from the policy and may change with it; no path means no entries.
 *
 * <p>Thread-safe: {@link #get()} is a lock-free read used on every message; one daemon thread polls once
 * {@link #start started}. {@link #close()} stops it.
 */
public final class ListFileWatcher implements Supplier<List<ListEntry>>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ListFileWatcher.class);

    private final Supplier<Optional<Path>> path;
    private volatile List<ListEntry> current;
    private volatile List<ListFile.Error> lastErrors = List.of();
    private ScheduledExecutorService executor;
    /** Touched only by the polling thread (or a test calling {@link #poll()} on an unstarted watcher). */
    private String lastSeen;
    private String applied;
    private boolean settling;

    /**
     * Reads the file now.
     *
     * @param path the file named by the policy in force (resolved against the policy file's directory), or empty
     * @throws ListFile.Invalid if it cannot be read or has a bad line: a gateway refuses to start with it
     */
    public ListFileWatcher(Supplier<Optional<Path>> path) throws ListFile.Invalid {
        this.path = Objects.requireNonNull(path, "path");
        Optional<Path> file = path.get();
        // one read for both, so that an edit made meanwhile cannot count as applied
        Seen seen = look(file);
        if (seen.unreadable() != null) {
            throw seen.unreadable();
        }
        this.current = file.isPresent() ? ListFile.parse(seen.content(), ListFile.name(file.get())) : List.of();
        this.lastSeen = seen.fingerprint();
        this.applied = lastSeen;
        file.ifPresent(f -> log.info("List file {} loaded: {} entries", f, current.size()));
    }

    /** Starts polling every {@code interval}. */
    public synchronized ListFileWatcher start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mamori-list-file-watcher");
                t.setDaemon(true);
                return t;
            });
            long millis = Math.max(1, interval.toMillis());
            executor.scheduleWithFixedDelay(this::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** The entries in force. */
    @Override
    public List<ListEntry> get() {
        return current;
    }

    /** The errors of the latest rejected edit, or empty when the latest look at the file found it valid. */
    public List<ListFile.Error> lastErrors() {
        return lastErrors;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (Throwable e) {
            // Anything escaping, an Error included, would cancel the schedule and silently end hot reload; one
            // failed poll must not, and the next one tries again.
            log.error("List file watcher poll failed; will retry", e);
        }
    }

    /**
     * One poll: note a change, or apply it once it has stayed the same for a poll. An apply that throws leaves the
     * change pending, so the next poll tries it again.
     */
    void poll() {
        Optional<Path> file = path.get();
        Seen now = look(file);
        if (!now.fingerprint().equals(lastSeen)) {
            lastSeen = now.fingerprint();
            settling = true;
            return;
        }
        if (!settling) {
            return;
        }
        if (!now.fingerprint().equals(applied)) {
            // the content this poll read, not a new read: a write begun since must not be applied half-done
            apply(file, now);
        }
        settling = false;
    }

    /**
     * What one look at the file found: its bytes, or why it could not be read ({@code unreadable}), and a fingerprint
     * of that; both null when no file is configured.
     */
    private record Seen(String fingerprint, byte[] content, ListFile.Invalid unreadable) {
    }

    /** Puts what {@code now} found in force, or keeps the last good list when it is bad. */
    private void apply(Optional<Path> file, Seen now) {
        if (file.isEmpty()) {
            current = List.of();
            lastErrors = List.of();
            applied = now.fingerprint();
            log.info("List file no longer configured; its entries no longer apply");
            return;
        }
        try {
            if (now.unreadable() != null) {
                throw now.unreadable();
            }
            List<ListEntry> next = ListFile.parse(now.content(), ListFile.name(file.get()));
            int before = current.size();
            current = next;
            lastErrors = List.of();
            applied = now.fingerprint();
            if (next.isEmpty() && before > 0) {
                // an emptied file is a valid list, but more often a truncated save or a mistake: every block is gone
                log.warn("List file {} reloaded with no entries ({} before): its blocks and allows no longer apply / "
                        + "リストファイルが空になりました(変更前 {} 件)。拒否・許可の登録はすべて無効です", file.get(), before, before);
            } else {
                log.info("List file {} reloaded: {} entries", file.get(), next.size());
            }
        } catch (ListFile.Invalid e) {
            lastErrors = e.errors();
            applied = now.fingerprint();
            // The operator reads this line, so each error is in Japanese and English, as on the command line.
            log.warn("List file edit rejected; keeping the last good list ({} entries) / リストファイルの変更を"
                    + "受け付けませんでした。前の正しいリスト（{} 件）を使い続けます。{} error(s):\n{}",
                    current.size(), current.size(), e.errors().size(), e.getMessage());
        }
    }

    private static Seen look(Optional<Path> file) {
        if (file.isEmpty()) {
            return new Seen("none", null, null);
        }
        try {
            byte[] content = ListFile.bytes(file.get());
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            return new Seen(file.get().toAbsolutePath() + " " + HexFormat.of().formatHex(digest), content, null);
        } catch (ListFile.Invalid e) {
            return new Seen(file.get().toAbsolutePath() + " unreadable: " + e.getMessage(), null, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public synchronized void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("List file watcher did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
