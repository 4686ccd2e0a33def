package io.mamori.console.policy;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.Policy;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Edits the policy file the gateway runs on: validates a text, shows its difference from the running version,
 * and saves it atomically (write a temporary file beside it, then rename) only when it is valid, the list file it
 * names can be used, and nobody saved in between. The running {@link io.mamori.core.policy.PolicyWatcher} then applies the file; every saved version
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

        /**
         * Not written: the text is valid but names a list file ({@code lists.file}) that cannot be used, with which
         * the gateway would not start again.
         */
        record ListFileInvalid(List<ListFile.Error> errors) implements SaveResult {
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

    /** Most lines a text may have to be compared; 18 times the shipped example, and compared within a second or two. */
    static final int MAX_DIFF_LINES = 5_000;

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

    /** The policy file as it is on disk now: what the editor starts from, and what a save must start from. */
    public sealed interface OnDisk {

        /** The SHA-256 of the file's bytes (of the reason it cannot be read, when it cannot), hex. */
        String hash();

        /** The file holds UTF-8 text of a size a policy may have (valid or not). */
        record Text(String text, String hash) implements OnDisk {
        }

        /**
         * The gateway cannot read the file as a policy (too large, not UTF-8, missing or unreadable), for the reasons
         * {@code errors}; a valid save replaces it.
         */
        record Unusable(List<PolicyError> errors, String hash) implements OnDisk {
        }
    }

    /** Reads the policy file as the gateway does: at most a policy's size, strictly UTF-8. */
    public OnDisk onDisk() {
        String name = holder.file().toString();
        byte[] content;
        try {
            content = PolicyLoader.read(holder.file(), name);
        } catch (PolicyException e) {
            return new OnDisk.Unusable(e.errors(), hash(e.getMessage()));
        }
        String hash = sha256(content);
        try {
            return new OnDisk.Text(PolicyLoader.decodeUtf8(content, name), hash);
        } catch (PolicyException e) {
            return new OnDisk.Unusable(e.errors(), hash);
        }
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

    /**
     * What {@link #save} would refuse {@code text} for, without saving: its problems with line and column, or, for a valid
     * text, the problems of the list file it names ({@code lists.file}), which the gateway would not start again with.
     *
     * @return {@link SaveResult.Invalid}, {@link SaveResult.ListFileInvalid}, or {@code null} when it could be saved
     */
    public SaveResult check(String text) {
        Policy policy;
        try {
            policy = loader.parse(normalise(text), EDITED_NAME);
        } catch (PolicyException e) {
            return new SaveResult.Invalid(e.errors());
        }
        return listFileProblems(policy);
    }

    /** The problems of the list file {@code policy} names, or {@code null} when it can be used (or none is named). */
    private SaveResult.ListFileInvalid listFileProblems(Policy policy) {
        try {
            ListFile.readNamedBy(holder.file(), policy.lists().file());
            return null;
        } catch (ListFile.Invalid e) {
            return new SaveResult.ListFileInvalid(e.errors());
        }
    }

    /**
     * A unified diff from {@code from} to {@code to} with three lines of context; empty when they are equal.
     *
     * @throws PolicyException naming the text (as {@code fromName} or {@code toName}) that is larger than a policy
     *                         file may be or has more than {@value #MAX_DIFF_LINES} lines: the diff's time grows with
     *                         the square of the lines that differ, so such a text is refused before comparing
     */
    public static List<String> diff(String from, String to, String fromName, String toName) throws PolicyException {
        String a = normalise(from);
        String b = normalise(to);
        requireComparable(a, fromName);
        requireComparable(b, toName);
        List<String> aLines = a.lines().toList();
        List<String> bLines = b.lines().toList();
        return UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, aLines, DiffUtils.diff(aLines, bLines), 3);
    }

    private static void requireComparable(String text, String name) throws PolicyException {
        PolicyLoader.requireWithinSize(text, name);
        int lines = 1;
        for (int i = 0; i < text.length() && lines <= MAX_DIFF_LINES; i++) {
            if (text.charAt(i) == '\n' && i + 1 < text.length()) {
                lines++;
            }
        }
        if (lines > MAX_DIFF_LINES) {
            throw new PolicyException(List.of(new PolicyError(name, 1, 1, "", "more than " + MAX_DIFF_LINES
                    + " lines, too many to compare", MAX_DIFF_LINES + " 行を超えているため比較できません")));
        }
    }

    /**
     * Saves {@code text} if it is valid and the file still has the hash {@code baseHash}; records the outcome
     * in the audit trail as {@code policy.save} with actor {@code author} (before/after: the content hashes).
     *
     * <p>A save is never in force without its entry: the new text is written and synced to a temporary file beside
     * the policy first, the version and its entry are committed in one transaction, and only then does the file
     * replace the policy (an atomic rename, which the watcher then applies). A file that cannot be written, or an
     * entry that cannot be recorded ({@link io.mamori.console.audit.AuditLogException}), leaves the policy as it
     * was; a rename that fails after the commit is recorded as a second, failed entry.
     *
     * @throws IOException when the file cannot be written or replaced (recorded as a failed save)
     */
    public synchronized SaveResult save(String text, String baseHash, String author, String sourceIp) throws IOException {
        String content = normalise(text);
        OnDisk disk = onDisk();
        String onDisk = disk.hash();
        String next = hash(content);
        String before = disk instanceof OnDisk.Unusable unusable
                ? "unusable: " + unusable.errors().get(0).render() : "sha256:" + onDisk;
        Policy policy;
        try {
            policy = loader.parse(content, EDITED_NAME);
        } catch (PolicyException e) {
            List<PolicyError> errors = e.errors();
            return recorded(new SaveResult.Invalid(errors), author, sourceIp, before,
                    "refused: " + errors.size() + " error(s): " + errors.get(0).render(), false);
        }
        if (!onDisk.equals(baseHash)) {
            return recorded(new SaveResult.Stale(onDisk), author, sourceIp, before,
                    "refused: stale edit (started from sha256:" + baseHash + ")", false);
        } else if (onDisk.equals(next)) {
            return recorded(new SaveResult.Unchanged(), author, sourceIp, before, "unchanged", true);
        }
        // the check of policy validate: the gateway would not start again with a list file it cannot use
        SaveResult.ListFileInvalid listFile = listFileProblems(policy);
        if (listFile != null) {
            return recorded(listFile, author, sourceIp, before,
                    "refused: list file: " + listFile.errors().get(0).render(), false);
        }
        Path file = holder.file();
        Path prepared;
        try {
            prepared = prepare(file, content);
        } catch (IOException e) {
            recorded(null, author, sourceIp, before, "failed: cannot write a file beside the policy", false);
            throw e;
        }
        try {
            AtomicLong version = new AtomicLong();
            long id = audit.recordAlong(work -> versions.add(clock.instant(), author, next, onDisk, content, v -> {
                version.set(v);
                return work;
            }), done -> entry(author, sourceIp, before, "sha256:" + next + " version " + version.get(), true));
            try {
                Files.move(prepared, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                recorded(null, author, sourceIp, before, "failed: version " + id + " stored but the policy file not"
                        + " replaced (" + e.getClass().getSimpleName() + ")", false);
                throw e instanceof AtomicMoveNotSupportedException
                        ? new IOException("cannot replace " + file + " atomically", e) : e;
            }
            return new SaveResult.Saved(id, next);
        } finally {
            Files.deleteIfExists(prepared);
        }
    }

    private SaveResult recorded(SaveResult result, String author, String sourceIp, String before, String after,
            boolean success) {
        audit.record(entry(author, sourceIp, before, after, success));
        return result;
    }

    private AuditEntry entry(String author, String sourceIp, String before, String after, boolean success) {
        return new AuditEntry(clock.instant(), author, sourceIp, "policy.save", "policy", before, after, success);
    }

    /** SHA-256 of the UTF-8 text, hex. */
    public static String hash(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Browsers send textarea lines with CR LF; the file keeps LF. */
    static String normalise(String text) {
        return text == null ? "" : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** The content in a new file beside {@code file}, synced to disk; deleted again when it cannot be. */
    private static Path prepare(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".policy-", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
