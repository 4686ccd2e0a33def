package io.mamori.gateway.lists;

import static io.mamori.gateway.store.Transactions.NOTHING_ALONGSIDE;
import static io.mamori.gateway.store.Transactions.inTransaction;

import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListPattern;
import io.mamori.core.lists.ListSource;
import io.mamori.core.lists.ListStore;
import io.mamori.core.lists.ListTarget;
import io.mamori.gateway.store.TransactionWork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allow and block entries in the database (table {@code list_entries}, migration V6): organisation-wide
 * ({@link ListSource#GLOBAL}) and per recipient ({@link ListSource#USER}). Managed by the CLI and the REST API;
 * read by the list analyzer for every inbound message through {@link #entriesFor}, which answers from an
 * in-memory snapshot of the whole table. The snapshot is replaced after every change made through this object
 * and at the latest {@code refresh} after the last load, so changes made by another node (or by the CLI
 * against a shared PostgreSQL) apply within that time. While one thread reloads, others keep using the previous
 * snapshot; if a reload fails the previous snapshot stays in use (logged), and only without any snapshot does
 * {@link #entriesFor} fail.
 *
 * <p>Thread-safe.
 */
public final class JdbcListStore implements ListStore {

    private static final Logger log = LoggerFactory.getLogger(JdbcListStore.class);
    private static final String UNIQUE_VIOLATION = "23505";
    static final int MAX_OWNER = 320;
    static final int MAX_COMMENT = 500;
    private static final String GLOBAL_OWNER = "";

    /**
     * One stored entry with its bookkeeping.
     *
     * @param id        database id (shown as {@code global#17} / {@code user:…#17} in evidence)
     * @param entry     the entry
     * @param comment   why it was added; may be empty
     * @param createdBy who added it ({@code cli:root}, a console user, {@code api-token})
     * @param createdAt when
     */
    public record StoredEntry(long id, ListEntry entry, String comment, String createdBy, Instant createdAt) {
    }

    /** The value is already on that list; {@code existing} is its id. */
    public static final class DuplicateEntry extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long existing;

        DuplicateEntry(long existing) {
            super("already on the list (#" + existing + ")");
            this.existing = existing;
        }

        /** The same in Japanese: {@code すでにリストにあります (#17)}. */
        public String messageJa() {
            return "すでにリストにあります (#" + existing + ")";
        }

        /** Japanese first, then English. */
        public String bilingual() {
            return messageJa() + " / " + getMessage();
        }

        public long existing() {
            return existing;
        }
    }

    private record Snapshot(long generation, Instant loadedAt, List<ListEntry> global, Map<String, List<ListEntry>> byOwner) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration refresh;
    private final AtomicBoolean reloading = new AtomicBoolean();
    /** Bumped by every change made here; a snapshot of an older generation is reloaded. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private final Object firstLoad = new Object();
    private volatile Snapshot snapshot;

    /** @param refresh how old the in-memory snapshot may get before {@link #entriesFor} reloads it */
    public JdbcListStore(DataSource dataSource, Clock clock, Duration refresh) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (refresh.isNegative()) {
            throw new IllegalArgumentException("refresh must not be negative: " + refresh);
        }
        this.refresh = refresh;
    }

    @Override
    public List<ListEntry> entriesFor(Collection<String> recipients) {
        Snapshot s = current();
        List<ListEntry> out = new ArrayList<>(s.global());
        for (String r : recipients) {
            List<ListEntry> own = s.byOwner().get(r.toLowerCase(Locale.ROOT));
            if (own != null) {
                out.addAll(own);
            }
        }
        return out;
    }

    /**
     * Adds an entry.
     *
     * @param owner     the recipient whose list it goes on, or {@code null} for the organisation-wide list
     * @param value     as typed: an address, a domain or (links) a URL
     * @param comment   why; may be null or empty
     * @param createdBy who adds it
     * @throws InvalidListEntry         with the reason (ja/en) for a bad value, owner or comment
     * @throws DuplicateEntry           if the same value is already on that list
     */
    public StoredEntry add(ListKind kind, ListTarget target, String owner, String value, String comment, String createdBy) {
        return add(kind, target, owner, value, comment, createdBy, stored -> NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #add(ListKind, ListTarget, String, String, String, String)}, with the work {@code alongside} gives for the
     * new entry run on the insert's transaction after it: both commit, or neither does (the audit entry of the person
     * who added it). A refused value or a duplicate is refused before, and runs nothing.
     */
    public StoredEntry add(ListKind kind, ListTarget target, String owner, String value, String comment, String createdBy,
            java.util.function.Function<StoredEntry, TransactionWork> alongside) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        if (kind == ListKind.ALLOW && target != ListTarget.SENDER) {
            throw InvalidListEntry.allowOnlyForSenders();
        }
        String own = owner(owner);
        ListPattern pattern = ListPattern.parse(target, value);
        String note = comment == null ? "" : comment.strip();
        if (note.length() > MAX_COMMENT || note.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidListEntry("comment must be at most " + MAX_COMMENT + " characters without control characters",
                    "コメントは制御文字を含まない " + MAX_COMMENT + " 文字以内にしてください");
        }
        String by = Objects.requireNonNull(createdBy, "createdBy");
        by = by.length() > MAX_OWNER ? by.substring(0, MAX_OWNER) : by;
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String addedBy = by;
        try (Connection c = dataSource.getConnection()) {
            StoredEntry stored = inTransaction(c, () -> {
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO list_entries (owner, list_kind, target,"
                        + " entry, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, own);
                    ps.setString(2, kind.name());
                    ps.setString(3, target.name());
                    ps.setString(4, pattern.text());
                    ps.setString(5, note);
                    ps.setString(6, addedBy);
                    ps.setObject(7, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                StoredEntry made = new StoredEntry(id, entry(id, own, kind, target, pattern), note, addedBy, now);
                alongside.apply(made).run(c, true);
                return made;
            });
            invalidate();
            return stored;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new DuplicateEntry(find(kind, target, owner, pattern.text()).map(StoredEntry::id).orElse(-1L));
            }
            throw failure("add a list entry", e);
        }
    }

    /** Removes an entry by id; {@code false} if there is none. */
    public boolean remove(long id) {
        return remove(id, NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #remove(long)}, with {@code alongside} run on the delete's transaction after it, whether an entry was
     * removed or not: both commit, or neither does.
     */
    public boolean remove(long id, TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            boolean removed = inTransaction(c, () -> {
                boolean gone;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM list_entries WHERE id = ?")) {
                    ps.setLong(1, id);
                    gone = ps.executeUpdate() == 1;
                }
                alongside.run(c, gone);
                return gone;
            });
            invalidate();
            return removed;
        } catch (SQLException e) {
            throw failure("remove list entry " + id, e);
        }
    }

    public Optional<StoredEntry> find(long id) {
        return query("WHERE id = ?", List.of(id)).stream().findFirst();
    }

    /** The entry with this value on that list, if any ({@code value} is normalised as {@link #add} would). */
    public Optional<StoredEntry> find(ListKind kind, ListTarget target, String owner, String value) {
        String text = ListPattern.parse(target, value).text();
        return query("WHERE owner = ? AND list_kind = ? AND target = ? AND entry = ?",
                List.of(owner(owner), kind.name(), target.name(), text)).stream().findFirst();
    }

    /** The organisation-wide entries ({@code owner == null}) or one recipient's, oldest first. */
    public List<StoredEntry> list(String owner) {
        return query("WHERE owner = ? ORDER BY id", List.of(owner(owner)));
    }

    private List<StoredEntry> query(String where, List<Object> args) {
        String sql = "SELECT id, owner, list_kind, target, entry, comment, created_by, created_at FROM list_entries " + where;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<StoredEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row(rs).ifPresent(out::add);
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read list entries", e);
        }
    }

    private static Optional<StoredEntry> row(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        String owner = rs.getString(2);
        ListKind kind = ListKind.valueOf(rs.getString(3));
        ListTarget target = ListTarget.valueOf(rs.getString(4));
        ListPattern pattern;
        try {
            pattern = ListPattern.parse(target, rs.getString(5));
        } catch (IllegalArgumentException e) {
            // A value accepted once but no longer (e.g. the Public Suffix List now lists it as a suffix).
            log.warn("List entry #{} is no longer valid and is ignored: {}", id, e.getMessage());
            return Optional.empty();
        }
        OffsetDateTime at = rs.getObject(8, OffsetDateTime.class);
        return Optional.of(new StoredEntry(id, entry(id, owner, kind, target, pattern), rs.getString(6), rs.getString(7),
                at.toInstant()));
    }

    private static ListEntry entry(long id, String owner, ListKind kind, ListTarget target, ListPattern pattern) {
        boolean global = owner.equals(GLOBAL_OWNER);
        return new ListEntry(kind, target, pattern, global ? ListSource.GLOBAL : ListSource.USER, global ? null : owner,
                Long.toString(id));
    }

    /** Lower-case owner address, or "" for the organisation-wide list. */
    static String owner(String owner) {
        if (owner == null) {
            return GLOBAL_OWNER;
        }
        String o = owner.strip().toLowerCase(Locale.ROOT);
        if (o.length() > MAX_OWNER || !o.matches("[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+")) {
            String shown = (o.length() > 80 ? o.substring(0, 80) + "…" : o).replaceAll("\\p{Cntrl}", "?");
            throw new InvalidListEntry("'" + shown + "' is not an e-mail address (user lists belong to one recipient address)",
                    "'" + shown + "' はメールアドレスではありません（ユーザーごとのリストは受信者のアドレスごとにあります）");
        }
        return o;
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null) {
            synchronized (firstLoad) {
                if (snapshot == null) {
                    snapshot = load();
                }
                return snapshot;
            }
        }
        boolean fresh = s.generation() == generation.get() && s.loadedAt().plus(refresh).isAfter(clock.instant());
        if (fresh || !reloading.compareAndSet(false, true)) {
            return s;
        }
        try {
            snapshot = load();
        } catch (UncheckedIOException e) {
            log.warn("Cannot reload the allow/block list entries; using those loaded at {}: {}", s.loadedAt(),
                    e.getCause().getMessage());
        } finally {
            reloading.set(false);
        }
        return snapshot;
    }

    private void invalidate() {
        generation.incrementAndGet();
    }

    private Snapshot load() {
        long gen = generation.get();
        List<ListEntry> global = new ArrayList<>();
        Map<String, List<ListEntry>> byOwner = new HashMap<>();
        for (StoredEntry e : query("ORDER BY id", List.of())) {
            if (e.entry().owner() == null) {
                global.add(e.entry());
            } else {
                byOwner.computeIfAbsent(e.entry().owner(), k -> new ArrayList<>()).add(e.entry());
            }
        }
        Map<String, List<ListEntry>> frozen = new HashMap<>();
        byOwner.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Snapshot(gen, clock.instant(), List.copyOf(global), Map.copyOf(frozen));
    }

    private static UncheckedIOException failure(String what, SQLException e) {
        return new UncheckedIOException(new IOException("cannot " + what + ": " + e.getMessage(), e));
    }
}
