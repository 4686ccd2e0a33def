package io.mamori.core.lure;

import io.mamori.core.evasion.Invisibles;
import io.mamori.core.text.ConfusableSkeleton;
import io.mamori.core.text.Homoglyphs;
import java.text.Bidi;
import java.text.Normalizer;
import java.util.Set;

/**
 * Folds text so that the visual variants a lure uses to dodge filters compare equal: NFKC (full-width ASCII,
 * half-width katakana, circled and compatibility forms), katakana folded to hiragana, ASCII lower-cased, Latin
 * letters with accents folded to their lower-case base letter (Portuguese, Spanish, German and French lures are
 * written with and without accents alike), typographic apostrophes folded to {@code '}, invisible characters dropped
 * (format characters such as the zero-width space, joiners and the soft hyphen, the other {@link Invisibles} such
 * as Hangul fillers, and every other default-ignorable code point, variation selectors included: a renderer shows
 * nothing for them, so {@code パス\uFE00ワード} reads as {@code パスワード}), whitespace runs collapsed to one space, and Latin words written partly with look-alike letters of
 * other scripts read as Latin ({@link Homoglyphs}).
 */
public final class LureText {

    /** Latin-1 Supplement and Latin Extended-A/B letters ({@code À}..{@code ɏ}) and what each folds to. */
    private static final char FIRST_LATIN = '\u00C0';
    private static final char LAST_LATIN = '\u024F';
    private static final char[] LATIN_FOLDED = latinFolded();

    private LureText() {
    }

    /**
     * Each letter of the Latin blocks folded: lower-cased, then reduced to its first character under canonical
     * decomposition when that is ASCII ({@code Ç} → {@code c}, {@code ã} → {@code a}, {@code ü} → {@code u}); letters
     * without an ASCII base ({@code ß}, {@code ø}) are only lower-cased.
     */
    private static char[] latinFolded() {
        char[] table = new char[LAST_LATIN - FIRST_LATIN + 1];
        for (char c = FIRST_LATIN; c <= LAST_LATIN; c++) {
            char lower = Character.toLowerCase(c);
            String decomposed = Normalizer.normalize(String.valueOf(lower), Normalizer.Form.NFD);
            table[c - FIRST_LATIN] = decomposed.charAt(0) < 0x80 ? decomposed.charAt(0) : lower;
        }
        return table;
    }

    public static String fold(CharSequence text) {
        // NFKC leaves ASCII as it is: most English mail skips the normaliser's pass over the whole text
        if (isAscii(text)) {
            return foldAscii(text);
        }
        // Latin words written with Cyrillic or Greek look-alikes (Vеrіfy yоur аccount) read as the reader reads them
        String n = Homoglyphs.asRead(normalised(text.toString()));
        StringBuilder out = new StringBuilder(n.length());
        boolean space = false;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            // by code point: the tag characters and the variation selectors past U+FFFF are surrogate pairs
            int cp = Character.codePointAt(n, i);
            if (Character.getType(cp) == Character.FORMAT || Invisibles.isInvisible(cp)
                    || ConfusableSkeleton.defaultIgnorable(cp)) {
                i += Character.charCount(cp) - 1;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            out.append(fold(c));
        }
        return out.toString();
    }

    /**
     * {@link #fold} for ASCII text, in one pass over a char array: most mail is ASCII, and the general loop's
     * Unicode category look-ups and per-character appends were most of the phrase matching's cost there.
     * Same result: ASCII has no format characters, its whitespace is space, tab to carriage return and the four
     * separators U+001C..U+001F, and its letters fold by lower-casing.
     */
    private static String foldAscii(CharSequence text) {
        char[] out = text.toString().toCharArray(); // folded in place: the result is never longer
        int n = out.length;
        int length = 0;
        boolean space = false;
        for (int i = 0; i < n; i++) {
            char c = out[i];
            if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001C' && c <= '\u001F')) {
                space = true;
                continue;
            }
            if (space && length > 0) {
                out[length++] = ' ';
            }
            space = false;
            out[length++] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return new String(out, 0, length);
    }

    private static char fold(char c) {
        // Katakana ァ..ヶ sit exactly 0x60 above their hiragana counterparts ぁ..ゖ.
        if (c >= '\u30A1' && c <= '\u30F6') {
            return (char) (c - 0x60);
        }
        if (c < 0x80) {
            return Character.toLowerCase(c);
        }
        if (c >= FIRST_LATIN && c <= LAST_LATIN) {
            return LATIN_FOLDED[c - FIRST_LATIN];
        }
        // "you\u2019ve won" is "you've won": mail clients and word processors turn apostrophes typographic
        if (c == '\u2019' || c == '\u2018' || c == '\u02BC') {
            return '\'';
        }
        return c;
    }

