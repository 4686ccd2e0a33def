package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {

    private static final String POLICY = """
            version: 1
            organisation:
              name: Sample
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
              forced:
                ATTACHMENT_EXECUTABLE: QUARANTINE
                ANALYZER_FAILED: TAG
                DMARC_REJECT: REJECT
            outbound:
              thresholds: { tag: 6, hold: 10, quarantine: 15 }
            """;

    private final PolicyEngine engine = new PolicyEngine(TestCatalogue.CATALOGUE);
    private final Policy policy;

    PolicyEngineTest() throws PolicyException {
        policy = new PolicyLoader(TestCatalogue.CATALOGUE).parse(POLICY, "policy.yaml");
    }

    private Verdict inbound(Finding... findings) {
        return engine.decide(policy, Direction.INBOUND, List.of(findings));
    }

    private static Finding mime(double multiplier) {
        return new Finding("MIME_MALFORMED", multiplier, "part 2");
    }

    @Test
    void noFindingsDeliverWithScoreZero() {
        Verdict v = inbound();
        assertThat(v.action()).isEqualTo(Action.DELIVER);
        assertThat(v.score()).isZero();
        assertThat(v.findings()).isEmpty();
    }

    @Test
    void scoreJustBelowTheTagThresholdDelivers() {
        assertThat(inbound(mime(1.995)).action()).isEqualTo(Action.DELIVER);
        assertThat(inbound(mime(1.995)).score()).isEqualTo(3.99);
    }

    @Test
    void scoreExactlyAtEachThresholdReachesThatAction() {
        assertThat(inbound(mime(2.0)).action()).isEqualTo(Action.TAG);
        assertThat(inbound(mime(4.0)).action()).isEqualTo(Action.HOLD);
        assertThat(inbound(mime(5.0)).action()).isEqualTo(Action.QUARANTINE);
        assertThat(inbound(mime(10.0)).action()).isEqualTo(Action.REJECT);
    }

    @Test
    void scoreBetweenThresholdsTakesTheLowerAction() {
        assertThat(inbound(mime(3.5)).action()).isEqualTo(Action.TAG);
        assertThat(inbound(mime(9.99)).action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void scoreIsTheSumOfWeightTimesMultiplier() {
        Verdict v = inbound(mime(0.5), new Finding("ATTACHMENT_DOUBLE_EXTENSION", 0.75, "a.pdf.scr"), mime(1.0));
        assertThat(v.score()).isEqualTo(1.0 + 3.0 + 2.0);
        assertThat(v.action()).isEqualTo(Action.TAG);
    }

    @Test
    void floatingPointSumsReachAnExactThreshold() throws PolicyException {
        Policy tight = new PolicyLoader(TestCatalogue.CATALOGUE).parse(
                POLICY.replace("thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }", "thresholds: { tag: 0.3 }"),
                "policy.yaml");
        Verdict v = engine.decide(tight, Direction.INBOUND, List.of(Finding.of("TENTH", "a"), Finding.of("FIFTH", "b")));
        assertThat(v.score()).isEqualTo(0.3);
        assertThat(v.action()).isEqualTo(Action.TAG);
    }

    @Test
    void forcedMinimumOverridesALowerScore() {
        Verdict v = inbound(Finding.of("ATTACHMENT_EXECUTABLE", "invoice.exe"));
        assertThat(v.score()).isEqualTo(5.0);
        assertThat(v.action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void forcedMinimumNeverLowersAHigherScoreAction() {
        Verdict v = inbound(Finding.of("ANALYZER_FAILED", "mime-sanity"), mime(10.0));
        assertThat(v.score()).isEqualTo(23.0);
        assertThat(v.action()).isEqualTo(Action.REJECT);
    }

    @Test
    void forcedMinimumAppliesEvenAtMultiplierZero() {
        Verdict v = inbound(new Finding("ANALYZER_FAILED", 0.0, "attachment-names"));
        assertThat(v.score()).isZero();
        assertThat(v.action()).isEqualTo(Action.TAG);
    }

    @Test
    void dmarcRejectFailureForcesRejectWhateverTheScore() {
        Verdict v = inbound(new Finding("DMARC_REJECT", 0.1, "example.co.jp p=reject"));
        assertThat(v.score()).isEqualTo(0.6);
        assertThat(v.action()).isEqualTo(Action.REJECT);
    }

    @Test
    void thresholdsAndForcedActionsArePerDirection() {
        List<Finding> findings = List.of(Finding.of("ATTACHMENT_EXECUTABLE", "tool.exe"));
        assertThat(engine.decide(policy, Direction.INBOUND, findings).action()).isEqualTo(Action.QUARANTINE);
        assertThat(engine.decide(policy, Direction.OUTBOUND, findings).action()).isEqualTo(Action.DELIVER);

        List<Finding> eight = List.of(mime(4.0));
        assertThat(engine.decide(policy, Direction.INBOUND, eight).action()).isEqualTo(Action.HOLD);
        assertThat(engine.decide(policy, Direction.OUTBOUND, eight).action()).isEqualTo(Action.TAG);
    }

    @Test
    void directionWithoutARejectThresholdNeverRejectsByScore() {
        Verdict v = engine.decide(policy, Direction.OUTBOUND, List.of(mime(1000)));
        assertThat(v.action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void unknownCodeWeighsNothingButStaysInTheVerdict() {
        Verdict v = inbound(Finding.of("NOT_IN_CATALOGUE", "x"));
        assertThat(v.score()).isZero();
        assertThat(v.action()).isEqualTo(Action.DELIVER);
        assertThat(v.codes()).containsExactly("NOT_IN_CATALOGUE");
    }

    @Test
    void verdictKeepsEveryFindingInOrder() {
        Finding a = mime(1.0);
        Finding b = Finding.of("ANALYZER_FAILED", "dkim");
        assertThat(inbound(a, b).findings()).containsExactly(a, b);
        assertThat(inbound(a, b).headerValue()).isEqualTo("TAG; score=5.00; findings=MIME_MALFORMED,ANALYZER_FAILED");
    }

    @Test
    void policyWeightReplacesTheCatalogueWeightForItsDirectionOnly() throws PolicyException {
        Policy own = new PolicyLoader(TestCatalogue.CATALOGUE).parse(POLICY.replace("""
                outbound:
                """, """
                  weights:
                    MIME_MALFORMED: 5
                    ANALYZER_FAILED: 0
                outbound:
                """), "policy.yaml");
        List<Finding> twoMime = List.of(mime(1.0), mime(1.0));

        Verdict in = engine.decide(own, Direction.INBOUND, twoMime);
        assertThat(in.score()).isEqualTo(10.0);
        assertThat(in.action()).isEqualTo(Action.QUARANTINE);
        // the shipped catalogue weight (2) still applies outbound, and everywhere under the other policy
        assertThat(engine.decide(own, Direction.OUTBOUND, twoMime).score()).isEqualTo(4.0);
        assertThat(inbound(mime(1.0), mime(1.0)).score()).isEqualTo(4.0);
        assertThat(engine.weight(own, Direction.INBOUND, "MIME_MALFORMED")).isEqualTo(5.0);
        assertThat(engine.weight(own, Direction.OUTBOUND, "MIME_MALFORMED")).isEqualTo(2.0);
        assertThat(engine.weight(own, Direction.INBOUND, "ATTACHMENT_EXECUTABLE")).isEqualTo(5.0);
    }

    @Test
    void weightZeroRemovesTheScoreButNotTheFindingOrItsForcedAction() throws PolicyException {
        Policy own = new PolicyLoader(TestCatalogue.CATALOGUE).parse(POLICY.replace("""
                outbound:
                """, """
                  weights: { ANALYZER_FAILED: 0, ATTACHMENT_EXECUTABLE: 0 }
                outbound:
                """), "policy.yaml");
        Finding failed = Finding.of("ANALYZER_FAILED", "dkim");
        Verdict v = engine.decide(own, Direction.INBOUND, List.of(failed, mime(1.0)));
        assertThat(v.score()).isEqualTo(2.0);
        assertThat(v.action()).isEqualTo(Action.TAG);   // forced ANALYZER_FAILED: TAG, not the score
        assertThat(v.codes()).containsExactly("ANALYZER_FAILED", "MIME_MALFORMED");
        Verdict exe = engine.decide(own, Direction.INBOUND, List.of(Finding.of("ATTACHMENT_EXECUTABLE", "a.exe")));
        assertThat(exe.score()).isZero();
        assertThat(exe.action()).isEqualTo(Action.QUARANTINE);
    }
}
