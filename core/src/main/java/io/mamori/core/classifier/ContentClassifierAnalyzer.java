package io.mamori.core.classifier;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Scores the wording of inbound mail with the content model in force ({@link ContentModel}) and reports
 * {@code CONTENT_LIKE_PHISHING} when it reads like the phishing and fraud the model learnt: multiplier 1 from a
 * probability of {@value #LIKELY}, {@value #VERY_LIKELY_MULTIPLIER} from {@value #VERY_LIKELY}, with the probability
 * and the words that pulled most towards phishing as evidence. The catalogue keeps the finding alone below the TAG
 * threshold, as SpamAssassin's BAYES_99 stays below its spam threshold: a statistical opinion adds to the specific
 * signs (the composite {@code PHISHING_WORDING_AND_SIGN}), it does not decide alone.
 *
 * <p>The model must be the organisation's own ({@code mamori learn}, {@code mamori.analysis.content-model}): a model
 * whose legitimate mail is not like the organisation's reads ordinary mail as phishing (the project's openly licensed
 * legitimate mail is mostly bounces, test messages and Japanese mobile mail; a model of it rated two real English
 * newsletters p ≥ 0.99). Without one, the analyzer gives no opinion.
 *
 * <p>A model that has learnt fewer than {@link ContentModel#MIN_MESSAGES} messages of either kind gives no opinion
 * (nothing is reported), nor does a message with fewer than {@value #MIN_CLUES} words the model knows either way. Outbound mail is not scored. Thread-safe: the model is immutable and read per message
 * from the supplier, so a retrained model takes effect for the next message.
 */
public final class ContentClassifierAnalyzer implements Analyzer {

    public static final String CODE = "CONTENT_LIKE_PHISHING";
    static final double LIKELY = 0.9;
    static final double VERY_LIKELY = 0.99;
    static final double VERY_LIKELY_MULTIPLIER = 1.5;
    /**
     * Fewer words than this that the model knows either way is too little text to judge: two or three clues of a
     * short note ("Some text") can reach any probability.
     */
    static final int MIN_CLUES = 5;

    private final Supplier<ContentModel> model;

    public ContentClassifierAnalyzer(Supplier<ContentModel> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public String name() {
        return "content-classifier";
    }

    @Override
    public Set<String> codes() {
        return Set.of(CODE);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        if (input.envelope().direction() != Direction.INBOUND) {
            return List.of();
        }
        ContentModel m = model.get();
        if (m == null || !m.trained()) {
            return List.of();
        }
        ContentModel.Score score = m.score(ContentTokens.of(input));
        if (score.clues() < MIN_CLUES || score.probability() < LIKELY) {
            return List.of();
        }
        double multiplier = score.probability() >= VERY_LIKELY ? VERY_LIKELY_MULTIPLIER : 1.0;
        String evidence = String.format(Locale.ROOT, "p=%.3f; %s", Math.floor(score.probability() * 1000) / 1000,
                String.join(",", score.phishingClues()));
        return List.of(new Finding(CODE, multiplier, evidence));
    }
}
