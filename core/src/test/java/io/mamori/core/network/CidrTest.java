package io.mamori.core.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void ipv4NetworksContainTheirAddressesOnly() throws UnknownHostException {
        Cidr net = Cidr.parse("192.0.2.0/24");
        assertThat(net.contains(ip("192.0.2.0"))).isTrue();
        assertThat(net.contains(ip("192.0.2.255"))).isTrue();
        assertThat(net.contains(ip("192.0.3.0"))).isFalse();
        assertThat(net.contains(ip("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3/9").contains(ip("10.127.255.255"))).isTrue();
        assertThat(Cidr.parse("10.1.2.3/9").contains(ip("10.128.0.0"))).isFalse();
    }

    @Test
    void ipv6NetworksAndSingleHosts() throws UnknownHostException {
        Cidr net = Cidr.parse("2001:db8:abcd::/48");
        assertThat(net.contains(ip("2001:db8:abcd:ffff::1"))).isTrue();
        assertThat(net.contains(ip("2001:db8:abce::1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("::1").prefixLength()).isEqualTo(128);
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    }

    @Test
    void aPrefixLengthIsDigitsOnly() {
        // Integer.parseInt reads "-0" as 0: 10.0.0.0/-0 would have trusted every address
        for (String text : new String[] {"10.0.0.0/-0", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/", "10.0.0.0/0008", "::1/-0"}) {
            assertThatThrownBy(() -> Cidr.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(text.strip());
        }
        assertThat(Cidr.parse("10.0.0.0/008").prefixLength()).isEqualTo(8);
    }

    @Test
    void hostBitsAreClearedInTheNormalForm() throws UnknownHostException {
        assertThat(Cidr.parse("192.0.2.77/24")).hasToString("192.0.2.0/24");
        assertThat(Cidr.parse(" 2001:db8::1/32 ")).hasToString("2001:db8::/32");
        assertThat(Cidr.format(ip("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Cidr.format(ip("::ffff:192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    @Test
    void invalidTextIsRejectedWithTheOffendingValue() {
        assertThatThrownBy(() -> Cidr.parse("mail.example.com/24")).hasMessageContaining("mail.example.com/24");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.256/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("prefix");
        assertThatThrownBy(() -> Cidr.parse("::1/129")).hasMessageContaining("0..128");
        assertThatThrownBy(() -> Cidr.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
