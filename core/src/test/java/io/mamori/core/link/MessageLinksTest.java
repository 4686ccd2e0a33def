package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The web links of messages as the block lists and the DNS block lists see them: the hosts a browser opens. */
class MessageLinksTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "a@other.example",
            List.of("sato@example.co.jp"), "203.0.113.66", "mail.other.example", null, true,
            Instant.parse("2026-04-06T00:00:00Z"));

    private static AnalysisInput message(String contentType, String body) throws IOException {
        String raw = "From: a@other.example\r\nTo: sato@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + contentType + "; charset=utf-8\r\n\r\n" + body + "\r\n";
        return new AnalysisInput(ENVELOPE, new MessageParser().parse(
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8))));
    }

    private static List<String> hosts(AnalysisInput input) {
        return MessageLinks.of(input, MessageLinks.MAX_LINKS).stream().map(MessageLinks.Link::host).toList();
    }

    @Test
    void aHostWrittenWithPercentEscapesIsTheHostTheBrowserOpens() throws Exception {
        assertThat(hosts(message("text/plain", "see https://%65vil.example/login and https://evil%2Eexample/a now")))
                .containsExactly("evil.example", "evil.example");
        assertThat(hosts(message("text/html", "<a href=\"https://%65vil.example/\">x</a>"
                + "<form action=\"https://LOGIN.%45VIL.example/post\"></form>")))
                .containsExactly("evil.example", "login.evil.example");
    }

    @Test
    void percentEscapesOfUtf8BytesInAHostAreDecodedAsUtf8ThenConvertedToPunycode() throws Exception {
        assertThat(hosts(message("text/html", "<a href=\"https://%E4%BE%8B%E3%81%88.jp/\">x</a>")))
                .containsExactly("xn--r8jz45g.jp");
    }

    @Test
    void aLinkToAnIpAddressHasItsHostInOneSpellingHoweverTheLinkWritesIt() throws Exception {
        assertThat(hosts(message("text/plain", "http://3221225985/a http://0xc0000201/b http://192.0.513/c "
                + "http://0300.0.2.1/d http://192.0.2.1./e")))
                .containsExactly("192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.1");
        assertThat(hosts(message("text/html", "<a href=\"http://[::ffff:192.0.2.1]/x\">a</a>"
                + "<a href=\"http://[2001:DB8:0:0:0:0:0:1]/\">b</a>"))).containsExactly("192.0.2.1", "[2001:db8::1]");
    }

    @Test
    void aLinkWhoseHostNoBrowserAcceptsIsNotALink() throws Exception {
        assertThat(hosts(message("text/plain", "http://256.0.0.1/x http://ok.example/"))).containsExactly("ok.example");
        assertThat(hosts(message("text/html", "<a href=\"http://[::g]/x\">a</a><a href=\"http://1.2.3.4.5/\">b</a>"))).isEmpty();
    }
}
