package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.testing.MovingClock;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import io.mamori.gateway.testing.TestDnsServer;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.testing.TestSmtpServer.FailureMode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.SimpleResolver;

/**
 * The delivery workers' leases, with the real store (embedded H2) and a real SMTP peer on loopback: a worker that
 * claimed a batch never delivers a message another worker has claimed since, and no attempt outlasts its lease.
 */
class DeliveryServiceTest {

    /** Short pauses before recording an attempt again, so a test of a failing store takes no seconds. */
    private static final List<Duration> RECORD_RETRIES = List.of(Duration.ofMillis(10), Duration.ofMillis(10));
    /** The shortest lease the settings allow; one attempt may use it less a tenth. */
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final MovingClock clock = new MovingClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final TestSmtpServer downstream = new TestSmtpServer().start();
    private final TestDnsServer dns = new TestDnsServer().start();
    /** Timeouts far longer than the lease, so only the lease can end a stalled attempt in time. */
    private final SmtpClient client = new SmtpClient(SmtpTimeouts.all(Duration.ofMinutes(2)));
    private HikariDataSource dataSource;
    private JdbcMessageStore store;
    private DeliveryService service;

    @BeforeEach
    void open() throws IOException, SQLException {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        // content in files (inline limit 0), so that a test can lose one
        JdbcMessageStore.Settings under = JdbcMessageStore.Settings.under(dir);
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")), new JdbcMessageStore.Settings(
                under.spoolDir(), under.messageDir(), under.maxBatch(), under.batchWindow(), 0), clock);
        DeliveryRoutes routes = new DeliveryRoutes(
                RouteConfig.via(Direction.INBOUND, new HostAndPort("127.0.0.1", downstream.port())),
                RouteConfig.via(Direction.OUTBOUND, new HostAndPort("127.0.0.1", downstream.port())));
        SimpleResolver resolver = new SimpleResolver(dns.address());
        RetrySchedule retry = new RetrySchedule(Duration.ofMinutes(1), 2, Duration.ofHours(1), 0, Duration.ofDays(5),
                clock, new SplittableRandom(1));
        service = new DeliveryService(store, routes, new DnsjavaMxResolver(resolver, new SplittableRandom(1), downstream.port(),
                MxAddressPolicy.LOOPBACK_FOR_TESTS),
                client, retry, new DsnWriter("gw.test", clock, ZoneOffset.UTC),
                new DeliverySettings(1, Duration.ofSeconds(1), LEASE, 8, "gw.test"), clock, null, RECORD_RETRIES);
        try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER refused_recordings BEFORE UPDATE ON recipients FOR EACH ROW CALL '"
                    + RefusedRecordings.class.getName() + "'");
        }
    }

    /**
     * Makes the database refuse to update the recipients of chosen messages, as recording their attempts does: the
     * store then fails the recording (a database fault that is there every time, or the first few times).
     */
    public static final class RefusedRecordings implements org.h2.api.Trigger {
        private static final java.util.Map<String, Integer> REFUSALS_LEFT = new java.util.concurrent.ConcurrentHashMap<>();

        static void refuse(String messageId, int times) {
            REFUSALS_LEFT.put(messageId, times);
        }

        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
            String messageId = (String) oldRow[0];
            if (REFUSALS_LEFT.computeIfPresent(messageId, (id, left) -> left > 0 ? left - 1 : null) != null) {
                throw new SQLException("the test refuses to update the recipients of " + messageId);
            }
        }
    }

    @AfterEach
    void close() throws IOException {
        service.close();
        client.close();
        downstream.close();
        dns.close();
        store.close();
        dataSource.close();
    }

    @Test
    void aWorkerWhoseLeaseEndedBeforeAMessagesTurnLeavesItToTheWorkerThatClaimedItSince() throws IOException {
        StoredMessage first = commit("first");
        StoredMessage second = commit("second");
        Instant claimedAt = clock.instant();
        List<StoredMessage> staleBatch = store.claimDue(claimedAt, 8, LEASE);
        assertThat(staleBatch).hasSize(2);

        // worker A stalls past its lease (a slow peer before these two, a long pause); worker B claims them
        clock.advance(LEASE.plusSeconds(1));
        Instant reclaimedAt = clock.instant();
        List<StoredMessage> claimedByB = store.claimDue(reclaimedAt, 8, LEASE);
        assertThat(claimedByB).hasSize(2);

        assertThat(service.processClaimed(staleBatch, claimedAt.plus(LEASE), true)).as("attempts by worker A").isZero();
        assertThat(downstream.messageCount()).as("delivered by worker A").isZero();

        assertThat(service.processClaimed(claimedByB, reclaimedAt.plus(LEASE), true)).as("attempts by worker B").isEqualTo(2);
        assertThat(List.of(downstream.takeMessage(WAIT).dataAsString(), downstream.takeMessage(WAIT).dataAsString()))
                .anySatisfy(d -> assertThat(d).endsWith("first\r\n"))
                .anySatisfy(d -> assertThat(d).endsWith("second\r\n"));
        assertThat(downstream.messageCount()).isEqualTo(2);
        for (StoredMessage m : List.of(first, second)) {
            StoredMessage now = store.find(m.id()).orElseThrow();
            assertThat(now.state()).isEqualTo(MessageState.DELIVERED);
            assertThat(now.attempts()).isEqualTo(1);
        }
    }

    @Test
    void aWorkerThatOutlivedItsLeaseDoesNotOverwriteWhatTheWorkerThatClaimedTheMessageSinceRecorded() throws Exception {
        StoredMessage m = commit("late");
        downstream.enqueue(FailureMode.STALL);
        Instant claimedAt = clock.instant();
        List<StoredMessage> claimedByA = store.claimDue(claimedAt, 8, LEASE);
        // worker A's peer takes the data and never answers: A gives up at the end of its attempt's time (real time)
        Thread workerA = new Thread(() -> service.processClaimed(claimedByA, claimedAt.plus(LEASE), true));
        workerA.start();
        downstream.awaitStall(WAIT);

        // meanwhile A's lease ends (a long pause, say) and worker B claims the message and delivers it
        clock.advance(LEASE.plusSeconds(1));
        Instant reclaimedAt = clock.instant();
        List<StoredMessage> claimedByB = store.claimDue(reclaimedAt, 8, LEASE);
        assertThat(claimedByB).hasSize(1);
        assertThat(service.processClaimed(claimedByB, reclaimedAt.plus(LEASE), true)).isEqualTo(1);
        assertThat(downstream.takeMessage(WAIT).dataAsString()).endsWith("late\r\n");
        workerA.join(LEASE.plus(WAIT).toMillis());
        assertThat(workerA.isAlive()).isFalse();

        StoredMessage after = store.find(m.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.DELIVERED);
        assertThat(after.attempts()).as("B's attempt; A's came too late to count").isEqualTo(1);
        assertThat(after.recipients()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED));
        assertThat(downstream.messageCount()).isEqualTo(1);
    }

    @Test
    void anAttemptTheStoreCannotRecordAtOnceIsRecordedOnceItCanAndTheRecipientGetsTheMessageOnce() throws Exception {
        StoredMessage m = commit("once");
        // the database refuses the recording twice (a lock wait, a fail-over), then takes it: the last of the retries
        RefusedRecordings.refuse(m.id(), RECORD_RETRIES.size());

        assertThat(service.deliverDue()).isEqualTo(1);

        assertThat(downstream.takeMessage(WAIT).dataAsString()).endsWith("once\r\n");
        StoredMessage after = store.find(m.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.DELIVERED);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.recipients()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED));
        clock.advance(Duration.ofHours(1));
        service.deliverDue();
        assertThat(downstream.messageCount()).as("delivered once").isEqualTo(1);
    }

    @Test
    void aMessageWhoseAttemptsCanNeverBeRecordedFollowsItsBackOffAndLeavesTheQueueAtTheEndOfItsLifetime() throws IOException {
        StoredMessage m = commit("never recorded");
        RefusedRecordings.refuse(m.id(), Integer.MAX_VALUE);
        downstream.enqueue(TestSmtpServer.Reply.rcptReject("taro@corp.test", 451));

        assertThat(service.deliverDue()).isEqualTo(1);
        clock.advance(LEASE.plusSeconds(1));
        assertThat(service.deliverDue()).as("not attempted again when its lease ends").isZero();
        clock.advance(Duration.ofMinutes(1));
        downstream.enqueue(TestSmtpServer.Reply.rcptReject("taro@corp.test", 451));
        assertThat(service.deliverDue()).as("attempted again after the back-off of one attempt, a minute").isEqualTo(1);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(service.deliverDue()).as("the back-off grows: two minutes after two attempts").isZero();
        clock.advance(Duration.ofMinutes(1));
        downstream.enqueue(TestSmtpServer.Reply.rcptReject("taro@corp.test", 451));
        assertThat(service.deliverDue()).isEqualTo(1);
        assertThat(downstream.connectionCount()).isEqualTo(3);

        // the end of its lifetime: the attempt fails the recipient, the sender gets the DSN, the message leaves the queue
        clock.advance(Duration.ofDays(5));
        downstream.enqueue(TestSmtpServer.Reply.rcptReject("taro@corp.test", 451));
        assertThat(service.deliverDue()).as("the message and its DSN").isEqualTo(2);
        StoredMessage after = store.find(m.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.BOUNCED);
        assertThat(after.attempts()).as("none could be recorded").isZero();
        TestSmtpServer.ReceivedMessage dsn = downstream.takeMessage(WAIT);
        assertThat(dsn.rcpts()).containsExactly("sender@example.org");
        assertThat(dsn.dataAsString()).contains("Final-Recipient: rfc822; taro@corp.test", "Status: 4.4.7");
        clock.advance(Duration.ofDays(1));
        assertThat(service.deliverDue()).isZero();
        assertThat(downstream.messageCount()).as("the DSN only").isEqualTo(1);
    }

    @Test
    void anAttemptAgainstAStalledPeerEndsBeforeItsLeaseAndLeavesTheRecipientPending() throws IOException {
        StoredMessage m = commit("stalled");
        downstream.enqueue(FailureMode.STALL);

        // a guard against a hang only: what ended the wait is in the recipient's reply below
        assertThat(assertTimeoutPreemptively(Duration.ofMinutes(1), service::deliverDue)).isEqualTo(1);

        StoredMessage after = store.find(m.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.QUEUED);
        assertThat(after.recipients()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).isEqualTo("time limit of the delivery attempt reached during end of data with 127.0.0.1:"
                    + downstream.port());
        });
        assertThat(after.attempts()).isEqualTo(1);
    }

    @Test
    void aStoppedServiceGivesBackTheMessagesItClaimedButHadNotBegun() throws IOException {
        commit("one");
        commit("two");
        Instant claimedAt = clock.instant();
        List<StoredMessage> batch = store.claimDue(claimedAt, 8, LEASE);
        assertThat(store.claimDue(claimedAt, 8, LEASE)).as("leased").isEmpty();

        // the service was never started (or was closed): its worker must not begin anything more
        assertThat(service.processClaimed(batch, claimedAt.plus(LEASE), false)).isZero();

        assertThat(store.claimDue(claimedAt, 8, LEASE)).as("due again at once").hasSize(2);
        assertThat(downstream.messageCount()).isZero();
    }

    @Test
    void aMessageWhoseContentIsLostBouncesAtTheEndOfItsLifetimeWithADsnWithoutItsHeader() throws IOException {
        StoredMessage lost = commit("lost");
        java.nio.file.Files.delete(dir.resolve("messages").resolve(lost.id()));
        clock.advance(Duration.ofDays(6));

        service.deliverDue();

        StoredMessage after = store.find(lost.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.BOUNCED);
        assertThat(after.recipients()).singleElement().satisfies(r ->
                assertThat(r.lastReply()).startsWith("delivery time expired after 5 days; last: cannot read stored content"));
        TestSmtpServer.ReceivedMessage dsn = downstream.takeMessage(WAIT);
        assertThat(dsn.mailFrom()).isEmpty();
        assertThat(dsn.rcpts()).containsExactly("sender@example.org");
        assertThat(dsn.dataAsString()).contains("Final-Recipient: rfc822; taro@corp.test", "Status: 4.4.7")
                .doesNotContain("text/rfc822-headers");
    }

    @Test
    void aBounceToTheSenderOfInboundMailShowsNeitherOurVerdictNorTheNextHopsReply() throws IOException {
        StoredMessage m;
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write("From: billing@evil.example\r\nSubject: invoice\r\n\r\nplease pay\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Envelope envelope = new Envelope(Direction.INBOUND, "attacker@evil.example", List.of("nobody@corp.test"),
                    "198.51.100.7", "mx.evil.example", null, false, clock.instant());
            m = store.commit(spool, new NewMessage(envelope, "invoice", new Verdict(Action.TAG, 4.5, List.of()),
                    MessageState.QUEUED), "Received: from mx.evil.example ([198.51.100.7]) by gw.corp.internal\r\n"
                    + "Authentication-Results: gw.corp.internal; spf=fail smtp.mailfrom=evil.example\r\n"
                    + "X-Mamori-Verdict: TAG; score=4.50; findings=LURE_WORDING,FIRST_CONTACT\r\n");
        }
        downstream.enqueue(TestSmtpServer.Reply.at(TestSmtpServer.Stage.RCPT, 550,
                "5.1.1 <nobody@corp.test>: unknown in the mailbox database of mbx01.corp.internal"));

        service.deliverDue();

        assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.BOUNCED);
        TestSmtpServer.ReceivedMessage dsn = downstream.takeMessage(WAIT);
        assertThat(dsn.mailFrom()).isEmpty();
        assertThat(dsn.rcpts()).containsExactly("attacker@evil.example");
        String text = dsn.dataAsString() + decodedBase64Parts(dsn.dataAsString());
        assertThat(text).contains("Final-Recipient: rfc822; nobody@corp.test", "Status: 5.1.1",
                "Diagnostic-Code: smtp; 550 5.1.1 ", "Details:   550 5.1.1 ", "text/rfc822-headers", "Subject: invoice")
                .doesNotContain("X-Mamori-Verdict", "LURE_WORDING", "score=", "Received: from mx.evil.example",
                        "Authentication-Results", "gw.corp.internal", "mbx01.corp.internal", "mailbox database");
    }

    @Test
    void aBounceOfATaggedInboundMessageReturnsTheSubjectTheSenderWroteAndNoneOfTheRewritesFields() throws IOException {
        StoredMessage m;
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                // as the TAG rewrite stored it: the subject prefixed, the body wrapped with a warning part
                out.write(("From: billing@evil.example\r\nMessage-ID: <42@evil.example>\r\n"
                        + "Subject: =?UTF-8?B?44CQ6KaB5rOo5oSP44CRIOiri+axguabuA==?=\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed;\r\n boundary=\"=_mamori_warning\"\r\n\r\n"
                        + "--=_mamori_warning\r\n\r\nwarning\r\n--=_mamori_warning--\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            Envelope envelope = new Envelope(Direction.INBOUND, "attacker@evil.example", List.of("nobody@corp.test"),
                    "198.51.100.7", "mx.evil.example", null, false, clock.instant());
            m = store.commit(spool, new NewMessage(envelope, "請求書", new Verdict(Action.TAG, 4.5, List.of()),
                    MessageState.QUEUED), "X-Mamori-Verdict: TAG; score=4.50; findings=LURE_WORDING\r\n");
        }
        downstream.enqueue(TestSmtpServer.Reply.at(TestSmtpServer.Stage.RCPT, 550, "5.1.1 unknown"));

        service.deliverDue();

        String dsn = downstream.takeMessage(WAIT).dataAsString();
        String returned = dsn.substring(dsn.indexOf("Content-Type: text/rfc822-headers"));
        assertThat(returned).contains("From: billing@evil.example\r\nMessage-ID: <42@evil.example>\r\n",
                        "Subject: =?UTF-8?B?6KuL5rGC5pu4?=\r\n")
                .doesNotContain("44CQ6KaB5rOo5oSP44CR", "multipart/mixed", "mamori_warning", "MIME-Version");
    }

    /** The base64 parts of a MIME message, decoded (the DSN's human-readable part is one). */
    private static String decodedBase64Parts(String message) {
        StringBuilder decoded = new StringBuilder();
        String marker = "Content-Transfer-Encoding: base64\r\n\r\n";
        for (int at = message.indexOf(marker); at >= 0; at = message.indexOf(marker, at + 1)) {
            int start = at + marker.length();
            int end = message.indexOf("\r\n--", start);
            decoded.append(new String(java.util.Base64.getMimeDecoder().decode(message.substring(start, end)),
                    StandardCharsets.UTF_8));
        }
        return decoded.toString();
    }

    private StoredMessage commit(String body) throws IOException {
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(("Subject: " + body + "\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            Envelope envelope = new Envelope(Direction.INBOUND, "sender@example.org", List.of("taro@corp.test"),
                    "192.0.2.10", "mx.example.org", null, false, clock.instant());
            return store.commit(spool, new NewMessage(envelope, body, new Verdict(Action.DELIVER, 0, List.of()),
                    MessageState.QUEUED), "");
        }
    }
}
