package io.mamori.core.lure;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LureWordingAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));

    private final LureWordingAnalyzer analyzer = new LureWordingAnalyzer();
    private final FindingCatalogue catalogue = FindingCatalogue.builtIn();

    private List<Finding> analyze(String fixture) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("lure/" + fixture)));
    }

    private double score(List<Finding> findings) {
        return findings.stream().mapToDouble(f -> catalogue.weight(f.code()) * f.multiplier()).sum();
    }

    @Test
    void japaneseSuspensionLureWithHalfWidthKanaAndABrokenLineMatchesEveryCategoryAndTheirCombination() {
        List<Finding> findings = analyze("account-suspension-ja.eml");
        assertThat(findings).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "至急"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.0, "アカウント停止"),
                new Finding("LURE_CREDENTIAL", 1.5, "本人確認,パスワード"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
        assertThat(score(findings)).as("a combined lure reaches TAG on wording alone").isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void englishBankChangeInHtmlIsReadAsTextAcrossTagsAndCase() {
        assertThat(analyze("bank-change-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "urgent"),
                new Finding("LURE_PAYMENT", 1.5, "wire transfer,bank details changed"),
                new Finding("LURE_COMBINED", 0.5, "urgency,payment"));
    }

    @Test
    void deliveryPretextWithADeadlineCombinesTwoCategories() {
        assertThat(analyze("delivery-ja.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "24時間以内"),
                new Finding("LURE_DELIVERY", 2.0, "不在通知,再配達,お荷物,荷物のお届け"),
                new Finding("LURE_COMBINED", 0.5, "urgency,delivery"));
    }

    @Test
    void aJapaneseInvoiceFromARealPartnerIsOneLowWeightFindingFarBelowTheTagThreshold() {
        List<Finding> findings = analyze("invoice-partner-ja.eml");
        assertThat(findings).containsExactly(new Finding("LURE_PAYMENT", 1.5, "支払い,請求書"));
        assertThat(score(findings)).isLessThan(4.0).isEqualTo(1.5);
    }

    @Test
    void hiddenTextCuttingTheWordsAndInvisibleCharactersInsideThemDoNotHideTheLure() {
        // pass<span style="display:none">q7x</span>word, ver<span ...>kw</span>ify: read as the reader sees it
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("evasion/hidden-salting-en.eml"))))
                .containsExactly(
                        new Finding("LURE_URGENCY", 1.0, "expires today"),
                        new Finding("LURE_CREDENTIAL", 1.5, "verify your account,password expires"),
                        new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
        // "could not ver\u200Bify your": the folding drops the invisible characters
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("evasion/invisible-chars-en.eml"))))
                .containsExactly(
                        new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                        new Finding("LURE_CREDENTIAL", 1.0, "could not verify your"),
                        new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
    }

    @Test
    void hiddenWordsAreNotReadSoAHiddenLureIsNoLure() {
        String html = "<p>Thank you for your order.</p><div style='display:none'>urgent: verify your account</div>";
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "Order")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
    }

    @Test
    void englishPhrasesMatchOnlyWholeWords() {
        assertThat(analyze("word-boundaries-en.eml")).isEmpty();
    }

    @Test
    void foldingMakesFullWidthHalfWidthAndKanaVariantsEqual() {
        assertThat(LureText.fold("ﾊﾟｽﾜｰﾄﾞ")).isEqualTo(LureText.fold("パスワード")).isEqualTo(LureText.fold("ぱすわーど"));
        assertThat(LureText.fold("ＵＲＧＥＮＴ\u200B now\n\n  please")).isEqualTo("urgent now please");
    }

    @Test
    void onlyTheFirstTwoHundredThousandCharactersAreScannedAndABigBodyIsQuick() {
        String big = "a".repeat(5_000_000) + " 至急 パスワード";
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "hello")),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", null, false, big.length(), big)), List.of(), 0,
                big.length());
        long start = System.nanoTime();
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void attachmentsAreNotReadAsWording() {
        String text = "至急 パスワード";
        ParsedMessage message = new ParsedMessage(List.of(),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", "notes.txt", true, text.length(), text)), List.of(), 0,
                text.length());
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogueWithAModestWeight() {
        assertThat(analyzer.name()).isEqualTo("lure-wording");
        assertThat(analyzer.codes()).containsExactly("LURE_URGENCY", "LURE_ACCOUNT_SUSPENSION", "LURE_CREDENTIAL",
                "LURE_PAYMENT", "LURE_DELIVERY", "LURE_PRIZE", "LURE_DOCUMENT_SHARE", "LURE_EXTORTION", "LURE_COMBINED");
        for (String code : analyzer.codes()) {
            assertThat(catalogue.entry(code)).as(code).isPresent();
            assertThat(catalogue.weight(code)).as(code).isBetween(1.0, 3.0);
        }
    }
}
