package io.mamori.core.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.ParsedMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FirstContactAnalyzerTest {

    private static final Instant NOW = Instant.parse("2026-04-06T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final FirstContactAnalyzer.Settings SETTINGS = new FirstContactAnalyzer.Settings(Duration.ofDays(90),
            Duration.ofDays(14), d -> d.equals("example.co.jp"));

    private final InMemorySenderHistory history = new InMemorySenderHistory();
    private final FirstContactAnalyzer analyzer = new FirstContactAnalyzer(history, CLOCK, () -> SETTINGS);

    private static AnalysisInput inbound(String fixture) {
        return new AnalysisInput(new Envelope(Direction.INBOUND, "", List.of("sato@example.co.jp"), "192.0.2.1", "", null,
                false, NOW), Fixtures.parse(fixture));
    }

    private static AnalysisInput fromHeader(String... froms) {
        List<HeaderField> headers = java.util.Arrays.stream(froms).map(f -> new HeaderField("From", f)).toList();
        return new AnalysisInput(new Envelope(Direction.INBOUND, "", List.of("sato@example.co.jp"), "192.0.2.1", "", null,
                false, NOW), new ParsedMessage(headers, List.of(), List.of(), 0, 100));
    }

    private void historyStarted(Duration ago) {
        history.record(Set.of("long-standing.example"), NOW.minus(ago));
    }

    @Test
    void aDomainNeverSeenIsAFirstContactNamedByItsRegistrableDomain() {
        historyStarted(Duration.ofDays(200));
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml")))
                .containsExactly(Finding.of("FIRST_CONTACT", "domain=partner.example never seen before"));
        assertThat(analyzer.analyze(fromHeader("Shop <news@mail.shop.co.jp>")))
                .containsExactly(Finding.of("FIRST_CONTACT", "domain=shop.co.jp never seen before"));
    }

    @Test
    void aDomainLastSeenBeforeTheWindowIsAFirstContactAgainWithTheDateAsEvidence() {
        historyStarted(Duration.ofDays(400));
        history.record(Set.of("partner.example"), Instant.parse("2025-12-01T09:00:00Z"));
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml"))).containsExactly(Finding.of("FIRST_CONTACT",
                "domain=partner.example last contact 2025-12-01 (125 days ago; window 90 days)"));
    }

    @Test
    void aDomainSeenWithinTheWindowIsKnown() {
        historyStarted(Duration.ofDays(400));
        history.record(Set.of("partner.example"), NOW.minus(Duration.ofDays(89)));
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml"))).isEmpty();
    }

    @Test
    void nothingIsReportedWhileTheHistoryIsYoungerThanTheLearningPeriod() {
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml"))).as("empty history").isEmpty();
        historyStarted(Duration.ofDays(13));
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml"))).as("13 days of history").isEmpty();
        historyStarted(Duration.ofDays(14));
        assertThat(analyzer.analyze(inbound("lists/partner-invoice.eml"))).hasSize(1);
    }

    @Test
    void internalDomainsAmbiguousFromsAndOutboundMailAreNotReported() {
        historyStarted(Duration.ofDays(200));
        assertThat(analyzer.analyze(fromHeader("Boss <boss@example.co.jp>"))).isEmpty();
        assertThat(analyzer.analyze(fromHeader("a@one.example", "b@two.example"))).isEmpty();
        assertThat(analyzer.analyze(fromHeader("a@one.example, b@two.example"))).isEmpty();
        assertThat(analyzer.analyze(fromHeader("undisclosed"))).isEmpty();
        AnalysisInput outbound = new AnalysisInput(new Envelope(Direction.OUTBOUND, "sato@example.co.jp",
                List.of("a@new.example"), "127.0.0.1", "", null, false, NOW), Fixtures.parse("lists/partner-invoice.eml"));
        assertThat(analyzer.analyze(outbound)).isEmpty();
    }

    @Test
    void theInMemoryHistoryKeepsFirstAndLastSeenAndCounts() {
        history.record(Set.of("a.example"), NOW);
        history.record(Set.of("a.example"), NOW.minus(Duration.ofDays(3)));
        history.record(Set.of("a.example"), NOW.plus(Duration.ofDays(1)));
        assertThat(history.lastContact("a.example")).contains(new SenderHistory.Contact("a.example",
                NOW.minus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(1)), 3));
        assertThat(history.recordingSince()).contains(NOW.minus(Duration.ofDays(3)));
    }
}
