package io.mamori.gateway.store;

import static io.mamori.gateway.store.Transactions.NOTHING_ALONGSIDE;
import static io.mamori.gateway.store.Transactions.inTransaction;

import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.mamori.core.store.Traffic;
import io.mamori.gateway.crypto.ContentKey;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.crypto.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageStore} on a JDBC database (H2 or PostgreSQL, schema from {@link Databases}) with content
 * encrypted in files.
 *
 * <p><b>Content.</b> Each message has its own {@link ContentKey}. A message of at most
 * {@link Settings#inlineLimit()} bytes is encrypted in memory and its ciphertext inserted into
 * {@code message_content} in the same transaction as its row (no file at all). A larger one is written as
 * ciphertext to {@code spoolDir/<id>}; {@link #commit} fsyncs that file and renames it to
 * {@code messageDir/<id>}. Either way the group committer then fsyncs the message directory once per batch
 * and inserts the rows of the batch in one transaction (on H2 followed by {@code CHECKPOINT SYNC}, since H2
 * writes but does not fsync on commit). The content key is stored in the row wrapped by the {@link MasterKeys}.
 *
 * <p><b>Recovery.</b> At construction the store takes an exclusive lock on {@code spoolDir/.lock} and, if it
 * gets it, deletes every spool file (never committed) and every file in the message directory without a
 * live row (renamed but not committed before a crash, or deleted messages whose file removal failed).
 * A second store on the same directories (e.g. a CLI command next to the running gateway) skips this.
 *
 * <p><b>Durability.</b> Rows written by {@link #commit} survive a process kill and a power loss. Later state
 * changes (claims, attempts, transitions) are durable on PostgreSQL; on H2, which writes commits up to half a
 * second later, a crash (a process kill too) may undo the last ones, which at worst repeats a delivery
 * (at-least-once). A move to DELETED is the exception: it is made durable ({@code CHECKPOINT SYNC}) before the
 * content file is deleted, so no crash brings back a row with its key but without its file.
 *
 * <p><b>Errors.</b> Database failures in methods without {@code throws IOException} surface as
 * {@link UncheckedIOException}. {@link #recordAttempt} on an unknown id throws {@link NoSuchElementException};
 * {@link #openContent} on an unknown or deleted message throws {@link NoSuchFileException}.
 *
 * <p>Thread-safe. Close it to stop the committer (the data source is the caller's to close).
 */
public final class JdbcMessageStore implements MessageStore, AutoCloseable {

    /**
     * Where content lives and how commits are grouped.
     *
     * @param spoolDir    messages being received (must be on the same file system as {@code messageDir})
     * @param messageDir  committed messages
     * @param maxBatch    most commits in one transaction
     * @param batchWindow how long the committer lingers for more commits after the first; zero means it
     *                    takes only what is already waiting
     * @param inlineLimit messages up to this many bytes are kept in memory while received and stored in the
     *                    database; larger ones go to files (0: always files)
     */
    public record Settings(Path spoolDir, Path messageDir, int maxBatch, Duration batchWindow, int inlineLimit) {

        /** Most bytes of content kept in the database instead of a file, by default. */
        public static final int DEFAULT_INLINE_LIMIT = 128 * 1024;

        public Settings(Path spoolDir, Path messageDir, int maxBatch, Duration batchWindow) {
            this(spoolDir, messageDir, maxBatch, batchWindow, DEFAULT_INLINE_LIMIT);
        }

        public Settings {
            if (inlineLimit < 0 || inlineLimit > 512 * 1024) {
                throw new IllegalArgumentException("inlineLimit must be between 0 and 512 KiB: " + inlineLimit);
            }
            Objects.requireNonNull(spoolDir, "spoolDir");
            Objects.requireNonNull(messageDir, "messageDir");
            Objects.requireNonNull(batchWindow, "batchWindow");
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
            }
            if (batchWindow.isNegative() || batchWindow.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("batchWindow must be between 0 and 1 s: " + batchWindow);
            }
        }

        /** {@code <dataDir>/spool} and {@code <dataDir>/messages}, batches of up to 128, no lingering. */
        public static Settings under(Path dataDir) {
            return new Settings(dataDir.resolve("spool"), dataDir.resolve("messages"), 128, Duration.ZERO);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);
    private static final int SUBJECT_LIMIT = 2000;
    private static final int REPLY_LIMIT = 2000;
    private static final int PAGE = 200;
    private static final String LOCK_FILE = ".lock";
    private static final Duration SPOOL_LOCK_WAIT = Duration.ofSeconds(30);
    private static final String MESSAGE_COLUMNS = "id, direction, mail_from, client_address, subject, state, action, score,"
            + " finding_codes, size, received_at, attempts, next_attempt_at, last_error, queued_at";

    private final DataSource dataSource;
    private final SqlVendor vendor;
    private final MasterKeys keys;
    private final Path spoolDir;
    private final Path messageDir;
    private final int inlineLimit;
    private final Clock clock;
    private final QueueIds ids;
    private final GroupCommitter<NewRow> committer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The spool directories stores of this JVM use, each with the one channel on its lock file and how many stores use
     * it: an OS lock cannot tell two of our own stores apart, and on Linux closing any descriptor of a file drops the
     * whole process's locks on it. Guarded by itself.
     */
    private static final Map<Path, SpoolUse> SPOOLS_IN_USE = new HashMap<>();

    /** This JVM's hold on one spool directory: a shared lock while any of its stores is open. */
    private static final class SpoolUse {
        final FileChannel channel;
        FileLock lock;
        int stores;

        SpoolUse(FileChannel channel) {
            this.channel = channel;
        }
    }

    /** One message ready for insertion. */
    /** One message ready for insertion; {@code inlineContent} is its ciphertext, or null when it is in a file. */
    private record NewRow(String id, NewMessage message, String subject, String headerPrefix, long size,
                          WrappedKey key, Instant committedAt, byte[] inlineContent) {
    }

    public JdbcMessageStore(DataSource dataSource, MasterKeys keys, Settings settings, Clock clock) throws IOException {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.spoolDir = settings.spoolDir().toAbsolutePath().normalize();
        this.messageDir = settings.messageDir().toAbsolutePath().normalize();
        this.inlineLimit = settings.inlineLimit();
        createPrivateDirectory(spoolDir);
        createPrivateDirectory(messageDir);
        if (!Files.getFileStore(spoolDir).equals(Files.getFileStore(messageDir))) {
            throw new IllegalArgumentException("spool and message directories must be on one file system (atomic rename): "
                    + spoolDir + ", " + messageDir);
        }
        try (Connection connection = dataSource.getConnection()) {
            this.vendor = SqlVendor.of(connection);
        } catch (SQLException e) {
            throw new IOException("cannot reach the message database: " + e.getMessage(), e);
        }
        this.ids = new QueueIds(clock, new SecureRandom());
        useSpool(spoolDir, () -> {
            recoverOrphans();
            if (vendor == SqlVendor.H2) {
                releaseDeadLeases();
            }
        });
        this.committer = new GroupCommitter<>("mamori-group-commit", settings.maxBatch(), settings.batchWindow(), this::writeBatch);
    }

    @Override
    public Spool openSpool() throws IOException {
        String id = ids.next();
        return new EncryptedSpool(this, id, ContentKey.generate(), spoolDir.resolve(id), inlineLimit);
    }

    @Override
    public StoredMessage commit(Spool spool, NewMessage message, String headerPrefix) throws IOException {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(headerPrefix, "headerPrefix");
        if (!(spool instanceof EncryptedSpool own) || !own.ownedBy(this)) {
            throw new IllegalArgumentException("spool was not opened by this store");
        }
        validate(message, headerPrefix);
        own.finishAndForce();
        own.moveTo(messageDir.resolve(own.id()));
        Instant now = micros(clock.instant());
        byte[] prefix = headerPrefix.getBytes(StandardCharsets.UTF_8);
        NewRow row = new NewRow(own.id(), message, clip(message.subject() == null ? "" : message.subject(), SUBJECT_LIMIT),
                headerPrefix, prefix.length + own.size(), keys.wrap(own.key(), own.id()), now,
                own.inline() ? own.inlineCiphertext() : null);
        try {
            committer.commit(row);
        } catch (IOException e) {
            own.abandon(rowSurelyAbsent(own.id()));
            throw e;
        }
        own.markCommitted();
        return stored(row);
    }

    @Override
    public InputStream openContent(String id) throws IOException {
        return open(id, true);
    }

    @Override
    public InputStream openOriginal(String id) throws IOException {
        return open(id, false);
    }

    @Override
    public Optional<Envelope> envelope(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement row = c.prepareStatement("SELECT direction, mail_from, client_address, helo, auth_user, tls,"
                     + " received_at FROM messages WHERE id = ?");
             PreparedStatement rcpts = c.prepareStatement("SELECT address FROM recipients WHERE message_id = ?"
                     + " ORDER BY ordinal")) {
            row.setString(1, id);
            rcpts.setString(1, id);
            List<String> recipients = new ArrayList<>();
            try (ResultSet rs = rcpts.executeQuery()) {
                while (rs.next()) {
                    recipients.add(rs.getString(1));
                }
            }
            try (ResultSet rs = row.executeQuery()) {
                return rs.next() ? Optional.of(new Envelope(Direction.valueOf(rs.getString(1)), rs.getString(2), recipients,
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getBoolean(6), instant(rs, 7)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the envelope of message " + id, e);
        }
    }

    @Override
    public boolean revise(String id, MessageState state, Verdict verdict) {
        return revise(id, state, verdict, NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #revise(String, MessageState, Verdict)}, with {@code alongside} run on the same database transaction,
     * whether the verdict was revised or not: both commit, or neither does (see {@link #transition(String,
     * MessageState, TransactionWork)}).
     */
    public boolean revise(String id, MessageState state, Verdict verdict, TransactionWork alongside) {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(alongside, "alongside");
        try (Connection c = dataSource.getConnection()) {
            return inTransaction(c, () -> {
                boolean revised;
                try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET action = ?, score = ?,"
                        + " finding_codes = ?, version = version + 1, updated_at = ? WHERE id = ? AND state = ?")) {
                    ps.setString(1, verdict.action().name());
                    ps.setDouble(2, verdict.score());
                    ps.setString(3, String.join(",", verdict.codes()));
                    setInstant(ps, 4, micros(clock.instant()));
                    ps.setString(5, id);
                    ps.setString(6, state.name());
                    revised = ps.executeUpdate() == 1;
                }
                alongside.run(c, revised);
                return revised;
            });
        } catch (SQLException e) {
            throw failure("revise the verdict of message " + id, e);
        }
    }

    private InputStream open(String id, boolean withPrefix) throws IOException {
        String prefix;
        byte[] wrapped;
        String blob;
        byte[] inline;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT m.header_prefix, m.wrapped_key, m.blob_name, c.content"
                     + " FROM messages m LEFT JOIN message_content c ON c.message_id = m.id WHERE m.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NoSuchFileException("message " + id + " does not exist");
                }
                prefix = rs.getString(1);
                wrapped = rs.getBytes(2);
                blob = rs.getString(3);
                inline = rs.getBytes(4);
            }
        } catch (SQLException e) {
            throw new IOException("cannot read message " + id + ": " + e.getMessage(), e);
        }
        if (wrapped == null) {
            throw new NoSuchFileException("content of message " + id + " was deleted");
        }
        InputStream raw;
        if (blob == null) {
            if (inline == null) {
                throw new IOException("message " + id + " has neither a content file nor stored content");
            }
            raw = new ByteArrayInputStream(inline);
        } else if (!QueueIds.isWellFormed(blob)) {
            throw new IOException("message " + id + " names an invalid content file");
        } else {
            raw = new java.io.BufferedInputStream(Files.newInputStream(messageDir.resolve(blob)), EncryptedSpool.IO_BUFFER);
        }
        ContentKey key = keys.unwrap(wrapped, id);
        InputStream content;
        try {
            content = key.decrypt(raw, id);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
        return withPrefix ? new SequenceInputStream(new ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8)), content)
                : content;
    }

    @Override
    public Optional<StoredMessage> find(String id) {
        try (Connection c = dataSource.getConnection()) {
            List<StoredMessage> found = load(c, List.of(id));
            return found.stream().findFirst();
        } catch (SQLException e) {
            throw failure("find message " + id, e);
        }
    }

    @Override
    public List<StoredMessage> list(MessageState state, int limit) {
        requirePositive(limit);
        String sql = "SELECT id FROM messages" + (state == null ? "" : " WHERE state = ?")
                + " ORDER BY received_at DESC, id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (state != null) {
                ps.setString(i++, state.name());
            }
            ps.setInt(i, limit);
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return load(c, found);
        } catch (SQLException e) {
            throw failure("list messages", e);
        }
    }

    @Override
    public Map<MessageState, Long> countByState() {
        Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);
        for (MessageState s : MessageState.values()) {
            counts.put(s, 0L);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM messages GROUP BY state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(MessageState.valueOf(rs.getString(1)), rs.getLong(2));
            }
            return Collections.unmodifiableMap(counts);
        } catch (SQLException e) {
            throw failure("count messages", e);
        }
    }

    @Override
    public Map<MessageState, Long> countByState(Set<String> parties) {
        if (parties == null) {
            return countByState();
        }
        Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);
        for (MessageState s : MessageState.values()) {
            counts.put(s, 0L);
        }
        Where where = new Where();
        where.parties(lowerParties(parties));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT m.state, COUNT(*) FROM messages m" + where.sql()
                     + " GROUP BY m.state")) {
            where.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(MessageState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return Collections.unmodifiableMap(counts);
        } catch (SQLException e) {
            throw failure("count messages", e);
        }
    }

    @Override
    public List<StoredMessage> search(MessageQuery query) {
        Objects.requireNonNull(query, "query");
        Where where = new Where();
        if (query.id() != null) {
            where.add("m.id = ?", query.id());
        }
        if (query.sender() != null) {
            where.add("LOWER(m.mail_from) LIKE ? ESCAPE '!'", contains(query.sender()));
        }
        if (query.recipient() != null) {
            where.add("EXISTS (SELECT 1 FROM recipients rr WHERE rr.message_id = m.id AND LOWER(rr.address) LIKE ? ESCAPE '!')",
                    contains(query.recipient()));
        }
        if (query.subject() != null) {
            where.add("LOWER(m.subject) LIKE ? ESCAPE '!'", contains(query.subject()));
        }
        if (query.action() != null) {
            where.add("m.action = ?", query.action());
        }
        if (query.state() != null) {
            where.add("m.state = ?", query.state().name());
        }
        if (query.direction() != null) {
            where.add("m.direction = ?", query.direction().name());
        }
        if (query.from() != null) {
            where.add("m.received_at >= ?", OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
        }
        if (query.to() != null) {
            where.add("m.received_at < ?", OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
        }
        if (query.parties() != null) {
            where.parties(query.parties());
        }
        if (query.finding() != null) {
            // the codes are stored comma-separated; a code is [A-Z0-9_], and '_' is LIKE's one-character wildcard
            where.add("(',' || m.finding_codes || ',') LIKE ? ESCAPE '!'", "%," + query.finding().replace("_", "!_") + ",%");
        }
        String sql = "SELECT m.id FROM messages m" + where.sql() + " ORDER BY m.received_at DESC, m.id DESC LIMIT ? OFFSET ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = where.bind(ps, 1);
            ps.setInt(i++, query.limit());
            ps.setInt(i, query.offset());
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return load(c, found);
        } catch (SQLException e) {
            throw failure("search messages", e);
        }
    }

    @Override
    public Traffic traffic(Instant from, Instant to, Set<String> parties) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Where where = new Where();
        where.add("m.received_at >= ?", OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        where.add("m.received_at < ?", OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        if (parties != null) {
            where.parties(lowerParties(parties));
        }
        List<Traffic.Count> counts = new ArrayList<>();
        Map<String, Long> findings = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT m.direction, m.action, m.tls, COUNT(*) FROM messages m"
                    + where.sql() + " GROUP BY m.direction, m.action, m.tls")) {
                where.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.add(new Traffic.Count(Direction.valueOf(rs.getString(1)), rs.getString(2), rs.getBoolean(3),
                                rs.getLong(4)));
                    }
                }
            }
            // Grouped by the stored code list: there are far fewer distinct lists than messages.
            try (PreparedStatement ps = c.prepareStatement("SELECT m.finding_codes, COUNT(*) FROM messages m"
                    + where.sql() + " AND m.finding_codes <> '' GROUP BY m.finding_codes")) {
                where.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long n = rs.getLong(2);
                        for (String code : new java.util.LinkedHashSet<>(List.of(rs.getString(1).split(",")))) {
                            if (!code.isBlank()) {
                                findings.merge(code.strip(), n, Long::sum);
                            }
                        }
                    }
                }
            }
            return new Traffic(counts, findings);
        } catch (SQLException e) {
            throw failure("count traffic", e);
        }
    }

    /** A WHERE clause built from optional criteria, with its parameters in order. */
    private static final class Where {
        private final List<String> terms = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();

        void add(String term, Object... parameters) {
            terms.add(term);
            values.addAll(List.of(parameters));
        }

        /** Owned by one of {@code parties} (lower case): a recipient, or the sender of outbound mail. */
        void parties(Set<String> parties) {
            if (parties.isEmpty()) {
                terms.add("1 = 0");
                return;
            }
            // one array parameter each, not a placeholder per address: an approver's departments may hold more people than
            // a statement may have parameters (PostgreSQL: 32,767)
            terms.add("(EXISTS (SELECT 1 FROM recipients rp WHERE rp.message_id = m.id AND LOWER(rp.address) = ANY(?))"
                    + " OR (m.direction = 'OUTBOUND' AND LOWER(m.mail_from) = ANY(?)))");
            String[] addresses = parties.toArray(String[]::new);
            values.add(new AddressArray(addresses));
            values.add(new AddressArray(addresses));
        }

        /** A list of addresses bound as one SQL array. */
        private record AddressArray(String[] addresses) {
        }

        String sql() {
            return terms.isEmpty() ? " WHERE 1 = 1" : " WHERE " + String.join(" AND ", terms);
        }

        int bind(PreparedStatement ps, int first) throws SQLException {
            int i = first;
            for (Object v : values) {
                if (v instanceof AddressArray a) {
                    ps.setArray(i++, ps.getConnection().createArrayOf("VARCHAR", a.addresses()));
                } else {
                    ps.setObject(i++, v);
                }
            }
            return i;
        }
    }

    private static Set<String> lowerParties(Set<String> parties) {
        return new MessageQuery(null, null, null, null, null, null, null, null, null, parties, 0, 1).parties();
    }

    /** A LIKE pattern for "contains", lower case, with the pattern characters escaped. */
    private static String contains(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return "%" + lower.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    @Override
    public List<StoredMessage> claimDue(Instant now, int limit, Duration lease) {
        Objects.requireNonNull(now, "now");
        requirePositive(limit);
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive: " + lease);
        }
        Instant at = micros(now);
        Instant until = micros(now.plus(lease));
        try (Connection c = dataSource.getConnection()) {
            List<String> claimed = vendor == SqlVendor.POSTGRESQL
                    ? claimSkippingLocked(c, at, until, limit)
                    : claimByGuardedUpdate(c, at, until, limit);
            List<StoredMessage> messages = new ArrayList<>(load(c, claimed));
            messages.sort((a, b) -> a.nextAttemptAt().compareTo(b.nextAttemptAt()));
            return messages;
        } catch (SQLException e) {
            throw failure("claim due messages", e);
        }
    }

    /** PostgreSQL: one statement; rows another node is claiming right now are skipped, not waited for. */
    private List<String> claimSkippingLocked(Connection c, Instant now, Instant until, int limit) throws SQLException {
        String sql = "UPDATE messages SET lease_until = ?, version = version + 1, updated_at = ? WHERE id IN ("
                + " SELECT id FROM messages WHERE state = 'QUEUED' AND next_attempt_at <= ?"
                + " AND (lease_until IS NULL OR lease_until <= ?)"
                + " ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            setInstant(ps, 1, until);
            setInstant(ps, 2, now);
            setInstant(ps, 3, now);
            setInstant(ps, 4, now);
            ps.setInt(5, limit);
            List<String> claimed = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(rs.getString(1));
                }
            }
            return claimed;
        }
    }

    /**
     * H2: read candidates, then claim each with an UPDATE that repeats the due-and-unleased condition.
     * A concurrent claimer's UPDATE waits for the row lock and re-checks the condition on the committed
     * row, so exactly one of them sees a row count of 1. Twice the limit is read so that losing some
     * races still fills the claim.
     */
    private List<String> claimByGuardedUpdate(Connection c, Instant now, Instant until, int limit) throws SQLException {
        List<String> candidates = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM messages WHERE state = 'QUEUED' AND next_attempt_at <= ?"
                + " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?")) {
            setInstant(ps, 1, now);
            setInstant(ps, 2, now);
            ps.setInt(3, (int) Math.min(Integer.MAX_VALUE, 2L * limit));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getString(1));
                }
            }
        }
        List<String> claimed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET lease_until = ?, version = version + 1, updated_at = ?"
                + " WHERE id = ? AND state = 'QUEUED' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)")) {
            for (String id : candidates) {
                if (claimed.size() == limit) {
                    break;
                }
                setInstant(ps, 1, until);
                setInstant(ps, 2, now);
                ps.setString(3, id);
                setInstant(ps, 4, now);
                setInstant(ps, 5, now);
                if (ps.executeUpdate() == 1) {
                    claimed.add(id);
                }
            }
        }
        return claimed;
    }

    @Override
    public boolean renewLease(String id, Instant leaseUntil, Instant now, Duration lease) {
        Objects.requireNonNull(id, "id");
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive: " + lease);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE messages SET lease_until = ?, version = version + 1, updated_at = ?"
                     + " WHERE id = ? AND state = 'QUEUED' AND lease_until = ?")) {
            setInstant(ps, 1, micros(now.plus(lease)));
            setInstant(ps, 2, micros(now));
            ps.setString(3, id);
            setInstant(ps, 4, micros(leaseUntil));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("renew the delivery lease of message " + id, e);
        }
    }

    @Override
    public void releaseLease(String id, Instant leaseUntil) {
        Objects.requireNonNull(id, "id");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE messages SET lease_until = NULL, version = version + 1, updated_at = ?"
                     + " WHERE id = ? AND lease_until = ?")) {
            setInstant(ps, 1, micros(clock.instant()));
            ps.setString(2, id);
            setInstant(ps, 3, micros(leaseUntil));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("release the delivery lease of message " + id, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The message row is locked first, so the lease cannot change hands between its check and the recording. If the
     * message is no longer QUEUED (an operator deleted it during the attempt), the recipient statuses, attempt count and
     * error are still recorded but the state stays. A {@code null} {@code nextAttemptAt} with recipients still pending
     * means "due at once".
     *
     * @throws NoSuchElementException   if no message has this id
     * @throws IllegalArgumentException if the lease is held and an outcome names an address that is not a recipient
     */
    @Override
    public Optional<StoredMessage> recordAttempt(String id, Instant leaseUntil, List<StoredRecipient> outcomes,
                                                 Instant nextAttemptAt, String error) {
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(outcomes, "outcomes");
        Instant now = micros(clock.instant());
        try (Connection c = dataSource.getConnection()) {
            return inTransaction(c, () -> {
                Instant held;
                try (PreparedStatement ps = c.prepareStatement("SELECT lease_until FROM messages WHERE id = ? FOR UPDATE")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NoSuchElementException("message " + id + " does not exist");
                        }
                        held = instant(rs, 1);
                    }
                }
                if (micros(leaseUntil).equals(held)) {
                    return Optional.of(recordAttempt(c, id, outcomes, nextAttemptAt, error, now));
                }
                recordSettled(c, id, outcomes);
                return Optional.<StoredMessage>empty();
            });
        } catch (SQLException e) {
            throw failure("record a delivery attempt for message " + id, e);
        }
    }

    /** The DELIVERED and FAILED outcomes of recipients still PENDING; nothing else of the message changes. */
    private static void recordSettled(Connection c, String id, List<StoredRecipient> outcomes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE recipients SET status = ?, last_reply = ?"
                + " WHERE message_id = ? AND address = ? AND status = 'PENDING'")) {
            for (StoredRecipient outcome : outcomes) {
                if (outcome.status() == RecipientStatus.PENDING) {
                    continue;
                }
                ps.setString(1, outcome.status().name());
                ps.setString(2, outcome.lastReply() == null ? null : clip(outcome.lastReply(), REPLY_LIMIT));
                ps.setString(3, id);
                ps.setString(4, outcome.address());
                ps.executeUpdate();
            }
        }
    }

    private StoredMessage recordAttempt(Connection c, String id, List<StoredRecipient> outcomes, Instant nextAttemptAt,
            String error, Instant now) throws SQLException {
        // Four statements: the message row locked and read, its recipients, the outcomes, the message
        // row; the result is built from what was read and written instead of being read back.
        StoredMessage before = loadForUpdate(c, id);
        MessageState state = before.state();
        // The outcomes by address (the UPDATE sets every row of an address), applied to the recipients as read.
        Map<String, StoredRecipient> updated = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE recipients SET status = ?, last_reply = ? WHERE message_id = ? AND address = ?")) {
            for (StoredRecipient outcome : outcomes) {
                String reply = outcome.lastReply() == null ? null : clip(outcome.lastReply(), REPLY_LIMIT);
                ps.setString(1, outcome.status().name());
                ps.setString(2, reply);
                ps.setString(3, id);
                ps.setString(4, outcome.address());
                if (ps.executeUpdate() == 0) {
                    throw new IllegalArgumentException("message " + id + " has no recipient " + outcome.address());
                }
                updated.put(outcome.address(), new StoredRecipient(outcome.address(), outcome.status(), reply));
            }
        }
        List<StoredRecipient> recipients = before.recipients().stream()
                .map(r -> updated.getOrDefault(r.address(), r)).toList();
        boolean pending = false;
        boolean failed = false;
        for (StoredRecipient r : recipients) {
            pending |= r.status() == RecipientStatus.PENDING;
            failed |= r.status() == RecipientStatus.FAILED;
        }
        MessageState next = state;
        Instant due = null;
        if (state == MessageState.QUEUED) {
            if (pending) {
                due = nextAttemptAt == null ? now : micros(nextAttemptAt);
            } else {
                next = failed ? MessageState.BOUNCED : MessageState.DELIVERED;
            }
        }
        String lastError = error == null ? null : clip(error, REPLY_LIMIT);
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET attempts = attempts + 1, last_error = ?,"
                + " lease_until = NULL, state = ?, next_attempt_at = ?, version = version + 1, updated_at = ? WHERE id = ?")) {
            ps.setString(1, lastError);
            ps.setString(2, next.name());
            setInstant(ps, 3, due);
            setInstant(ps, 4, now);
            ps.setString(5, id);
            ps.executeUpdate();
        }
        return new StoredMessage(id, before.direction(), before.mailFrom(), recipients,
                before.clientAddress(), before.subject(), next, before.action(), before.score(), before.findingCodes(),
                before.size(), before.receivedAt(), before.attempts() + 1, due, lastError, before.queuedAt());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Moving to DELETED also drops the wrapped content key and deletes the content file; the row stays
     * for tracking. Moving to QUEUED releases any lease.
     */
    @Override
    public boolean transition(String id, MessageState to) {
        return transition(id, to, NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #transition(String, MessageState)}, with {@code alongside} run on the same database transaction after
     * the state change, whether the message moved or not: both commit, or neither does. A failure of
     * {@code alongside} is thrown, and the message is then where it was. {@code alongside} runs on this store's
     * connection, so what it writes must be in this store's database (the audit trail checks that it is).
     */
    public boolean transition(String id, MessageState to, TransactionWork alongside) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(alongside, "alongside");
        List<MessageState> from = new ArrayList<>();
        for (MessageState s : MessageState.values()) {
            if (s.canMoveTo(to)) {
                from.add(s);
            }
        }
        return transition(id, from, to, alongside);
    }

    @Override
    public boolean transition(String id, MessageState from, MessageState to) {
        return transition(id, from, to, NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #transition(String, MessageState, MessageState)}, with {@code alongside} run on the same database
     * transaction, whether the message moved or not (see {@link #transition(String, MessageState, TransactionWork)}).
     */
    public boolean transition(String id, MessageState from, MessageState to, TransactionWork alongside) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(alongside, "alongside");
        return transition(id, from.canMoveTo(to) ? List.of(from) : List.of(), to, alongside);
    }

    private boolean transition(String id, List<MessageState> from, MessageState to, TransactionWork alongside) {
        if (from.isEmpty() && alongside == NOTHING_ALONGSIDE) {
            return false;
        }
        if (from.isEmpty()) {
            try (Connection c = dataSource.getConnection()) {
                inTransaction(c, () -> {
                    alongside.run(c, false);
                    return null;
                });
            } catch (SQLException e) {
                throw failure("record the refused move of message " + id + " to " + to, e);
            }
            return false;
        }
        Instant now = micros(clock.instant());
        StringJoiner states = new StringJoiner(", ", "(", ")");
        from.forEach(s -> states.add("'" + s.name() + "'"));
        // a message entering the queue starts its delivery lifetime now (next_attempt_at and queued_at: both "now")
        String sql = "UPDATE messages SET state = ?, next_attempt_at = ?, lease_until = NULL, version = version + 1, updated_at = ?"
                + (to == MessageState.DELETED ? ", wrapped_key = NULL, wrap_key_id = NULL" : "")
                + (to == MessageState.QUEUED ? ", queued_at = ?" : "")
                + " WHERE id = ? AND state IN " + states;
        int updated;
        try (Connection c = dataSource.getConnection()) {
            // One transaction: a crash between the two statements must not leave a content row behind whose key
            // is already gone (unreadable, but never deleted by anything else).
            updated = inTransaction(c, () -> {
                int rows;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 1;
                    ps.setString(i++, to.name());
                    setInstant(ps, i++, to == MessageState.QUEUED ? now : null);
                    setInstant(ps, i++, now);
                    if (to == MessageState.QUEUED) {
                        setInstant(ps, i++, now);
                    }
                    ps.setString(i, id);
                    rows = ps.executeUpdate();
                }
                if (rows == 1 && to == MessageState.DELETED) {
                    try (PreparedStatement content = c.prepareStatement("DELETE FROM message_content WHERE message_id = ?")) {
                        content.setString(1, id);
                        content.executeUpdate();
                    }
                }
                alongside.run(c, rows == 1);
                return rows;
            });
        } catch (SQLException e) {
            throw failure("move message " + id + " to " + to, e);
        }
        // The row must be durable before its file goes: H2 writes a commit up to half a second later, and a crash in
        // between would bring the row back with its key but without the file. (Deletions are rare, operators' and
        // withdrawn copies', so each pays for its own sync.)
        if (updated == 1 && to == MessageState.DELETED && deletionDurable(id) && QueueIds.isWellFormed(id)) {
            try {
                Files.deleteIfExists(messageDir.resolve(id));
            } catch (IOException e) {
                log.warn("Message {} deleted but its content file stays until the next start: {}", id, e.toString());
            }
        }
        return updated == 1;
    }

    /** H2: {@code CHECKPOINT SYNC} (write and fsync) after the move to DELETED; PostgreSQL's commit is durable already. */
    private boolean deletionDurable(String id) {
        if (vendor != SqlVendor.H2) {
            return true;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT SYNC");
            return true;
        } catch (SQLException e) {
            // The file stays; the next start deletes it once the row is seen deleted (orphan recovery).
            log.warn("Message {} deleted but its content file stays until the next start: cannot make the deletion"
                    + " durable: {}", id, e.getMessage());
            return false;
        }
    }

    /**
     * Whether any message row holds a wrapped content key (one row is enough), for telling a first start from a
     * database whose master keyset has gone missing.
     */
    public static boolean holdsWrappedKeys(DataSource dataSource) throws IOException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE wrapped_key IS NOT NULL LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            throw new IOException("cannot read the message database: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Works in pages and commits each, so it can be interrupted and run again; rows already on the
     * primary key are skipped. A row whose key cannot be unwrapped is logged (by id) and left as it is.
     */
    @Override
    public int rewrapKeys() throws IOException {
        int rewrapped = 0;
        String after = "";
        while (true) {
            int primary = keys.primaryKeyId();
            Map<String, byte[]> page = new LinkedHashMap<>();
            Map<String, Integer> oldKeyIds = new HashMap<>();
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id, wrapped_key, wrap_key_id FROM messages"
                        + " WHERE wrapped_key IS NOT NULL AND wrap_key_id <> ? AND id > ?"
                        + " ORDER BY id LIMIT ?")) {
                    ps.setInt(1, primary);
                    ps.setString(2, after);
                    ps.setInt(3, PAGE);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            page.put(rs.getString(1), rs.getBytes(2));
                            oldKeyIds.put(rs.getString(1), rs.getInt(3));
                        }
                    }
                }
                if (page.isEmpty()) {
                    return rewrapped;
                }
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET wrapped_key = ?, wrap_key_id = ?,"
                        + " version = version + 1, updated_at = ? WHERE id = ? AND wrapped_key IS NOT NULL AND wrap_key_id = ?")) {
                    Instant now = micros(clock.instant());
                    int batched = 0;
                    for (Map.Entry<String, byte[]> entry : page.entrySet()) {
                        String id = entry.getKey();
                        after = id;
                        WrappedKey rewrappedKey;
                        try {
                            rewrappedKey = keys.wrap(keys.unwrap(entry.getValue(), id), id);
                        } catch (IOException e) {
                            log.warn("Cannot re-wrap the content key of message {}: {}", id, e.getMessage());
                            continue;
                        }
                        ps.setBytes(1, rewrappedKey.ciphertext());
                        ps.setInt(2, rewrappedKey.masterKeyId());
                        setInstant(ps, 3, now);
                        ps.setString(4, id);
                        ps.setInt(5, oldKeyIds.get(id));
                        ps.addBatch();
                        batched++;
                    }
                    if (batched > 0) {
                        for (int count : ps.executeBatch()) {
                            rewrapped += count > 0 ? count : 0;
                        }
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new IOException("cannot re-wrap content keys: " + e.getMessage(), e);
            }
        }
    }

    /** Transactions the group committer has written (for metrics; compare with {@link #committedMessages()}). */
    public long commitBatches() {
        return committer.batches();
    }

    /** Messages committed through the group committer since start. */
    public long committedMessages() {
        return committer.items();
    }

    /** Stops the committer (waiting commits fail) and releases the spool lock; the data source stays open. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        committer.close();
        releaseSpool();
    }

    private void releaseSpool() {
        synchronized (SPOOLS_IN_USE) {
            SpoolUse use = SPOOLS_IN_USE.get(spoolDir);
            if (use == null || --use.stores > 0) {
                return;
            }
            SPOOLS_IN_USE.remove(spoolDir);
            try {
                use.channel.close();
            } catch (IOException e) {
                log.warn("Cannot release spool lock: {}", e.toString());
            }
        }
    }

    private void writeBatch(List<NewRow> rows) throws IOException, SQLException {
        forceDirectory(messageDir);
        try (Connection c = dataSource.getConnection()) {
            inTransaction(c, () -> {
                insert(c, rows);
                return null;
            });
            if (vendor == SqlVendor.H2) {
                // H2 neither writes nor fsyncs on commit; CHECKPOINT SYNC does both, once per batch.
                try (Statement st = c.createStatement()) {
                    st.execute("CHECKPOINT SYNC");
                }
            }
        }
    }

    private void insert(Connection c, List<NewRow> rows) throws SQLException {
        try (PreparedStatement message = c.prepareStatement("INSERT INTO messages (id, direction, mail_from, client_address,"
                + " helo, auth_user, tls, subject, state, action, score, finding_codes, size, header_prefix, wrapped_key,"
                + " wrap_key_id, blob_name, received_at, attempts, next_attempt_at, lease_until, last_error, version, updated_at,"
                + " queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, 0, ?, ?)");
             PreparedStatement recipient = c.prepareStatement("INSERT INTO recipients (message_id, ordinal, address, status,"
                     + " last_reply) VALUES (?, ?, ?, 'PENDING', NULL)");
             PreparedStatement content = c.prepareStatement("INSERT INTO message_content (message_id, content) VALUES (?, ?)")) {
            boolean anyInline = false;
            for (NewRow row : rows) {
                Envelope envelope = row.message().envelope();
                MessageState state = row.message().initialState();
                message.setString(1, row.id());
                message.setString(2, envelope.direction().name());
                message.setString(3, envelope.mailFrom());
                message.setString(4, envelope.clientAddress());
                message.setString(5, envelope.helo());
                message.setString(6, envelope.authenticatedUser());
                message.setBoolean(7, envelope.tls());
                message.setString(8, row.subject());
                message.setString(9, state.name());
                message.setString(10, row.message().verdict().action().name());
                message.setDouble(11, row.message().verdict().score());
                message.setString(12, String.join(",", row.message().verdict().codes()));
                message.setLong(13, row.size());
                message.setString(14, row.headerPrefix());
                message.setBytes(15, row.key().ciphertext());
                message.setInt(16, row.key().masterKeyId());
                message.setString(17, row.inlineContent() == null ? row.id() : null);
                setInstant(message, 18, row.committedAt());
                setInstant(message, 19, state == MessageState.QUEUED ? row.committedAt() : null);
                setInstant(message, 20, row.committedAt());
                setInstant(message, 21, row.committedAt());
                message.addBatch();
                if (row.inlineContent() != null) {
                    content.setString(1, row.id());
                    content.setBytes(2, row.inlineContent());
                    content.addBatch();
                    anyInline = true;
                }
                List<String> recipients = envelope.recipients();
                for (int i = 0; i < recipients.size(); i++) {
                    recipient.setString(1, row.id());
                    recipient.setInt(2, i);
                    recipient.setString(3, recipients.get(i));
                    recipient.addBatch();
                }
            }
            message.executeBatch();
            recipient.executeBatch();
            if (anyInline) {
                content.executeBatch();
            }
        }
    }

    /** One message with its row locked for the transaction; {@link NoSuchElementException} if there is none. */
    private StoredMessage loadForUpdate(Connection c, String id) throws SQLException {
        List<StoredMessage> found = load(c, List.of(id), true);
        if (found.isEmpty()) {
            throw new NoSuchElementException("message " + id + " does not exist");
        }
        return found.get(0);
    }

    /** The {@link #MESSAGE_COLUMNS} of the current row. */
    private static Object[] messageRow(ResultSet rs) throws SQLException {
        return new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getDouble(8), rs.getString(9),
                rs.getLong(10), instant(rs, 11), rs.getInt(12), instant(rs, 13), rs.getString(14), instant(rs, 15)};
    }

    private static StoredMessage storedMessage(Object[] r, List<StoredRecipient> recipients) {
        return new StoredMessage((String) r[0], Direction.valueOf((String) r[1]), (String) r[2], recipients,
                (String) r[3], (String) r[4], MessageState.valueOf((String) r[5]), (String) r[6], (double) r[7],
                (String) r[8], (long) r[9], (Instant) r[10], (int) r[11], (Instant) r[12], (String) r[13], (Instant) r[14]);
    }

    private List<StoredMessage> load(Connection c, List<String> wanted) throws SQLException {
        return load(c, wanted, false);
    }

    /** The messages with these ids, in this order; {@code forUpdate} locks their rows for the transaction. */
    private List<StoredMessage> load(Connection c, List<String> wanted, boolean forUpdate) throws SQLException {
        if (wanted.isEmpty()) {
            return List.of();
        }
        Map<String, List<StoredRecipient>> recipients = new LinkedHashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (int start = 0; start < wanted.size(); start += PAGE) {
            List<String> chunk = wanted.subList(start, Math.min(wanted.size(), start + PAGE));
            String in = placeholders(chunk.size());
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE id IN " + in
                    + (forUpdate ? " FOR UPDATE" : ""))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(messageRow(rs));
                        recipients.put(rs.getString(1), new ArrayList<>());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT message_id, address, status, last_reply FROM recipients"
                    + " WHERE message_id IN " + in + " ORDER BY message_id, ordinal")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<StoredRecipient> list = recipients.get(rs.getString(1));
                        if (list != null) {
                            list.add(new StoredRecipient(rs.getString(2), RecipientStatus.valueOf(rs.getString(3)), rs.getString(4)));
                        }
                    }
                }
            }
        }
        Map<String, StoredMessage> byId = new LinkedHashMap<>();
        for (Object[] r : rows) {
            String id = (String) r[0];
            byId.put(id, storedMessage(r, recipients.get(id)));
        }
        List<StoredMessage> ordered = new ArrayList<>(byId.size());
        for (String id : wanted) {
            StoredMessage m = byId.get(id);
            if (m != null) {
                ordered.add(m);
            }
        }
        return ordered;
    }

    private StoredMessage stored(NewRow row) {
        Envelope e = row.message().envelope();
        MessageState state = row.message().initialState();
        List<StoredRecipient> recipients = e.recipients().stream()
                .map(address -> new StoredRecipient(address, RecipientStatus.PENDING, null)).toList();
        return new StoredMessage(row.id(), e.direction(), e.mailFrom(), recipients, e.clientAddress(), row.subject(), state,
                row.message().verdict().action().name(), row.message().verdict().score(),
                String.join(",", row.message().verdict().codes()), row.size(), row.committedAt(), 0,
                state == MessageState.QUEUED ? row.committedAt() : null, null, row.committedAt());
    }

    /** Whether the row is known not to exist (so a failed commit's file may go); unknown counts as "maybe". */
    private boolean rowSurelyAbsent(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * An embedded H2 database is open in one process only (its file is locked), so every delivery lease found
     * at start belongs to a process that died mid-attempt: release them, or those messages would wait for the
     * whole lease (30 minutes) after a crash. On PostgreSQL other nodes' leases are live; they expire instead.
     */
    private void releaseDeadLeases() throws IOException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE messages SET lease_until = NULL WHERE lease_until IS NOT NULL")) {
            int released = ps.executeUpdate();
            if (released > 0) {
                log.info("Released {} delivery lease(s) left by a stopped process", released);
            }
        } catch (SQLException e) {
            throw new IOException("cannot release stale delivery leases: " + e.getMessage(), e);
        }
    }

    private void recoverOrphans() throws IOException {
        int spooled = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDir)) {
            for (Path file : files) {
                if (!file.getFileName().toString().equals(LOCK_FILE) && Files.isRegularFile(file)) {
                    Files.deleteIfExists(file);
                    spooled++;
                }
            }
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(messageDir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (QueueIds.isWellFormed(name) && Files.isRegularFile(file)) {
                    names.add(name);
                }
            }
        }
        Set<String> live = new HashSet<>();
        try (Connection c = dataSource.getConnection()) {
            for (int start = 0; start < names.size(); start += PAGE) {
                List<String> chunk = names.subList(start, Math.min(names.size(), start + PAGE));
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM messages WHERE wrapped_key IS NOT NULL AND id IN "
                        + placeholders(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            live.add(rs.getString(1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot check stored messages for orphans: " + e.getMessage(), e);
        }
        int orphans = 0;
        for (String name : names) {
            if (!live.contains(name)) {
                Files.deleteIfExists(messageDir.resolve(name));
                orphans++;
            }
        }
        if (spooled + orphans > 0) {
            log.info("Removed {} uncommitted spool files and {} orphaned content files", spooled, orphans);
        }
    }

    private static void validate(NewMessage message, String headerPrefix) {
        Envelope e = Objects.requireNonNull(message.envelope(), "envelope");
        MessageState state = Objects.requireNonNull(message.initialState(), "initialState");
        if (state != MessageState.RECEIVED && state != MessageState.QUEUED && state != MessageState.HELD
                && state != MessageState.QUARANTINED) {
            throw new IllegalArgumentException("a new message cannot start in state " + state);
        }
        Objects.requireNonNull(message.verdict(), "verdict");
        if (e.recipients().isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        if (e.clientAddress() == null || e.clientAddress().length() > 64) {
            throw new IllegalArgumentException("client address missing or longer than 64 characters");
        }
        // PostgreSQL refuses NUL in text; refusing it here fails only this message, not its whole batch.
        requireNoNul("reverse path", e.mailFrom());
        requireNoNul("client address", e.clientAddress());
        requireNoNul("HELO", e.helo());
        requireNoNul("authenticated user", e.authenticatedUser());
        requireNoNul("header prefix", headerPrefix);
        for (String recipient : e.recipients()) {
            requireNoNul("recipient", recipient);
        }
    }

    private static void requireNoNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character");
        }
    }

    /** Display-only text: NUL replaced (PostgreSQL refuses it), length bounded. */
    private static String clip(String text, int limit) {
        String cleaned = text.replace('\0', '\uFFFD');
        if (cleaned.length() <= limit) {
            return cleaned;
        }
        int end = Character.isHighSurrogate(cleaned.charAt(limit - 1)) ? limit - 1 : limit;
        return cleaned.substring(0, end) + "…";
    }

    private static String placeholders(int n) {
        return "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime value = rs.getObject(index, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Both databases keep microseconds; truncating first makes what we return equal what we read back. */
    private static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    private static UncheckedIOException failure(String what, SQLException e) {
        return new UncheckedIOException(new IOException("cannot " + what + ": " + e.getMessage(), e));
    }

    /** What the first store to use a spool directory does while no other process uses it. */
    @FunctionalInterface
    private interface Recovery {
        void run() throws IOException;
    }

    /**
     * Starts using the spool directory. Every process that uses it holds a shared lock on its lock file for as long as
     * it does; the orphan recovery (which deletes every uncommitted spool file) runs only under the exclusive lock, i.e.
     * when no other process uses the directory, and only in the first store of this JVM. The exclusive lock is then
     * exchanged for a shared one: while this process uses the spool, no other can take the exclusive lock and delete
     * its files (before that, a process that found the spool owned went on without any lock, and whichever process
     * took the lock next recovered the spool from under it). A process that finds the exclusive lock held (another
     * store recovering) waits for it, at most {@link #SPOOL_LOCK_WAIT}.
     */
    private static void useSpool(Path spoolDir, Recovery recovery) throws IOException {
        synchronized (SPOOLS_IN_USE) {
            SpoolUse use = SPOOLS_IN_USE.get(spoolDir);
            if (use != null) {
                use.stores++;
                return;
            }
            FileChannel channel = FileChannel.open(spoolDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false);
                if (exclusive != null) {
                    recovery.run();
                    exclusive.release();
                } else {
                    log.info("Spool {} is in use by another process; skipping orphan recovery", spoolDir);
                }
                use = new SpoolUse(channel);
                use.lock = sharedLock(channel, spoolDir);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            use.stores = 1;
            SPOOLS_IN_USE.put(spoolDir, use);
        }
    }

    private static FileLock sharedLock(FileChannel channel, Path spoolDir) throws IOException {
        long deadline = System.nanoTime() + SPOOL_LOCK_WAIT.toNanos();
        while (true) {
            FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
            if (shared != null) {
                return shared;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("スプール " + spoolDir + " は別のプロセスが排他ロックしたままです / the spool " + spoolDir
                        + " stays locked exclusively by another process (an older Mamori version?) for more than "
                        + SPOOL_LOCK_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the spool lock", e);
            }
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(directory);
        }
    }
}
