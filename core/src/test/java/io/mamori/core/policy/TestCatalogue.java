package io.mamori.core.policy;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.FindingCatalogue.Entry;
import java.util.Map;

/** A catalogue of our own so the tests do not depend on the weights shipped in findings.yaml. */
final class TestCatalogue {

    static final FindingCatalogue CATALOGUE = new FindingCatalogue(Map.of(
            "ANALYZER_FAILED", entry("ANALYZER_FAILED", 3.0),
            "ATTACHMENT_EXECUTABLE", entry("ATTACHMENT_EXECUTABLE", 5.0),
            "ATTACHMENT_DOUBLE_EXTENSION", entry("ATTACHMENT_DOUBLE_EXTENSION", 4.0),
            "MIME_MALFORMED", entry("MIME_MALFORMED", 2.0),
            "DMARC_REJECT", entry("DMARC_REJECT", 6.0),
            "TENTH", entry("TENTH", 0.1),
            "FIFTH", entry("FIFTH", 0.2)));

    private TestCatalogue() {
    }

    private static Entry entry(String code, double weight) {
        return new Entry(code, weight, "理由 " + code, "reason " + code);
    }
}
