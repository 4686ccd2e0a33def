package io.mamori.core.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentModelTest {

    /** 60 phishing and 60 legitimate messages: each kind has its own words, and both share "the" and "mail". */
    static ContentModel trained() {
        ContentModel.Builder b = new ContentModel.Builder();
        for (int i = 0; i < 60; i++) {
            b.learn(List.of("verify", "suspended", "password", "the", "mail", "unique" + (char) ('a' + i % 26)), true);
            b.learn(List.of("meeting", "agenda", "minutes", "the", "mail", "other" + (char) ('a' + i % 26)), false);
        }
        return b.build();
    }

    @Test
    void chiSquareTailMatchesItsClosedFormForTwoAndFourDegreesOfFreedom() {
        assertThat(ContentModel.chi2Q(0, 2)).isEqualTo(1.0);
        assertThat(ContentModel.chi2Q(4.0, 2)).isCloseTo(Math.exp(-2), within(1e-12));
        assertThat(ContentModel.chi2Q(6.0, 4)).isCloseTo(Math.exp(-3) * (1 + 3), within(1e-12));
    }

    @Test
    void robinsonProbabilityCorrectsForTheSizesOfTheTwoSetsAndPullsRareTokensToOneHalf() {
        ContentModel.Builder b = new ContentModel.Builder();
        for (int i = 0; i < 100; i++) {
            b.learn(i < 10 ? List.of("x") : List.of(), true);
        }
        for (int i = 0; i < 10; i++) {
            b.learn(i < 1 ? List.of("x") : List.of(), false);
        }
        ContentModel m = b.build();
        // 10 % of phishing and 10 % of legitimate messages hold "x": p(w) = 0.5 whatever the set sizes
        assertThat(m.tokenProbability("x")).isCloseTo(0.5, within(1e-12));
        assertThat(m.tokenProbability("never-seen")).isEqualTo(0.5);
        ContentModel once = new ContentModel.Builder().learn(List.of("y"), true).learn(List.of(), false).build();
        // seen once, in phishing: (0.45 * 0.5 + 1 * 1.0) / (0.45 + 1)
        assertThat(once.tokenProbability("y")).isCloseTo((0.45 * 0.5 + 1.0) / 1.45, within(1e-12));
    }

    @Test
    void scoresEachKindTowardsItsSideAndUnknownWordsAtOneHalf() {
        ContentModel m = trained();
        assertThat(m.trained()).isTrue();
        ContentModel.Score phishing = m.score(List.of("verify", "password", "the", "suspended"));
        assertThat(phishing.probability()).isGreaterThan(0.99);
        assertThat(phishing.phishingClues()).containsExactly("password", "suspended", "verify");
        assertThat(phishing.clues()).isEqualTo(3); // "the" is as common on both sides: no clue
        assertThat(m.score(List.of("meeting", "minutes", "mail")).probability()).isLessThan(0.01);
        ContentModel.Score unknown = m.score(List.of("zebra", "the"));
        assertThat(unknown.probability()).isEqualTo(0.5);
        assertThat(unknown.clues()).isZero();
        assertThat(m.score(List.of("verify", "meeting")).probability()).isCloseTo(0.5, within(0.01));
    }

    @Test
    void aModelWithTooFewMessagesOfEitherKindIsNotTrained() {
        ContentModel.Builder b = new ContentModel.Builder();
        for (int i = 0; i < ContentModel.MIN_MESSAGES; i++) {
            b.learn(List.of("a"), true);
        }
        for (int i = 0; i < ContentModel.MIN_MESSAGES - 1; i++) {
            b.learn(List.of("b"), false);
        }
        assertThat(b.build().trained()).isFalse();
        assertThat(b.learn(List.of("b"), false).build().trained()).isTrue();
        assertThat(ContentModel.EMPTY.trained()).isFalse();
    }

    @Test
    void writtenModelReadsBackWithTheSameScoresAndDropsRareTokensOnRequest() throws IOException {
        ContentModel m = trained();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        m.write(all, 1);
        ContentModel back = ContentModel.read(new ByteArrayInputStream(all.toByteArray()), "test");
        assertThat(back.tokens()).isEqualTo(m.tokens());
        assertThat(back.phishingMessages()).isEqualTo(60);
        assertThat(back.legitimateMessages()).isEqualTo(60);
        List<String> words = List.of("verify", "agenda", "uniquea", "the");
        assertThat(back.score(words)).isEqualTo(m.score(words));
        String text = all.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("# mamori content model 2\nmessages\t60\t60\n")
                .contains("\n" + ContentModel.hex(ContentModel.key("verify")) + "\t60\t0\n")
                .as("no word of the mail in the file").doesNotContain("verify", "password", "agenda");

        ByteArrayOutputStream pruned = new ByteArrayOutputStream();
        m.write(pruned, 3);
        ContentModel small = ContentModel.read(new ByteArrayInputStream(pruned.toByteArray()), "test");
        // 26 "uniqueX" and 26 "otherX" tokens are each seen in 2 or 3 messages (60 over 26 letters)
        assertThat(small.tokens()).isLessThan(m.tokens()).isGreaterThan(6);

        ContentModel more = new ContentModel.Builder(back).learn(List.of("verify"), true).build();
        assertThat(more.phishingMessages()).isEqualTo(61);
        assertThat(back.phishingMessages()).as("the builder copies, the model stays as read").isEqualTo(60);
    }

    @Test
    void aBuilderThatOutgrowsItsTokenLimitForgetsTheRarestTokens() {
        ContentModel.Builder b = new ContentModel.Builder();
        b.learn(List.of("common"), true).learn(List.of("common"), false);
        List<String> batch = new ArrayList<>();
        int n = 0;
        int grown = 0;
        for (int round = 0; round < ContentModel.MAX_TOKENS / 5_000 - 1; round++) {
            batch.clear();
            for (int i = 0; i < 5_000; i++) {
                batch.add("t" + n++);
            }
            b.learn(batch, round % 2 == 0);
            grown = Math.max(grown, b.tokens());
        }
        assertThat(grown).as("below the limit nothing is forgotten").isEqualTo(ContentModel.MAX_TOKENS - 5_000 + 1);
        batch.clear();
        for (int i = 0; i < 5_000; i++) {
            batch.add("t" + n++);
        }
        batch.add("common");
        b.learn(batch, true); // past the limit: every token seen once goes
        assertThat(b.tokens()).isLessThanOrEqualTo(ContentModel.MAX_TOKENS * 4 / 5);
        ContentModel m = b.build();
        assertThat(m.tokenProbability("common")).as("seen in three messages: kept").isNotEqualTo(0.5);
        assertThat(m.tokenProbability("t1")).as("seen once: forgotten").isEqualTo(0.5);
    }

    @Test
    void aModelFileLargerThanTheLimitIsRefusedWithoutReadingItWhole() {
        // one endless line after a valid header: bytes produced on demand, never held
        byte[] header = "# mamori content model 2\nmessages\t5\t5\n".getBytes(StandardCharsets.UTF_8);
        java.io.InputStream endless = new java.io.SequenceInputStream(new ByteArrayInputStream(header), new java.io.InputStream() {
            @Override
            public int read() {
                return 'a';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'a');
                return len;
            }
        });
        assertThatThrownBy(() -> ContentModel.read(endless, "huge.tsv")).isInstanceOf(IOException.class)
                .hasMessageContaining("huge.tsv: larger than 64 MB");
    }

    @Test
    void malformedModelFilesAreRefusedWithTheLineThatIsWrong() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"hello\n", "not a Mamori content model"});
        String k = "00000000000000ff";
        cases.add(new String[] {"# mamori content model 1\nmessages\t5\t5\n", "not a Mamori content model"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\n", "test:2: expected 'messages"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\n" + k + "\t1\n", "test:3: expected 'key"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\nword\t1\t0\n", "test:3: expected 'key"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\nzzzzzzzzzzzzzzzz\t1\t0\n", "is not a key"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\n" + k + "\t-1\t0\n", "test:3: '-1' is not a count"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\n" + k + "\t6\t0\n", "test:3: a token counted in more"});
        cases.add(new String[] {"# mamori content model 2\nmessages\t5\t5\n" + k + "\t1\t0\n" + k + "\t1\t1\n",
            "test:4: key " + k + " appears twice"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> ContentModel.read(new ByteArrayInputStream(c[0].getBytes(StandardCharsets.UTF_8)), "test"))
                    .isInstanceOf(IOException.class).hasMessageContaining(c[1]);
        }
    }
}
