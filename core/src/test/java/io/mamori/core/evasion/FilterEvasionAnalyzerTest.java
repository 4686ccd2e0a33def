package io.mamori.core.evasion;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilterEvasionAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));

    private final FilterEvasionAnalyzer analyzer = new FilterEvasionAnalyzer();
    private final FindingCatalogue catalogue = FindingCatalogue.builtIn();

    private List<Finding> analyze(String fixture) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse(fixture)));
    }

    private double score(List<Finding> findings) {
        return findings.stream().mapToDouble(f -> catalogue.weight(f.code()) * f.multiplier()).sum();
    }

    @Test
    void theAnalyzersReadingAnHtmlPartShareOneParseOfItPerMessage() throws Exception {
        ParsedMessage message = Fixtures.parse("evasion/hidden-salting-en.eml");
        long htmlParts = message.parts().stream().filter(p -> "text/html".equals(p.contentType())).count();
        assertThat(htmlParts).isEqualTo(1);
        AnalysisInput input = new AnalysisInput(ENVELOPE, message);
        List<io.mamori.core.analysis.Analyzer> readers = List.of(analyzer, new io.mamori.core.link.LinkAnalyzer(),
                new io.mamori.core.lure.LureWordingAnalyzer(), analyzer);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<List<Finding>>> runs = new java.util.ArrayList<>();
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (io.mamori.core.analysis.Analyzer a : readers) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return a.analyze(input);
                }));
            }
            start.countDown();
            for (int i = 0; i < readers.size(); i++) {
                // each finds what it finds on an input of its own
                assertThat(runs.get(i).get()).isEqualTo(readers.get(i).analyze(new AnalysisInput(ENVELOPE, message)));
            }
        } finally {
            pool.shutdown();
        }
        assertThat(HtmlText.parses(input)).isEqualTo(1);
        // the tree went to the link analyzer: a second one asking for it gets a parse of its own
        HtmlText.document(input, message.parts().stream().filter(p -> "text/html".equals(p.contentType()))
                .findFirst().orElseThrow().text());
        assertThat(HtmlText.parses(input)).isEqualTo(2);
        assertThat(HtmlText.parses(new AnalysisInput(ENVELOPE, message))).isZero();
    }

    @Test
    void latinWordsWrittenWithLookAlikeLettersOfOtherScriptsAreReported() {
        List<Finding> findings = analyze("evasion/homoglyphs-en.eml");
        assertThat(findings).containsExactly(new Finding("TEXT_HOMOGLYPHS", 1.5, "22 word(s) written with look-alike "
                + "letters of other scripts: V\u0435r\u0456fy (verify), y\u043eur (your), w\u0430ll\u0435t (wallet) "
                + "(subject 4, sender name 2, body 16)"));
        assertThat(score(findings)).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void russianEnglishAndGreekTextAndARussianNameWithAStrayLatinLetterAreNotHomoglyphs() {
        // a bilingual newsletter, Greek letters in science; and a real Russian display name ending in a Latin a
        // (mail gem fixture raw_email_bad_time.eml: =?windows-1251?B?wPLo6u7iYQ==?= is "Атиковa")
        assertThat(analyze("evasion/bilingual-ru-en.eml")).isEmpty();
        assertThat(analyze("evasion/mail-gem-russian-name.eml")).extracting(Finding::code).doesNotContain("TEXT_HOMOGLYPHS");
    }

    @Test
    void hiddenTextCuttingWordsIsReportedWithHowMuchWasHiddenAndHowAndReachesTagAlone() {
        List<Finding> findings = analyze("evasion/hidden-salting-en.eml");
        assertThat(findings).containsExactly(new Finding("HTML_HIDDEN_TEXT", 1.5,
                "9 hidden characters in 4 place(s) (display:none 5, font-size:0 4), 4 inside words; 90 visible"));
        assertThat(score(findings)).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void wordsWrittenIntoAStyleElementOutsideItsRulesAreHiddenTextThatReachesTagAlone() {
        List<Finding> findings = analyze("evasion/style-salad-en.eml");
        assertThat(findings).containsExactly(new Finding("HTML_HIDDEN_TEXT", 1.5,
                "0 hidden characters in 0 place(s), 0 inside words; 76 visible; 28 word(s) in style elements outside any rule"));
        assertThat(score(findings)).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void aNewsletterStylesheetWithManySelectorsAtRulesAndOfficeDefinitionsHasNoStrayWords() {
        assertThat(analyze("evasion/newsletter-stylesheet.eml")).isEmpty();
    }

    @Test
    void moreHiddenTextThanVisibleTextIsReportedBelowTagAlone() {
        List<Finding> findings = analyze("evasion/hidden-bulk-en.eml");
        assertThat(findings).containsExactly(new Finding("HTML_HIDDEN_TEXT", 1.0,
                "414 hidden characters in 3 place(s) (hidden attribute 53, opacity:0 125, colour of the background 236),"
                        + " 0 inside words; 62 visible"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    @Test
    void invisibleCharactersInsideWordsOfSubjectSenderNameAndBodyAreCountedPerWord() {
        List<Finding> findings = analyze("evasion/invisible-chars-en.eml");
        assertThat(findings).containsExactly(new Finding("TEXT_INVISIBLE_CHARS", 1.5,
                "8 word(s) split by U+00AD,U+200B,U+200D,U+2060,U+FEFF (subject 2, sender name 2, body 4)"));
        assertThat(score(findings)).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void oneSplitWordIsAWeakFindingThatCombinesWithNothing() {
        String text = "Meeting notes are in the shared fol\u200Bder.\n";
        List<Finding> findings = analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Notes", text)));
        assertThat(findings).containsExactly(new Finding("TEXT_INVISIBLE_CHARS", 0.4,
                "1 word(s) split by U+200B (subject 0, sender name 0, body 1)"));
        assertThat(findings.get(0).multiplier()).as("composites need 0.5").isLessThan(0.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evasion/newsletter-preheader.eml", "evasion/emoji-zwj.eml", "evasion/persian-zwnj.eml",
            "evasion/japanese-html.eml", "evasion/german-soft-hyphens.eml", "disarm/jpmobile-docomo-decomail.eml",
            "disarm/mail-gem-provantage-newsletter.eml", "phishing-corpus/mail-gem-discover-newsletter.eml",
            "link/newsletter.eml", "japanese-corpus/pc-mail-multi.eml"})
    void legitimateMailWithPreheadersJoinersAndHyphenationRaisesNothing(String fixture) {
        assertThat(analyze(fixture)).isEmpty();
    }

    @Test
    void aByteOrderMarkAtTheStartOfAPartAndPaddingAfterWordsAreNoSplit() {
        String text = "\uFEFFHello team,\u200B\u200B the report is attached.\u2060\n";
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Report \u200B", text)))).isEmpty();
    }

    @Test
    void attachmentsAreNotRead() {
        String text = "ver\u200Bify pay\u200Bment pass\u200Bword ac\u200Bcount sign\u200Bin";
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "notes")),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", "notes.txt", true, text.length(), text)), List.of(),
                0, text.length());
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
    }

    @Test
    void aHugeDeeplyNestedHtmlBodyIsReadWithinBounds() {
        String html = "<div>".repeat(100_000) + "pass<span style=display:none>x</span>word ".repeat(50_000);
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "big")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        long start = System.nanoTime();
        List<Finding> findings = analyzer.analyze(new AnalysisInput(ENVELOPE, message));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(findings).extracting(Finding::code).containsExactly("HTML_HIDDEN_TEXT");
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogueBelowTagAtFullWeight() {
        assertThat(analyzer.name()).isEqualTo("filter-evasion");
        assertThat(analyzer.codes()).containsExactlyInAnyOrder("HTML_HIDDEN_TEXT", "TEXT_INVISIBLE_CHARS", "TEXT_HOMOGLYPHS");
        for (String code : analyzer.codes()) {
            assertThat(catalogue.entry(code)).as(code).isPresent();
            assertThat(catalogue.weight(code)).as(code).isLessThan(4.0);
        }
    }

    private static ParsedMessage plain(String subject, String text) {
        return new ParsedMessage(List.of(new HeaderField("Subject", subject), new HeaderField("From", "a@example.net")),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", null, false, text.length(), text)), List.of(), 0,
                text.length());
    }
}
