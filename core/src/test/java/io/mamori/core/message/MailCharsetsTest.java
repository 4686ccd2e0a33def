package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MailCharsetsTest {

    private static byte[] hex(String s) {
        String h = s.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    @Test
    void iso2022JpVendorRowsDecodeAsCp50220Does() {
        // ESC $ B, NEC row 13: 2D21 ①, 2D6A ㈱, 2D40 ㍉; NEC-selected IBM row 92: 7C62 髙; ESC ( B
        byte[] bytes = hex("1b2442 2d21 2d6a 2d40 7c62 1b2842");

        assertThat(MailCharsets.decode(bytes, "ISO-2022-JP")).isEqualTo("①㈱㍉髙");
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).isNotEqualTo("①㈱㍉髙");
        assertThat(new String(bytes, Charset.forName("ISO-2022-JP"))).doesNotContain("①");
    }

    @Test
    void everyJisX0208CodeTheJdkWindowsDecoderKnowsDecodesTheSameHere() {
        Charset reference = Charset.forName("x-windows-iso2022jp");
        int compared = 0;
        for (int j1 = 0x21; j1 <= 0x7E; j1++) {
            for (int j2 = 0x21; j2 <= 0x7E; j2++) {
                byte[] bytes = {0x1B, '$', 'B', (byte) j1, (byte) j2, 0x1B, '(', 'B'};
                String expected = new String(bytes, reference);
                if (!expected.contains("\uFFFD")) {
                    assertThat(MailCharsets.decode(bytes, "iso-2022-jp")).as("JIS %02X%02X", j1, j2).isEqualTo(expected);
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(7000);
    }

    @Test
    void halfWidthKatakanaAndJisX0212RunsDecode() {
        assertThat(MailCharsets.decode(hex("1b2849 3132 1b2842 41"), "iso-2022-jp")).isEqualTo("ｱｲA");
        assertThat(MailCharsets.decode(hex("0e 3132 0f 41"), "iso-2022-jp")).isEqualTo("ｱｲA");
        assertThat(MailCharsets.decode(hex("1b242844 2237 1b2842"), "iso-2022-jp")).isEqualTo("～");
    }

    @Test
    void missingReturnToAsciiAtLineEndDoesNotSwallowTheNextLine() {
        assertThat(MailCharsets.decode(hex("1b2442 3021 0d0a 41 42"), "iso-2022-jp")).isEqualTo("亜\r\nAB");
    }

    @Test
    void truncatedAndUserDefinedJisSequencesBecomeReplacementCharacters() {
        assertThat(MailCharsets.decode(hex("1b2442 3021 30"), "iso-2022-jp")).isEqualTo("亜\uFFFD");
        assertThat(MailCharsets.decode(hex("1b2442 753a 1b2842 59"), "iso-2022-jp")).isEqualTo("\uFFFDY");
    }

    @Test
    void utf8LabelledAsIso2022JpIsReadAsUtf8() {
        byte[] utf8 = "請求書のご確認".getBytes(StandardCharsets.UTF_8);
        assertThat(MailCharsets.decode(utf8, "iso-2022-jp")).isEqualTo("請求書のご確認");
    }

    @Test
    void unlabelledEightBitTextIsGuessed() {
        assertThat(MailCharsets.decode("①請求書".getBytes(Charset.forName("windows-31j")), null)).isEqualTo("①請求書");
        assertThat(MailCharsets.decode("ご請求書について".getBytes(Charset.forName("EUC-JP")), null)).isEqualTo("ご請求書について");
        assertThat(MailCharsets.decode("ご請求書".getBytes(StandardCharsets.UTF_8), "us-ascii")).isEqualTo("ご請求書");
    }

    @Test
    void shiftJisLabelsMapToTheVendorCompleteCharset() {
        assertThat(MailCharsets.lookup("Shift_JIS")).isEqualTo(Charset.forName("windows-31j"));
        assertThat(MailCharsets.decode(hex("8740 878a"), "shift_jis")).isEqualTo("①㈱");
        assertThat(MailCharsets.lookup("\"x-unknown-charset\"")).isNull();
    }

    @Test
    void unknownLabelFallsBackToGuessingInsteadOfFailing() {
        assertThat(MailCharsets.decode("テスト".getBytes(StandardCharsets.UTF_8), "x-no-such-charset")).isEqualTo("テスト");
    }

    @Test
    void oneScanFindsWhatTheTwoSeparateScansFind() {
        java.util.Random random = new java.util.Random(20261128);
        byte[][] pieces = {{0x1B, '$', 'B'}, {0x1B, '(', 'B'}, {0x1B, '$', '(', 'D'}, {0x1B, '(', 'I'}, {0x1B},
            {(byte) 0xE3, (byte) 0x81, (byte) 0x82}, {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'}, {'\r', '\n'}, {0x7F}};
        for (int round = 0; round < 20_000; round++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int k = random.nextInt(12); k > 0; k--) {
                out.writeBytes(pieces[random.nextInt(pieces.length)]);
            }
            byte[] b = out.toByteArray();
            int off = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int len = random.nextInt(b.length - off + 1);
            int expected = (MailCharsets.hasEightBit(b, off, len) ? 1 : 0) | (MailCharsets.hasIso2022JpEscape(b, off, len) ? 2 : 0);
            assertThat(MailCharsets.scan(b, off, len)).as("%s [%d, +%d]", java.util.Arrays.toString(b), off, len)
                    .isEqualTo(expected);
        }
    }

    @Test
    void utf8ThroughStringDecodingAcceptsAndRejectsWhatTheStrictDecoderDoes() {
        java.util.Random random = new java.util.Random(17);
        byte[][] pieces = {{'a'}, {(byte) 0xC3, (byte) 0xA9}, {(byte) 0xE3, (byte) 0x81, (byte) 0x82},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xE3, (byte) 0x81}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xC2}};
        for (int round = 0; round < 20_000; round++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int k = random.nextInt(6); k > 0; k--) {
                out.writeBytes(pieces[random.nextInt(pieces.length)]);
            }
            if (random.nextInt(4) == 0) {
                byte[] noise = new byte[random.nextInt(6)];
                random.nextBytes(noise);
                out.writeBytes(noise);
            }
            byte[] b = out.toByteArray();
            assertThat(MailCharsets.strictUtf8(b, 0, b.length)).as(java.util.Arrays.toString(b))
                    .isEqualTo(MailCharsets.strictDecode(StandardCharsets.UTF_8, b, 0, b.length));
        }
    }

    @Test
    void theLikelyCharsetOfUnlabelledTextIsJudgedFromItsFirstBytes() {
        String japanese = "今月のご請求書を送付いたします。ｶﾀｶﾅ";
        byte[] sjis = japanese.getBytes(java.nio.charset.Charset.forName("windows-31j"));
        byte[] euc = "今月のご請求書を送付いたします。".getBytes(java.nio.charset.Charset.forName("EUC-JP"));
        byte[] utf8 = japanese.getBytes(StandardCharsets.UTF_8);
        // cut inside a character: the sample's last bytes are not judged
        byte[] cutUtf8 = java.util.Arrays.copyOf(utf8, utf8.length - 1);

        assertThat(MailCharsets.likelyCharset(sjis, sjis.length).name()).isEqualTo("windows-31j");
        assertThat(MailCharsets.likelyCharset(euc, euc.length).name()).isEqualTo("x-eucJP-Open");
        assertThat(MailCharsets.likelyCharset(cutUtf8, cutUtf8.length)).isEqualTo(StandardCharsets.UTF_8);
        byte[] ascii = "plain text".getBytes(StandardCharsets.US_ASCII);
        assertThat(MailCharsets.likelyCharset(ascii, ascii.length)).isEqualTo(StandardCharsets.UTF_8);
        byte[] jis = "\u001b$BF|K\\\u001b(B text".getBytes(StandardCharsets.US_ASCII);
        assertThat(MailCharsets.likelyCharset(jis, jis.length).name()).isEqualTo("ISO-2022-JP-2");
    }
}
