package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of reading a QR code from any picture bytes ({@link QrCodes}: the JDK's image readers for PNG,
 * JPEG, GIF and BMP, then ZXing): a picture is a code's text or nothing, never an exception or an error (an
 * {@code OutOfMemoryError} from a header declaring a huge picture would end the link analyzer, a
 * {@code StackOverflowError} the thread), and a code's text is never blank. Best run with {@code bench/fuzz.sh
 * --libraries}, so that ZXing's branches guide it (the JDK's image readers are not instrumented). Seeded with QR codes
 * written by ZXing as PNG, JPEG, GIF and BMP; in the test suite this runs the inputs under
 * {@code QrCodesFuzzTestInputs/}. Joining two pictures (a code split across them) is fuzzed too.
 */
class QrCodesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyPicture(byte[] picture) {
        Optional<String> text = QrCodes.read(picture);
        text.ifPresent(t -> assertThat(t).isNotBlank().isEqualTo(t.strip()));
    }

    /** Two pictures without a code are joined (a code split in two) without an exception, whatever their sizes. */
    @FuzzTest(maxDuration = "30s")
    void joinsAnyTwoPictures(FuzzedDataProvider data) {
        QrCodes.Picture first = QrCodes.readPicture(data.consumeBytes(data.consumeInt(0, 1 << 20)));
        QrCodes.Picture second = QrCodes.readPicture(data.consumeRemainingAsBytes());
        if (first.unread() != null && second.unread() != null) {
            QrCodes.readJoined(first.unread(), second.unread())
                    .ifPresent(t -> assertThat(t).isNotBlank().isEqualTo(t.strip()));
        }
    }
}
