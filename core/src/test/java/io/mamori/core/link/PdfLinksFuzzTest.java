package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;

/**
 * Coverage-guided fuzzing of reading a PDF attachment for its links, its text and its QR codes ({@link PdfLinks}:
 * PDFBox, then ZXing on its pictures) on any bytes: a PDF that does not open is {@code null}, never an exception or an
 * error (PDFBox's recursion on a hostile object graph would end the whole link analyzer), and what it yields stays
 * within the reader's bounds. Best run with {@code bench/fuzz.sh --libraries}, so that PDFBox's branches guide it;
 * seeded with the test PDFs. In the test suite this runs the inputs under {@code PdfLinksFuzzTestInputs/}.
 */
class PdfLinksFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyPdf(byte[] pdf) {
        PdfLinks.Document doc = PdfLinks.read(pdf, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        if (doc != null) {
            assertThat(doc.urls()).hasSizeLessThanOrEqualTo(PdfLinks.MAX_LINKS);
            assertThat(doc.largestLink()).isBetween(0.0, 1.0);
            assertThat(doc.words()).isNotNegative();
        }
    }
}
