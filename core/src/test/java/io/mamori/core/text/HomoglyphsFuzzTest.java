package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link Homoglyphs}: in any text, each word found is there, in order, holds an ASCII
 * letter and reads as lower-case ASCII letters; and the text as read ({@link Homoglyphs#asRead}) has no disguised word
 * left. In the test suite this runs the inputs under {@code HomoglyphsFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes
 * it (bench/README.md).
 */
class HomoglyphsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void findsLatinWordsInDisguiseAndReadsThemAway(@NotNull String text) {
        List<Homoglyphs.Word> words = Homoglyphs.find(text, 1000);
        int at = 0;
        for (Homoglyphs.Word w : words) {
            at = text.indexOf(w.written(), at);
            assertThat(at).as(w.written()).isNotNegative();
            at += w.written().length();
            assertThat(w.written().chars().anyMatch(c -> c < 0x80 && Character.isLetter(c))).as(w.written()).isTrue();
            assertThat(w.reads()).matches("[a-z]+");
        }
        String read = Homoglyphs.asRead(text);
        assertThat(Homoglyphs.find(read, 1000)).isEmpty();
        if (words.isEmpty()) {
            assertThat(read).isSameAs(text);
        }
    }
}
