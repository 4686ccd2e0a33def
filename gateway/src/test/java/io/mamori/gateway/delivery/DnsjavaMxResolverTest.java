package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.gateway.delivery.MxResolver.MxResolution;
import io.mamori.gateway.testing.TestDnsServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;

class DnsjavaMxResolverTest {

    private final TestDnsServer dns = new TestDnsServer().start();

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private DnsjavaMxResolver resolver(long seed) {
        return resolver(seed, MxAddressPolicy.INTERNET);
    }

    private DnsjavaMxResolver resolver(long seed, MxAddressPolicy policy) {
        SimpleResolver r = new SimpleResolver(dns.address());
        r.setTimeout(Duration.ofSeconds(2));
        return new DnsjavaMxResolver(r, new SplittableRandom(seed), 2525, policy);
    }

    private static List<String> hosts(MxResolution resolution) {
        assertThat(resolution).isInstanceOf(MxResolution.Hosts.class);
        return ((MxResolution.Hosts) resolution).hosts().stream()
                .map(h -> h.host() + "/" + h.address().getHostAddress() + ":" + h.port()).toList();
    }

    @Test
    void mxHostsComeInPreferenceOrderWithTheirAddresses() {
        dns.mx("example.test", 20, "backup.example.test").mx("example.test", 10, "mx1.example.test")
                .a("mx1.example.test", "192.0.2.1").a("backup.example.test", "192.0.2.9")
                .aaaa("mx1.example.test", "2001:db8::1");

        assertThat(hosts(resolver(1).resolve("example.test"))).containsExactly(
                "mx1.example.test/192.0.2.1:2525", "mx1.example.test/2001:db8:0:0:0:0:0:1:2525",
                "backup.example.test/192.0.2.9:2525");
    }

