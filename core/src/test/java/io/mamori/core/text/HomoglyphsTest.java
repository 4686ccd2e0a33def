package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HomoglyphsTest {

    @Test
    void latinWordsWrittenWithCyrillicOrGreekLookAlikesAreFoundWithHowTheyRead() {
        // Cyrillic е і о а с В and Greek Α ο among ASCII letters
        List<Homoglyphs.Word> words = Homoglyphs.find("Vеrіfy yоur Віnаnсе wallet. Αviatiοn, Bestätigеn!", 10);
        assertThat(words).containsExactly(new Homoglyphs.Word("Vеrіfy", "verify"), new Homoglyphs.Word("yоur", "your"),
                new Homoglyphs.Word("Віnаnсе", "binance"), new Homoglyphs.Word("Αviatiοn", "aviation"),
                new Homoglyphs.Word("Bestätigеn", "bestatigen"));
        assertThat(Homoglyphs.find("Vеrіfy yоur Віnаnсе", 2)).hasSize(2);
        // a capital Cyrillic І reads as i (its small form), not as the l the data maps capital I to; m stays m
        assertThat(Homoglyphs.find("Іnvоice confirm", 5)).containsExactly(new Homoglyphs.Word("Іnvоice", "invoice"));
    }

    @Test
    void ordinaryTextOfOneScriptPerWordHasNone() {
        // a Russian name with a stray Latin letter (its т and и look like no Latin letter), Russian beside English,
        // Greek letters in science, Greek words, Japanese with Latin letters, accented Latin, all-Cyrillic look-alikes
        for (String text : List.of("Атиковa", "Москва is a city", "μm-scale optics, the α and β particles",
                "Καλημέρα world", "東京のTシャツとPDF", "naïve café Straße", "АВС ХОР", "")) {
            assertThat(Homoglyphs.find(text, 10)).as(text).isEmpty();
            assertThat(Homoglyphs.asRead(text)).as(text).isSameAs(text);
        }
        assertThat(Homoglyphs.find(null, 10)).isEmpty();
    }

    @Test
    void aTextReadsWithItsDisguisedWordsReplaced() {
        assertThat(Homoglyphs.asRead("Plеаsе cоnfirm yоur password, Москва")).isEqualTo(
                "please confirm your password, Москва");
    }
}
