package io.mamori.core.evasion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The letters of a text node, counted over a char array, are the code points codePointAt reads as letters or digits. */
class HtmlTextLettersTest {

    private static int lettersByCodePoint(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (Character.isLetterOrDigit(c)) {
                n++;
            }
            i += Character.charCount(c);
        }
        return n;
    }

    @Test
    void edgeCasesCountAsBefore() {
        String[] texts = {"", "abc XYZ 019", "\u00e9\u00df\u00bd\u00b2", "日本語のテキスト１２３", "\ud835\udc00\ud835\udfce",
            "\ud835", "\udc00x", "a\ud835", "\ud835\ud835\udc00", "\u200b\u00ad\u0301", "@[`{/:\u007f"};
        for (String t : texts) {
            assertThat(HtmlText.letters(t)).as(t).isEqualTo(lettersByCodePoint(t));
        }
        assertThat(HtmlText.letters("a\ud835\udc00 1")).isEqualTo(3);
    }

    @Test
    void everyCharacterAndRandomTextCountAsBefore() {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = String.valueOf((char) c);
            assertThat(HtmlText.letters(s)).as("U+%04X", c).isEqualTo(lettersByCodePoint(s));
        }
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(20);
            for (int i = 0; i < n; i++) {
                switch (random.nextInt(4)) {
                    case 0 -> text.append((char) random.nextInt(0x80));
                    case 1 -> text.append((char) random.nextInt(0x10000));
                    case 2 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    default -> text.append((char) (0xD800 + random.nextInt(0x800)));
                }
            }
            String s = text.toString();
            assertThat(HtmlText.letters(s)).isEqualTo(lettersByCodePoint(s));
        }
    }
}
