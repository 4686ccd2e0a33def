package io.mamori.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindProxy = new ClientAddress(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));
    private final ClientAddress direct = new ClientAddress(List.of());

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void withoutTrustedProxiesTheSocketAddressCountsWhateverTheHeaderSays() throws Exception {
        assertThat(direct.resolve("203.0.113.9", List.of("192.0.2.1"))).isEqualTo(ip("203.0.113.9"));
        assertThat(behindProxy.resolve("203.0.113.9", List.of("192.0.2.1"))).as("peer is not a trusted proxy")
                .isEqualTo(ip("203.0.113.9"));
    }

    @Test
    void aTrustedProxysHeaderIsReadFromTheRightSkippingTrustedHops() throws Exception {
        assertThat(behindProxy.resolve("10.1.1.1", List.of("192.0.2.1"))).isEqualTo(ip("192.0.2.1"));
        // the client forged the first entry; our two proxies appended the real address and each other
        assertThat(behindProxy.resolve("10.1.1.1", List.of("198.51.100.66, 192.0.2.1", "10.2.2.2"))).isEqualTo(ip("192.0.2.1"));
        assertThat(behindProxy.resolve("fd00::1", List.of("2001:db8::5"))).isEqualTo(ip("2001:db8::5"));
        assertThat(behindProxy.resolve("10.1.1.1", List.of("[2001:db8::7]:4711"))).isEqualTo(ip("2001:db8::7"));
        assertThat(behindProxy.resolve("10.1.1.1", List.of("192.0.2.8:51234"))).isEqualTo(ip("192.0.2.8"));
    }

    @Test
    void garbageOrAMissingHeaderStopsAtTheLastAddressWeCanVouchFor() throws Exception {
        assertThat(behindProxy.resolve("10.1.1.1", List.of())).isEqualTo(ip("10.1.1.1"));
        assertThat(behindProxy.resolve("10.1.1.1", List.of("unknown"))).isEqualTo(ip("10.1.1.1"));
        assertThat(behindProxy.resolve("10.1.1.1", List.of("192.0.2.1, evil.example.com, 10.3.3.3"))).isEqualTo(ip("10.3.3.3"));
    }

    @Test
    void literalsNeverTouchTheDns() {
        assertThat(ClientAddress.literal("localhost")).isNull();
        assertThat(ClientAddress.literal("192.0.2.0/24")).isNull();
        assertThat(ClientAddress.literal("fe80::1%eth0")).isNotNull();
    }
}
