package io.mamori.core.policy;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies edits of the policy file while the gateway runs, through {@link PolicyHolder#reload(PolicyHolder.Content)}; subscribe
 * to the holder to hear about applied policies.
 *
 * <p>It polls the file's content digest rather than using {@link java.nio.file.WatchService}: editors that
 * save by writing a new file and renaming it, bind mounts and network file systems, and Kubernetes ConfigMaps
 * (which swap a symlink two levels up) all change the content a path resolves to without the directory event
 * a WatchService reports, while reading a file of a few kilobytes once a second costs nothing. A change is
 * applied once two consecutive polls see the same new content, so a file caught half-written by a
 * non-atomic writer is not loaded; what is applied is the content the second poll read, not a third read that a
 * write begun meanwhile could cut short. Latency is therefore between one and two intervals.
 *
 * <p>Thread-safe; one daemon thread per watcher. {@link #close()} stops it and waits for a running poll to finish.
 */
public final class PolicyWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyWatcher.class);

    private final PolicyHolder holder;
    private final ScheduledExecutorService executor;
    /** Touched only by the polling thread (or by a test calling {@link #poll()} on an unstarted watcher). */
    private String lastSeen;
    private boolean settling;

    PolicyWatcher(PolicyHolder holder) {
        this.holder = Objects.requireNonNull(holder, "holder");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mamori-policy-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts polling {@code holder.file()} every {@code interval}. */
    public static PolicyWatcher start(PolicyHolder holder, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        PolicyWatcher watcher = new PolicyWatcher(holder);
        long millis = Math.max(1, interval.toMillis());
        watcher.executor.scheduleWithFixedDelay(watcher::pollSafely, 0, millis, TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (Throwable e) {
            // Anything escaping, an Error included, would cancel the schedule and silently end hot reload; one
            // failed poll must not, and the next one tries again.
            log.error("Policy watcher poll failed; will retry", e);
        }
    }

    /**
     * One poll: note a change, or reload once the changed content has stayed the same for a poll. A reload that
     * throws leaves the change pending, so the next poll tries it again.
     */
    void poll() {
        Seen now = look();
        if (!now.fingerprint().equals(lastSeen)) {
            lastSeen = now.fingerprint();
            settling = true;
            return;
        }
        if (settling) {
            // the content this poll read, not a new read: a write begun since must not be applied half-done
            holder.reload(now.content());
            settling = false;
        }
    }

    /** What one look at the file found: its content (or why it could not be read) and a fingerprint of that. */
    private record Seen(String fingerprint, PolicyHolder.Content content) {
    }

    private Seen look() {
        try {
            byte[] content = PolicyLoader.read(holder.file(), holder.file().toString());
            return new Seen(HexFormat.of().formatHex(PolicyHolder.sha256(content)), () -> content);
        } catch (PolicyException e) {
            return new Seen("unreadable: " + e.getMessage(), () -> {
                throw e;
            });
        }
    }

    @Override
    public void close() {
        // No interrupt: an interrupted read would be reported as an unreadable policy file.
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Policy watcher did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
