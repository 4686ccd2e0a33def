package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mamori.core.evasion.DrawnPictures;
import java.util.List;

/**
 * Coverage-guided fuzzing of QR codes drawn without a picture: {@link DrawnPictures} reads any HTML or text (our line
 * and table layout over jsoup's tree, the style rules it applies) without an exception, into at most
 * {@value DrawnPictures#MAX_DRAWINGS} grids within its bounds, and {@link QrCodes} reads any such grid to a code's text
 * or nothing. In the test suite this runs the inputs under {@code DrawnQrCodesFuzzTestInputs/}; {@code bench/fuzz.sh}
 * fuzzes it (bench/README.md).
 */
class DrawnQrCodesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyDrawing(FuzzedDataProvider data) {
        boolean html = data.consumeBoolean();
        String body = data.consumeRemainingAsString();
        List<DrawnPictures.Drawing> drawings = html ? DrawnPictures.inHtml(body) : DrawnPictures.inText(body);
        assertThat(drawings.size()).isLessThanOrEqualTo(DrawnPictures.MAX_DRAWINGS);
        for (DrawnPictures.Drawing d : drawings) {
            assertThat(d.width()).isBetween(DrawnPictures.MIN_SIDE, DrawnPictures.MAX_SIDE);
            assertThat(d.height()).isBetween(DrawnPictures.MIN_SIDE, DrawnPictures.MAX_SIDE);
            QrCodes.read(d).ifPresent(t -> assertThat(t).isNotBlank().isEqualTo(t.strip()));
        }
    }
}
