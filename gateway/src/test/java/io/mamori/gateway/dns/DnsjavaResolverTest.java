package io.mamori.gateway.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.gateway.testing.TestDnsServer;
import java.io.ByteArrayInputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TXTRecord;

/** {@link DnsjavaResolver} against a real DNS server on loopback. */
class DnsjavaResolverTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-05T00:00:00Z"), ZoneOffset.UTC);
    private TestDnsServer dns;
    private DnsjavaResolver resolver;

    @BeforeEach
    void start() throws Exception {
        dns = new TestDnsServer().start();
        dns.add(new TXTRecord(Name.fromString("bank.example."), DClass.IN, 300, List.of("v=spf1 ip4:198.51.100.0/24", " -all")))
                .add(new TXTRecord(Name.fromString("_dmarc.bank.example."), DClass.IN, 300, "v=DMARC1; p=reject"))
                .add(new PTRRecord(Name.fromString("9.113.0.203.in-addr.arpa."), DClass.IN, 300, Name.fromString("host.bank.example.")))
                .a("host.bank.example", "203.0.113.9")
                .fail("broken.example", Rcode.SERVFAIL);
        resolver = DnsjavaResolver.usingServer(dns.address(), Duration.ofSeconds(2), CLOCK);
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void txtStringsOfOneRecordAreJoinedWithoutSeparator() {
        assertThat(resolver.lookup("bank.example", DnsResolver.Type.TXT))
                .isEqualTo(new DnsAnswer.Records(List.of("v=spf1 ip4:198.51.100.0/24 -all")));
    }

    @Test
    void addressesAndPointersComeBackAsText() {
        assertThat(resolver.lookup("HOST.bank.example.", DnsResolver.Type.A)).isEqualTo(new DnsAnswer.Records(List.of("203.0.113.9")));
        assertThat(resolver.lookup("9.113.0.203.in-addr.arpa", DnsResolver.Type.PTR))
                .isEqualTo(new DnsAnswer.Records(List.of("host.bank.example")));
    }

    @Test
    void nxdomainAndNodataAreNoRecordsAndTellWhichIsWhich() {
        assertThat(resolver.lookup("nosuch.example", DnsResolver.Type.TXT)).isEqualTo(new DnsAnswer.NoRecords(true));
        assertThat(resolver.lookup("host.bank.example", DnsResolver.Type.MX)).isEqualTo(new DnsAnswer.NoRecords(false));
    }

    @Test
    void servfailIsATemporaryFailure() {
        assertThat(resolver.lookup("broken.example", DnsResolver.Type.TXT)).isInstanceOf(DnsAnswer.TempFail.class)
                .extracting(a -> ((DnsAnswer.TempFail) a).reason()).asString().contains("SERVFAIL");
    }

    @Test
    void aServerThatNeverAnswersIsATemporaryFailureWithinTheTimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DnsjavaResolver r = DnsjavaResolver.usingServer((InetSocketAddress) silent.getLocalSocketAddress(),
                    Duration.ofMillis(300), CLOCK);
            long start = System.nanoTime();
            DnsAnswer a = r.lookup("bank.example", DnsResolver.Type.TXT);
            assertThat(a).isInstanceOf(DnsAnswer.TempFail.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void answersAreCachedButTemporaryFailuresAreNot() {
        resolver.lookup("bank.example", DnsResolver.Type.TXT);
        resolver.lookup("nosuch.example", DnsResolver.Type.TXT);
        int afterFirst = dns.queryCount();
        resolver.lookup("bank.example", DnsResolver.Type.TXT);
        resolver.lookup("nosuch.example", DnsResolver.Type.TXT);
        assertThat(dns.queryCount()).isEqualTo(afterFirst);
        resolver.lookup("broken.example", DnsResolver.Type.TXT);
        resolver.lookup("broken.example", DnsResolver.Type.TXT);
        assertThat(dns.queryCount()).isEqualTo(afterFirst + 2);
    }

    @Test
    void senderAuthenticationWorksOverRealDns() throws Exception {
        byte[] raw = ("From: Bank <support@bank.example>\r\nTo: a@example.co.jp\r\nSubject: hi\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = new Envelope(Direction.INBOUND, "support@bank.example", List.of("a@example.co.jp"),
                "203.0.113.9", "host.bank.example", null, false, CLOCK.instant());
        AnalysisInput input = new AnalysisInput(envelope, new MessageParser().parse(new ByteArrayInputStream(raw)),
                RawMessage.of(raw));
        List<Finding> findings = new SenderAuthAnalyzer(resolver, new SenderAuthSettings(Set.of()), CLOCK).analyze(input);
        assertThat(findings).extracting(Finding::code, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("SPF_FAIL", "mailfrom=bank.example ip=203.0.113.9"),
                org.assertj.core.groups.Tuple.tuple("DMARC_REJECT_POLICY_FAIL", "from=bank.example policy=reject"));
    }

    @Test
    void lookupAsyncReturnsAtOnceAndCompletesWithATemporaryFailureWhenTheServerIsSilent() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DnsjavaResolver r = DnsjavaResolver.usingServer((InetSocketAddress) silent.getLocalSocketAddress(),
                    Duration.ofMillis(300), CLOCK);
            java.util.concurrent.CompletableFuture<DnsAnswer> a = r.lookupAsync("bank.example", DnsResolver.Type.TXT);
            java.util.concurrent.CompletableFuture<DnsAnswer> b = r.lookupAsync("other.example", DnsResolver.Type.A);
            assertThat(a).as("sent, not waited for").isNotDone();
            assertThat(b).isNotDone();
            assertThat(a.get(3, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(DnsAnswer.TempFail.class);
            assertThat(b.get(3, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(DnsAnswer.TempFail.class);
        }
    }

    @Test
    void lookupAsyncGivesWhatLookupGivesAndSharesItsCache() throws Exception {
        assertThat(resolver.lookupAsync("HOST.bank.example.", DnsResolver.Type.A).get(3, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(new DnsAnswer.Records(List.of("203.0.113.9")));
        assertThat(resolver.lookupAsync("nosuch.example", DnsResolver.Type.TXT).get(3, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(new DnsAnswer.NoRecords(true));
        assertThat(resolver.lookupAsync("broken.example", DnsResolver.Type.TXT).get(3, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(DnsAnswer.TempFail.class);
        int asked = dns.queryCount();
        assertThat(resolver.lookup("host.bank.example", DnsResolver.Type.A)).isEqualTo(new DnsAnswer.Records(List.of("203.0.113.9")));
        assertThat(resolver.lookupAsync("nosuch.example", DnsResolver.Type.TXT)).as("cached: complete at once")
                .isCompletedWithValue(new DnsAnswer.NoRecords(true));
        assertThat(dns.queryCount()).isEqualTo(asked);
    }
}
