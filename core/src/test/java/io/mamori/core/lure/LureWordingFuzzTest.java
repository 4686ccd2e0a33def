package io.mamori.core.lure;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the hand-written phrase matcher of {@link LureWordingAnalyzer} (a trie walked from each
 * word start, with gaps): on any folded text it must find exactly the phrases in Latin letters that one regular
 * expression per phrase finds, written here from the rules of {@code lure-phrases.tsv} (a phrase starts and ends on a
 * word boundary; a gap is one to three words of one clause, none a negation). In the test suite this runs the inputs
 * under {@code LureWordingFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it (bench/README.md).
 */
class LureWordingFuzzTest {

    private static final LureWordingAnalyzer ANALYZER = new LureWordingAnalyzer();
    /** One to three words, each followed by a space, none holding clause punctuation or being a negation. */
    private static final String GAP = "(?:(?!(?:not|never|nicht|nie|kein|keine|niet|geen|nooit|pas|jamais|no|nunca|nao"
            + "|non|mai) )[^ .,;:!?()\\[\\]<>\"|]+ ){1,3}";
    /** Each phrase's first word: a text without it cannot hold the phrase (saves most expressions' runs). */
    private static final Map<String, String> FIRST_WORDS = new LinkedHashMap<>();
    private static final Map<String, Pattern> PHRASES = phrases();

    @FuzzTest(maxDuration = "30s")
    void findsThePhrasesRegularExpressionsFind(FuzzedDataProvider data) {
        String folded = LureText.fold(data.consumeRemainingAsString());
        Set<String> expected = new TreeSet<>();
        PHRASES.forEach((written, pattern) -> {
            if (folded.contains(FIRST_WORDS.get(written)) && pattern.matcher(folded).find()) {
                expected.add(written);
            }
        });
        assertThat(ANALYZER.latinPhrasesIn(folded)).isEqualTo(expected);
    }

    /**
     * Reading ASCII look-alikes away changes nothing but the letters of words it reads as a word of the vocabulary:
     * the same length, and each changed character an {@code I}, {@code 0} or {@code 1} read as {@code l}, {@code o},
     * {@code l}, or an upper-case letter lower-cased, within a word that holds one of the three.
     */
    @FuzzTest(maxDuration = "30s")
    void readsLookAlikesAwayOnlyInWordsOfTheVocabulary(FuzzedDataProvider data) {
        Set<String> vocabulary = Set.of("log", "login", "account", "wallet", "could", "lol");
        String text = data.consumeRemainingAsString();
        String read = LureText.undisguise(text, vocabulary);
        assertThat(read).hasSameSizeAs(text);
        for (int i = 0; i < text.length(); i++) {
            char was = text.charAt(i);
            char is = read.charAt(i);
            if (was != is) {
                boolean lookAlike = (was == 'I' || was == '1') && is == 'l' || was == '0' && is == 'o';
                boolean lowered = was >= 'A' && was <= 'Z' && is == Character.toLowerCase(was);
                assertThat(lookAlike || lowered).as("%s at %d read as %s", was, i, is).isTrue();
                int start = i;
                while (start > 0 && LureText.isWordChar(text.charAt(start - 1))) {
                    start--;
                }
                int end = i;
                while (end < text.length() && LureText.isWordChar(text.charAt(end))) {
                    end++;
                }
                assertThat(vocabulary).contains(read.substring(start, end));
            }
        }
    }

    /** The phrases in Latin letters of the shipped list, as the analyzer writes them, with their expressions. */
    private static Map<String, Pattern> phrases() {
        Map<String, Pattern> phrases = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                LureWordingAnalyzer.class.getResourceAsStream("lure-phrases.tsv"), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String written = line.split("\t")[1].strip();
                String folded = LureText.fold(written);
                if (!LureText.isAsciiWord(folded)) {
                    continue;
                }
                StringBuilder regex = new StringBuilder("(?<![A-Za-z0-9])");
                String[] words = folded.split(" ");
                for (int i = 0; i < words.length; i++) {
                    if (words[i].equals("*")) {
                        regex.append(GAP);
                    } else {
                        regex.append(Pattern.quote(words[i])).append(i < words.length - 1 ? " " : "");
                    }
                }
                String shown = written.replace(" * ", " … ");
                phrases.put(shown, Pattern.compile(regex.append("(?![A-Za-z0-9])").toString()));
                FIRST_WORDS.put(shown, words[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return phrases;
    }
}
