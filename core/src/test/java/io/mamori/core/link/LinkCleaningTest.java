package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LinkAnalyzer#cleaned} returns a URL that needs no cleaning as it is, and cleans the others as before. */
class LinkCleaningTest {

    /** The cleaning as written before the shortcut for URLs that need none. */
    private static String cleanedByCopy(String url) {
        StringBuilder out = new StringBuilder(Math.min(url.length(), 4096));
        for (int i = 0; i < url.length() && out.length() < 4096; i++) {
            char c = url.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        int start = 0;
        int end = out.length();
        while (start < end && out.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && out.charAt(end - 1) <= ' ') {
            end--;
        }
        return out.substring(start, end);
    }

    @Test
    void edgeCasesAreCleanedAsBefore() {
        String[] urls = {"", " ", "\t", "https://a.example/", " https://a.example/ ", "java\tscript:alert(1)",
            "https://a.exa\r\nmple/", "\u0000https://a.example/\u001f", "https://ä.example/ü", "x".repeat(4096),
            "x".repeat(4097), "\t" + "x".repeat(4096), "x".repeat(4095) + "\n y", " ".repeat(5000) + "x"};
        for (String url : urls) {
            assertThat(LinkAnalyzer.cleaned(url)).as(url).isEqualTo(cleanedByCopy(url));
        }
        assertThat(LinkAnalyzer.cleaned("java\tscript:x")).isEqualTo("javascript:x");
    }

    @Test
    void randomUrlsAreCleanedAsBefore() {
        char[] alphabet = {'a', 'b', '/', ':', '.', ' ', '\t', '\n', '\r', '\u0001', '\u00a0', 'é', '\u3042', '%'};
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            int n = random.nextInt(round % 100 == 0 ? 5000 : 30);
            StringBuilder url = new StringBuilder();
            for (int i = 0; i < n; i++) {
                url.append(random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'h');
            }
            String s = url.toString();
            assertThat(LinkAnalyzer.cleaned(s)).isEqualTo(cleanedByCopy(s));
        }
    }
}
