package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfusableSkeletonTest {

    /**
     * Every code point's skeleton is ICU4J's ({@code SpoofChecker.getSkeleton}, ICU 78, Unicode 17 as the shipped
     * data), lower-cased as ours is, except for characters added to Unicode since the JDK's (13 in JDK 17), which its
     * normaliser cannot decompose: few, the letters of scripts added since.
     */
    @Test
    void everyCodePointHasTheSkeletonIcuGives() {
        ConfusableSkeleton ours = ConfusableSkeleton.builtIn();
        com.ibm.icu.text.SpoofChecker icu = new com.ibm.icu.text.SpoofChecker.Builder().build();
        List<String> differ = new java.util.ArrayList<>();
        List<String> olderNormaliser = new java.util.ArrayList<>();
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            String s = new String(Character.toChars(c));
            String expected = icu.getSkeleton(s).toLowerCase(java.util.Locale.ROOT);
            if (!ours.skeleton(s).equals(expected)) {
                (unknownToTheJdk(s) ? olderNormaliser : differ).add(String.format("U+%04X", c));
            }
        }
        assertThat(differ).isEmpty();
        assertThat(olderNormaliser).hasSizeLessThan(40);
    }

    @Test
    void invisibleCharactersAreNotPartOfTheSkeleton() {
        ConfusableSkeleton skeletons = ConfusableSkeleton.builtIn();
        String paypal = skeletons.skeleton("paypal");
        for (String hidden : List.of("pay\u200Bpal", "pay\u00ADpal", "p\u200Da\u200Cypal", "paypal\uFE0F", "\u202Epaypal",
                "pay\u2060pal", "pay\uDB40\uDC20pal")) {
            assertThat(skeletons.skeleton(hidden)).as(hidden).isEqualTo(paypal);
        }
        assertThat(skeletons.skeleton("pay pal")).isNotEqualTo(paypal);
        assertThat(ConfusableSkeleton.defaultIgnorable(' ')).isFalse();
        assertThat(ConfusableSkeleton.defaultIgnorable(0xE0FFF)).isTrue();
        assertThat(ConfusableSkeleton.defaultIgnorable(0xE1000)).isFalse();
    }

    /**
     * Whether the text holds a character the JDK's Unicode does not know yet and ICU's does: the JDK cannot normalise
     * it as ICU does (no decomposition, combining class 0). Unicode's stability policy keeps the decompositions and
     * combining classes of assigned characters from changing, so these are the only place the two normalisers differ.
     */
    static boolean unknownToTheJdk(String s) {
        return s.codePoints().anyMatch(c -> !Character.isDefined(c) && com.ibm.icu.lang.UCharacter.isDefined(c));
    }

    @Test
    void readingTheBytesGivesThePrototypesTheLineReaderGave() throws IOException {
        byte[] data;
        try (InputStream in = ConfusableSkeleton.class.getResourceAsStream("confusables.txt")) {
            data = in.readAllBytes();
        }
        String text = new String(data, StandardCharsets.UTF_8);
        // the shipped file, the same with CRLF and CR line ends and with a BOM, and odd lines: no target field end,
        // several targets with tabs, a comment holding ';', a line without a newline
        List<String> variants = List.of(text, text.replace("\n", "\r\n"), text.replace("\n", "\r"), "\uFEFF" + text,
                "0041 ;\t0061 0062\n# x ; y\n 0042\t;  0063\t0064  ;\tMA\t# ( ; )\n\n0043 ; 0065");
        for (String variant : variants) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            assertThat(ConfusableSkeleton.parse(bytes)).isEqualTo(lineReader(bytes));
        }
        assertThat(ConfusableSkeleton.parse(data)).hasSizeGreaterThan(6000).containsEntry(0x0430, "a");
    }

    /** How the file was read before: lines of text, the data before '#', BOM removed, fields split at ';'. */
    private static Map<Integer, String> lineReader(byte[] data) throws IOException {
        Map<Integer, String> prototypes = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            int hash = line.indexOf('#');
            String fields = (hash < 0 ? line : line.substring(0, hash)).replace("\uFEFF", "").strip();
            if (fields.isEmpty()) {
                continue;
            }
            int first = fields.indexOf(';');
            int second = first < 0 ? -1 : fields.indexOf(';', first + 1);
            if (first < 0) {
                continue;
            }
            String targets = fields.substring(first + 1, second < 0 ? fields.length() : second);
            StringBuilder target = new StringBuilder();
            int i = 0;
            while (i < targets.length()) {
                while (i < targets.length() && targets.charAt(i) <= ' ') {
                    i++;
                }
                int end = i;
                while (end < targets.length() && targets.charAt(end) > ' ') {
                    end++;
                }
                if (end > i) {
                    target.appendCodePoint(Integer.parseInt(targets, i, end, 16));
                }
                i = end;
            }
            prototypes.put(Integer.parseInt(fields.substring(0, first).strip(), 16), target.toString());
        }
        return prototypes;
    }
}
