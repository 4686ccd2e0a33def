package io.mamori.core.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.ParsedMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentClassifierAnalyzerTest {

    private static final Envelope INBOUND = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));
    private static final Envelope OUTBOUND = new Envelope(Direction.OUTBOUND, "keiri@example.co.jp",
            List.of("someone@example.net"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));

    private static final String PHISHING = "From: Support <support@sender.example>\r\nTo: keiri@example.co.jp\r\n"
            + "Subject: Your account is suspended\r\n\r\nVerify your password today or your account stays suspended."
            + " Uniquea, uniqueb.\r\n";
    private static final String MEETING = "From: Sato <sato@partner.example>\r\nTo: keiri@example.co.jp\r\n"
            + "Subject: Meeting agenda\r\n\r\nThe agenda and the minutes of the meeting are attached.\r\n";

    private static List<Finding> analyze(ContentModel model, Envelope envelope, String message) throws IOException {
        try (ParsedMessage m = ContentTokensTest.parse(message)) {
            return new ContentClassifierAnalyzer(() -> model).analyze(new AnalysisInput(envelope, m));
        }
    }

    @Test
    void inboundMailWordedLikeLearntPhishingGetsTheFindingWithItsProbabilityAndStrongestWords() throws IOException {
        assertThat(analyze(ContentModelTest.trained(), INBOUND, PHISHING)).containsExactly(
                new Finding("CONTENT_LIKE_PHISHING", 1.5, "p=0.999; password,suspended,verify,uniquea,uniqueb"));
        assertThat(analyze(ContentModelTest.trained(), INBOUND, MEETING)).isEmpty();
    }

    @Test
    void aFindingBetweenLikelyAndVeryLikelyHasFullWeightOnly() throws IOException {
        // five words, each in every phishing message and in a quarter of the legitimate ones: f(w) = 0.8 each, which
        // Fisher's method combines to about 0.96
        ContentModel.Builder b = new ContentModel.Builder();
        List<String> words = List.of("alpha", "bravo", "charlie", "delta", "echo");
        for (int i = 0; i < 60; i++) {
            b.learn(words, true);
            b.learn(i < 15 ? words : List.of("agenda"), false);
        }
        List<Finding> findings = analyze(b.build(), INBOUND,
                "From: a@sender.example\r\nSubject: x\r\n\r\nalpha bravo charlie delta echo\r\n");
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).multiplier()).isEqualTo(1.0);
        assertThat(findings.get(0).evidence()).matches("p=0\\.9[0-8]\\d; alpha,bravo,charlie,delta,echo");
    }

    @Test
    void tooFewKnownWordsGiveNoOpinion() throws IOException {
        ContentModel model = ContentModelTest.trained();
        // three clues, all phishing wording: p > 0.99, but three words are too little text to judge
        assertThat(model.score(List.of("verify", "password", "suspended")).probability()).isGreaterThan(0.99);
        assertThat(analyze(model, INBOUND, "From: a@sender.example\r\nSubject: x\r\n\r\nverify password suspended\r\n"))
                .isEmpty();
    }

    @Test
    void outboundMailAndAnUntrainedModelGiveNoOpinion() throws IOException {
        assertThat(analyze(ContentModelTest.trained(), OUTBOUND, PHISHING)).isEmpty();
        ContentModel.Builder few = new ContentModel.Builder();
        for (int i = 0; i < 10; i++) {
            few.learn(List.of("verify", "password", "suspended"), true).learn(List.of("meeting"), false);
        }
        assertThat(analyze(few.build(), INBOUND, PHISHING)).isEmpty();
        assertThat(analyze(ContentModel.EMPTY, INBOUND, PHISHING)).isEmpty();
    }

    @Test
    void theCatalogueKeepsTheOpinionAloneBelowTagAndAddsToASpecificSign() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        double alone = catalogue.weight("CONTENT_LIKE_PHISHING") * ContentClassifierAnalyzer.VERY_LIKELY_MULTIPLIER;
        assertThat(alone).isLessThan(4.0);
        assertThat(catalogue.weight("CONTENT_LIKE_PHISHING") + catalogue.weight("PHISHING_WORDING_AND_SIGN")
                + catalogue.weight("LURE_URGENCY")).isGreaterThanOrEqualTo(4.0);
    }

    /**
     * The shipped seed on mail it never learnt: the first eight messages of the held-out half of the Nazario corpus
     * (the seed learnt the other half), and the project's legitimate fixtures: Japanese mobile and PC mail,
     * newsletters, a partner's Japanese invoice, a bounce. Its phishing side generalises; its legitimate side is too
     * thin for English newsletters, which is why it is only a seed for an organisation's own model.
     */
    @Test
    void theShippedSeedRecognisesHeldOutPhishingButIsNoJudgeOfEnglishNewsletters() throws IOException {
        ContentModel shipped = ShippedContentModel.get();
        assertThat(shipped.trained()).isTrue();
        List<String> phishing = List.of("00004", "00008", "00010", "00014", "00020", "00026", "00030", "00032");
        List<String> caught = new ArrayList<>();
        for (String n : phishing) {
            ParsedMessage m = Fixtures.parse("classifier/nazario-phishing0-" + n + ".eml");
            if (shipped.score(ContentTokens.of(m)).probability() >= ContentClassifierAnalyzer.LIKELY) {
                caught.add(n);
            }
        }
        assertThat(caught).as("held-out phishing at p >= 0.9").hasSizeGreaterThanOrEqualTo(7);

        List<String> legitimate = List.of("japanese-corpus/iphone-cp932.eml", "japanese-corpus/pc-mail-multi.eml",
                "japanese-corpus/japanese_shift_jis.eml", "japanese-corpus/lhost-exchange2007-04.eml",
                "phishing-corpus/mail-gem-discover-newsletter.eml", "phishing-corpus/mail-gem-provantage-newsletter.eml",
                "phishing-corpus/sisimai-lhost-office365-09.eml", "lure/invoice-partner-ja.eml");
        List<String> flagged = new ArrayList<>();
        for (String f : legitimate) {
            if (!new ContentClassifierAnalyzer(() -> shipped).analyze(new AnalysisInput(INBOUND, Fixtures.parse(f))).isEmpty()) {
                flagged.add(f);
            }
        }
        // Real newsletters of a card issuer and a computer shop read like the phishing the seed learnt: its legitimate
        // mail holds little English prose
        assertThat(flagged).containsExactly("phishing-corpus/mail-gem-discover-newsletter.eml",
                "phishing-corpus/mail-gem-provantage-newsletter.eml");
        assertThat(legitimate.size() - flagged.size()).as("the Japanese, bounce and invoice fixtures").isEqualTo(6);
    }
}
