package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of reading a QR code from any picture bytes ({@link QrCodes}: the JDK's image readers for PNG,
 * JPEG, GIF and BMP, then ZXing): a picture is a code's text or nothing, never an exception or an error (an
 * {@code OutOfMemoryError} from a header declaring a huge picture would end the link analyzer, a
 * {@code StackOverflowError} the thread), and a code's text is never blank. Best run with {@code bench/fuzz.sh
 * --libraries}, so that ZXing's branches guide it (the JDK's image readers are not instrumented). Seeded with QR codes
 * written by ZXing as PNG, JPEG, GIF and BMP; in the test suite this runs the inputs under
 * {@code QrCodesFuzzTestInputs/}.
 */
class QrCodesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyPicture(byte[] picture) {
        Optional<String> text = QrCodes.read(picture);
        text.ifPresent(t -> assertThat(t).isNotBlank().isEqualTo(t.strip()));
    }
}
