package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class TextUrlsTest {

    private static List<String> byScan(String text) {
        List<String> out = new ArrayList<>();
        TextUrls urls = new TextUrls(text);
        for (String u = urls.next(); u != null; u = urls.next()) {
            out.add(u);
        }
        return out;
    }

    private static List<String> byFind(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TextUrls.PATTERN.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void findsUrlsOnWordBoundariesOnly() {
        String text = "Log in at HTTPS://Example.com/a?b=1, or www.example.net. Not xhttp://a.example nor "
                + "user@www.example.org nor a.www.example.org; (http://paren.example) 「https://jp.example」\nhttp://x";
        assertThat(byScan(text)).containsExactly("HTTPS://Example.com/a?b=1,", "www.example.net.",
                "http://paren.example", "https://jp.example", "http://x");
    }

    @Test
    void aUrlWhoseHostIsABracketedIpv6AddressIsFoundWholeWhileOtherBracketsEndAUrl() {
        assertThat(byScan("see http://[::ffff:192.0.2.1]/x and HTTPS://[2001:DB8::1] or [http://a.example/p]q"))
                .containsExactly("http://[::ffff:192.0.2.1]/x", "HTTPS://[2001:DB8::1]", "http://a.example/p");
    }

    @Test
    void findsNothingInTextWithoutUrls() {
        assertThat(byScan("La de da de da 1.\nhttp: www htt wwwx Http:/ www")).isEmpty();
    }

    @Test
    void findsWhatTheRegularExpressionFinds() {
        // Random text over an alphabet dense in the pattern's own characters and boundaries.
        String[] pieces = {"http://", "https://", "HTTP://", "www.", "WWW.", "Www.", "h", "w", "t", ".", "-", "@",
                "a", "Z", "0", " ", "\n", "<", ">", "\"", "(", ")", "「", "。", "\u3000", "ｈ", "http", "ww", "é", ":"};
        Random random = new Random(20261128L);
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            int parts = random.nextInt(40);
            for (int i = 0; i < parts; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            assertThat(byScan(text.toString())).as(text.toString()).isEqualTo(byFind(text.toString()));
        }
    }
}
