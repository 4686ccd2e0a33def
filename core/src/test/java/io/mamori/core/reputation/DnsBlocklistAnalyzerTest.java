package io.mamori.core.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.TableDnsResolver;
import io.mamori.core.testing.HeldDns;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The block list analyzer against a DNS table laid out as the lists publish (RFC 5782: 127.0.0.2 is every list's
 * test entry, an A record in 127/8 a listing, 127.255.255.x Spamhaus's error codes). Zones and domains are test
 * names ({@code .test}, {@code .example}); nothing here leaves the process.
 */
class DnsBlocklistAnalyzerTest {

    static final String IP_ZONE = "zen.blocklist.test";
    static final String DOMAIN_ZONE = "dbl.blocklist.test";

    private static List<Finding> analyze(TableDnsResolver dns, Direction direction, String client, String message) throws Exception {
        return analyze(dns, direction, client, message, List.of(IP_ZONE), List.of(DOMAIN_ZONE));
    }

    private static List<Finding> analyze(TableDnsResolver dns, Direction direction, String client, String message,
            List<String> ipZones, List<String> domainZones) throws Exception {
        return analyze(dns, DnsBlocklistAnalyzer.Observer.NONE, direction, client, message, ipZones, domainZones);
    }

    private static List<Finding> analyze(DnsResolver dns, DnsBlocklistAnalyzer.Observer observer, Direction direction,
            String client, String message, List<String> ipZones, List<String> domainZones) throws Exception {
        DnsBlocklistAnalyzer analyzer = new DnsBlocklistAnalyzer(dns, () -> new DnsBlocklistAnalyzer.Settings(ipZones,
                domainZones, d -> d.equals("example.co.jp") || d.endsWith(".example.co.jp"),
                a -> a.getHostAddress().equals("198.51.100.25")), observer);
        byte[] raw = message.getBytes(StandardCharsets.UTF_8);
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw))) {
            return analyzer.analyze(new AnalysisInput(new Envelope(direction, "bounce@mailer.sender.example",
                    List.of("taro@example.co.jp"), client, "mx.sender.example", null, false, Instant.EPOCH), m));
        }
    }

    /** A plain-text body of {@code n} links, each to a domain of its own ({@code site0.example} …). */
    private static String links(int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < n; i++) {
            body.append("https://site").append(i).append(".example/\r\n");
        }
        return body.toString();
    }

    static final String PLAIN = "From: Sales <sales@sender.example>\r\nTo: taro@example.co.jp\r\nSubject: offer\r\n\r\n"
            + "See https://www.offer.example/deal and our site https://intranet.example.co.jp/x\r\n";

    @Test
    void aListedClientAddressIsReportedWithTheZonesAnswer() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("2.0.0.127." + IP_ZONE, Type.A, "127.0.0.2")
                .add("7.113.0.203." + IP_ZONE, Type.A, "127.0.0.4")
                .build();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.7", PLAIN)).containsExactly(
                Finding.of("IP_BLOCKLISTED", "ip=203.0.113.7 zone=zen.blocklist.test answer=127.0.0.4"));
        assertThat(analyze(dns, Direction.INBOUND, "127.0.0.2", PLAIN)).as("every list's test entry").containsExactly(
                Finding.of("IP_BLOCKLISTED", "ip=127.0.0.2 zone=zen.blocklist.test answer=127.0.0.2"));
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.8", PLAIN)).as("NXDOMAIN: not listed").isEmpty();
    }

    @Test
    void aSubscribersKeyInTheZoneNeverReachesTheEvidence() throws Exception {
        String zone = "k3y0fthesubscriber0123456.zen.dq.blocklist.test";
        TableDnsResolver dns = TableDnsResolver.builder().add("7.113.0.203." + zone, Type.A, "127.0.0.2").build();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.7", PLAIN, List.of(zone), List.of()))
                .extracting(Finding::evidence).containsExactly("ip=203.0.113.7 zone=<key>.zen.dq.blocklist.test answer=127.0.0.2");
        assertThat(DnsBlocklistAnalyzer.shown("zen.spamhaus.org")).isEqualTo("zen.spamhaus.org");
        assertThat(DnsBlocklistAnalyzer.shown("multi.uribl.com")).isEqualTo("multi.uribl.com");
    }

    @Test
    void theKeyPlaceholderIsFilledInFromTheSettingAndAZoneThatNeedsAMissingKeyIsNotAsked() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder().add("7.113.0.203.s3cr3t.zen.dq.blocklist.test", Type.A, "127.0.0.3")
                .build();
        DnsBlocklistAnalyzer keyed = new DnsBlocklistAnalyzer(dns, () -> new DnsBlocklistAnalyzer.Settings(
                List.of("{key}.zen.dq.blocklist.test"), List.of(), d -> false, a -> false, java.util.Optional.of("S3CR3T")));
        byte[] raw = PLAIN.getBytes(StandardCharsets.UTF_8);
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw))) {
            assertThat(keyed.analyze(new AnalysisInput(new Envelope(Direction.INBOUND, "", List.of("taro@example.co.jp"),
                    "203.0.113.7", "mx", null, false, Instant.EPOCH), m))).containsExactly(
                    Finding.of("IP_BLOCKLISTED", "ip=203.0.113.7 zone={key}.zen.dq.blocklist.test answer=127.0.0.3"));
        }
        TableDnsResolver counted = TableDnsResolver.builder().build();
        assertThat(analyze(counted, Direction.INBOUND, "203.0.113.7", PLAIN, List.of("{key}.zen.dq.blocklist.test"),
                List.of("{key}.dbl.dq.blocklist.test"))).isEmpty();
        assertThat(counted.lookupCount()).as("no key: nothing asked").isZero();
        assertThat(DnsBlocklistAnalyzer.queried("zen.spamhaus.org", java.util.Optional.empty())).contains("zen.spamhaus.org");
    }

    @Test
    void ipv6AddressesAreAskedByTheirReversedNibbles() throws Exception {
        String reversed = DnsBlocklistAnalyzer.reversed(InetAddress.getByName("2001:db8::1"));
        assertThat(reversed).isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
        TableDnsResolver dns = TableDnsResolver.builder().add(reversed + "." + IP_ZONE, Type.A, "127.0.0.3").build();
        assertThat(analyze(dns, Direction.INBOUND, "2001:db8::1", PLAIN)).extracting(Finding::evidence)
                .containsExactly("ip=2001:db8:0:0:0:0:0:1 zone=zen.blocklist.test answer=127.0.0.3");
    }

    @Test
    void errorCodesRewrittenAnswersAndTimeoutsAreNoListing() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder()
                // Spamhaus: a query through a public resolver, over the quota
                .add("7.113.0.203." + IP_ZONE, Type.A, "127.255.255.254")
                // URIBL and SURBL: query refused
                .add("offer.example." + DOMAIN_ZONE, Type.A, "127.0.0.1")
                // a resolver that sends NXDOMAIN to an advertising server
                .add("sender.example." + DOMAIN_ZONE, Type.A, "192.0.2.80")
                .tempFail("9.113.0.203." + IP_ZONE)
                .build();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.7", PLAIN)).isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.9", PLAIN)).as("timeout").isEmpty();
        assertThat(DnsBlocklistAnalyzer.isListing("127.0.1.4")).isTrue();
        assertThat(DnsBlocklistAnalyzer.isListing("127.255.255.252")).isFalse();
        assertThat(DnsBlocklistAnalyzer.isListing("127.0.0.1")).isFalse();
        assertThat(DnsBlocklistAnalyzer.isListing("10.0.0.2")).isFalse();
    }

    @Test
    void listedDomainsOfTheSenderAndTheLinksAreReportedButInternalOnesAreNeverAsked() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("offer.example." + DOMAIN_ZONE, Type.A, "127.0.1.4")
                .add("sender.example." + DOMAIN_ZONE, Type.A, "127.0.1.2")
                .add("example.co.jp." + DOMAIN_ZONE, Type.A, "127.0.1.2")
                .build();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.8", PLAIN)).containsExactly(
                Finding.of("DOMAIN_BLOCKLISTED", "domain=sender.example (From) zone=dbl.blocklist.test answer=127.0.1.2"),
                Finding.of("DOMAIN_BLOCKLISTED", "domain=offer.example (link) zone=dbl.blocklist.test answer=127.0.1.4"));
    }

    @Test
    void nothingIsAskedOutboundWithoutZonesOrForPrivateAndOwnAddresses() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("2.0.0.127." + IP_ZONE, Type.A, "127.0.0.2")
                .add("sender.example." + DOMAIN_ZONE, Type.A, "127.0.1.2")
                .build();
        assertThat(analyze(dns, Direction.OUTBOUND, "127.0.0.2", PLAIN)).isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "127.0.0.2", PLAIN, List.of(), List.of())).isEmpty();
        assertThat(dns.lookupCount()).as("no question asked").isZero();
        assertThat(analyze(dns, Direction.INBOUND, "192.168.1.20", PLAIN, List.of(IP_ZONE), List.of())).isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "fd00::20", PLAIN, List.of(IP_ZONE), List.of())).isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "198.51.100.25", PLAIN, List.of(IP_ZONE), List.of())).isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "mail.sender.example", PLAIN, List.of(IP_ZONE), List.of()))
                .as("a name, not an address: never looked up").isEmpty();
        assertThat(analyze(dns, Direction.INBOUND, "999.0.113.7", PLAIN, List.of(IP_ZONE), List.of()))
                .as("no address either: Java would look it up as a name").isEmpty();
        assertThat(dns.lookupCount()).isZero();
    }

    @Test
    void aListThatDoesNotAnswerIsAskedOncePerMessageSoAnOutageCannotExhaustTheAnalyzersTime() throws Exception {
        String body = links(30);
        TableDnsResolver.Builder b = TableDnsResolver.builder();
        for (int i = 0; i < 30; i++) {
            b.tempFail("site" + i + ".example." + DOMAIN_ZONE);
        }
        b.tempFail("sender.example." + DOMAIN_ZONE).add("site3.example.uri.blocklist.test", Type.A, "127.0.1.5");
        TableDnsResolver dns = b.build();
        List<Finding> found = analyze(dns, Direction.INBOUND, "203.0.113.8", "From: a@sender.example\r\nTo: taro@example.co.jp\r\n"
                + "Subject: x\r\n\r\n" + body, List.of(), List.of(DOMAIN_ZONE, "uri.blocklist.test"));
        assertThat(found).extracting(Finding::evidence)
                .containsExactly("domain=site3.example (link) zone=uri.blocklist.test answer=127.0.1.5");
        assertThat(dns.lookupCount()).as("the silent zone once, the other for every domain")
                .isEqualTo(1 + DnsBlocklistAnalyzer.MAX_DOMAINS);
    }

    @Test
    void aNameDnsCannotCarryIsSkippedWithoutSilencingTheListForTheOtherDomains() throws Exception {
        String longLabel = "a".repeat(70);
        TableDnsResolver dns = TableDnsResolver.builder().add("phish.example." + DOMAIN_ZONE, Type.A, "127.0.1.4").build();
        List<Finding> found = analyze(dns, Direction.INBOUND, "203.0.113.8", "From: a@sender.example\r\nTo: taro@example.co.jp\r\n"
                + "Subject: x\r\n\r\nhttps://" + longLabel + ".example/ https://phish.example/login\r\n",
                List.of(), List.of(DOMAIN_ZONE));
        assertThat(found).extracting(Finding::evidence)
                .containsExactly("domain=phish.example (link) zone=dbl.blocklist.test answer=127.0.1.4");
        assertThat(DnsBlocklistAnalyzer.askable("a.example")).isTrue();
        assertThat(DnsBlocklistAnalyzer.askable(longLabel + ".example")).isFalse();
        assertThat(DnsBlocklistAnalyzer.askable("a..example")).isFalse();
        assertThat(DnsBlocklistAnalyzer.askable("例え.jp")).isFalse();
    }

    @Test
    void aUnicodeSenderDomainIsAskedInItsALabels() throws Exception {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("xn--r8jz45g.example." + DOMAIN_ZONE, Type.A, "127.0.1.2").build();
        assertThat(analyze(dns, Direction.INBOUND, "203.0.113.8", "From: =?UTF-8?B?5L6L?= <info@例え.example>\r\n"
                + "To: taro@example.co.jp\r\nSubject: x\r\n\r\nhello\r\n", List.of(), List.of(DOMAIN_ZONE)))
                .extracting(Finding::evidence)
                .containsExactly("domain=xn--r8jz45g.example (From) zone=dbl.blocklist.test answer=127.0.1.2");
    }

    @Test
    void atMostTwentyDomainsAreAskedAboutPerMessage() throws Exception {
        String body = links(60);
        TableDnsResolver dns = TableDnsResolver.builder().build();
        analyze(dns, Direction.INBOUND, "203.0.113.8", "From: a@sender.example\r\nTo: taro@example.co.jp\r\nSubject: x\r\n\r\n"
                + body, List.of(), List.of(DOMAIN_ZONE, "uribl.blocklist.test"));
        assertThat(dns.lookupCount()).isEqualTo(2 * DnsBlocklistAnalyzer.MAX_DOMAINS);
    }

    @Test
    void theListsAreAskedAllAtOnceFirstOneQuestionEachThenTheRestOfEachListThatAnsweredWithoutAnErrorCode() throws Exception {
        HeldDns dns = new HeldDns(TableDnsResolver.builder()
                .add("site7.example." + DOMAIN_ZONE, Type.A, "127.0.1.4")
                .add("8.113.0.203." + IP_ZONE, Type.A, "127.0.0.3")
                .tempFail("sender.example.silent.blocklist.test")
                .add("sender.example.refusing.blocklist.test", Type.A, "127.255.255.254").build());
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<List<Finding>> found = thread.submit(() -> analyze(dns, DnsBlocklistAnalyzer.Observer.NONE,
                    Direction.INBOUND, "203.0.113.8", "From: a@sender.example\r\nTo: taro@example.co.jp\r\nSubject: x\r\n\r\n"
                            + links(10), List.of(IP_ZONE), List.of(DOMAIN_ZONE, "silent.blocklist.test", "refusing.blocklist.test")));
            assertThat(dns.answerAll(4)).as("round one: a question to each list, together").containsExactly(
                    "8.113.0.203." + IP_ZONE, "sender.example." + DOMAIN_ZONE, "sender.example.silent.blocklist.test",
                    "sender.example.refusing.blocklist.test");
            List<String> second = dns.answerAll(10);
            assertThat(second).as("round two: the other ten domains of the list that answered, together; none of the"
                    + " silent or the refusing list's, or the IP list's, which has no more to ask").hasSize(10)
                    .allMatch(n -> n.endsWith(".example." + DOMAIN_ZONE) && n.startsWith("site"));
            assertThat(found.get(10, TimeUnit.SECONDS)).extracting(Finding::evidence).containsExactly(
                    "ip=203.0.113.8 zone=zen.blocklist.test answer=127.0.0.3",
                    "domain=site7.example (link) zone=dbl.blocklist.test answer=127.0.1.4");
            assertThat(dns.pendingCount()).isZero();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void anInterruptedAnalyzerStopsWaitingForTheListsAndKeepsItsInterrupt() throws Exception {
        HeldDns dns = new HeldDns(TableDnsResolver.builder().build());
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Future<List<Finding>> found = thread.submit(() -> {
                List<Finding> f = analyze(dns, DnsBlocklistAnalyzer.Observer.NONE, Direction.INBOUND, "203.0.113.8",
                        PLAIN, List.of(IP_ZONE), List.of(DOMAIN_ZONE));
                interruptKept.complete(Thread.currentThread().isInterrupted());
                return f;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (dns.pendingCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(dns.pendingCount()).as("both lists asked, neither answers").isEqualTo(2);
            found.cancel(true); // what the pipeline does when the analyzer's budget runs out
            assertThat(interruptKept.get(5, TimeUnit.SECONDS)).as("returned, interrupt flag kept").isTrue();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void theObserverHearsWhatEachAnswerSaidAboutItsListByThePolicysZoneNeverTheKey() throws Exception {
        String keyed = "{key}.dbl.dq.blocklist.test";
        String key = "abcdefghijklmnopqrstuvwxyz";
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("8.113.0.203." + IP_ZONE, Type.A, "127.255.255.254")
                .add("sender.example." + key + ".dbl.dq.blocklist.test", Type.A, "127.0.1.2")
                .tempFail("sender.example.silent.blocklist.test").build();
        List<String> heard = new ArrayList<>();
        DnsBlocklistAnalyzer analyzer = new DnsBlocklistAnalyzer(dns, () -> new DnsBlocklistAnalyzer.Settings(
                List.of(IP_ZONE), List.of(keyed, "silent.blocklist.test"), d -> false, a -> false,
                java.util.Optional.of(key)),
                (zone, ip, outcome) -> heard.add(zone + " " + (ip ? "ip" : "domain") + " " + outcome));
        byte[] raw = ("From: a@sender.example\r\nTo: taro@example.co.jp\r\nSubject: x\r\n\r\nhttps://www.offer.example/\r\n")
                .getBytes(StandardCharsets.UTF_8);
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw))) {
            analyzer.analyze(new AnalysisInput(new Envelope(Direction.INBOUND, "a@sender.example",
                    List.of("taro@example.co.jp"), "203.0.113.8", "mx.sender.example", null, false, Instant.EPOCH), m));
        }
        assertThat(heard).containsExactly(
                "zen.blocklist.test ip ERROR_CODE",
                "{key}.dbl.dq.blocklist.test domain LISTED",
                "silent.blocklist.test domain NO_ANSWER",
                "{key}.dbl.dq.blocklist.test domain NOT_LISTED");
        assertThat(DnsBlocklistAnalyzer.outcome(new DnsAnswer.Records(List.of("192.0.2.80")))).as("a rewritten NXDOMAIN")
                .isEqualTo(DnsBlocklistAnalyzer.Outcome.NOT_LISTED);
    }
}
