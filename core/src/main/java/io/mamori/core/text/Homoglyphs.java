package io.mamori.core.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Latin words written partly with letters of other scripts that look the same: {@code Vеrіfy Yоur Wаllеt} with
 * Cyrillic е, і, о and а, {@code Αviatiοn} with Greek Α and ο. The reader sees English; a filter that matches words
 * sees none of its phrases (spam filters' "mixed charset" rules: rspamd's {@code R_MIXED_CHARSET}, SpamAssassin's
 * {@code MIXED_ES}). A word counts when it holds at least one ASCII letter and one letter of the Greek, Cyrillic,
 * Armenian or Cherokee blocks, and every letter that is not ASCII is an accented Latin letter or a look-alike of a Latin
 * letter by the confusables data of UTS #39 ({@link ConfusableSkeleton}). A Russian name with a stray Latin
 * letter ({@code Атиковa}) is not such a word (its {@code т} and {@code и} look like no Latin letter), nor is
 * Japanese or Greek text beside English words, nor a word made only of Cyrillic letters. Hand-written: ICU4J's SpoofChecker decides whether
 * a whole string mixes scripts, not which words of a text are Latin words in disguise, and would add 15 MB for it.
 * Stateless and thread-safe.
 */
public final class Homoglyphs {

    /** Characters of a text examined at most. */
    public static final int MAX_CHARS = 400_000;

    private static final ConfusableSkeleton SKELETONS = ConfusableSkeleton.builtIn();

    /** A Latin word in disguise: as written, and as it reads (lower case, no accents). */
    public record Word(String written, String reads) {
    }

    private Homoglyphs() {
    }

    /** The disguised words of {@code text}, in order, at most {@code max}. */
    public static List<Word> find(CharSequence text, int max) {
        List<Word> words = new ArrayList<>();
        for (Found f : scan(text, max)) {
            words.add(new Word(text.subSequence(f.start(), f.end()).toString(), f.reads()));
        }
        return words;
    }

    /**
     * {@code text} with each disguised word replaced by how it reads ({@link Word#reads}), or {@code text} itself
     * when it has none: what a reader reads, for matching phrases.
     */
    public static String asRead(String text) {
        List<Found> found = scan(text, Integer.MAX_VALUE);
        if (found.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Found f : found) {
            out.append(text, at, f.start()).append(f.reads());
            at = f.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /** A disguised word where it stands in the text (its characters from {@code start} to before {@code end}). */
    private record Found(int start, int end, String reads) {
    }

    private static List<Found> scan(CharSequence text, int max) {
        List<Found> found = new ArrayList<>();
        if (text == null) {
            return found;
        }
        int n = Math.min(text.length(), MAX_CHARS);
        if (!anyLookAlike(text, n)) {
            return found; // most text, English or Japanese: one cheap pass instead of finding its words
        }
        int start = -1;
        boolean ascii = false;
        boolean foreign = false;
        for (int i = 0; i <= n && found.size() < max; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            boolean letter = c < 0x80 ? (c | 0x20) >= 'a' && (c | 0x20) <= 'z' : partOfWord(c);
            if (letter) {
                if (start < 0) {
                    start = i;
                    ascii = false;
                    foreign = false;
                }
                if (c < 0x80) {
                    ascii = true;
                } else if (lookAlikeBlock(c)) {
                    foreign = true;
                }
                continue;
            }
            if (start >= 0 && ascii && foreign) {
                String reads = latinReading(text.subSequence(start, i).toString());
                if (reads != null) {
                    found.add(new Found(start, i, reads));
                }
            }
            start = -1;
        }
        return found;
    }

    private static boolean anyLookAlike(CharSequence text, int n) {
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= '\u0370' && lookAlikeBlock(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a character other than ASCII belongs to a word: a letter or a combining mark. */
    private static boolean partOfWord(char c) {
        if (Character.isLetter(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    /** Greek, Cyrillic, Armenian and Cherokee letters, whose scripts hold most look-alikes of Latin letters. */
    private static boolean lookAlikeBlock(char c) {
        return c >= '\u0370' && c <= '\u058F' // Greek and Coptic, Cyrillic and its supplement, Armenian
                || c >= '\u13A0' && c <= '\u13FF' // Cherokee
                || c >= '\u1C80' && c <= '\u1C8F' // Cyrillic Extended-C
                || c >= '\u1F00' && c <= '\u1FFF' // Greek Extended
                || c >= '\uA640' && c <= '\uA69F' // Cyrillic Extended-B
                || c >= '\uAB70' && c <= '\uABBF'; // Cherokee Supplement
    }

    /**
     * How the word reads, lower case and without accents, when every letter in it is an ASCII letter, an accented one
     * or a look-alike of one; else {@code null}. A look-alike is read by its prototype in the confusables data, of its
     * lower-case form first (Cyrillic {@code І} reads {@code i} as its {@code і} does, not {@code l} as the data maps
     * capital {@code I}), else of itself (Greek {@code Β}, whose small {@code β} looks like no Latin letter). ASCII
     * letters are read as they are, not by their own prototypes (the data maps {@code m} to {@code rn}).
     */
    private static String latinReading(String word) {
        String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
        StringBuilder reads = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); i++) {
            char c = nfd.charAt(i);
            if (c < 0x80) {
                reads.append(Character.toLowerCase(c));
                continue;
            }
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                continue;
            }
            String latin = asciiLetters(SKELETONS.prototypeOf(Character.toLowerCase(c)));
            if (latin == null) {
                latin = asciiLetters(SKELETONS.prototypeOf(c));
            }
            if (latin == null) {
                return null;
            }
            reads.append(latin);
        }
        return reads.toString();
    }

    /** A prototype as lower-case ASCII letters (its combining marks left out), or {@code null} when it is not that. */
    private static String asciiLetters(String prototype) {
        if (prototype == null) {
            return null;
        }
        String nfd = Normalizer.normalize(prototype, Normalizer.Form.NFD);
        StringBuilder letters = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); i++) {
            char c = nfd.charAt(i);
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
                letters.append((char) (c | 0x20));
            } else if (Character.getType(c) != Character.NON_SPACING_MARK) {
                return null;
            }
        }
        return letters.length() == 0 ? null : letters.toString();
    }
}
