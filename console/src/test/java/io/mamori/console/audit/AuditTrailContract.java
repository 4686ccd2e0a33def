package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log on a real database, migrated by Flyway as the gateway migrates it; a subclass says which
 * database. Tampering is done as an attacker with database access would: plain SQL through JDBC.
 */
abstract class AuditTrailContract {

    static final Instant T0 = Instant.parse("2026-11-28T01:00:00.123456Z");

    @TempDir
    Path dir;

    HikariDataSource dataSource;
    JdbcAuditTrail audit;

    /** A fresh, empty database. */
    abstract Databases.Settings freshDatabase(Path dir) throws Exception;

    abstract void dropDatabase() throws Exception;

    /** Runs tampering SQL the way someone with write access to the database would (past any guard). */
    abstract void tamper(Connection c, String sql) throws Exception;

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(freshDatabase(dir));
        audit = new JdbcAuditTrail(dataSource);
    }

    @AfterEach
    void close() throws Exception {
        dataSource.close();
        dropDatabase();
    }

    AuditRecord append(int i) {
        return audit.append(new AuditEntry(T0.plusSeconds(i), "admin@example.co.jp", "192.0.2." + i, "queue.release",
                "Q" + i, "QUARANTINED", "QUEUED", true));
    }

    void tamper(String sql) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            tamper(c, sql);
        }
    }

    @Test
    void aCleanChainVerifiesWithItsCountAndHead() {
        for (int i = 1; i <= 5; i++) {
            AuditRecord r = append(i);
            assertThat(r.seq()).isEqualTo(i);
        }

        AuditVerification v = audit.verify();

        assertThat(v).isInstanceOf(AuditVerification.Intact.class);
        AuditVerification.Intact ok = (AuditVerification.Intact) v;
        assertThat(ok.count()).isEqualTo(5);
        assertThat(ok.lastSeq()).isEqualTo(5);
        assertThat(ok.lastHash()).isEqualTo(audit.head().hash());
    }

    @Test
    void anEmptyLogVerifies() {
        assertThat(audit.verify()).isEqualTo(new AuditVerification.Intact(0, 0, AuditChain.GENESIS));
    }

    @Test
    void eachRowLinksToThePreviousAndHashesItsOwnFields() {
        AuditRecord first = append(1);
        AuditRecord second = append(2);

        assertThat(first.prevHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(second.prevHash()).isEqualTo(first.hash());
        assertThat(second.hash()).isEqualTo(AuditChain.hash(2, second.entry(), first.hash()));
    }

    @Test
    void storedRowsReadBackExactlyAsRecordedIncludingJapaneseAndNulls() {
        AuditEntry e = new AuditEntry(T0, "山田@example.co.jp", "2001:db8::1", "user.roles", "佐藤 花子",
                null, "{\"roles\":[\"承認者\"]}", false);
        audit.record(e);

        AuditRecord back = audit.search(AuditFilter.ALL, null, 10).entries().get(0);

        assertThat(back.entry()).isEqualTo(e);
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void anEditedRowIsReportedAtItsSeq() throws Exception {
        for (int i = 1; i <= 5; i++) {
            append(i);
        }
        tamper("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3");

        AuditVerification v = audit.verify();

        assertThat(v).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(3);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.EDITED);
            assertThat(b.detail()).contains("seq 3").contains("edited").contains("改ざん");
            assertThat(b.checked()).isEqualTo(2);
        });
    }

    @Test
    void anEditedSuccessFlagOrTimeIsAnEditToo() throws Exception {
        for (int i = 1; i <= 3; i++) {
            append(i);
        }
        tamper("UPDATE audit_log SET success = FALSE WHERE seq = 2");
        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class,
                b -> assertThat(b.seq()).isEqualTo(2));
    }

    @Test
    void aDeletedRowIsReportedAsAGap() throws Exception {
        for (int i = 1; i <= 5; i++) {
            append(i);
        }
        tamper("DELETE FROM audit_log WHERE seq = 3");

        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(3);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.DELETED);
            assertThat(b.detail()).contains("row seq 3 was deleted");
        });
    }

    @Test
    void rowsDeletedAtTheEndAreFoundThroughTheChainHead() throws Exception {
        for (int i = 1; i <= 5; i++) {
            append(i);
        }
        tamper("DELETE FROM audit_log WHERE seq >= 4");

        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(4);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.DELETED);
            assertThat(b.detail()).contains("rows seq 4–5 at the end were deleted");
        });
    }

    @Test
    void theFirstRowDeletedIsReported() throws Exception {
        for (int i = 1; i <= 3; i++) {
            append(i);
        }
        tamper("DELETE FROM audit_log WHERE seq = 1");

        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(1);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.DELETED);
        });
    }

    @Test
    void swappedRowsAreReportedAsReordered() throws Exception {
        for (int i = 1; i <= 5; i++) {
            append(i);
        }
        tamper("UPDATE audit_log SET seq = -2 WHERE seq = 2");
        tamper("UPDATE audit_log SET seq = 2 WHERE seq = 3");
        tamper("UPDATE audit_log SET seq = 3 WHERE seq = -2");

        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(2);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.REORDERED);
            assertThat(b.detail()).contains("links to seq 3");
        });
    }

    @Test
    void aRowRewrittenWithARecomputedHashBreaksTheNextLink() throws Exception {
        for (int i = 1; i <= 4; i++) {
            append(i);
        }
        AuditRecord two = audit.search(new AuditFilter(null, null, "Q2", null, null), null, 1).entries().get(0);
        AuditEntry forged = new AuditEntry(two.at(), "nobody", two.sourceIp(), two.action(), two.object(),
                two.before(), two.after(), two.success());
        tamper("UPDATE audit_log SET actor = 'nobody', hash = '" + AuditChain.hash(2, forged, two.prevHash())
                + "' WHERE seq = 2");

        assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(3);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.RELINKED);
        });
    }

    @Test
    void aChainRebuiltAfterAnEditPassesAloneButNotAgainstAnAnchorNotedBefore() throws Exception {
        for (int i = 1; i <= 4; i++) {
            append(i);
        }
        AuditAnchor noted = new AuditAnchor(3, audit.search(new AuditFilter(null, null, "Q3", null, null), null, 1)
                .entries().get(0).hash());
        // The attacker edits row 2 and recomputes every hash after it, head included.
        tamper("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
        List<AuditRecord> rows = new ArrayList<>(audit.search(AuditFilter.ALL, null, 100).entries());
        java.util.Collections.reverse(rows);
        String prev = AuditChain.GENESIS;
        for (AuditRecord r : rows) {
            String h = AuditChain.hash(r.seq(), r.entry(), prev);
            tamper("UPDATE audit_log SET prev_hash = '" + prev + "', hash = '" + h + "' WHERE seq = " + r.seq());
            prev = h;
        }
        tamper("UPDATE audit_head SET last_hash = '" + prev + "' WHERE id = 1");

        assertThat(audit.verify().intact()).as("a full rebuild is consistent in itself").isTrue();
        assertThat(audit.verify(List.of(noted))).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.seq()).isEqualTo(3);
            assertThat(b.problem()).isEqualTo(AuditVerification.Problem.ANCHOR_MISMATCH);
        });
        assertThat(audit.verify(List.of(new AuditAnchor(9, noted.hash())))).isInstanceOfSatisfying(
                AuditVerification.Broken.class, b -> assertThat(b.problem()).isEqualTo(AuditVerification.Problem.DELETED));
    }

    @Test
    void concurrentWritersFromTwoNodesBuildOneUnforkedGaplessChain() throws Exception {
        List<JdbcAuditTrail> nodes = new ArrayList<>();
        nodes.add(audit);
        HikariDataSource second = secondNode();
        nodes.add(new JdbcAuditTrail(second));
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                JdbcAuditTrail node = nodes.get(t % nodes.size());
                int writer = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        node.record(new AuditEntry(Instant.now(), "writer-" + writer, "local", "test.append",
                                writer + "/" + i, null, null, true));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            second.close();
        }

        AuditVerification v = audit.verify();
        assertThat(v).isEqualTo(new AuditVerification.Intact(threads * each, threads * each, audit.head().hash()));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(DISTINCT prev_hash), COUNT(*), MIN(seq), MAX(seq) FROM audit_log")) {
            rs.next();
            assertThat(rs.getLong(1)).as("no two rows share a predecessor (no fork)").isEqualTo(threads * each);
            assertThat(rs.getLong(2)).isEqualTo(threads * each);
            assertThat(rs.getLong(3)).isEqualTo(1);
            assertThat(rs.getLong(4)).isEqualTo(threads * each);
        }
    }

    /** A second connection pool on the same database, as a second gateway node would have. */
    abstract HikariDataSource secondNode() throws Exception;

    @Test
    void searchFiltersByActorActionObjectAndTimeWithStablePaging() {
        audit.record(new AuditEntry(T0, "cli:root", "local", "queue.release", "A", "HELD", "QUEUED", true));
        audit.record(new AuditEntry(T0.plusSeconds(60), "api-token", "192.0.2.1", "queue.delete", "B", "QUARANTINED", "DELETED", true));
        audit.record(new AuditEntry(T0.plusSeconds(120), "cli:root", "local", "keys.rotate", "master-key", null, "new 1", true));
        audit.record(new AuditEntry(T0.plusSeconds(180), "cli:root", "local", "queue_release", "C", null, null, false));

        assertThat(audit.search(new AuditFilter("cli:root", null, null, null, null), null, 10).entries())
                .extracting(AuditRecord::object).containsExactly("C", "master-key", "A");
        assertThat(audit.search(new AuditFilter(null, "queue.*", null, null, null), null, 10).entries())
                .as("prefix match; '_' is not a wildcard").extracting(AuditRecord::object).containsExactly("B", "A");
        assertThat(audit.search(new AuditFilter(null, "queue.delete", null, null, null), null, 10).entries())
                .extracting(AuditRecord::object).containsExactly("B");
        assertThat(audit.search(new AuditFilter(null, null, null, T0.plusSeconds(60), T0.plusSeconds(180)), null, 10)
                .entries()).extracting(AuditRecord::object).containsExactly("master-key", "B");

        AuditPage first = audit.search(AuditFilter.ALL, null, 3);
        assertThat(first.entries()).extracting(AuditRecord::seq).containsExactly(4L, 3L, 2L);
        assertThat(first.nextBefore()).isEqualTo(2L);
        audit.record(new AuditEntry(T0.plusSeconds(240), "cli:root", "local", "queue.release", "D", null, null, true));
        AuditPage second = audit.search(AuditFilter.ALL, first.nextBefore(), 3);
        assertThat(second.entries()).as("a new row does not shift later pages").extracting(AuditRecord::seq).containsExactly(1L);
        assertThat(second.nextBefore()).isNull();
    }

    @Test
    void csvExportIsUtf8WithBomQuotedAndNeutralisesFormulas() throws Exception {
        audit.record(new AuditEntry(T0, "山田@example.co.jp", "192.0.2.7", "user.roles", "佐藤, 花子",
                "line1\r\n\"quoted\"", "=HYPERLINK(\"http://evil.example\")", true));
        audit.record(new AuditEntry(T0.plusSeconds(1), "cli:root", "local", "keys.rotate", "master-key", null, null, false));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long rows = audit.exportCsv(AuditFilter.ALL, out, ZoneId.of("Asia/Tokyo"));

        assertThat(rows).isEqualTo(2);
        byte[] bytes = out.toByteArray();
        assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
        String text = new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        assertThat(text).startsWith("seq,time_utc,time_local,actor,source_ip,action,object,before,after,success,prev_hash,hash\r\n");
        List<CSVRecord> records;
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(text))) {
            records = parser.getRecords();
        }
        assertThat(records).hasSize(2);
        CSVRecord r = records.get(0);
        assertThat(r.get("seq")).isEqualTo("1");
        assertThat(r.get("time_utc")).isEqualTo("2026-11-28T01:00:00.123456Z");
        assertThat(r.get("time_local")).isEqualTo("2026-11-28 10:00:00");
        assertThat(r.get("actor")).isEqualTo("山田@example.co.jp");
        assertThat(r.get("object")).isEqualTo("佐藤, 花子");
        assertThat(r.get("before")).isEqualTo("line1\r\n\"quoted\"");
        assertThat(r.get("after")).isEqualTo("'=HYPERLINK(\"http://evil.example\")");
        // behind spaces, or full width as a Japanese input method types it, a formula is still one to some spreadsheets
        assertThat(AuditCsv.text(" =1+1")).isEqualTo("' =1+1");
        assertThat(AuditCsv.text("\u3000＝SUM(A1)")).isEqualTo("'\u3000＝SUM(A1)");
        assertThat(AuditCsv.text("＠cmd")).isEqualTo("'＠cmd");
        assertThat(AuditCsv.text(" 佐藤")).isEqualTo(" 佐藤");
        assertThat(AuditCsv.text("   ")).isEqualTo("   ");
        assertThat(r.get("success")).isEqualTo("true");
        assertThat(r.get("hash")).isEqualTo(records.get(1).get("prev_hash"));
        assertThat(records.get(1).get("before")).isEmpty();
        assertThat(records.get(1).get("success")).isEqualTo("false");
    }

    @Test
    void oddInputIsStoredCleanedAndStillVerifies() {
        String huge = "x".repeat(20_000);
        AuditRecord r = audit.append(new AuditEntry(T0, "bad\u0000name\uD800", "local", "login.failure", huge, huge, null, false));

        assertThat(r.actor()).isEqualTo("bad\uFFFDname\uFFFD");
        assertThat(r.object()).hasSize(JdbcAuditTrail.MAX_OBJECT).endsWith("…[truncated]");
        assertThat(r.before()).hasSize(JdbcAuditTrail.MAX_STATE);
        assertThat(audit.search(AuditFilter.ALL, null, 1).entries().get(0)).isEqualTo(r);
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void timesAreKeptToTheMicrosecond() {
        Instant precise = Instant.parse("2026-11-28T01:00:00.123456789Z");
        AuditRecord r = audit.append(new AuditEntry(precise, "a", "local", "x.y", "o", null, null, true));

        assertThat(r.at()).isEqualTo(Instant.parse("2026-11-28T01:00:00.123456Z"));
        assertThat(audit.search(AuditFilter.ALL, null, 1).entries().get(0).at()).isEqualTo(r.at());
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void theSearchLimitIsBounded() {
        assertThatThrownBy(() -> audit.search(AuditFilter.ALL, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> audit.search(AuditFilter.ALL, null, 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    static void execute(Connection c, String sql) throws Exception {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.execute();
        }
    }

    /** A new quarantined message in {@code store}. */
    private static StoredMessage quarantined(JdbcMessageStore store) throws Exception {
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Envelope e = new Envelope(Direction.INBOUND, "x@spam.example", List.of("sato@example.co.jp"), "192.0.2.10", "mx",
                    null, true, T0);
            return store.commit(spool, new NewMessage(e, "x", new Verdict(Action.QUARANTINE, 10, List.of()),
                    MessageState.QUARANTINED), "");
        }
    }

    /** Moves a message with its entry, as the quarantine operations do. */
    private boolean move(JdbcMessageStore store, String id, MessageState to) {
        return audit.recordAlong(work -> store.transition(id, to, work), moved -> release(id, moved));
    }

    private static AuditEntry release(String id, boolean moved) {
        return new AuditEntry(T0, "analyst@example.co.jp", "192.0.2.9", "queue.release", id, "QUARANTINED",
                moved ? "QUEUED" : "refused", moved);
    }

    @Test
    void aMoveOfAStoredMessageAndItsEntryCommitTogetherOrNotAtAll() throws Exception {
        try (JdbcMessageStore store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                JdbcMessageStore.Settings.under(dir.resolve("store")), Clock.systemUTC())) {
            StoredMessage released = quarantined(store);
            assertThat(move(store, released.id(), MessageState.QUEUED))
                    .isTrue();
            assertThat(store.find(released.id()).orElseThrow().state()).isEqualTo(MessageState.QUEUED);
            assertThat(audit.search(AuditFilter.ALL, null, 10).entries()).singleElement().satisfies(r -> {
                assertThat(r.object()).isEqualTo(released.id());
                assertThat(r.after()).isEqualTo("QUEUED");
                assertThat(r.success()).isTrue();
            });
            // a refused move has its entry too
            assertThat(move(store, released.id(), MessageState.QUARANTINED))
                    .isFalse();
            assertThat(audit.search(AuditFilter.ALL, null, 10).entries()).hasSize(2).first()
                    .satisfies(r -> assertThat(r.success()).isFalse());

            // the entry cannot be appended (the chain head is damaged): the release is rolled back
            StoredMessage kept = quarantined(store);
            tamper("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
            assertThatThrownBy(() -> move(store, kept.id(), MessageState.QUEUED))
                    .isInstanceOf(AuditLogException.class).hasMessageContaining("queue.release")
                    .hasMessageContaining(kept.id());
            assertThat(store.find(kept.id()).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
            assertThatThrownBy(() -> move(store, kept.id(), MessageState.DELETED))
                    .isInstanceOf(AuditLogException.class);
            try (InputStream content = store.openContent(kept.id())) {
                assertThat(content.readAllBytes()).as("not deleted: its content is still readable").isNotEmpty();
            }
        }
    }

    @Test
    void aStoreInAnotherDatabaseIsRefusedAndItsMessageStays() throws Exception {
        Path other = dir.resolve("other");
        try (HikariDataSource otherDatabase = Databases.open(Databases.Settings.embedded(other.resolve("db")));
             JdbcMessageStore store = new JdbcMessageStore(otherDatabase, MasterKeys.openOrCreate(other.resolve("keys")),
                     JdbcMessageStore.Settings.under(other.resolve("store")), Clock.systemUTC())) {
            StoredMessage m = quarantined(store);
            assertThatThrownBy(() -> move(store, m.id(), MessageState.QUEUED))
                    .isInstanceOf(AuditLogException.class).hasMessageContaining("is not the audit trail's");
            assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
            assertThat(audit.head()).as("nothing appended").isNull();
        }
    }
}
