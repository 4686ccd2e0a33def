package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Composites: findings the pipeline adds when other findings occur together (catalogue {@code when} lists). */
class CompositeFindingsTest {

    private static final String CATALOGUE = """
            findings:
              ANALYZER_FAILED: {weight: 3, ja: "失敗", en: "failed"}
              ANALYZER_NOT_RUN: {weight: 1, ja: "未実施", en: "not run"}
              LURE_A: {weight: 1, ja: "誘い文句", en: "lure"}
              LURE_B: {weight: 1, ja: "誘い文句", en: "lure"}
              LINK_X: {weight: 2, ja: "リンク", en: "link"}
              LINK_Y: {weight: 2, ja: "リンク", en: "link"}
              LURE_AND_LINK:
                weight: 4
                when: [[LURE_A, LURE_B], [LINK_X, LINK_Y]]
                ja: "誘い文句と不審なリンクの組み合わせ"
                en: "a lure together with a suspicious link"
            """;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static FindingCatalogue catalogue(String yaml) {
        return FindingCatalogue.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private List<Finding> run(FindingCatalogue catalogue, Finding... emitted) {
        Analyzer analyzer = new Analyzer() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public List<Finding> analyze(AnalysisInput input) {
                return List.of(emitted);
            }
        };
        AnalysisInput input = new AnalysisInput(new Envelope(Direction.INBOUND, "", List.of("a@example.co.jp"), "192.0.2.1",
                "", null, false, Instant.EPOCH), Fixtures.parse("attachment/benign-names.eml"));
        return new AnalysisPipeline(List.of(analyzer), catalogue, Duration.ofSeconds(5), pool).run(input);
    }

    @Test
    void aCompositeIsAddedAfterTheFindingsWhenEveryGroupIsMetNamingWhatMetIt() {
        List<Finding> findings = run(catalogue(CATALOGUE), Finding.of("LINK_Y", "203.0.113.5"),
                Finding.of("LURE_B", "verify your account"), Finding.of("LURE_A", "urgent"));

        assertThat(findings).containsExactly(Finding.of("LINK_Y", "203.0.113.5"),
                Finding.of("LURE_B", "verify your account"), Finding.of("LURE_A", "urgent"),
                Finding.of("LURE_AND_LINK", "LURE_A+LINK_Y"));
    }

    @Test
    void oneGroupAloneOrAFindingItsAnalyzerCallsWeakDoesNotMeetAComposite() {
        assertThat(run(catalogue(CATALOGUE), Finding.of("LURE_A", "urgent"), Finding.of("LURE_B", "verify")))
                .extracting(Finding::code).containsExactly("LURE_A", "LURE_B");
        assertThat(run(catalogue(CATALOGUE), Finding.of("LURE_A", "urgent"), new Finding("LINK_X", 0.0, "allowed")))
                .extracting(Finding::code).containsExactly("LURE_A", "LINK_X");
        assertThat(run(catalogue(CATALOGUE), Finding.of("LURE_A", "urgent"), new Finding("LINK_X", 0.3, "weak")))
                .extracting(Finding::code).containsExactly("LURE_A", "LINK_X");
        assertThat(run(catalogue(CATALOGUE), Finding.of("LURE_A", "urgent"), new Finding("LINK_X", 0.5, "half")))
                .extracting(Finding::code).containsExactly("LURE_A", "LINK_X", "LURE_AND_LINK");
    }

    @Test
    void theShippedCatalogueParsesItsCompositesAndEachNamesOnlyKnownCodes() {
        FindingCatalogue shipped = FindingCatalogue.builtIn();
        assertThat(shipped.composites()).isNotEmpty();
        for (FindingCatalogue.Composite c : shipped.composites()) {
            assertThat(shipped.entry(c.code())).as(c.code()).isPresent();
            assertThat(c.groups()).as(c.code()).hasSizeGreaterThanOrEqualTo(2);
            c.groups().forEach(g -> g.forEach(code -> assertThat(shipped.entry(code)).as(c.code() + " names " + code).isPresent()));
        }
    }

    @Test
    void aCompositeNamingAnUnknownCodeOrAnotherCompositeOrWithOneGroupIsRefused() {
        assertThatThrownBy(() -> catalogue(CATALOGUE.replace("[LINK_X, LINK_Y]", "[LINK_Z]")))
                .hasMessageContaining("composite LURE_AND_LINK names unknown code LINK_Z");
        assertThatThrownBy(() -> catalogue(CATALOGUE.replace("[LINK_X, LINK_Y]", "[LURE_AND_LINK]")))
                .hasMessageContaining("names composite LURE_AND_LINK");
        assertThatThrownBy(() -> catalogue(CATALOGUE.replace("[[LURE_A, LURE_B], [LINK_X, LINK_Y]]", "[[LURE_A]]")))
                .hasMessageContaining("needs at least two non-empty groups");
        assertThatThrownBy(() -> catalogue(CATALOGUE.replace("[[LURE_A, LURE_B], [LINK_X, LINK_Y]]", "LURE_A")))
                .hasMessageContaining("when must be a list of lists of codes");
    }
}
