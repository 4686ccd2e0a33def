package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Locale;

/**
 * Coverage-guided fuzzing of the hand-written confusable skeleton ({@link ConfusableSkeleton}), differentially: any
 * text has the skeleton ICU4J's SpoofChecker gives it (lower-cased as ours is), unless it holds characters newer
 * than the JDK's Unicode, which the JDK's normaliser cannot handle as ICU's does (see {@link ConfusableSkeletonTest#everyCodePointHasTheSkeletonIcuGives}). Sequences matter
 * here where single code points do not: combining marks reordered by NFD, prototypes that decompose, surrogates
 * broken apart. In the test suite this runs the inputs under {@code ConfusableSkeletonFuzzTestInputs/};
 * {@code bench/fuzz.sh} fuzzes it (bench/README.md).
 */
class ConfusableSkeletonFuzzTest {

    private static final com.ibm.icu.text.SpoofChecker ICU = new com.ibm.icu.text.SpoofChecker.Builder().build();

    @FuzzTest(maxDuration = "30s")
    void givesTheSkeletonIcuGives(@NotNull String text) {
        if (ConfusableSkeletonTest.unknownToTheJdk(text)) {
            return;
        }
        assertThat(ConfusableSkeleton.builtIn().skeleton(text)).isEqualTo(ICU.getSkeleton(text).toLowerCase(Locale.ROOT));
    }
}
