package io.mamori.core.analysis;

import java.util.List;
import java.util.Set;

/**
 * Examines one message and reports findings. An analyzer never decides: it says what it saw, with
 * evidence, and the policy decides.
 *
 * <p>Contract: {@link #analyze} is called concurrently for different messages and must be thread-safe;
 * it must not modify its input. It runs under a per-analyzer time budget enforced by the
 * {@link AnalysisPipeline}: an analyzer that throws or overruns yields {@code ANALYZER_FAILED} (or its own
 * {@link #failureCode()}) with its {@link #name()} as evidence, never a silent pass. It should check {@link Thread#isInterrupted()}
 * in long loops so that a timed-out run stops.
 */
public interface Analyzer {

    /** Stable, unique name, e.g. {@code mime-sanity}; appears in {@code ANALYZER_FAILED} evidence. */
    String name();

    /** Returns the findings for one message; an empty list means "nothing to report". */
    List<Finding> analyze(AnalysisInput input) throws Exception;

    /**
     * Every finding code this analyzer may emit. The {@link AnalysisPipeline} refuses, at construction, an
     * analyzer that declares a code missing from the finding catalogue; a code emitted but not in the catalogue
     * is reported as {@code ANALYZER_FAILED} at run time. Empty means "not declared".
     */
    default Set<String> codes() {
        return Set.of();
    }

    /**
     * The code of the finding the {@link AnalysisPipeline} reports when this analyzer throws or overruns its budget:
     * {@code ANALYZER_FAILED} unless the analyzer's own code says more. The antivirus analyzer answers
     * {@code AV_UNAVAILABLE}: a scan that did not finish is a scan the engine did not answer, and the policy's
     * {@code antivirus.when_unavailable} (451 by default) must apply — not the milder TAG of a failed analyzer, which
     * would accept unscanned attachments. Must be {@code ANALYZER_FAILED} or one of {@link #codes()}.
     */
    default String failureCode() {
        return AnalysisPipeline.ANALYZER_FAILED;
    }
}
