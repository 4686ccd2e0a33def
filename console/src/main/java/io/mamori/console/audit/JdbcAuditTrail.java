package io.mamori.console.audit;

import io.mamori.core.store.MessageState;
import io.mamori.gateway.store.JdbcMessageStore;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log in the gateway's database (tables {@code audit_log} and {@code audit_head},
 * Flyway V5, H2 or PostgreSQL): append, search, CSV export, and verification of the hash chain.
 *
 * <p><b>Appending.</b> One transaction locks the chain head ({@code SELECT … FOR UPDATE} on the single
 * {@code audit_head} row), takes the next seq and the previous hash from it, inserts the row with its
 * {@link AuditChain} hash and moves the head. The row lock serialises appends from every thread and every gateway
 * node sharing a PostgreSQL database, so the chain never forks and seq never skips; seq is the primary key too,
 * so even a writer that bypassed the lock could not create a second row with the same number. Within one process
 * a fair lock queues appenders before the database does (H2 would otherwise give up on a lock wait after its
 * lock timeout). {@link #record} returns after the commit is durable: PostgreSQL's commit is, and on H2 (which
 * writes committed data in the background) it is followed by {@code CHECKPOINT SYNC}.
 *
 * <p>Before an entry is stored and hashed, its strings are cleaned ({@link AuditChain#clean}: NUL and unpaired
 * surrogates replaced, over-long values cut at {@value #MAX_ACTOR}/{@value #MAX_SOURCE}/{@value #MAX_ACTION}/
 * {@value #MAX_OBJECT}/{@value #MAX_STATE} characters for actor/source/action/object/before and after) and its
 * time is truncated to microseconds, so what the database gives back hashes exactly as written.
 *
 * <p>An action on the database and its entry can share one transaction ({@link #recordAlong}): the action's, on
 * which the entry is appended as above, so that no message is released or deleted, no list entry added or removed,
 * no one's roles changed (on the users page or by an import), no console account created or reset, no app
 * password or API token issued or revoked and no message opened with an analyst's password changed without its
 * entry.
 *
 * <p>Every appended entry is also written as one line to the {@code mamori.audit} logger.
 *
 * <p>Thread-safe.
 */
public final class JdbcAuditTrail implements AuditTrail {

    static final int MAX_ACTOR = 320;
    static final int MAX_SOURCE = 100;
    static final int MAX_ACTION = 100;
    static final int MAX_OBJECT = 1000;
    static final int MAX_STATE = 16_000;
    /** Rows fetched per round trip when streaming an export or a verification. */
    private static final int FETCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger("mamori.audit");
    private static final String COLUMNS =
            "seq, at, actor, source_ip, action, object, before_state, after_state, success, prev_hash, hash";

    private final DataSource dataSource;
    private final boolean h2;
    /** The database's URL and schema, to tell whether a store's connection is on the same database. */
    private final String database;
    private final ReentrantLock appendLock = new ReentrantLock(true);

    /** @param dataSource the gateway's database, migrated (Flyway V5 creates the tables) */
    public JdbcAuditTrail(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            if (!"H2".equalsIgnoreCase(product) && !"PostgreSQL".equalsIgnoreCase(product)) {
                throw new IllegalArgumentException("audit log: unsupported database " + product);
            }
            this.h2 = "H2".equalsIgnoreCase(product);
            this.database = c.getMetaData().getURL() + " schema " + c.getSchema();
        } catch (SQLException e) {
            throw new AuditLogException("audit log: cannot reach the database: " + e.getMessage(), e);
        }
    }

    /** Appends {@code entry}; durable when this returns. */
    @Override
    public void record(AuditEntry entry) {
        append(entry);
    }

    /** Appends {@code entry} and returns the stored row (cleaned values, seq and hashes). */
    public AuditRecord append(AuditEntry entry) {
        AuditEntry clean = clean(entry);
        AuditRecord stored;
        try {
            // The lock is taken before a pooled connection, so appenders queueing here hold no connection.
            appendLock.lock();
            try (Connection c = dataSource.getConnection()) {
                stored = Transactions.inTransaction(c, () -> insert(c, clean));
            } finally {
                appendLock.unlock();
            }
        } catch (SQLException | RuntimeException e) {
            throw notRecorded(clean, e);
        }
        logged(stored);
        synced(clean);
        return stored;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here the entry is appended on the action's transaction (e.g. {@link JdbcMessageStore#transition(String,
     * MessageState, TransactionWork)}): if it cannot be, the action is rolled back and an {@link AuditLogException}
     * thrown. The action's connection must be to this trail's database, which is checked.
     */
    @Override
    public <T> T recordAlong(Function<TransactionWork, T> action, Function<Boolean, AuditEntry> entry) {
        AtomicReference<AuditEntry> written = new AtomicReference<>();
        AtomicReference<AuditRecord> stored = new AtomicReference<>();
        T result;
        try {
            // As in append: the lock before the action's connection, so no appender holds a connection while it waits.
            appendLock.lock();
            try {
                result = action.apply((c, m) -> {
                    written.set(clean(entry.apply(m)));
                    String database = c.getMetaData().getURL() + " schema " + c.getSchema();
                    if (!this.database.equals(database)) {
                        throw new SQLException("the action's database (" + database
                                + ") is not the audit trail's; the action and its entry cannot share a transaction");
                    }
                    stored.set(insert(c, written.get()));
                });
            } finally {
                appendLock.unlock();
            }
        } catch (RuntimeException e) {
            if (written.get() == null) {
                throw e; // the action failed before its entry was made: nothing happened, nothing to record here
            }
            throw notRecorded(written.get(), e);
        }
        if (stored.get() != null) {
            logged(stored.get());
            synced(written.get());
        }
        return result;
    }

    private static AuditEntry clean(AuditEntry entry) {
        return new AuditEntry(AuditChain.truncate(entry.at()),
                AuditChain.clean(entry.actor(), MAX_ACTOR), AuditChain.clean(entry.sourceIp(), MAX_SOURCE),
                AuditChain.clean(entry.action(), MAX_ACTION), AuditChain.clean(entry.object(), MAX_OBJECT),
                AuditChain.clean(entry.before(), MAX_STATE), AuditChain.clean(entry.after(), MAX_STATE),
                entry.success());
    }

    /** On H2, which neither writes nor fsyncs on commit, CHECKPOINT SYNC does both (see Databases.h2FileUrl). */
    private void checkpoint() throws SQLException {
        if (h2) {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("CHECKPOINT SYNC");
            }
        }
    }

    /**
     * Makes a committed entry durable (H2). A failure here comes after the commit: the action and its entry did
     * happen, and stay in the database; what is not known is whether they reach the disk before a crash. The error
     * says so rather than "not recorded", which would send someone to do the action again.
     */
    private void synced(AuditEntry clean) {
        try {
            checkpoint();
        } catch (SQLException | RuntimeException e) {
            LOG.error("audit entry recorded but NOT synced to disk: action={} object={} actor={}: {}", clean.action(),
                    clean.object(), clean.actor(), e.toString());
            // what someone reads on the page or the command line: do not do it again
            throw new AuditLogException("操作と監査ログ（" + clean.action() + "、対象 '" + clean.object()
                    + "'）は記録されましたが、データベースをディスクへ同期できませんでした（操作をやり直さないでください）: "
                    + e.getMessage() + " / audit entry " + clean.action() + " on '" + clean.object()
                    + "' was recorded with its action, but the database could not be synced to disk (do not repeat the"
                    + " action): " + e.getMessage(), e);
        }
    }

    private static AuditLogException notRecorded(AuditEntry clean, Exception e) {
        LOG.error("audit entry NOT recorded: action={} object={} actor={}: {}", clean.action(), clean.object(),
                clean.actor(), e.toString());
        return new AuditLogException("cannot record audit entry " + clean.action() + " on '" + clean.object()
                + "': " + e.getMessage(), e);
    }

    private static void logged(AuditRecord stored) {
        LOG.info("seq={} action={} object={} ok={} actor={} source={} before={} after={}", stored.seq(),
                stored.action(), stored.object(), stored.success(), stored.actor(), stored.sourceIp(),
                stored.before(), stored.after());
    }

    /** Appends {@code e} (cleaned) on the transaction of {@code c}: locks the head, inserts the row, moves the head. */
    private static AuditRecord insert(Connection c, AuditEntry e) throws SQLException {
        long last;
        String lastHash;
        try (PreparedStatement head = c.prepareStatement(
                "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE");
             ResultSet rs = head.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the audit chain head (audit_head row 1) is missing");
            }
            last = rs.getLong(1);
            lastHash = rs.getString(2);
        }
        if (!AuditChain.isHash(lastHash)) {
            throw new SQLException("the audit chain head holds no valid hash; run `mamori audit verify`");
        }
        long seq = last + 1;
        String hash = AuditChain.hash(seq, e, lastHash);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, seq);
            insert.setObject(2, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
            insert.setString(3, e.actor());
            insert.setString(4, e.sourceIp());
            insert.setString(5, e.action());
            insert.setString(6, e.object());
            insert.setString(7, e.before());
            insert.setString(8, e.after());
            insert.setBoolean(9, e.success());
            insert.setString(10, lastHash);
            insert.setString(11, hash);
            insert.executeUpdate();
        }
        try (PreparedStatement move = c.prepareStatement(
                "UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
            move.setLong(1, seq);
            move.setString(2, hash);
            move.executeUpdate();
        }
        return new AuditRecord(seq, e.at(), e.actor(), e.sourceIp(), e.action(), e.object(), e.before(),
                e.after(), e.success(), lastHash, hash);
    }

    /**
     * Rows matching {@code filter}, newest first, at most {@code limit} (1–1000) with seq below {@code before}
     * (null: from the newest).
     */
    public AuditPage search(AuditFilter filter, Long before, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000: " + limit);
        }
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_log");
        where(sql, params, filter, before);
        sql.append(" ORDER BY seq DESC LIMIT ?");
        params.add(limit + 1);
        List<AuditRecord> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql.toString())) {
            bind(st, params);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
        } catch (SQLException e) {
            throw new AuditLogException("cannot search the audit log: " + e.getMessage(), e);
        }
        Long next = null;
        if (rows.size() > limit) {
            rows.remove(limit);
            next = rows.get(limit - 1).seq();
        }
        return new AuditPage(rows, next);
    }

    /** Writes every row matching {@code filter}, oldest first, as CSV ({@link AuditCsv}); returns the row count. */
    public long exportCsv(AuditFilter filter, OutputStream out, ZoneId zone) throws IOException {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_log");
        where(sql, params, filter, null);
        sql.append(" ORDER BY seq");
        AuditCsv csv = new AuditCsv(out, zone);
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL streams with a cursor only outside auto-commit; otherwise it would load every row.
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                st.setFetchSize(FETCH);
                bind(st, params);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        csv.write(read(rs));
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new AuditLogException("cannot export the audit log: " + e.getMessage(), e);
        }
        csv.close();
        return csv.rows();
    }

    /** The number of rows and the last seq and hash of the chain head. */
    public AuditAnchor head() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")) {
            if (!rs.next() || rs.getLong(1) == 0) {
                return null;
            }
            return new AuditAnchor(rs.getLong(1), rs.getString(2));
        } catch (SQLException e) {
            throw new AuditLogException("cannot read the audit chain head: " + e.getMessage(), e);
        }
    }

    /** Walks the whole chain; see {@link #verify(Collection)}. */
    public AuditVerification verify() {
        return verify(List.of());
    }

    /**
     * Walks the chain from seq 1 in order and reports the first break: a row whose contents do not match its hash
     * (edited), a gap in seq or rows missing at the start or end (deleted), a row that links to a later row
     * (reordered), a link that does not match the previous row although both rows match their own hashes
     * (rewritten with recomputed hashes), or a row whose hash differs from an {@code anchor} noted earlier.
     * Rows appended while it runs are not checked (it checks up to the head it read first). Constant memory.
     */
    public AuditVerification verify(Collection<AuditAnchor> anchors) {
        Map<Long, String> expectedHashes = new TreeMap<>();
        for (AuditAnchor a : anchors) {
            expectedHashes.put(a.seq(), a.hash());
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                return walk(c, expectedHashes);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new AuditLogException("cannot read the audit log: " + e.getMessage(), e);
        }
    }

    private AuditVerification walk(Connection c, Map<Long, String> anchors) throws SQLException {
        long headSeq;
        String headHash;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")) {
            if (!rs.next()) {
                return new AuditVerification.Broken(1, AuditVerification.Problem.DELETED,
                        "チェーンの先頭情報（audit_head）が削除されています / the chain head row (audit_head) was deleted", 0);
            }
            headSeq = rs.getLong(1);
            headHash = rs.getString(2);
        }
        long expected = 1;
        String prevHash = AuditChain.GENESIS;
        long count = 0;
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log WHERE seq <= ? ORDER BY seq")) {
            st.setFetchSize(FETCH);
            st.setLong(1, headSeq);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    AuditRecord row = read(rs);
                    AuditVerification.Broken broken = check(c, row, expected, prevHash, anchors, count);
                    if (broken != null) {
                        return broken;
                    }
                    prevHash = row.hash();
                    expected++;
                    count++;
                }
            }
        }
        long last = expected - 1;
        if (last < headSeq) {
            return new AuditVerification.Broken(expected, AuditVerification.Problem.DELETED, String.format(
                    "末尾の行 seq %d〜%d が削除されています（先頭情報は seq %d を記録） / rows seq %d–%d at the end were "
                            + "deleted: the chain head records seq %d but the last row is seq %d",
                    expected, headSeq, headSeq, expected, headSeq, headSeq, last), count);
        }
        if (headSeq > 0 && !prevHash.equals(headHash)) {
            return new AuditVerification.Broken(last, AuditVerification.Problem.RELINKED, String.format(
                    "最後の行 seq %d がチェーンの先頭情報と一致しません（書き換えられています） / the last row seq %d does "
                            + "not match the hash the chain head records: it was rewritten", last, last), count);
        }
        for (Map.Entry<Long, String> anchor : anchors.entrySet()) {
            if (anchor.getKey() > last) {
                return new AuditVerification.Broken(last + 1, AuditVerification.Problem.DELETED, String.format(
                        "アンカー seq %d がチェーンにありません（最後は seq %d）/ anchor seq %d is past the end of the "
                                + "chain (last seq %d): rows were deleted", anchor.getKey(), last, anchor.getKey(), last),
                        count);
            }
        }
        long max = maxSeq(c);
        if (max > headSeq) {
            // Either appends committed after the head was read above (fine: they are checked next time), or rows
            // were inserted behind the gateway's back without moving the head. Re-reading the head tells which.
            long nowHead = headSeq(c);
            if (max > nowHead) {
                return new AuditVerification.Broken(nowHead + 1, AuditVerification.Problem.RELINKED, String.format(
                        "チェーンの先頭情報（seq %d）より後に行 seq %d〜%d が挿入されています / rows seq %d–%d were inserted"
                                + " past the chain head (seq %d)", nowHead, nowHead + 1, max, nowHead + 1, max, nowHead),
                        count);
            }
        }
        return new AuditVerification.Intact(count, last, headSeq == 0 ? AuditChain.GENESIS : prevHash);
    }

    private static long headSeq(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_seq FROM audit_head WHERE id = 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static long maxSeq(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(seq) FROM audit_log")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static AuditVerification.Broken check(Connection c, AuditRecord row, long expected, String prevHash,
            Map<Long, String> anchors, long count) throws SQLException {
        long seq = row.seq();
        if (seq != expected) {
            return new AuditVerification.Broken(expected, AuditVerification.Problem.DELETED, seq == expected + 1
                    ? String.format("行 seq %d が削除されています / row seq %d was deleted (seq %d follows seq %d)",
                            expected, expected, seq, expected - 1)
                    : String.format("行 seq %d〜%d が削除されています / rows seq %d–%d were deleted (seq %d follows seq %d)",
                            expected, seq - 1, expected, seq - 1, seq, expected - 1), count);
        }
        if (!AuditChain.isHash(row.hash()) || !AuditChain.isHash(row.prevHash())) {
            return new AuditVerification.Broken(seq, AuditVerification.Problem.EDITED, String.format(
                    "行 seq %d のハッシュ列が書き換えられています / row seq %d was edited: its hash columns are not "
                            + "SHA-256 hex values", seq, seq), count);
        }
        if (!row.prevHash().equals(prevHash)) {
            Long linked = seqOfHash(c, row.prevHash());
            if (linked != null && linked >= seq) {
                return new AuditVerification.Broken(seq, AuditVerification.Problem.REORDERED, String.format(
                        "行 seq %d の順序が入れ替えられています（後の行 seq %d を指しています） / row seq %d was "
                                + "reordered: it links to seq %d, which comes after it", seq, linked, seq, linked), count);
            }
        }
        if (!AuditChain.hash(seq, row.entry(), row.prevHash()).equals(row.hash())) {
            return new AuditVerification.Broken(seq, AuditVerification.Problem.EDITED, String.format(
                    "行 seq %d の内容が改ざんされています（保存されたハッシュと一致しません） / row seq %d was edited: its "
                            + "contents do not match its stored hash", seq, seq), count);
        }
        if (!row.prevHash().equals(prevHash)) {
            return new AuditVerification.Broken(seq, AuditVerification.Problem.RELINKED, String.format(
                    "行 seq %d と直前の行 seq %d のつながりが壊れています（ハッシュを計算し直して書き換えられています） / the link "
                            + "from seq %d to seq %d is broken: one of them was rewritten with a recomputed hash",
                    seq, seq - 1, seq, seq - 1), count);
        }
        String anchor = anchors.get(seq);
        if (anchor != null && !anchor.equals(row.hash())) {
            return new AuditVerification.Broken(seq, AuditVerification.Problem.ANCHOR_MISMATCH, String.format(
                    "行 seq %d のハッシュが記録済みのアンカーと違います（チェーンが作り直されています） / row seq %d does not "
                            + "match the anchor noted earlier: the chain was rebuilt from there or before", seq, seq),
                    count);
        }
        return null;
    }

    private static Long seqOfHash(Connection c, String hash) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT seq FROM audit_log WHERE hash = ? ORDER BY seq")) {
            st.setString(1, hash);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static void where(StringBuilder sql, List<Object> params, AuditFilter f, Long before) {
        List<String> conditions = new ArrayList<>();
        if (f.actor() != null) {
            conditions.add("actor = ?");
            params.add(f.actor());
        }
        if (f.action() != null) {
            if (f.action().endsWith("*")) {
                conditions.add("action LIKE ? ESCAPE '\\'");
                params.add(likeEscape(f.action().substring(0, f.action().length() - 1)) + "%");
            } else {
                conditions.add("action = ?");
                params.add(f.action());
            }
        }
        if (f.object() != null) {
            conditions.add("object = ?");
            params.add(f.object());
        }
        if (f.since() != null) {
            conditions.add("at >= ?");
            params.add(OffsetDateTime.ofInstant(f.since(), ZoneOffset.UTC));
        }
        if (f.until() != null) {
            conditions.add("at < ?");
            params.add(OffsetDateTime.ofInstant(f.until(), ZoneOffset.UTC));
        }
        if (before != null) {
            conditions.add("seq < ?");
            params.add(before);
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static void bind(PreparedStatement st, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            st.setObject(i + 1, params.get(i));
        }
    }

    private static AuditRecord read(ResultSet rs) throws SQLException {
        Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
        return new AuditRecord(rs.getLong(1), at, rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getBoolean(9), rs.getString(10),
                rs.getString(11));
    }
}