    /**
     * {@code text} with the words written in ASCII look-alikes read as the word they imitate, when that word is one of
     * {@code vocabulary} (folded words of the phrases) and the word as written is not: a capital {@code I} next to a
     * lower-case letter read as {@code l} ("Iog in", "WaIIet"), a {@code 0} or {@code 1} next to a letter read as
     * {@code o} or {@code l} ("acc0unt", "1ogin"). Such a spelling is a disguise, never a typing slip (the keys are
     * far apart, and "Iog" needs the shift key). A word is a run of three or more ASCII letters and digits with at least
     * two lower-case letters. Hand-written: no library reads ASCII look-alikes (Unicode's confusables map {@code I}
     * and {@code l} to one skeleton, but the skeleton is no word). The same instance when nothing is read otherwise.
     */
    static String undisguise(String text, Set<String> vocabulary) {
        StringBuilder out = null;
        int copied = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!isWordChar(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean suspect = false;
            while (i < n && isWordChar(text.charAt(i))) {
                char c = text.charAt(i++);
                suspect |= c == 'I' || c == '0' || c == '1';
            }
            String read = suspect && i - start >= 3 ? readAway(text, start, i) : null;
            if (read != null && vocabulary.contains(read)
                    && !vocabulary.contains(text.substring(start, i).toLowerCase(java.util.Locale.ROOT))) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, start).append(read);
                copied = i;
            }
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    /**
     * The word {@code text[from, to)} with its look-alikes read away, lower-cased; null if it has none or fewer than two
     * lower-case letters.
     */
    private static String readAway(String text, int from, int to) {
        char[] word = new char[to - from];
        int lower = 0;
        boolean changed = false;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            char before = i > from ? text.charAt(i - 1) : ' ';
            char after = i + 1 < to ? text.charAt(i + 1) : ' ';
            char read = c;
            if (c == 'I' && (isLower(before) || isLower(after))) {
                read = 'l';
            } else if ((c == '0' || c == '1') && (isLetter(before) || isLetter(after))) {
                read = c == '0' ? 'o' : 'l';
            }
            changed |= read != c;
            lower += isLower(c) ? 1 : 0;
            word[i - from] = read >= 'A' && read <= 'Z' ? (char) (read + ('a' - 'A')) : read;
        }
        return changed && lower >= 2 ? new String(word) : null;
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isLetter(char c) {
        return isLower(c) || (c >= 'A' && c <= 'Z');
    }

    /**
     * {@code text} as the phrases are looked for in it: NFKC ({@link #normalised}), put in the order it is shown in
     * ({@link #inVisualOrder}), then ASCII look-alikes ({@link #undisguise}), katakana and kanji look-alikes
     * ({@link #readKatakana}, {@link #readKanji}) read away.
     */
    static String read(String text, Set<String> vocabulary) {
        return readKanji(readKatakana(undisguise(inVisualOrder(normalised(text)), vocabulary)));
    }

    /**
     * {@code text} in the order a screen shows it when it holds a directional override, U+202E (right-to-left) or
     * U+202D (left-to-right): {@code "Your \u202Etnuocca\u202C is locked"} is shown, and read, as "Your account is
     * locked", while a filter reading the characters in memory order sees "tnuocca". Each line holding an override is
     * reordered by the Unicode Bidirectional Algorithm (the JDK's {@link Bidi}, a line being a paragraph as mail
     * shows it) and its right-to-left runs reversed by code point; lines without one, and text without one (nearly
     * all mail: two searches of the text), are left as they are, so that Arabic or Hebrew text is not turned around. The
     * same instance when nothing is reordered.
     */
    static String inVisualOrder(String text) {
        if (text.indexOf('\u202E') < 0 && text.indexOf('\u202D') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        int n = text.length();
        while (start <= n) {
            int end = start;
            boolean override = false;
            while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r' && text.charAt(end) != '\u2029') {
                override |= text.charAt(end) == '\u202E' || text.charAt(end) == '\u202D';
                end++;
            }
            String line = text.substring(start, end);
            out.append(override ? shownOrder(line) : line);
            if (end < n) {
                out.append(text.charAt(end));
            }
            start = end + 1;
        }
        return out.toString();
    }

    /** One line in the order shown: its runs in visual order, each right-to-left run reversed. */
    private static String shownOrder(String line) {
        Bidi bidi = new Bidi(line, Bidi.DIRECTION_DEFAULT_LEFT_TO_RIGHT);
        if (bidi.isLeftToRight()) {
            return line;
        }
        int runs = bidi.getRunCount();
        byte[] levels = new byte[runs];
        Integer[] order = new Integer[runs];
        for (int r = 0; r < runs; r++) {
            levels[r] = (byte) bidi.getRunLevel(r);
            order[r] = r;
        }
        Bidi.reorderVisually(levels, 0, order, 0, runs);
        StringBuilder out = new StringBuilder(line.length());
        for (int r : order) {
            String run = line.substring(bidi.getRunStart(r), bidi.getRunLimit(r));
            if ((bidi.getRunLevel(r) & 1) == 1) {
                int[] codePoints = run.codePoints().toArray();
                for (int i = codePoints.length - 1; i >= 0; i--) {
                    out.appendCodePoint(codePoints[i]);
                }
            } else {
                out.append(run);
            }
        }
        return out.toString();
    }