    @Test
    void equalPreferencesAreShuffled() {
        dns.mx("example.test", 10, "a.example.test").mx("example.test", 10, "b.example.test")
                .mx("example.test", 5, "first.example.test")
                .a("a.example.test", "192.0.2.1").a("b.example.test", "192.0.2.2").a("first.example.test", "192.0.2.3");

        Set<List<String>> orders = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            List<String> order = hosts(resolver(seed).resolve("example.test"));
            assertThat(order.get(0)).startsWith("first.example.test");
            orders.add(order);
        }
        assertThat(orders).hasSize(2);
    }

    @Test
    void domainWithoutMxFallsBackToItsOwnAddress() {
        dns.a("plain.test", "192.0.2.7");

        assertThat(hosts(resolver(1).resolve("plain.test"))).containsExactly("plain.test/192.0.2.7:2525");
    }

    @Test
    void nullMxMeansTheDomainAcceptsNoMail() {
        dns.mx("nomail.test", 0, ".").a("nomail.test", "192.0.2.7");

        assertThat(resolver(1).resolve("nomail.test"))
                .isEqualTo(new MxResolution.NoDomain("domain nomail.test accepts no mail (null MX, RFC 7505)", "5.1.10"));
    }

    @Test
    void nonexistentDomainIsPermanent() {
        assertThat(resolver(1).resolve("missing.test"))
                .isEqualTo(new MxResolution.NoDomain("domain missing.test does not exist (NXDOMAIN)"));
    }

    @Test
    void mxHostWithoutAnAddressIsSkipped() {
        dns.mx("example.test", 10, "gone.example.test").mx("example.test", 20, "mx2.example.test")
                .a("mx2.example.test", "192.0.2.2");

        assertThat(hosts(resolver(1).resolve("example.test"))).containsExactly("mx2.example.test/192.0.2.2:2525");
    }

    @Test
    void noMxAndNoAddressIsPermanent() {
        dns.mx("other.test", 10, "mx.other.test").fail("empty.test", Rcode.NOERROR);

        assertThat(resolver(1).resolve("empty.test")).isInstanceOf(MxResolution.NoDomain.class);
    }

    @Test
    void serverFailureIsTemporary() {
        dns.fail("broken.test", Rcode.SERVFAIL);

        assertThat(resolver(1).resolve("broken.test")).isInstanceOf(MxResolution.TempFail.class);
    }

    @Test
    void unreachableDnsServerIsTemporary() {
        SimpleResolver r = new SimpleResolver(dns.address());
        r.setTimeout(Duration.ofMillis(300));
        dns.close();

        MxResolution resolution = new DnsjavaMxResolver(r, new Random(1), 25, MxAddressPolicy.INTERNET).resolve("example.test");

        assertThat(resolution).isInstanceOf(MxResolution.TempFail.class);
    }

    @Test
    void internationalisedDomainIsAskedAsItsALabel() {
        dns.mx("xn--eckwd4c7c.test", 10, "mx.xn--eckwd4c7c.test").a("mx.xn--eckwd4c7c.test", "192.0.2.5");

        assertThat(hosts(resolver(1).resolve("ドメイン.test"))).containsExactly("mx.xn--eckwd4c7c.test/192.0.2.5:2525");
    }

    @Test
    void mxHostsAtLoopbackUnspecifiedLinkLocalMulticastOrPrivateAddressesAreNeverDeliveredTo() {
        // an outside domain's MX pointing at this host, a cloud's metadata service, the internal network
        dns.mx("evil.test", 10, "lo.evil.test").a("lo.evil.test", "127.0.0.1").aaaa("lo.evil.test", "::1")
                .mx("evil.test", 20, "meta.evil.test").a("meta.evil.test", "169.254.169.254")
                .aaaa("meta.evil.test", "fe80::1")
                .mx("evil.test", 30, "any.evil.test").a("any.evil.test", "0.0.0.0").aaaa("any.evil.test", "::")
                .mx("evil.test", 40, "priv.evil.test").a("priv.evil.test", "10.0.0.5").aaaa("priv.evil.test", "fd00::5")
                .mx("evil.test", 50, "group.evil.test").a("group.evil.test", "224.0.0.1")
                .mx("evil.test", 60, "localhost.").a("localhost.", "127.0.0.1")
                // an IPv4-mapped IPv6 address reaches the IPv4 address it maps, and is judged as that
                .mx("evil.test", 70, "mapped.evil.test").aaaa("mapped.evil.test", "::ffff:127.0.0.2");

        MxResolution resolution = resolver(1).resolve("evil.test");

        assertThat(resolution).isInstanceOf(MxResolution.NoUsableAddress.class);
        assertThat(((MxResolution.NoUsableAddress) resolution).reason()).isEqualTo("mail for evil.test is not delivered"
                + " to the addresses its MX hosts have: lo.evil.test 127.0.0.1 (loopback), lo.evil.test 0:0:0:0:0:0:0:1"
                + " (loopback), meta.evil.test 169.254.169.254 (link-local), meta.evil.test fe80:0:0:0:0:0:0:1"
                + " (link-local), any.evil.test 0.0.0.0 (unspecified), any.evil.test 0:0:0:0:0:0:0:0 (unspecified),"
                + " priv.evil.test 10.0.0.5 (private), priv.evil.test fd00:0:0:0:0:0:0:5 (private), group.evil.test"
                + " 224.0.0.1 (multicast), localhost 127.0.0.1 (loopback), mapped.evil.test 127.0.0.2 (loopback)"
                + " (RFC 5321 section 5.1)");
    }

    @Test
    void aMixedMxSetKeepsOnlyTheAddressesMailMayGoTo() {
        dns.mx("mixed.test", 10, "lo.mixed.test").a("lo.mixed.test", "127.0.0.1")
                .mx("mixed.test", 20, "mx.mixed.test").a("mx.mixed.test", "192.0.2.25").a("mx.mixed.test", "10.1.2.3")
                .aaaa("mx.mixed.test", "2001:db8::25").aaaa("mx.mixed.test", "fe80::25");

        assertThat(hosts(resolver(1).resolve("mixed.test"))).containsExactly(
                "mx.mixed.test/192.0.2.25:2525", "mx.mixed.test/2001:db8:0:0:0:0:0:25:2525");
    }

    @Test
    void privateAddressesAreDeliveredToOnlyWhenAllowedAndLoopbackStillNot() {
        dns.mx("intranet.test", 10, "mx.intranet.test").a("mx.intranet.test", "10.0.0.5")
                .aaaa("mx.intranet.test", "fd00::5").mx("intranet.test", 20, "lo.intranet.test")
                .a("lo.intranet.test", "127.0.0.1");

        assertThat(hosts(resolver(1, new MxAddressPolicy(true, false, Set::of)).resolve("intranet.test")))
                .containsExactly("mx.intranet.test/10.0.0.5:2525", "mx.intranet.test/fd00:0:0:0:0:0:0:5:2525");
    }

    @Test
    void theGatewaysOwnAddressIsNotDeliveredToEvenWhenPrivateAddressesAre() throws Exception {
        dns.mx("loop.test", 10, "us.loop.test").a("us.loop.test", "192.0.2.9").a("us.loop.test", "10.0.0.4")
                .mx("loop.test", 20, "them.loop.test").a("them.loop.test", "192.0.2.1");
        Set<java.net.InetAddress> own = Set.of(java.net.InetAddress.getByName("192.0.2.9"),
                java.net.InetAddress.getByName("10.0.0.4"));

        assertThat(hosts(resolver(1, new MxAddressPolicy(true, false, () -> own)).resolve("loop.test")))
                .containsExactly("them.loop.test/192.0.2.1:2525");
    }

    @Test
    void aDomainWithoutMxWhoseOwnAddressIsLoopbackIsNotDeliveredTo() {
        dns.a("self.test", "127.0.0.1");

        assertThat(resolver(1).resolve("self.test")).isEqualTo(new MxResolution.NoUsableAddress("mail for self.test is"
                + " not delivered to the addresses its MX hosts have: self.test 127.0.0.1 (loopback) (RFC 5321 section 5.1)"));
    }

    @Test
    void anMxHostThatCannotBeLookedUpNowKeepsARefusedSetTemporary() {
        // the other host may have an address mail can go to once DNS answers
        dns.mx("half.test", 10, "lo.half.test").a("lo.half.test", "127.0.0.1").mx("half.test", 20, "mx.half.test")
                .fail("mx.half.test", Rcode.SERVFAIL);

        assertThat(resolver(1).resolve("half.test")).isInstanceOf(MxResolution.TempFail.class);
    }

    @Test
    void testsMayDeliverToLoopbackButNotToTheOtherSpecialAddresses() {
        dns.mx("local.test", 10, "meta.local.test").a("meta.local.test", "169.254.169.254")
                .mx("local.test", 20, "mx.local.test").a("mx.local.test", "127.0.0.1");

        assertThat(hosts(resolver(1, MxAddressPolicy.LOOPBACK_FOR_TESTS).resolve("local.test")))
                .containsExactly("mx.local.test/127.0.0.1:2525");
    }

    @Test
    void aDomainWithManyMxRecordsCostsAtMostTheAddressLookupsOfTenHosts() {
        // one host with an address, then 23 without: the later ones are not asked about
        dns.mx("many.test", 5, "h0.many.test").a("h0.many.test", "192.0.2.1");
        for (int i = 1; i < 24; i++) {
            dns.mx("many.test", 10, "h" + i + ".many.test");
        }

        MxResolution resolution = resolver(1).resolve("many.test");

        // one MX question, then A and AAAA for MAX_HOSTS hosts (24 MX records cost 49 before)
        assertThat(dns.queryCount()).isEqualTo(1 + 2 * DnsjavaMxResolver.MAX_HOSTS);
        assertThat(hosts(resolution)).containsExactly("h0.many.test/192.0.2.1:2525");
    }

    @Test
    void addressLookupsStopOnceTenAddressesAreKnown() {
        for (int i = 0; i < 24; i++) {
            dns.mx("big.test", i, "h" + i + ".big.test").a("h" + i + ".big.test", "192.0.2." + (2 * i + 1))
                    .a("h" + i + ".big.test", "192.0.2." + (2 * i + 2));
        }

        List<String> hosts = hosts(resolver(1).resolve("big.test"));

        assertThat(hosts).hasSize(DnsjavaMxResolver.MAX_HOSTS).startsWith("h0.big.test/192.0.2.1:2525")
                .endsWith("h4.big.test/192.0.2.10:2525");
        assertThat(dns.queryCount()).isEqualTo(1 + 2 * 5);
    }

    @Test
    void lookupsEndWithTheTimeLimitOfTheDeliveryAttempt() throws Exception {
        // a resolver that never answers, and a timeout of its own far longer than what is left of the attempt
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            SimpleResolver r = new SimpleResolver((java.net.InetSocketAddress) silent.getLocalSocketAddress());
            r.setTimeout(Duration.ofSeconds(30));
            long started = System.nanoTime();

            MxResolution resolution = new DnsjavaMxResolver(r, new Random(1), 25, MxAddressPolicy.INTERNET)
                    .resolve("example.test", Duration.ofMillis(300));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(resolution).isEqualTo(new MxResolution.TempFail(
                    "MX lookup for example.test failed: time limit of the delivery attempt reached"));
        }
    }
}
