package io.mamori.core.evasion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class InvisiblesTest {

    @Test
    void zeroWidthCharactersInsideLatinAndJapaneseWordsSplitThem() {
        Invisibles.Splits s = Invisibles.splits("Pay\u200BPal ア\u2060マ\u2060ゾ\u2060ン pass\uFEFFword re\u200Dset");
        assertThat(s).isEqualTo(new Invisibles.Splits(4, Set.of("U+200B", "U+2060", "U+FEFF", "U+200D")));
    }

    @Test
    void joinersInEmojiAndInScriptsThatNeedThemAreNoSplit() {
        assertThat(Invisibles.splits("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 family").words()).isZero();
        assertThat(Invisibles.splits("می\u200Cخواهم نامه\u200Cها").words()).as("Persian ZWNJ").isZero();
        assertThat(Invisibles.splits("क्\u200Dष").words()).as("Devanagari ZWJ").isZero();
        assertThat(Invisibles.splits("สวัสดี\u200Bครับ").words()).as("Thai word separator").isZero();
    }

    @Test
    void softHyphensCountOnlyWhereNoHyphenationProgramPutsThem() {
        assertThat(Invisibles.splits("Donau\u00ADdampf\u00ADschiff\u00ADfahrts\u00ADgesell\u00ADschaft").words()).isZero();
        assertThat(Invisibles.splits("P\u00ADa\u00ADy\u00ADP\u00ADa\u00ADl").words()).isEqualTo(1);
        assertThat(Invisibles.splits("pass\u00AD\u00ADword").words()).as("two in a row").isEqualTo(1);
        assertThat(Invisibles.splits("Ac\u00ADcount").words()).as("a hyphenation point").isZero();
        assertThat(Invisibles.splits("Pay\u00ADPal", false).words()).as("a header is never hyphenated").isEqualTo(1);
    }

    @Test
    void invisibleCharactersAtWordEdgesAreNoSplit() {
        assertThat(Invisibles.splits("\uFEFFHello \u200Bworld\u200B, \u00ADok\u00AD").words()).isZero();
    }

    @Test
    void inAHeaderAnInvisibleCharacterTouchingAWordCountsButABomAndEmojiJoinersDoNot() {
        assertThat(Invisibles.splits("\u200BAmazon\u2060 Support\u00AD", false))
                .isEqualTo(new Invisibles.Splits(2, Set.of("U+200B", "U+2060", "U+00AD")));
        assertThat(Invisibles.splits("\uFEFFInvoice 42 \uD83D\uDC69\u200D\uD83D\uDCBB team", false).words()).isZero();
        assertThat(Invisibles.splits("نامه\u200C", false).words()).as("Persian").isZero();
        assertThat(Invisibles.splits("\u200BAmazon\u2060 Support", true).words()).as("a body's padding").isZero();
    }

    @Test
    void variationSelectorsSplitKanaAndLatinWordsButNotIdeographicVariantsOrEmoji() {
        assertThat(Invisibles.splits("アカ\uFE00ウント パス\uDB40\uDD00ワード Pay\uFE0FPal"))
                .isEqualTo(new Invisibles.Splits(3, Set.of("U+FE00", "U+E0100", "U+FE0F")));
        // 葛 with its ideographic variation selector in a family name, a red heart, a keycap, a slashed zero
        assertThat(Invisibles.splits("葛\uDB40\uDD00飾区の辻\uFE00さん \u2764\uFE0Fです 1\uFE0F\u20E3 0\uFE00")
                .words()).isZero();
        assertThat(Invisibles.splits("I \u2764\uFE0FNY 渡\uDB40\uDD01辺様", false).words()).as("a header").isZero();
    }
}
