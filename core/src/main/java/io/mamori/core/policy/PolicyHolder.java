package io.mamori.core.policy;

import io.mamori.core.analysis.Action;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, read from one file. Construction fails on an invalid file, so an application that
 * builds its holder at start-up refuses to start with a broken policy; afterwards {@link #reload()} applies a
 * valid edit and keeps the last good policy on an invalid one.
 *
 * <p>Thread-safe: {@link #current()} is a lock-free read usable on every message; reloads are serialised.
 * Listeners run on the reloading thread, in subscription order, after the new policy is visible; they must
 * be quick and must not block. A listener that throws is logged and does not stop the others.
 */
public final class PolicyHolder {

    private static final Logger log = LoggerFactory.getLogger(PolicyHolder.class);

    /** Handle returned by {@link #subscribe}; closing it removes the listener. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final PolicyLoader loader;
    private final Path file;
    private final String fileName;
    private final List<Consumer<Policy>> listeners = new CopyOnWriteArrayList<>();
    private volatile Policy current;
    private volatile ReloadResult lastReload;
    /** Digest of the bytes {@link #current} was read from; guarded by {@code this}. */
    private byte[] currentDigest;
    /** The text {@link #current} was parsed from (for the console's diff against the running version). */
    private volatile String currentSource;

    /** Reads the file now. @throws PolicyException if it cannot be read or is invalid */
    public PolicyHolder(PolicyLoader loader, Path file) throws PolicyException {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.file = Objects.requireNonNull(file, "file");
        this.fileName = file.toString();
        byte[] content = PolicyLoader.read(file, fileName);
        this.current = loader.parse(content, fileName);
        this.currentDigest = sha256(content);
        this.currentSource = new String(content, java.nio.charset.StandardCharsets.UTF_8);
        log.info("Policy loaded from {}: {}", fileName, summary(current));
    }

    public Policy current() {
        return current;
    }

    /** The text of the policy in force (the last valid version of the file), as read. */
    public String currentSource() {
        return currentSource;
    }

    public Path file() {
        return file;
    }

    /** The result of the latest {@link #reload()}, for status displays; empty before the first reload. */
    public Optional<ReloadResult> lastReload() {
        return Optional.ofNullable(lastReload);
    }

    /** Re-reads the file; see {@link ReloadResult} for the outcomes. Never throws for a bad file. */
    public ReloadResult reload() {
        return reload(() -> PolicyLoader.read(file, fileName));
    }

    /**
     * The file's content as a caller has read it (at most {@link PolicyLoader#MAX_BYTES}), or the error of reading it.
     */
    @FunctionalInterface
    interface Content {
        byte[] bytes() throws PolicyException;
    }

    /**
     * As {@link #reload()}, with the content the caller read instead of a new read: {@link PolicyWatcher} passes the
     * content it saw settle, so that a write begun since is never applied half-done.
     */
    synchronized ReloadResult reload(Content content) {
        ReloadResult result = readAgain(content);
        lastReload = result;
        if (result instanceof ReloadResult.Applied applied) {
            for (Consumer<Policy> listener : listeners) {
                try {
                    listener.accept(applied.policy());
                } catch (RuntimeException e) {
                    log.warn("Policy listener {} failed", listener, e);
                }
            }
        }
        return result;
    }

    private ReloadResult readAgain(Content source) {
        Policy previous = current;
        byte[] content;
        Policy next;
        try {
            content = source.bytes();
            if (Arrays.equals(sha256(content), currentDigest)) {
                return new ReloadResult.Unchanged(previous);
            }
            next = loader.parse(content, fileName);
        } catch (PolicyException e) {
            log.warn("ポリシーの変更を拒否し、直前の有効なポリシーを使い続けます（エラー {} 件） / "
                    + "Policy edit rejected; keeping the last good policy. {} error(s):\n{}",
                    e.errors().size(), e.errors().size(), e.getMessage());
            return new ReloadResult.Rejected(previous, e.errors());
        }
        current = next;
        currentDigest = sha256(content);
        currentSource = new String(content, java.nio.charset.StandardCharsets.UTF_8);
        log.info("Policy reloaded from {}: {}", fileName, summary(next));
        return new ReloadResult.Applied(previous, next);
    }

    /** Subscribes to applied policies (not to the initial one, nor to rejected edits). */
    public Subscription subscribe(Consumer<Policy> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String summary(Policy p) {
        return "internal domains " + p.organisation().internalDomains()
                + "; inbound " + thresholds(p.inbound()) + "; outbound " + thresholds(p.outbound());
    }

    private static String thresholds(Policy.Rules rules) {
        String byScore = Arrays.stream(Action.values()).filter(rules.thresholds()::containsKey)
                .map(a -> a.name() + "≥" + rules.thresholds().get(a)).collect(Collectors.joining(" "));
        return (byScore.isEmpty() ? "no thresholds" : byScore) + ", " + rules.forced().size() + " forced"
                + (rules.weights().isEmpty() ? "" : ", " + rules.weights().size() + " weights changed");
    }
}
