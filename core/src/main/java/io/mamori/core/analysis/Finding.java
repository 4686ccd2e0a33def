package io.mamori.core.analysis;

import java.util.Objects;

/**
 * One observation an analyzer made about a message. A finding never decides anything: the policy turns
 * the findings' weights (from the {@link FindingCatalogue}) into a verdict.
 *
 * @param code       stable upper-snake-case code present in the finding catalogue, e.g. {@code ATTACHMENT_EXECUTABLE}
 * @param multiplier confidence multiplier applied to the catalogue weight (1.0 = full weight)
 * @param evidence   short, specific evidence, e.g. {@code "invoice.pdf.exe"}; never message content beyond that
 */
public record Finding(String code, double multiplier, String evidence) {

    public Finding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(evidence, "evidence");
        if (!(multiplier >= 0.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite non-negative number: " + multiplier);
        }
    }

    public static Finding of(String code, String evidence) {
        return new Finding(code, 1.0, evidence);
    }
}
