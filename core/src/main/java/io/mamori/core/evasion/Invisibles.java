package io.mamori.core.evasion;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Characters that take no room and show nothing, and the words they split. Filter evasion puts them inside words
 * ({@code Pay\u200BPal}, {@code pass\u00ADword}) so that a word filter no longer sees the word while the reader still
 * does. Their legitimate uses are told apart by where they sit: zero-width joiners between emoji and in scripts that
 * need joining control (Arabic, Persian, the Indic scripts), zero-width spaces as word separators in scripts written
 * without spaces (Thai, Lao, Khmer, Myanmar, Tibetan), a byte order mark at the start of a text, and soft hyphens as
 * a hyphenation program places them. In a body only characters inside a word count, since templates pad between
 * words (a preview line's {@code &zwnj;&nbsp;} run); in a header field, which nothing lays out, one touching a word
 * counts too. Stateless.
 */
public final class Invisibles {

    private static final int SOFT_HYPHEN = 0x00AD;
    private static final int ZWSP = 0x200B;
    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;
    private static final int BOM = 0xFEFF;
    /** A word is at most this long for the scan (a longer run of letters is no word). */
    private static final int MAX_WORD = 200;

    /** Scripts where a joiner or a zero-width space has no job between two letters. */
    private static final Set<UnicodeScript> PLAIN_SCRIPTS = Set.of(UnicodeScript.LATIN, UnicodeScript.GREEK,
            UnicodeScript.CYRILLIC, UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA,
            UnicodeScript.HANGUL, UnicodeScript.COMMON);

    /**
     * Words that invisible characters split in one text.
     *
     * @param words      how many words are split
     * @param characters the invisible characters met inside them, as {@code U+200B}, sorted
     */
    public record Splits(int words, Set<String> characters) {
        public Splits {
            characters = Set.copyOf(characters);
        }
    }

    private Invisibles() {
    }

    /**
     * Whether a character shows nothing and takes no room: zero-width space, joiners, word joiner and the invisible
     * operators, the byte order mark, the soft hyphen, the combining grapheme joiner, the Mongolian vowel separator,
     * the deprecated format controls U+206A..U+206F, Hangul fillers, the Khmer inherent vowels, the shorthand format
     * controls, the tag characters and the variation selectors. Bidirectional controls are left out: they reorder text
     * rather than hide it.
     */
    public static boolean isInvisible(int c) {
        return isVariationSelector(c) || c == SOFT_HYPHEN || c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5
                || c == 0x180E || (c >= ZWSP && c <= ZWJ) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x206A && c <= 0x206F)
                || c == 0x3164 || c == 0xFEFF || c == 0xFFA0 || (c >= 0x1BCA0 && c <= 0x1BCA3) || c == 0xE0001
                || (c >= 0xE0020 && c <= 0xE007F);
    }

    /** U+FE00..U+FE0F and the supplement U+E0100..U+E01EF. */
    private static boolean isVariationSelector(int c) {
        return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
    }

    /**
     * Whether a variation selector after {@code before} has a job: ideographic variation sequences pick a glyph of a
     * Han character (葛 with U+E0100 in a family name), emoji and symbols take U+FE0E/U+FE0F for text or emoji style,
     * digits take U+FE00 for a slashed zero. No Latin, Greek, Cyrillic, kana or Hangul letter has a registered
     * variation sequence, so there a selector only hides the word from filters ({@code パス\uFE00ワード}).
     */
    private static boolean selectsVariant(int before) {
        return before < 0 || !Character.isLetter(before) || !plain(before) || UnicodeScript.of(before) == UnicodeScript.HAN
                || UnicodeScript.of(before) == UnicodeScript.COMMON;
    }

    private static final Splits NONE = new Splits(0, Set.of());

    /** Whether the text holds any invisible character at all (all of them lie at or above the soft hyphen). */
    static boolean containsInvisible(CharSequence text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= SOFT_HYPHEN && isInvisible(Character.isHighSurrogate(c) ? Character.codePointAt(text, i) : c)) {
                return true;
            }
        }
        return false;
    }

    /** The words of a body text that invisible characters split, with the exceptions of the class comment. */
    public static Splits splits(CharSequence text) {
        return splits(text, true);
    }

    /**
     * The words of {@code text} that invisible characters split or, in a header field, touch.
     *
     * @param typeset whether the text is laid out in paragraphs (a body), where soft hyphens mark where a long word
     *                may break and invisible padding between words is a template's habit; a header field (a subject, a
     *                display name) is never laid out, so there every soft hyphen counts and so does an invisible
     *                character at the start or end of a word (a byte order mark aside: some encoders prefix one)
     */
    public static Splits splits(CharSequence text, boolean typeset) {
        if (!containsInvisible(text)) {
            return NONE; // most text: one pass over its characters instead of building every word
        }
        int words = 0;
        Set<String> seen = new TreeSet<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int c = Character.codePointAt(text, i);
            if (!(Character.isLetterOrDigit(c) || (!typeset && isInvisible(c)))) {
                i += Character.charCount(c);
                continue;
            }
            // one word: letters, digits, combining marks and invisible characters
            List<Integer> word = new ArrayList<>();
            while (i < n && word.size() < MAX_WORD) {
                int d = Character.codePointAt(text, i);
                if (!(Character.isLetterOrDigit(d) || isMark(d) || isInvisible(d))) {
                    break;
                }
                word.add(d);
                i += Character.charCount(d);
            }
            Set<String> inWord = splitBy(word, typeset);
            if (!inWord.isEmpty()) {
                words++;
                seen.addAll(inWord);
            }
        }
        return new Splits(words, seen);
    }

    /** The invisible characters splitting one word, or none if its invisible characters have a legitimate job. */
    private static Set<String> splitBy(List<Integer> word, boolean typeset) {
        Set<String> found = new TreeSet<>();
        List<Integer> softHyphens = new ArrayList<>();
        int letters = 0;
        for (int k = 0; k < word.size(); k++) {
            int c = word.get(k);
            if (!isInvisible(c)) {
                letters++;
                continue;
            }
            int before = letterBefore(word, k);
            int after = letterAfter(word, k);
            if (isVariationSelector(c) && selectsVariant(before)) {
                continue;
            }
            if (before < 0 && after < 0) {
                continue; // no word at all (padding)
            }
            if (before < 0 || after < 0) {
                // at the edge of a word: padding in a body, a byte order mark at the start of a text
                if (!typeset && c != BOM && ((c != ZWSP && c != ZWNJ && c != ZWJ) || plain(Math.max(before, after)))) {
                    found.add(String.format("U+%04X", c));
                }
                continue;
            }
            if (c == SOFT_HYPHEN) {
                softHyphens.add(letters);
                continue;
            }
            if ((c == ZWSP || c == ZWNJ || c == ZWJ) && !(plain(before) && plain(after))) {
                continue; // joining control or a word separator in a script that uses them
            }
            found.add(String.format("U+%04X", c));
        }
        if (!softHyphens.isEmpty() && !(typeset && hyphenation(softHyphens, letters))) {
            found.add("U+00AD");
        }
        return found;
    }

    /**
     * Whether soft hyphens sit where hyphenation programs put them: between syllables of a long word, never leaving
     * fewer than two letters before the first or after the last break (TeX's {@code \lefthyphenmin} and
     * {@code \righthyphenmin} are 2 and 3 for English, 2 and 2 for German), never two breaks in a row.
     *
     * @param positions letters before each soft hyphen, in order
     * @param letters   letters of the word
     */
    private static boolean hyphenation(List<Integer> positions, int letters) {
        if (letters < 6 || positions.get(0) < 2 || letters - positions.get(positions.size() - 1) < 2) {
            return false;
        }
        for (int k = 1; k < positions.size(); k++) {
            if (positions.get(k).equals(positions.get(k - 1))) {
                return false;
            }
        }
        return true;
    }

    private static int letterBefore(List<Integer> word, int k) {
        for (int j = k - 1; j >= 0; j--) {
            int c = word.get(j);
            if (!isInvisible(c) && !isMark(c)) {
                return c;
            }
        }
        return -1;
    }

    private static int letterAfter(List<Integer> word, int k) {
        for (int j = k + 1; j < word.size(); j++) {
            int c = word.get(j);
            if (!isInvisible(c) && !isMark(c)) {
                return c;
            }
        }
        return -1;
    }

    private static boolean plain(int c) {
        return PLAIN_SCRIPTS.contains(UnicodeScript.of(c));
    }

    private static boolean isMark(int c) {
        int t = Character.getType(c);
        return (t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK)
                && !isInvisible(c);
    }
}
