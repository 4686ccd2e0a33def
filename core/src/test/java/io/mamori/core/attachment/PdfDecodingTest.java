package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InputStream;
import java.time.Duration;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.junit.jupiter.api.Test;

class PdfDecodingTest {

    private static COSDictionary params(int predictor, int columns, int colors, int bits) {
        COSDictionary d = new COSDictionary();
        d.setInt(COSName.PREDICTOR, predictor);
        d.setInt(COSName.COLUMNS, columns);
        d.setInt(COSName.COLORS, colors);
        d.setInt(COSName.BITS_PER_COMPONENT, bits);
        return d;
    }

    @Test
    void aPredictorRowMustHoldAByteAndStayWithinBounds() {
        assertThat(PdfDecoding.usableRow(null)).isTrue();
        assertThat(PdfDecoding.usableRow(new COSDictionary())).as("no predictor").isTrue();
        assertThat(PdfDecoding.usableRow(params(12, 5, 1, 8))).as("an xref stream's usual row").isTrue();
        assertThat(PdfDecoding.usableRow(params(1, 0, 1, 8))).as("no predictor: columns unused").isTrue();
        assertThat(PdfDecoding.usableRow(params(12, 0, 1, 8))).as("no columns").isFalse();
        assertThat(PdfDecoding.usableRow(params(15, 4, 0, 8))).as("no colours").isFalse();
        assertThat(PdfDecoding.usableRow(params(2, 4, 1, 0))).as("no bits").isFalse();
        assertThat(PdfDecoding.usableRow(params(12, -3, 1, 8))).as("negative").isFalse();
        // 2^29 columns of 8 bits: 2^32 bits, 0 in int arithmetic
        assertThat(PdfDecoding.usableRow(params(12, 1 << 29, 1, 8))).as("overflow").isFalse();
        assertThat(PdfDecoding.usableRow(params(12, 20_000_000, 1, 8))).as("a 20 MB row").isFalse();
    }

    @Test
    void thePdfOnWhichPdfBoxLoopedForeverIsDamagedAndReadAtOnce() throws Exception {
        // found by fuzzing: /Columns 0 in a cross-reference stream's predictor; PDFBox alone never returns
        byte[] pdf;
        try (InputStream in = PdfDecodingTest.class.getResourceAsStream(
                "/io/mamori/core/link/PdfLinksFuzzTestInputs/readsAnyPdf/hang-xref-predictor-columns0.pdf")) {
            pdf = in.readAllBytes();
        }
        PdfInspection.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> PdfInspection.inspect(pdf, 1 << 20));
        assertThat(r.javascript()).isNull();
        assertThat(r.needsPassword()).isTrue(); // it declares /Encrypt and does not open: as encrypted PDFs are judged
    }
}