    /**
     * {@code text} in NFKC, or {@code text} itself when NFKC leaves it as it is (ASCII, most mail): the look-alike
     * readings must see {@code ａｃｃ０ｕｎｔ} as {@code acc0unt}, and a caller tells by identity whether they changed
     * anything. The spacing voicing marks ゛ and ゜ (U+309B, U+309C) are read first as the combining ones, so that they
     * voice the kana before them as on screen ({@code ハ゜スワート゛} is パスワード); NFKC alone would make each a
     * space and a mark that combines with nothing.
     */
    static String normalised(String text) {
        if (isAscii(text)) {
            return text;
        }
        String voiced = text.indexOf('\u309B') < 0 && text.indexOf('\u309C') < 0 ? text
                : text.replace('\u309B', '\u3099').replace('\u309C', '\u309A');
        if (voiced == text && Normalizer.isNormalized(text, Normalizer.Form.NFKC)) {
            return text;
        }
        return Normalizer.normalize(voiced, Normalizer.Form.NFKC);
    }

    /**
     * {@code text} with the kanji and dashes that look like katakana read as the katakana when they stand beside
     * katakana: {@code ア力ウント} (the kanji 力 for カ), {@code 口ック} (口 for ロ), {@code パスワ一ド} and
     * {@code パスワ―ド} (the kanji 一 or a dash for the long-vowel mark ー). Real Japanese writes these kanji all the
     * time (努力, 人口, 一時停止, 工事), but inside a katakana word they are a disguise. So a kanji is read as katakana
     * only when katakana stands on one side of it and no kanji on the other (人口ゼロ and アカウント一時停止 stay as they
     * are), and a long-vowel look-alike only after katakana, where the long-vowel mark belongs (a dash that opens a
     * list item stays a dash). ヵ and ヶ are left out of katakana: they count with kanji numerals (一ヶ月). The same
     * instance when nothing is read otherwise. Expects NFKC text ({@link #normalised}): half-width ｰ is then ー.
     */
    static String readKatakana(String text) {
        if (isAscii(text)) {
            return text;
        }
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            char kana = katakanaLookAlike(c);
            if (kana == 0) {
                continue;
            }
            char before = i > 0 ? (out != null ? out.charAt(i - 1) : text.charAt(i - 1)) : ' ';
            char after = i + 1 < n ? text.charAt(i + 1) : ' ';
            boolean read = kana == 'ー'
                    ? isKatakana(before) && !isHan(after)
                    : (isKatakana(before) && !isHan(after)) || (isKatakana(after) && !isHan(before));
            if (read) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, kana);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * {@code text} with the katakana that look like kanji read as the kanji when they stand beside kanji and no
     * katakana: {@code 入カ} (katakana カ for the kanji 力), {@code ロ座}, {@code ー時停止}. A katakana word is never
     * touched (ロビー, サーバー), nor a counter between numerals and kanji unless it forms a kanji phrase. The same instance
     * when nothing is read otherwise. Expects NFKC text ({@link #normalised}).
     */
    static String readKanji(String text) {
        if (isAscii(text)) {
            return text;
        }
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char kanji = kanjiLookAlike(text.charAt(i));
            if (kanji == 0) {
                continue;
            }
            char before = i > 0 ? (out != null ? out.charAt(i - 1) : text.charAt(i - 1)) : ' ';
            char after = i + 1 < n ? text.charAt(i + 1) : ' ';
            if ((isHan(before) && !isKatakana(after)) || (isHan(after) && !isKatakana(before))) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, kanji);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The kanji a katakana looks like, or 0. */
    private static char kanjiLookAlike(char c) {
        return switch (c) {
            case 'カ' -> '力';
            case 'ロ' -> '口';
            case 'エ' -> '工';
            case 'タ' -> '夕';
            case 'ト' -> '卜';
            case 'ハ' -> '八';
            case 'ニ' -> '二';
            case 'ー' -> '一';
            default -> 0;
        };
    }

    /** The katakana a kanji or dash looks like, or 0. */
    private static char katakanaLookAlike(char c) {
        return switch (c) {
            case '力' -> 'カ';
            case '口' -> 'ロ';
            case '工' -> 'エ';
            case '夕' -> 'タ';
            case '卜' -> 'ト';
            case '八' -> 'ハ';
            case '二' -> 'ニ';
            // the kanji one, the hyphen-minus, the hyphens, dashes and the minus sign (U+2011 is U+2010 after NFKC)
            case '一', '-', '\u2010', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212' -> 'ー';
            default -> 0;
        };
    }

    private static boolean isKatakana(char c) {
        return (c >= '\u30A1' && c <= '\u30FA' && c != 'ヵ' && c != 'ヶ') || c == 'ー';
    }

    private static boolean isHan(char c) {
        return Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN;
    }

    /** The folded text without any spaces: Japanese is written without them, and a line break may split a word. */
    static String withoutSpaces(String folded) {
        return folded.replace(" ", "");
    }

    static boolean isAsciiWord(String phrase) {
        return phrase.chars().allMatch(c -> c < 0x80);
    }

    static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }

    static boolean isAscii(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
