package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Untrusted text as the console shows it: what would hide or reorder it written out, the rest untouched. */
class VisibleTextTest {

    @Test
    void bidirectionalControlsZeroWidthAndTagCharactersAreWrittenOut() {
        assertThat(VisibleText.of("Rechnung_\u202Efdp.exe")).isEqualTo("Rechnung_<U+202E>fdp.exe");
        assertThat(VisibleText.of("\u2066pay\u2069pal")).isEqualTo("<U+2066>pay<U+2069>pal");
        assertThat(VisibleText.of("pay\u200Bpal\uFEFF")).isEqualTo("pay<U+200B>pal<U+FEFF>");
        // a Unicode tag character (plane 14), one code point of two UTF-16 units
        assertThat(VisibleText.of("a\uDB40\uDC41b")).isEqualTo("a<U+E0041>b");
        assertThat(VisibleText.of("line\r\nnext\u0000")).isEqualTo("line<U+000D><U+000A>next<U+0000>");
    }

    @Test
    void ordinaryTextJapaneseEmojiAndTabsAreKeptAsTheyAre() {
        String japanese = "請求書 (ご確認ください)\tＡＢＣ 👍";
        assertThat(VisibleText.of(japanese)).isSameAs(japanese);
        assertThat(VisibleText.of("")).isEmpty();
        assertThat(VisibleText.of(null)).isEmpty();
    }
}
