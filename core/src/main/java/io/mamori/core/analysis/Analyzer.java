package io.mamori.core.analysis;

import java.util.List;
import java.util.Set;

/**
 * Examines one message and reports findings. An analyzer never decides: it says what it saw, with
 * evidence, and the policy decides.
 *
 * <p>Contract: {@link #analyze} is called concurrently for different messages and must be thread-safe;
 * it must not modify its input. It runs under a per-analyzer time budget enforced by the
 * {@link AnalysisPipeline}: an analyzer that throws or overruns yields {@code ANALYZER_FAILED} with
 * its {@link #name()} as evidence, never a silent pass. It should check {@link Thread#isInterrupted()}
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
}
