package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hosts as the WHATWG URL standard's host parser reads them, in the one spelling the block lists compare. */
class UrlHostsTest {

    @Test
    void everySpellingOfAnIpv4AddressThatBrowsersAcceptIsTheDottedDecimalAddress() {
        for (String written : List.of("192.0.2.1", "192.0.2.1.", "3221225985", "0xc0000201", "0XC0000201", "192.0.513",
                "192.513", "0300.0.2.1", "0xc0.0.0x2.01", "192.0.0x201", "%31%39%32.0.2.1", "１９２．０．２．１")) {
            assertThat(UrlHosts.of(written)).as(written).contains("192.0.2.1");
        }
        assertThat(UrlHosts.of("0x7f.1")).contains("127.0.0.1");
        assertThat(UrlHosts.of("0")).contains("0.0.0.0");
        assertThat(UrlHosts.of("0x")).contains("0.0.0.0");
    }

    @Test
    void aHostThatEndsInANumberButIsNoIpv4AddressIsRefusedAsBrowsersRefuseIt() {
        for (String written : List.of("256.0.0.1", "1.2.3.4.5", "192.0.2.256", "192.0.65536", "4294967296", "08.0.0.1",
                "0x1g.0.0.1", "example.123", "99999999999999999999")) {
            assertThat(UrlHosts.of(written)).as(written).isEmpty();
            assertThat(UrlHosts.isIpAddress(written)).as(written).isTrue();
        }
        assertThat(UrlHosts.of("1..2.3")).isEmpty();
        assertThat(UrlHosts.of("4294967295")).contains("255.255.255.255");
    }

    @Test
    void anIpv6AddressIsCompressedAsTheUrlStandardWritesItAndAnIpv4MappedOneIsItsIpv4Address() {
        assertThat(UrlHosts.of("[2001:db8:0:0:0:0:0:1]")).contains("[2001:db8::1]");
        assertThat(UrlHosts.of("[2001:0db8:0000:0000:0001:0000:0000:0001]")).contains("[2001:db8::1:0:0:1]");
        assertThat(UrlHosts.of("[2001:db8:0:1:1:1:1:1]")).contains("[2001:db8:0:1:1:1:1:1]");
        assertThat(UrlHosts.of("[0:0:0:0:0:0:0:0]")).contains("[::]");
        assertThat(UrlHosts.of("[2001:db8::]")).contains("[2001:db8::]");
        assertThat(UrlHosts.of("[::ffff:192.0.2.1]")).contains("192.0.2.1");
        assertThat(UrlHosts.of("[::ffff:c000:201]")).contains("192.0.2.1");
        assertThat(UrlHosts.of("[0:0:0:0:0:ffff:c000:0201]")).contains("192.0.2.1");
    }

    @Test
    void aBracketedHostThatIsNoIpv6AddressIsRefusedWithoutAskingDns() {
        for (String written : List.of("[::g]", "[example.com]", "[fe80::1%eth0]", "[1:2:3:4:5:6:7:8:9]", "[::1", "[]",
                "[localhost]")) {
            assertThat(UrlHosts.of(written)).as(written).isEmpty();
        }
    }

    @Test
    void aNameIsDecodedAndConvertedToPunycodeAndIsNoIpAddress() {
        assertThat(UrlHosts.of("%65vil.example")).contains("evil.example");
        assertThat(UrlHosts.of("例え.jp")).contains("xn--r8jz45g.jp");
        assertThat(UrlHosts.of("0x7f.example")).contains("0x7f.example");
        assertThat(UrlHosts.isIpAddress("evil.example")).isFalse();
        assertThat(UrlHosts.isIpAddress("1.example")).isFalse();
    }
}
