package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.auth.TableDnsResolver;
import io.mamori.core.scan.Analyzers;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every code a shipped analyzer can emit has a weight and a reason in Japanese and English. */
class FindingCatalogueCompletenessTest {

    private final FindingCatalogue catalogue = FindingCatalogue.builtIn();
    private final List<Analyzer> shipped = Analyzers.shipped(new Analyzers.Ports(TableDnsResolver.builder().build(),
            SenderAuthSettings.defaults(), Clock.systemUTC(), java.util.Optional.of(file -> {
                throw new AssertionError("not scanned in this test");
            }), () -> new io.mamori.core.policy.PolicyLoader(FindingCatalogue.builtIn()).defaults()));

    @Test
    void everyShippedAnalyzerDeclaresCodesThatAreInTheCatalogueWithJapaneseAndEnglish() {
        for (Analyzer analyzer : shipped) {
            assertThat(analyzer.codes()).as(analyzer.name()).isNotEmpty();
            for (String code : analyzer.codes()) {
                assertThat(catalogue.entry(code)).as(code).hasValueSatisfying(e -> {
                    // Zero weight is allowed for informational findings (AUTH_TEMPFAIL: RFC 7489 §6.6.2).
                    assertThat(e.weight()).isNotNegative();
                    assertThat(e.reasonJa()).matches(".*[\\p{IsHiragana}\\p{IsKatakana}\\p{IsHan}].*");
                    assertThat(e.reasonEn()).matches("[\\x20-\\x7E]+");
                });
            }
        }
    }

    @Test
    void theShippedAnalyzersAreListedInReportOrder() {
        assertThat(shipped).extracting(Analyzer::name).containsExactly("mime-sanity", "attachment-name", "attachment-content",
                "html-attachment", "links", "lure-wording", "filter-evasion", "content-classifier", "impersonation", "sender-auth", "own-domain", "lists", "send-as",
                "gtube", "dns-blocklists", "antivirus");
    }

    @Test
    void withASenderHistoryTheFirstContactAnalyzerRunsToo() {
        Analyzers.Ports ports = new Analyzers.Ports(TableDnsResolver.builder().build(), SenderAuthSettings.defaults(),
                Clock.systemUTC(), java.util.Optional.empty(),
                () -> new io.mamori.core.policy.PolicyLoader(FindingCatalogue.builtIn()).defaults(), List::of,
                io.mamori.core.lists.ListStore.NONE, java.util.Optional.of(new io.mamori.core.contact.InMemorySenderHistory()));
        List<Analyzer> analyzers = Analyzers.shipped(ports);
        assertThat(analyzers).extracting(Analyzer::name).containsExactly("mime-sanity", "attachment-name",
                "attachment-content", "html-attachment", "links", "lure-wording", "filter-evasion", "content-classifier", "impersonation",
                "sender-auth", "own-domain", "lists", "send-as", "gtube", "dns-blocklists", "first-contact");
        assertThat(analyzers).flatExtracting(Analyzer::codes).allSatisfy(code -> assertThat(catalogue.entry(code)).isPresent());
    }

    @Test
    void theLocalAnalyzersAreTheMimeAndAttachmentOnesWithTheBriefedCodes() {
        assertThat(Analyzers.local()).extracting(Analyzer::name).containsExactly("mime-sanity", "attachment-name");
        assertThat(Analyzers.local()).flatExtracting(a -> a.codes().stream().sorted().toList()).containsExactly(
                "MIME_HEADER_LIMIT", "MIME_LONG_LINE", "MIME_MALFORMED", "MIME_TOO_DEEP", "MIME_TOO_MANY_PARTS",
                "ATTACHMENT_DOUBLE_EXTENSION", "ATTACHMENT_EXECUTABLE", "ATTACHMENT_NAME_RTLO");
        assertThat(catalogue.weight("ATTACHMENT_EXECUTABLE")).isEqualTo(8.0);
        assertThat(catalogue.weight("MIME_LONG_LINE")).isEqualTo(0.5);
        assertThat(catalogue.entry(AnalysisPipeline.ANALYZER_FAILED)).isPresent();
    }
}
