package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.mamori.gateway.testing.TestDnsServer;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.testing.TestSmtpServer.FailureMode;
import io.mamori.gateway.testing.TestSmtpServer.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.SimpleResolver;

/** One attempt end to end against real SMTP and DNS peers on loopback (the store is not involved). */
class MessageDeliveryTest {

    private static final Instant NOW = Instant.parse("2025-04-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CONTENT = "Subject: hi\r\n\r\n.dot line\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final RetrySchedule retry = new RetrySchedule(Duration.ofMinutes(1), 2, Duration.ofHours(1), 0,
            Duration.ofDays(5), clock, new SplittableRandom(1));
    private final SmtpClient client = new SmtpClient(SmtpTimeouts.all(Duration.ofSeconds(5)));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestSmtpServer downstream = new TestSmtpServer().start();
    private final TestDnsServer dns = new TestDnsServer().start();

    @AfterEach
    void tearDown() {
        downstream.close();
        dns.close();
        client.close();
    }

    private MessageDelivery delivery(RouteConfig outbound) {
        // the MX hosts of these tests are the SMTP server on loopback, which production never delivers to
        return delivery(outbound, MxAddressPolicy.LOOPBACK_FOR_TESTS);
    }

    private MessageDelivery delivery(RouteConfig outbound, MxAddressPolicy mxAddresses) {
        DeliveryRoutes routes = new DeliveryRoutes(
                RouteConfig.via(Direction.INBOUND, new HostAndPort("127.0.0.1", downstream.port())), outbound);
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofSeconds(2));
        return new MessageDelivery(routes, new DnsjavaMxResolver(resolver, new SplittableRandom(1), downstream.port(),
                mxAddresses), client, "gw.test", retry, clock, new DeliveryMetrics(meters));
    }

