package io.mamori.core.policy;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import java.util.List;
import java.util.Objects;

/**
 * Turns findings into a verdict: the score is the sum of catalogue weight × multiplier over all findings;
 * the action is the most severe of the threshold the score reaches and the forced minimums of the findings
 * present (a forced minimum applies even at multiplier 0), and, for inbound mail, the minimums of the policy's
 * {@code attachments} section ({@code quarantine} or {@code tag} for encrypted or macro attachments).
 * Stateless and thread-safe.
 */
public final class PolicyEngine {

    /** Scores are rounded to this many decimal places so that 0.1 + 0.2 reaches a threshold of 0.3. */
    private static final double SCALE = 1_000_000.0;

    private final FindingCatalogue catalogue;

    public PolicyEngine(FindingCatalogue catalogue) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    }

    public Verdict decide(Policy policy, Direction direction, List<Finding> findings) {
        Policy.Rules rules = policy.rules(direction);
        double sum = 0.0;
        for (Finding f : findings) {
            sum += catalogue.weight(f.code()) * f.multiplier();
        }
        double score = Math.round(sum * SCALE) / SCALE;
        Action action = rules.actionForScore(score);
        for (Finding f : findings) {
            Action forced = rules.forced().get(f.code());
            if (forced != null) {
                action = action.atLeast(forced);
            }
            if (direction == Direction.INBOUND) {
                action = action.atLeast(policy.attachments().minimum(f.code()));
            }
        }
        return new Verdict(action, score, findings);
    }
}
