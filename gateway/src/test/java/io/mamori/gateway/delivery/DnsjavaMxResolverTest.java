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
        SimpleResolver r = new SimpleResolver(dns.address());
        r.setTimeout(Duration.ofSeconds(2));
        return new DnsjavaMxResolver(r, new SplittableRandom(seed), 2525);
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
                .isEqualTo(new MxResolution.NoDomain("domain nomail.test accepts no mail (null MX, RFC 7505)"));
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

        MxResolution resolution = new DnsjavaMxResolver(r, new Random(1), 25).resolve("example.test");

        assertThat(resolution).isInstanceOf(MxResolution.TempFail.class);
    }

    @Test
    void internationalisedDomainIsAskedAsItsALabel() {
        dns.mx("xn--eckwd4c7c.test", 10, "mx.xn--eckwd4c7c.test").a("mx.xn--eckwd4c7c.test", "192.0.2.5");

        assertThat(hosts(resolver(1).resolve("ドメイン.test"))).containsExactly("mx.xn--eckwd4c7c.test/192.0.2.5:2525");
    }
}
