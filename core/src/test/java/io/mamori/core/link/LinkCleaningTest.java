package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LinkAnalyzer#cleaned} returns a URL that needs no cleaning as it is, and cleans the others as WHATWG says. */
class LinkCleaningTest {

    /**
     * The WHATWG rule as a specification, independent of the loop in {@link LinkAnalyzer#cleaned}: drop tabs and line
     * breaks, keep at most 4,096 characters, trim C0 controls and spaces ({@link String#trim()} trims exactly those).
     */
    private static String specified(String url) {
        String kept = url.replaceAll("[\\t\\n\\r]", "");
        return kept.substring(0, Math.min(kept.length(), 4096)).trim();
    }

    @Test
    void edgeCasesAreCleanedAsSpecified() {
        String[] urls = {"", " ", "\t", "https://a.example/", " https://a.example/ ", "java\tscript:alert(1)",
            "https://a.exa\r\nmple/", "\u0000https://a.example/\u001f", "https://ä.example/ü", "x".repeat(4096),
            "x".repeat(4097), "\t" + "x".repeat(4096), "x".repeat(4095) + "\n y", " ".repeat(5000) + "x"};
        for (String url : urls) {
            assertThat(LinkAnalyzer.cleaned(url)).as(url).isEqualTo(specified(url));
        }
        assertThat(LinkAnalyzer.cleaned("java\tscript:x")).isEqualTo("javascript:x");
        assertThat(LinkAnalyzer.cleaned(" https://a.example/\r\n")).isEqualTo("https://a.example/");
        assertThat(LinkAnalyzer.cleaned("x".repeat(4095) + "\n y")).isEqualTo("x".repeat(4095));
        String clean = "https://a.example/path";
        assertThat(LinkAnalyzer.cleaned(clean)).as("a clean URL is returned as it is").isSameAs(clean);
    }

    @Test
    void randomUrlsAreCleanedAsSpecified() {
        char[] alphabet = {'a', 'b', '/', ':', '.', ' ', '\t', '\n', '\r', '\u0001', '\u00a0', 'é', '\u3042', '%'};
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            int n = random.nextInt(round % 100 == 0 ? 5000 : 30);
            StringBuilder url = new StringBuilder();
            for (int i = 0; i < n; i++) {
                url.append(random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'h');
            }
            String s = url.toString();
            assertThat(LinkAnalyzer.cleaned(s)).isEqualTo(specified(s));
        }
    }
}
