package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scans of {@code data:image} URIs over char arrays find what the charAt loops they replaced found. */
class DataImageScanTest {

    private static boolean isBase64(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                || c == '=' || c == '\r' || c == '\n' || c == ' ' || c == '\t';
    }

    private static int base64EndByCharAt(String s, int start, int end) {
        int i = start;
        while (i < s.length() && i < end && isBase64(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String withoutWhitespaceByCharAt(String s, int start, int end) {
        StringBuilder out = new StringBuilder();
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != 0x0B && c != '\f' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Test
    void randomRunsEndAndLoseTheirWhiteSpaceAsBefore() {
        char[] alphabet = {'A', 'z', '0', '+', '/', '=', ' ', '\t', '\n', '\r', '\u000b', '\f', '"', '<', '\u3042', '-'};
        Random random = new Random(5);
        for (int round = 0; round < 5_000; round++) {
            int n = random.nextInt(round % 50 == 0 ? 40_000 : 60);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < n; i++) {
                text.append(random.nextInt(10) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'Q');
            }
            String s = text.toString();
            int start = n == 0 ? 0 : random.nextInt(n + 1);
            int end = start + random.nextInt(n - start + 1);
            assertThat(EmbeddedLinks.base64End(s, start, end)).isEqualTo(base64EndByCharAt(s, start, end));
            assertThat(EmbeddedLinks.withoutWhitespace(s, start, end)).isEqualTo(withoutWhitespaceByCharAt(s, start, end));
        }
        String long64 = "<img src=\"data:image/png;base64," + "QUJD\r\n".repeat(5000) + "\">";
        int start = long64.indexOf(',') + 1;
        assertThat(EmbeddedLinks.base64End(long64, start, long64.length())).isEqualTo(long64.indexOf('"', start));
        assertThat(EmbeddedLinks.withoutWhitespace(long64, start, long64.indexOf('"', start))).isEqualTo("QUJD".repeat(5000));
    }
}