    private MessageDelivery deliveryWithDirectMx() {
        return delivery(new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC));
    }

    private static StoredMessage message(Direction direction, Instant receivedAt, int attempts, String... rcpts) {
        List<StoredRecipient> recipients = java.util.Arrays.stream(rcpts)
                .map(r -> new StoredRecipient(r, RecipientStatus.PENDING, null)).toList();
        return new StoredMessage("Q1", direction, "taro@sender.test", recipients, "192.0.2.50", "hi",
                MessageState.QUEUED, "DELIVER", 0, "", CONTENT.length, receivedAt, attempts, receivedAt, null, receivedAt);
    }

    private static MessageDelivery.ContentSource content() {
        return () -> new ByteArrayInputStream(CONTENT);
    }

    @Test
    void inboundMailGoesToTheNextHopAndIsDone() {
        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(message(Direction.INBOUND, NOW, 0, "b@corp.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status).containsExactly(RecipientStatus.DELIVERED);
        assertThat(attempt.nextAttemptAt()).isNull();
        assertThat(attempt.failures()).isEmpty();
        assertThat(downstream.takeMessage(WAIT).data()).isEqualTo(CONTENT);
        assertThat(meters.counter("mamori.delivery.recipients", "direction", "inbound", "outcome", "delivered").count()).isEqualTo(1);
        assertThat(meters.timer("mamori.delivery.latency", "direction", "inbound").count()).isEqualTo(1);
    }

    @Test
    void temporaryFailureKeepsTheRecipientPendingForTheNextBackOff() {
        downstream.enqueue(FailureMode.TEMPFAIL_451);

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(message(Direction.INBOUND, NOW, 2, "b@corp.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).startsWith("451 4.3.0");
        });
        assertThat(attempt.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(4)));
        assertThat(attempt.error()).startsWith("451 4.3.0");
        assertThat(attempt.failures()).isEmpty();
    }

    @Test
    void anAttemptWhoseTimeIsUpConnectsNowhereAndDefersItsRecipients() {
        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(message(Direction.INBOUND, NOW, 2, "b@corp.test"),
                content(), NOW);

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).isEqualTo(MessageDelivery.TIME_LIMIT);
        });
        assertThat(attempt.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(4)));
        assertThat(downstream.connectionCount()).isZero();
        assertThat(meters.counter("mamori.delivery.failures", "direction", "inbound", "kind", "timeout").count()).isEqualTo(1);
    }

    @Test
    void permanentRefusalOfOneRecipientOwesTheSenderADsn() {
        downstream.enqueue(Reply.rcptReject("gone@corp.test", 550));

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.INBOUND, NOW, 0, "b@corp.test", "gone@corp.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status)
                .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.FAILED);
        assertThat(attempt.failures()).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("gone@corp.test");
            assertThat(f.status()).isEqualTo("5.1.1");
            assertThat(f.diagnosis()).startsWith("550 5.1.1");
        });
        assertThat(attempt.nextAttemptAt()).isNull();
    }

    @Test
    void recipientsOverTheHostsLimitPerTransactionGoInTheNextTransactionAtOnce() {
        downstream.maxRecipients(2);

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.INBOUND, NOW, 0, "r1@corp.test", "r2@corp.test", "r3@corp.test", "r4@corp.test", "r5@corp.test"),
                content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status).containsOnly(RecipientStatus.DELIVERED).hasSize(5);
        assertThat(attempt.nextAttemptAt()).isNull();
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("r1@corp.test", "r2@corp.test");
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("r3@corp.test", "r4@corp.test");
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("r5@corp.test");
        assertThat(downstream.connectionCount()).isEqualTo(1);
    }

    @Test
    void aRecipientDeferredForAnotherReasonBesideTheLimitWaitsForTheBackOff() {
        downstream.maxRecipients(2);
        downstream.enqueue(Reply.rcptReject("r1@corp.test", 450));

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.INBOUND, NOW, 0, "r1@corp.test", "r2@corp.test", "r3@corp.test", "r4@corp.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::address, StoredRecipient::status).containsExactly(
                tuple("r1@corp.test", RecipientStatus.PENDING), tuple("r2@corp.test", RecipientStatus.DELIVERED),
                tuple("r3@corp.test", RecipientStatus.DELIVERED), tuple("r4@corp.test", RecipientStatus.DELIVERED));
        assertThat(attempt.nextAttemptAt()).isNotNull();
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("r2@corp.test", "r3@corp.test");
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("r4@corp.test");
    }

    @Test
    void deferralPastTheLifetimeFailsTheRecipientAsExpired() {
        downstream.enqueue(FailureMode.TEMPFAIL_451);

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.INBOUND, NOW.minus(Duration.ofDays(6)), 40, "b@corp.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.FAILED);
            assertThat(r.lastReply()).startsWith("delivery time expired after 5 days; last: 451 4.3.0");
        });
        assertThat(attempt.failures()).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo("4.4.7"));
        assertThat(attempt.nextAttemptAt()).isNull();
    }

    @Test
    void anAttemptBrokenOffByAnErrorOfOursIsRetriedWithBackOffAndBouncesOnceTheLifetimeIsOver() {
        MessageDelivery delivery = deliveryWithDirectMx();

        MessageDelivery.Attempt early = delivery.brokenOff(message(Direction.OUTBOUND, NOW.minus(Duration.ofHours(1)), 3,
                "b@rcpt.test"), "internal error: IllegalStateException");
        assertThat(early.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).isEqualTo("internal error: IllegalStateException");
        });
        assertThat(early.nextAttemptAt()).as("the fourth back-off").isEqualTo(NOW.plus(Duration.ofMinutes(8)));
        assertThat(early.failures()).isEmpty();

        MessageDelivery.Attempt late = delivery.brokenOff(message(Direction.OUTBOUND, NOW.minus(Duration.ofDays(6)), 40,
                "b@rcpt.test"), "internal error: IllegalStateException");
        assertThat(late.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.FAILED));
        assertThat(late.failures()).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo("4.4.7"));
        assertThat(late.nextAttemptAt()).isNull();
        assertThat(downstream.connectionCount()).isZero();
    }

    @Test
    void mailReleasedFromQuarantineAfterTheLifetimeStillGetsItsRetriesFromTheRelease() {
        downstream.enqueue(FailureMode.TEMPFAIL_451);
        List<StoredRecipient> pending = List.of(new StoredRecipient("b@corp.test", RecipientStatus.PENDING, null));
        StoredMessage released = new StoredMessage("Q1", Direction.INBOUND, "taro@sender.test", pending, "192.0.2.50", "hi",
                MessageState.QUEUED, "QUARANTINE", 9, "", CONTENT.length, NOW.minus(Duration.ofDays(6)), 0, NOW, null, NOW);

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(released, content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status).containsExactly(RecipientStatus.PENDING);
        assertThat(attempt.failures()).isEmpty();
        assertThat(attempt.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(1)));
    }

    @Test
    void aNextHopNamedByHostIsTriedAtEachOfItsAddressesUnderItsOwnName() throws Exception {
        // the mailbox service's name resolves to two addresses; nothing listens at the first (127.0.0.2 is loopback too)
        DeliveryRoutes routes = new DeliveryRoutes(
                RouteConfig.via(Direction.INBOUND, new HostAndPort("mail.protection.test", downstream.port())),
                new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC));
        List<String> asked = new java.util.ArrayList<>();
        MessageDelivery delivery = new MessageDelivery(routes, new DnsjavaMxResolver(new SimpleResolver(dns.address()),
                new SplittableRandom(1), downstream.port(), MxAddressPolicy.LOOPBACK_FOR_TESTS), client, "gw.test", retry, clock, new DeliveryMetrics(meters),
                host -> {
                    asked.add(host);
                    return List.of(java.net.InetAddress.getByName("127.0.0.2"), java.net.InetAddress.getByName("127.0.0.1"));
                });

        MessageDelivery.Attempt attempt = delivery.attempt(message(Direction.INBOUND, NOW, 0, "b@corp.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status).containsExactly(RecipientStatus.DELIVERED);
        assertThat(asked).containsExactly("mail.protection.test");
        assertThat(downstream.takeMessage(WAIT).data()).isEqualTo(CONTENT);
        assertThat(meters.counter("mamori.delivery.failures", "direction", "inbound", "kind", "connect").count()).isEqualTo(1);
    }

    @Test
    void outboundMailWithoutSmartHostGoesToTheNextMxWhenTheFirstIsDown() {
        // 127.0.0.2 is loopback too, but nothing listens there: the preferred MX refuses the connection.
        dns.mx("partner.test", 10, "mx1.partner.test").mx("partner.test", 20, "mx2.partner.test")
                .a("mx1.partner.test", "127.0.0.2").a("mx2.partner.test", "127.0.0.1");

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@partner.test", "b@partner.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status)
                .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.DELIVERED);
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("a@partner.test", "b@partner.test");
        assertThat(downstream.messageCount()).isEqualTo(1);
    }

    @Test
    void recipientsOfEachDomainGetTheirOwnTransaction() {
        dns.mx("one.test", 10, "mx.one.test").a("mx.one.test", "127.0.0.1").a("two.test", "127.0.0.1");

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@one.test", "b@two.test", "c@one.test"), content());

        assertThat(attempt.outcomes()).allSatisfy(r -> assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED));
        assertThat(List.of(downstream.takeMessage(WAIT).rcpts(), downstream.takeMessage(WAIT).rcpts()))
                .containsExactlyInAnyOrder(List.of("a@one.test", "c@one.test"), List.of("b@two.test"));
    }

    @Test
    void aMessageForHostsWithoutEightBitMimeIsConvertedOnceForTheWholeAttemptAndDeclaredWithItsConvertedSize() {
        downstream.eightBitMime(false);
        dns.mx("one.test", 10, "mx.one.test").a("mx.one.test", "127.0.0.1").a("two.test", "127.0.0.1");
        byte[] eightBit = "Subject: hi\r\n\r\n日本語の本文\r\n".getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        MessageDelivery.ContentSource counted = () -> new java.io.FilterInputStream(new ByteArrayInputStream(eightBit)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                int n = super.read(b, off, len);
                read.addAndGet(Math.max(0, n));
                return n;
            }

            @Override
            public int read() throws java.io.IOException {
                int c = super.read();
                read.addAndGet(c < 0 ? 0 : 1);
                return c;
            }
        };

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@one.test", "b@two.test"), counted);

        assertThat(attempt.outcomes()).allSatisfy(r -> assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED));
        assertThat(read.get()).as("the stored content read once, for one conversion").isEqualTo(eightBit.length);
        TestSmtpServer.ReceivedMessage first = downstream.takeMessage(WAIT);
        TestSmtpServer.ReceivedMessage second = downstream.takeMessage(WAIT);
        assertThat(second.data()).isEqualTo(first.data());
        for (TestSmtpServer.ReceivedMessage m : List.of(first, second)) {
            assertThat(m.mailParameters()).containsEntry("SIZE", String.valueOf(m.data().length));
        }
    }

    /** Two MX hosts for two-mx.test, both the downstream server on loopback. */
    private void twoMxHostsOnLoopback() {
        dns.mx("two-mx.test", 10, "mx1.two-mx.test").mx("two-mx.test", 20, "mx2.two-mx.test")
                .a("mx1.two-mx.test", "127.0.0.1").a("mx2.two-mx.test", "127.0.0.1");
    }

    @Test
    void aConnectionLostAfterTheWholeMessageWasSentIsNotFollowedByTheNextMxAtOnce() {
        twoMxHostsOnLoopback();
        // the first host takes the whole message and hangs up before its reply: it may well deliver it
        downstream.enqueue(TestSmtpServer.Reply.disconnectAfterData());

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@two-mx.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.PENDING));
        assertThat(downstream.connectionCount()).as("no second copy to the next MX host now").isEqualTo(1);
        assertThat(attempt.nextAttemptAt()).isAfter(NOW);
    }

    @Test
    void aConnectionLostBeforeTheMessageWasSentGoesToTheNextMxAtOnce() {
        twoMxHostsOnLoopback();
        downstream.enqueue(TestSmtpServer.Reply.tempFail451());

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@two-mx.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED));
        assertThat(downstream.connectionCount()).isEqualTo(2);
    }

    @Test
    void aDomainWithANullMxFailsWithTheStatusRfc7505GivesIt() {
        dns.mx("nomail.test", 0, ".").a("nomail.test", "127.0.0.1");

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "x@nomail.test"), content());

        assertThat(attempt.failures()).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo("5.1.10");
            assertThat(f.diagnosis()).contains("null MX");
        });
        assertThat(downstream.connectionCount()).isZero();
    }

    @Test
    void nonexistentRecipientDomainFailsPermanentlyWithoutAConnection() {
        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "x@missing.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.FAILED));
        assertThat(attempt.failures()).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo("5.1.2");
            assertThat(f.diagnosis()).contains("NXDOMAIN");
        });
        assertThat(downstream.connectionCount()).isZero();
    }

    @Test
    void domainThatRequiresTlsIsDeferredWhenItsMxOffersNone() {
        dns.mx("strict.test", 10, "mx.strict.test").a("mx.strict.test", "127.0.0.1");
        MessageDelivery delivery = delivery(new RouteConfig(Direction.OUTBOUND, Optional.empty(),
                Map.of("STRICT.test", TlsPolicy.REQUIRED), TlsPolicy.OPPORTUNISTIC));

        MessageDelivery.Attempt attempt = delivery.attempt(message(Direction.OUTBOUND, NOW, 0, "a@strict.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).contains("TLS required but not available");
        });
        assertThat(downstream.messageCount()).isZero();
        assertThat(meters.counter("mamori.delivery.failures", "direction", "outbound", "kind", "tls").count()).isEqualTo(1);
    }

    @Test
    void dnsOutageDefersInsteadOfBouncing() {
        dns.fail("flaky.test", org.xbill.DNS.Rcode.SERVFAIL);

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(message(Direction.OUTBOUND, NOW, 0, "a@flaky.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.PENDING));
        assertThat(attempt.failures()).isEmpty();
        assertThat(attempt.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(1)));
    }

    @Test
    void unreadableStoredContentDefersTheMessage() {
        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(message(Direction.INBOUND, NOW, 0, "b@corp.test"),
                () -> {
                    throw new java.io.IOException("key unavailable");
                });

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.PENDING));
        assertThat(attempt.error()).contains("cannot read stored content: key unavailable");
        assertThat(downstream.connectionCount()).isZero();
    }

    @Test
    void mailForADomainWhoseMxPointsAtThisHostFailsPermanentlyWithoutAConnection() {
        // the SMTP server on loopback stands for a service of the gateway's own host that an outside domain aims at
        dns.mx("evil.test", 10, "lo.evil.test").a("lo.evil.test", "127.0.0.1")
                .mx("evil.test", 20, "meta.evil.test").a("meta.evil.test", "169.254.169.254");
        MessageDelivery delivery = delivery(new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(),
                TlsPolicy.OPPORTUNISTIC), MxAddressPolicy.INTERNET);

        MessageDelivery.Attempt attempt = delivery.attempt(message(Direction.OUTBOUND, NOW, 0, "a@evil.test"), content());

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RecipientStatus.FAILED));
        assertThat(attempt.failures()).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo("5.4.6");
            assertThat(f.diagnosis()).isEqualTo("mail for evil.test is not delivered to the addresses its MX hosts have:"
                    + " lo.evil.test 127.0.0.1 (loopback), meta.evil.test 169.254.169.254 (link-local) (RFC 5321 section 5.1)");
        });
        assertThat(attempt.nextAttemptAt()).isNull();
        assertThat(downstream.connectionCount()).isZero();
        assertThat(meters.counter("mamori.delivery.failures", "direction", "outbound", "kind", "mx_address").count())
                .isEqualTo(1);
    }

    @Test
    void aMixedMxSetIsDeliveredToTheAllowedAddressOnly() {
        // the preferred MX is a cloud's metadata service: never connected to (it would cost a connect timeout at best)
        dns.mx("mixed.test", 10, "meta.mixed.test").a("meta.mixed.test", "169.254.169.254")
                .mx("mixed.test", 20, "mx.mixed.test").a("mx.mixed.test", "127.0.0.1");

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@mixed.test"), content());

        assertThat(attempt.outcomes()).extracting(StoredRecipient::status).containsExactly(RecipientStatus.DELIVERED);
        assertThat(downstream.takeMessage(WAIT).rcpts()).containsExactly("a@mixed.test");
        assertThat(meters.find("mamori.delivery.failures").counters()).isEmpty();
    }

    @Test
    void anAttemptWhoseTimeIsUpAsksNoMxQuestion() {
        dns.mx("partner.test", 10, "mx.partner.test").a("mx.partner.test", "127.0.0.1");

        MessageDelivery.Attempt attempt = deliveryWithDirectMx().attempt(
                message(Direction.OUTBOUND, NOW, 0, "a@partner.test"), content(), NOW);

        assertThat(attempt.outcomes()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.lastReply()).isEqualTo(MessageDelivery.TIME_LIMIT);
        });
        assertThat(dns.queryCount()).isZero();
        assertThat(downstream.connectionCount()).isZero();
    }
}
