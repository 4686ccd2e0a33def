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
}
