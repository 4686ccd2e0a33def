package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.malware.MalwareAnalyzer;
import io.mamori.core.malware.MalwareScanner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The content and antivirus analyzers (not yet among the defaults) only declare catalogued, bilingual codes. */
class ContentFindingsCatalogueTest {

    @Test
    void everyCodeOfTheContentAndAntivirusAnalyzersHasAWeightAndJapaneseAndEnglishReasons() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        List<Analyzer> analyzers = List.of(new AttachmentContentAnalyzer(),
                new MalwareAnalyzer(content -> new MalwareScanner.Clean()));

        for (Analyzer analyzer : analyzers) {
            for (String code : analyzer.codes()) {
                assertThat(catalogue.entry(code)).as(code).hasValueSatisfying(e -> {
                    if (code.equals("ARCHIVE_PASSWORD_SENT_SEPARATELY") || code.equals("ARCHIVE_PASSWORD_FROM_ANALYST")) {
                        // information only: sending the password in a second mail is the custom (PPAP), not a sign,
                        // and an analyst's password says nothing about the message
                        assertThat(e.weight()).isZero();
                    } else {
                        assertThat(e.weight()).isPositive();
                    }
                    assertThat(e.reasonJa()).matches(".*[\\p{IsHiragana}\\p{IsKatakana}\\p{IsHan}].*");
                    assertThat(e.reasonEn()).matches("[\\x20-\\x7E]+");
                });
            }
        }
        assertThat(catalogue.weight("MALWARE_FOUND")).isEqualTo(20.0);
        assertThat(catalogue.weight("ENCRYPTED_ARCHIVE")).isEqualTo(6.0);
        // opened and inspected weighs as much: encryption hides content from scanners wherever the password came from
        assertThat(catalogue.weight("ENCRYPTED_ARCHIVE_OPENED")).isEqualTo(6.0);
    }
}
