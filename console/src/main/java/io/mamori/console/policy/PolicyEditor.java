package io.mamori.console.policy;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.policy.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Edits the policy file the gateway runs on: validates a text, shows its difference from the running version,
 * and saves it atomically (write a temporary file beside it, then rename) only when it is valid and nobody saved
 * in between. The running {@link io.mamori.core.policy.PolicyWatcher} then applies the file; every saved version
 * is kept in {@link PolicyVersions} and every save (or refusal) goes to the audit trail.
 *
 * <p>Thread-safe: saves are serialised within this process; the stale check compares the hash of the file on
 * disk with the hash the editor started from, so an edit made with any other tool in between is noticed too.
 */
public final class PolicyEditor {

    /** The outcome of {@link #save}. */
    public sealed interface SaveResult {
        /** Written; the watcher applies it within its reload interval. */
        record Saved(long versionId, String contentHash) implements SaveResult {
        }

        /** Not written: the text is invalid. */
        record Invalid(List<PolicyError> errors) implements SaveResult {
        }

        /** Not written: the file changed since the editor read it (hash {@code currentHash} now). */
        record Stale(String currentHash) implements SaveResult {
        }

        /** Not written: the text is the file's content already. */
        record Unchanged() implements SaveResult {
        }
    }

    /** Errors in edited text are labelled with this name. */
    public static final String EDITED_NAME = "policy.yaml";

    private final PolicyHolder holder;
    private final PolicyLoader loader;
    private final PolicyVersions versions;
    private final AuditTrail audit;
    private final Clock clock;

    public PolicyEditor(PolicyHolder holder, PolicyLoader loader, PolicyVersions versions, AuditTrail audit, Clock clock) {
        this.holder = Objects.requireNonNull(holder);
        this.loader = Objects.requireNonNull(loader);
        this.versions = Objects.requireNonNull(versions);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The file as it is on disk now (what the editor starts from). */
    public String fileText() throws IOException {
        return Files.readString(holder.file(), StandardCharsets.UTF_8);
    }

    /** The text of the policy in force. */
    public String runningText() {
        return holder.currentSource();
    }

    public PolicyVersions versions() {
        return versions;
    }

    /** Problems of {@code text} with line and column; empty when it is a valid policy. */
    public List<PolicyError> validate(String text) {
        try {
            loader.parse(normalise(text), EDITED_NAME);
            return List.of();
        } catch (PolicyException e) {
            return e.errors();
        }
    }

    /** A unified diff from {@code from} to {@code to} with three lines of context; empty when they are equal. */
    public static List<String> diff(String from, String to, String fromName, String toName) {
        List<String> a = normalise(from).lines().toList();
        List<String> b = normalise(to).lines().toList();
        return UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, a, DiffUtils.diff(a, b), 3);
    }

    /**
     * Saves {@code text} if it is valid and the file still has the hash {@code baseHash}; records the outcome
     * in the audit trail as {@code policy.save} with actor {@code author} (before/after: the content hashes).
     */
    public synchronized SaveResult save(String text, String baseHash, String author, String sourceIp) throws IOException {
        String content = normalise(text);
        List<PolicyError> errors = validate(content);
        String onDisk = hash(fileText());
        String next = hash(content);
        SaveResult result;
        if (!errors.isEmpty()) {
            result = new SaveResult.Invalid(errors);
        } else if (!onDisk.equals(baseHash)) {
            result = new SaveResult.Stale(onDisk);
        } else if (onDisk.equals(next)) {
            result = new SaveResult.Unchanged();
        } else {
            write(holder.file(), content);
            long id = versions.add(clock.instant(), author, next, onDisk, content);
            result = new SaveResult.Saved(id, next);
        }
        String after;
        if (result instanceof SaveResult.Saved s) {
            after = "sha256:" + next + " version " + s.versionId();
        } else if (result instanceof SaveResult.Invalid i) {
            after = "refused: " + i.errors().size() + " error(s): " + i.errors().get(0).render();
        } else if (result instanceof SaveResult.Stale) {
            after = "refused: stale edit (started from sha256:" + baseHash + ")";
        } else {
            after = "unchanged";
        }
        audit.record(new AuditEntry(clock.instant(), author, sourceIp, "policy.save", "policy", "sha256:" + onDisk, after,
                result instanceof SaveResult.Saved || result instanceof SaveResult.Unchanged));
        return result;
    }

    /** SHA-256 of the UTF-8 text, hex. */
    public static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Browsers send textarea lines with CR LF; the file keeps LF. */
    static String normalise(String text) {
        return text == null ? "" : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static void write(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".policy-", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
