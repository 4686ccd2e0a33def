package io.mamori.core.policy;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.lists.SenderListAnalyzer;
import io.mamori.core.message.Direction;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns findings into a verdict: the score is the sum of weight × multiplier over all findings, the weight being
 * the policy's ({@code <direction>.weights}) where it names the code and the catalogue's otherwise;
 * the action is the most severe of the threshold the score reaches and the forced minimums of the findings
 * present (a forced minimum applies even at multiplier 0), and, for inbound mail, the minimums of the policy's
 * {@code attachments} section ({@code quarantine} or {@code tag} for encrypted or macro attachments).
 *
 * <p>An allow-listed, authenticated sender ({@code SENDER_ALLOWED}) changes what counts: only the findings the
 * policy names in {@code lists.allow.never_overrides} (malware, executables, encrypted archives, macros, DMARC
 * failure … by default) add to the score or force an action, through {@code inbound.forced} or
 * {@code attachments}; the others stay in the verdict, for the analyst, but weigh nothing. A composite of the
 * catalogue counts then only if it is named too <em>and</em> every one of its groups is met by a finding that
 * counts, so findings the allow neutralised cannot come back through a composite built on them. The verdict keeps
 * every finding either way. Stateless and thread-safe.
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
        List<Finding> counted = counted(policy, findings);
        double sum = 0.0;
        for (Finding f : counted) {
            sum += weight(rules, f.code()) * f.multiplier();
        }
        double score = Math.round(sum * SCALE) / SCALE;
        Action action = rules.actionForScore(score);
        for (Finding f : counted) {
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

    /** The weight of a finding under the policy: its {@code <direction>.weights} entry, else the catalogue's. */
    public double weight(Policy policy, Direction direction, String code) {
        return weight(policy.rules(direction), code);
    }

    private double weight(Policy.Rules rules, String code) {
        Double own = rules.weights().get(code);
        return own != null ? own : catalogue.weight(code);
    }

    /**
     * The findings that weigh: all, or with an allow-listed sender only those an allow never overrides (a composite
     * only when, besides, the counted findings alone meet it). Whatever acts on a finding after the decision (e.g.
     * {@code attachments.*: strip}) must act only on these, or an allow would lift a quarantine but not a strip.
     */
    public List<Finding> counted(Policy policy, List<Finding> findings) {
        boolean allowed = false;
        for (Finding f : findings) {
            allowed |= f.code().equals(SenderListAnalyzer.SENDER_ALLOWED);
        }
        if (!allowed) {
            return findings;
        }
        Set<String> kept = policy.lists().allowNeverOverrides();
        Set<String> compositeCodes = new HashSet<>();
        catalogue.composites().forEach(c -> compositeCodes.add(c.code()));
        List<Finding> plain = findings.stream()
                .filter(f -> kept.contains(f.code()) && !compositeCodes.contains(f.code())).toList();
        Set<String> met = new HashSet<>();
        catalogue.compositesOf(plain).forEach(c -> met.add(c.code()));
        return findings.stream()
                .filter(f -> kept.contains(f.code()) && (!compositeCodes.contains(f.code()) || met.contains(f.code())))
                .toList();
    }
}
