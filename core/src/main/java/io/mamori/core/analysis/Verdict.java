package io.mamori.core.analysis;

import java.util.List;

/**
 * The policy's decision for one message.
 *
 * @param action   the action to take
 * @param score    sum of weight × multiplier over all findings
 * @param findings every finding that contributed, in analyzer order
 */
public record Verdict(Action action, double score, List<Finding> findings) {

    public Verdict {
        findings = List.copyOf(findings);
    }

    /** Finding codes in order, without duplicates, for headers and logs. */
    public List<String> codes() {
        return findings.stream().map(Finding::code).distinct().toList();
    }

    /** Value of the {@code X-Mamori-Verdict} header, e.g. {@code TAG; score=5.00; findings=A,B}. */
    public String headerValue() {
        return action.name() + "; score=" + String.format(java.util.Locale.ROOT, "%.2f", score)
                + "; findings=" + (findings.isEmpty() ? "none" : String.join(",", codes()));
    }
}
