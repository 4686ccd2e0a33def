package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of header-value decoding ({@link EncodedWords}, hand-written: adjacent encoded words are
 * joined as bytes, raw 8-bit and ISO-2022-JP values are read): any bytes decode without an exception, with or without
 * a charset hint, and the fast path for plain 7-bit values (eight bytes at a time, by bit arithmetic) gives exactly the
 * full decoding's answer whenever it gives one. In the test suite this runs the inputs under
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
}
