package io.mamori.core.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the whole inbound scan (MIME parse, every shipped analyzer, the composites and the
 * default policy) on any bytes as a message: each must get a verdict, with only catalogued findings, and no analyzer
 * may fail or run out of its time budget ({@code ANALYZER_FAILED}): bad input gets a defined verdict, never a crash.
 * In the test suite this runs the inputs under {@code MessageScannerFuzzTestInputs/} (what fuzzing found, kept as
 * regression cases); {@code bench/fuzz.sh} fuzzes it, seeded with the test messages (bench/README.md).
 */
class MessageScannerFuzzTest {

    private static final FindingCatalogue CATALOGUE = FindingCatalogue.builtIn();

    @FuzzTest(maxDuration = "30s")
    void scansAnyMessage(byte[] raw) throws IOException {
        MessageScanner.ScanResult r = ShippedScanner.scan(raw);
        assertThat(r.verdict()).isNotNull();
        assertThat(r.verdict().action()).isNotNull();
        assertThat(r.verdict().score()).isFinite();
        for (Finding f : r.findings()) {
            assertThat(f.code()).as(f.evidence()).isNotEqualTo(AnalysisPipeline.ANALYZER_FAILED);
            assertThat(CATALOGUE.entry(f.code())).as(f.code()).isPresent();
        }
    }
}
