package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.codec.EncoderUtil;

/**
 * Coverage-guided fuzzing of header-value decoding ({@link EncodedWords}, hand-written: adjacent encoded words are
 * joined as bytes, raw 8-bit and ISO-2022-JP values are read): any bytes decode without an exception, with or without
 * a charset hint, and the fast path for plain 7-bit values (eight bytes at a time, by bit arithmetic) gives exactly the
 * full decoding's answer whenever it gives one; and, against a library, any text Mime4j's encoder writes as encoded
 * words (B or Q, in the charsets Japanese mail uses, split over as many words as it takes) reads back as that text.
 * In the test suite this runs the inputs under
 * {@code HeaderValuesFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it (bench/README.md).
 */
class HeaderValuesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decodesAnyHeaderValue(byte[] raw) {
        assertThat(EncodedWords.decode(raw)).isNotNull();
        assertThat(EncodedWords.decode(raw, "iso-2022-jp")).isNotNull();
        assertThat(EncodedWords.decode(raw, "shift_jis")).isNotNull();
    }

    @FuzzTest(maxDuration = "30s")
    void thePlainFastPathGivesTheFullDecodingsAnswer(byte[] raw) {
        String plain = EncodedWords.plainUnfolded(raw);
        if (plain != null) {
            assertThat(plain).isEqualTo(EncodedWords.decode(MailCharsets.decode(raw, null)));
        }
    }

    /**
     * The charsets the round trip encodes in, each with the label Japanese mailers give it: Unicode, Latin-1, and the
     * Japanese ones as Windows and Japanese mailers write them (their vendor characters: ①, ㈱, 髙) under the standard
     * labels, which {@link MailCharsets} reads so.
     */
    private static final List<Map.Entry<Charset, String>> CHARSETS = List.of(
            Map.entry(StandardCharsets.UTF_8, "UTF-8"), Map.entry(StandardCharsets.ISO_8859_1, "ISO-8859-1"),
            Map.entry(Charset.forName("x-windows-iso2022jp"), "ISO-2022-JP"),
            Map.entry(Charset.forName("windows-31j"), "Shift_JIS"), Map.entry(Charset.forName("x-eucJP-Open"), "EUC-JP"));

    @FuzzTest(maxDuration = "30s")
    void readsBackWhatMime4jEncodes(@NotNull String text, boolean q, byte charsetChoice, byte offset) {
        Map.Entry<Charset, String> charset = CHARSETS.get(Math.floorMod(charsetChoice, CHARSETS.size()));
        Charset c = charset.getKey();
        if (text.isEmpty() || !c.newEncoder().canEncode(text) || !new String(text.getBytes(c), c).equals(text)) {
            return;
        }
        if (text.indexOf('\u001B') >= 0) {
            // 7-bit text with ISO-2022-JP escapes is read as ISO-2022-JP whatever its label (MailCharsets: mailers
            // label it wrongly): a choice
            return;
        }
        if (charset.getValue().equals("ISO-2022-JP") && (text.indexOf('\u00A5') >= 0 || text.indexOf('\u203E') >= 0)) {
            // the JDK's encoder writes ¥ and ‾ as JIS-Roman (ESC ( J, then \ and ~); MailCharsets reads JIS-Roman as
            // ASCII, as old Japanese mailers mean it (their text, URLs with ~ included, announced so): a choice
            return;
        }
        String encoded;
        try {
            encoded = EncoderUtil.encodeEncodedWord(text, EncoderUtil.Usage.TEXT_TOKEN, Math.floorMod(offset, 51), c,
                    q ? EncoderUtil.Encoding.Q : EncoderUtil.Encoding.B);
        } catch (IndexOutOfBoundsException e) {
            // Mime4j 0.8 cannot fit one character of a long-named charset (an ISO-2022-JP kanji takes 8 bytes with
            // its escapes) into what is left of the first line, and throws: nothing to decode
            return;
        }
        encoded = encoded.replace("=?" + c.name() + "?", "=?" + charset.getValue() + "?");
        assertThat(EncodedWords.decode(encoded.getBytes(StandardCharsets.US_ASCII))).as(encoded).isEqualTo(text);
    }
}
