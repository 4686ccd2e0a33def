package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.contact.SenderHistory.Contact;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListPattern;
import io.mamori.core.lists.ListSource;
import io.mamori.core.lists.ListTarget;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.contact.JdbcSenderHistory;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.lists.JdbcListStore;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The V6 tables (database list entries, sender history, release requests) against each supported database; a
 * subclass says how to reach a fresh one.
 */
abstract class ListsContactsRequestsContract {

    @TempDir
    Path dir;
    final TestClock clock = new TestClock(Instant.parse("2026-04-06T00:00:00.123456789Z"));
    HikariDataSource dataSource;
    JdbcMessageStore messages;

    abstract Databases.Settings freshDatabase(Path dir) throws Exception;

    void dropDatabase() throws Exception {
    }

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(freshDatabase(dir));
        messages = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                JdbcMessageStore.Settings.under(dir), clock);
    }

    @AfterEach
    void close() throws Exception {
        messages.close();
        dataSource.close();
        dropDatabase();
    }

    private StoredMessage quarantined(String... recipients) throws Exception {
        try (Spool spool = messages.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Envelope e = new Envelope(Direction.INBOUND, "keiri@partner.example", List.of(recipients), "192.0.2.10", "mx",
                    null, true, clock.instant());
            return messages.commit(spool, new NewMessage(e, "x", new Verdict(Action.QUARANTINE, 10, List.of()),
                    MessageState.QUARANTINED), "");
        }
    }

    // --- list entries -------------------------------------------------------------------------------------------

    @Test
    void listEntriesAreStoredNormalisedAndServedPerRecipientFromTheSnapshot() {
        JdbcListStore lists = new JdbcListStore(dataSource, clock, Duration.ofSeconds(10));
        JdbcListStore.StoredEntry global = lists.add(ListKind.BLOCK, ListTarget.LINK, null, "HTTPS://Evil.example/Login",
                "phishing kit", "cli:root");
        JdbcListStore.StoredEntry sato = lists.add(ListKind.ALLOW, ListTarget.SENDER, "Sato@Example.co.jp", "Partner.example",
                "", "api-token");
        lists.add(ListKind.BLOCK, ListTarget.SENDER, "suzuki@example.co.jp", "spam.example", null, "api-token");

        assertThat(global.entry()).isEqualTo(new ListEntry(ListKind.BLOCK, ListTarget.LINK,
                new ListPattern.Url("evil.example", "/Login"), ListSource.GLOBAL, null, Long.toString(global.id())));
        assertThat(sato.entry().origin()).isEqualTo("user:sato@example.co.jp#" + sato.id());
        assertThat(lists.entriesFor(List.of("SATO@example.co.jp"))).extracting(e -> e.pattern().text())
                .containsExactly("https://evil.example/Login", "partner.example");
        assertThat(lists.entriesFor(List.of("tanaka@example.co.jp"))).extracting(e -> e.pattern().text())
                .containsExactly("https://evil.example/Login");
        assertThat(lists.list(null)).extracting(JdbcListStore.StoredEntry::comment).containsExactly("phishing kit");
        assertThat(lists.list("sato@example.co.jp")).singleElement().satisfies(e -> {
            assertThat(e.createdBy()).isEqualTo("api-token");
            assertThat(e.createdAt()).isEqualTo(Instant.parse("2026-04-06T00:00:00.123456Z"));
        });
        assertThat(lists.find(ListKind.ALLOW, ListTarget.SENDER, "sato@example.co.jp", "PARTNER.example"))
                .map(JdbcListStore.StoredEntry::id).contains(sato.id());
    }

    @Test
    void aDuplicateOrBadEntryIsRefusedWithItsReason() {
        JdbcListStore lists = new JdbcListStore(dataSource, clock, Duration.ofSeconds(10));
        JdbcListStore.StoredEntry first = lists.add(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "", "t");

        assertThatThrownBy(() -> lists.add(ListKind.BLOCK, ListTarget.SENDER, null, "SPAM.example.", "", "t"))
                .isInstanceOfSatisfying(JdbcListStore.DuplicateEntry.class, e -> {
                    assertThat(e.existing()).isEqualTo(first.id());
                    assertThat(e.bilingual()).isEqualTo("すでにリストにあります (#" + first.id() + ") / already on the list (#"
                            + first.id() + ")");
                });
        assertThat(lists.add(ListKind.BLOCK, ListTarget.SENDER, "a@example.co.jp", "spam.example", "", "t").id())
                .as("the same value on a user's list is another entry").isNotEqualTo(first.id());
        assertThatThrownBy(() -> lists.add(ListKind.ALLOW, ListTarget.LINK, null, "x.example", "", "t"))
                .hasMessage("allow entries are for senders only");
        assertThatThrownBy(() -> lists.add(ListKind.BLOCK, ListTarget.SENDER, "not-an-address", "x.example", "", "t"))
                .hasMessageContaining("is not an e-mail address").isInstanceOfSatisfying(InvalidListEntry.class,
                        e -> assertThat(e.messageJa()).isEqualTo(
                                "'not-an-address' はメールアドレスではありません（ユーザーごとのリストは受信者のアドレスごとにあります）"));
        assertThatThrownBy(() -> lists.add(ListKind.BLOCK, ListTarget.SENDER, null, "co.jp", "", "t"))
                .hasMessageContaining("public suffix");
        assertThatThrownBy(() -> lists.add(ListKind.BLOCK, ListTarget.SENDER, null, "x.example", "a\u0000b", "t"))
                .hasMessageContaining("comment");
    }

    @Test
    void changesByAnotherNodeApplyOnceTheSnapshotIsOlderThanTheRefreshAndLocalChangesAtOnce() {
        JdbcListStore here = new JdbcListStore(dataSource, clock, Duration.ofSeconds(10));
        JdbcListStore otherNode = new JdbcListStore(dataSource, clock, Duration.ofSeconds(10));
        assertThat(here.entriesFor(List.of())).isEmpty();

        JdbcListStore.StoredEntry e = otherNode.add(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "", "t");
        assertThat(here.entriesFor(List.of())).as("snapshot still fresh").isEmpty();
        clock.advance(Duration.ofSeconds(11));
        assertThat(here.entriesFor(List.of())).hasSize(1);

        assertThat(here.remove(e.id())).isTrue();
        assertThat(here.entriesFor(List.of())).isEmpty();
        assertThat(here.remove(e.id())).isFalse();
    }

    // --- sender history ------------------------------------------------------------------------------------------

    @Test
    void theSenderHistoryMergesContactsAndIsSharedThroughTheDatabase() {
        Instant t0 = Instant.parse("2026-01-10T09:00:00Z");
        try (JdbcSenderHistory history = new JdbcSenderHistory(dataSource, Duration.ofHours(1))) {
            assertThat(history.recordingSince()).isEmpty();
            history.record(Set.of("partner.example", "other.example"), t0);
            history.record(Set.of("partner.example"), t0.plus(Duration.ofDays(2)));
            assertThat(history.lastContact("partner.example")).as("buffered contacts are visible at once")
                    .contains(new Contact("partner.example", t0, t0.plus(Duration.ofDays(2)), 2));
            assertThat(history.recordingSince()).contains(t0);
            history.flush();
            history.record(Set.of("partner.example"), t0.minus(Duration.ofDays(1)));
            assertThat(history.lastContact("partner.example")).as("table and buffer together")
                    .contains(new Contact("partner.example", t0.minus(Duration.ofDays(1)), t0.plus(Duration.ofDays(2)), 3));
        }
        try (JdbcSenderHistory otherNode = new JdbcSenderHistory(dataSource, Duration.ofHours(1))) {
            assertThat(otherNode.lastContact("partner.example")).as("close() wrote the buffer")
                    .contains(new Contact("partner.example", t0.minus(Duration.ofDays(1)), t0.plus(Duration.ofDays(2)), 3));
            assertThat(otherNode.lastContact("other.example")).map(Contact::count).contains(1L);
            assertThat(otherNode.lastContact("never.example")).isEmpty();
            assertThat(otherNode.recordingSince()).contains(t0.minus(Duration.ofDays(1)));
        }
    }

    @Test
    void concurrentRecordersLoseNoContact() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (JdbcSenderHistory history = new JdbcSenderHistory(dataSource, Duration.ofMillis(5))) {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 500; i++) {
                        history.record(Set.of("busy.example"), Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            history.flush();
            assertThat(history.lastContact("busy.example")).map(Contact::count).contains(2000L);
        } finally {
            pool.shutdownNow();
        }
    }

    // --- release requests ----------------------------------------------------------------------------------------

    @Test
    void aReleaseRequestIsRecordedAndDecidedOnce() throws Exception {
        StoredMessage m = quarantined("sato@example.co.jp");
        ReleaseRequests requests = new ReleaseRequests(dataSource, clock);

        ReleaseRequest r = requests.create(m.id(), "<Sato@Example.co.jp>", "  取引先からの請求書です  ");
        assertThat(r).isEqualTo(new ReleaseRequest(r.id(), m.id(), "sato@example.co.jp", "取引先からの請求書です", Status.PENDING,
                Instant.parse("2026-04-06T00:00:00.123456Z"), null, null, null));
        assertThat(requests.find(r.id())).contains(r);
        assertThatThrownBy(() -> requests.create(m.id(), "sato@example.co.jp", "again"))
                .isInstanceOfSatisfying(ReleaseRequests.DuplicatePending.class, e -> assertThat(e.existing()).isEqualTo(r.id()));
        assertThat(requests.list(Status.PENDING, 10)).containsExactly(r);

        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> requests.decide(r.id(), Status.DENIED, "analyst@example.co.jp", " "))
                .hasMessage("a denial needs a reason");
        assertThat(requests.decide(r.id(), Status.APPROVED, "analyst@example.co.jp", null)).isTrue();
        assertThat(requests.decide(r.id(), Status.DENIED, "other@example.co.jp", "no")).as("decided once").isFalse();
        ReleaseRequest decided = requests.find(r.id()).orElseThrow();
        assertThat(decided.status()).isEqualTo(Status.APPROVED);
        assertThat(decided.decidedBy()).isEqualTo("analyst@example.co.jp");
        assertThat(decided.decidedAt()).isEqualTo(Instant.parse("2026-04-06T00:05:00.123456Z"));
        assertThat(requests.list(Status.PENDING, 10)).isEmpty();
        assertThat(requests.list(null, 10)).containsExactly(decided);

        assertThat(requests.reopen(r.id())).isTrue();
        assertThat(requests.find(r.id()).orElseThrow().status()).isEqualTo(Status.PENDING);
        assertThat(requests.decide(r.id(), Status.DENIED, "analyst@example.co.jp", "業務に関係のないメールです")).isTrue();
        assertThat(requests.find(r.id()).orElseThrow().decisionReason()).isEqualTo("業務に関係のないメールです");
        assertThat(requests.reopen(r.id())).as("a denial is final").isFalse();
        assertThat(requests.create(m.id(), "sato@example.co.jp", "").status()).as("a new request after a decision")
                .isEqualTo(Status.PENDING);
    }

    @Test
    void badRequestsAreRefusedAndDeletingTheMessageRowRemovesItsRequests() throws Exception {
        StoredMessage m = quarantined("sato@example.co.jp");
        ReleaseRequests requests = new ReleaseRequests(dataSource, clock);
        assertThatThrownBy(() -> requests.create(m.id(), "sato", "")).hasMessage("requester must be an e-mail address")
                .isInstanceOfSatisfying(ReleaseRequests.InvalidRequest.class, e -> assertThat(e.bilingual())
                        .isEqualTo("依頼者 (requester) はメールアドレスにしてください / requester must be an e-mail address"));
        assertThatThrownBy(() -> requests.create(m.id(), "sato@example.co.jp", "x".repeat(1001)))
                .hasMessage("comment must be at most 1000 characters");
        assertThatThrownBy(() -> requests.create(m.id(), "sato@example.co.jp", "a\u001bb"))
                .hasMessage("comment must not contain control characters");
        requests.create(m.id(), "sato@example.co.jp", "line one\nline two");

        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE id = ?")) {
            ps.setString(1, m.id());
            ps.executeUpdate();
        }
        assertThat(requests.forMessage(m.id())).isEmpty();
    }
}
