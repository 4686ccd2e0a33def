package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path temp;

    /** A multipart/mixed message of the given parts (each its headers, an empty line and its body). */
    private AnalysisInput multipart(String... parts) throws IOException {
        StringBuilder raw = new StringBuilder("From: a@other.example\r\nTo: sato@example.co.jp\r\nSubject: x\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (String part : parts) {
            raw.append("--b\r\n").append(part).append("\r\n");
        }
        raw.append("--b--\r\n");
        return new AnalysisInput(ENVELOPE, new MessageParser(ParseLimits.defaults(), temp).parse(
                new ByteArrayInputStream(raw.toString().getBytes(StandardCharsets.UTF_8))));
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
    void relativeLinksLeadWhereTheFirstBaseHrefSendsTheClick() throws Exception {
        assertThat(hosts(message("text/html", "<base href=\"https://evil.example/\"><base href=\"https://x.example/\">"
                + "<a href=\"share/login\">https://www.example.co.jp/share</a><form action=\"/post\"></form>"
                + "<a href=\"https://www.example.co.jp/\">x</a>")))
                .containsExactly("evil.example", "evil.example", "www.example.co.jp");
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

    @Test
    void walkingGivesEveryLinkAsOftenAsWrittenWithThoseOfAnAttachedHtmlPageButNotOfAnAttachedTextFile() throws Exception {
        AnalysisInput input = multipart("Content-Type: text/plain\r\n\r\nsee https://a.example/ and https://a.example/",
                "Content-Type: text/html; name=invoice.html\r\nContent-Disposition: attachment; filename=invoice.html\r\n\r\n"
                        + "<a href=\"https://login.evil.example/\">open</a>",
                "Content-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\n"
                        + "https://files.evil.example/");
        List<String> walked = new ArrayList<>();
        assertThat(MessageLinks.walk(input, link -> walked.add(link.host()))).isEmpty();
        assertThat(walked).containsExactly("a.example", "a.example", "login.evil.example");
        assertThat(hosts(input)).containsExactly("a.example", "login.evil.example");
    }

    @Test
    void walkingPastFiveHundredLinksGivesThemAllWhileTheCollectionKeepsTheFirstFiveHundred() throws Exception {
        StringBuilder html = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            html.append("<a href=\"https://h").append(i).append(".example/\">.</a>");
        }
        AnalysisInput input = message("text/html", html.toString());
        List<String> walked = new ArrayList<>();
        assertThat(MessageLinks.walk(input, link -> walked.add(link.host()))).isEmpty();
        assertThat(walked).hasSize(600).endsWith("h599.example");
        assertThat(hosts(input)).hasSize(MessageLinks.MAX_LINKS).endsWith("h499.example");
    }

    @Test
    void walkingSaysWhichPartItCouldNotReadWhole() throws Exception {
        String calendar = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:" + "x".repeat(300_000)
                + "\r\nURL:https://login.evil.example/\r\nEND:VEVENT\r\nEND:VCALENDAR";
        AnalysisInput input = multipart("Content-Type: text/plain\r\n\r\nsee https://a.example/",
                "Content-Type: text/calendar; method=REQUEST\r\n\r\n" + calendar,
                "Content-Type: text/html\r\n\r\n" + "<p>" + "y".repeat(1_100_000) + "</p>");
        List<String> walked = new ArrayList<>();
        assertThat(MessageLinks.walk(input, link -> walked.add(link.host()))).containsExactly(
                "part 2 text/calendar: calendar read to 262144 bytes",
                "part 3 text/html: the parser kept 1048576 characters of 1100007 bytes");
        assertThat(walked).containsExactly("a.example");
    }

    private static List<MessageLinks.Link> links(AnalysisInput input) {
        return MessageLinks.of(input, MessageLinks.MAX_LINKS);
    }

    @Test
    void aMetaRefreshIsALinkTheBrowserFollowsAndSaysSo() throws Exception {
        // the spellings browsers accept: any case, url= or none, spaces around =, quotes, a comma, a fractional time
        for (String content : List.of("0; url=https://evil.example/login?u=1", "0; URL='https://evil.example/login?u=1'",
                "0;https://evil.example/login?u=1", "5 , Url = \"https://evil.example/login?u=1\"",
                "0.5; url=https://EVIL.example/login?u=1#top")) {
            assertThat(links(message("text/html", "<meta http-equiv=\"Refresh\" content=\"" + content.replace("\"", "&quot;")
                    + "\"><p>Loading</p>"))).as(content).containsExactly(
                            new MessageLinks.Link("evil.example", "/login?u=1", MessageLinks.Origin.META_REFRESH));
        }
        // relative to the page's base, as any link of it
        assertThat(links(message("text/html", "<base href=\"https://evil.example/kit/\">"
                + "<meta http-equiv=refresh content=\"0; url=next.php\">"))).containsExactly(
                        new MessageLinks.Link("evil.example", "/kit/next.php", MessageLinks.Origin.META_REFRESH));
        // an attached page, which opens in the browser
        assertThat(links(multipart("Content-Type: text/plain\r\n\r\nsee attached",
                "Content-Type: text/html; name=a.html\r\nContent-Disposition: attachment; filename=a.html\r\n\r\n"
                        + "<html><head><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/a\"></head></html>")))
                .containsExactly(new MessageLinks.Link("evil.example", "/a", MessageLinks.Origin.META_REFRESH));
    }

    @Test
    void aMetaRefreshOfThePageItselfOrAMetaThatIsNoRefreshIsNoLink() throws Exception {
        assertThat(links(message("text/html", "<meta http-equiv=\"refresh\" content=\"600\">"
                + "<meta http-equiv=\"refresh\" content=\"url=https://evil.example/no-time\">"
                + "<meta name=\"refresh\" content=\"0; url=https://evil.example/named\">"
                + "<meta http-equiv=\"content-type\" content=\"text/html; url=https://evil.example/type\">"
                + "<meta http-equiv=\"refresh\" content=\"0; url=javascript:alert(1)\">"
                + "<a href=\"https://www.other.example/\">site</a>")))
                .containsExactly(new MessageLinks.Link("www.other.example", "/"));
    }
}
