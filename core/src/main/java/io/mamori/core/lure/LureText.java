package io.mamori.core.lure;

import java.text.Normalizer;

/**
 * Folds text so that the visual variants a lure uses to dodge filters compare equal: NFKC (full-width ASCII,
 * half-width katakana, circled and compatibility forms), katakana folded to hiragana, ASCII lower-cased,
 * invisible format characters (zero-width space and joiners) dropped, whitespace runs collapsed to one space.
 */
final class LureText {

    private LureText() {
    }

    static String fold(CharSequence text) {
        String n = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(n.length());
        boolean space = false;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (Character.getType(c) == Character.FORMAT) {
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

    private static char fold(char c) {
        // Katakana ァ..ヶ sit exactly 0x60 above their hiragana counterparts ぁ..ゖ.
        if (c >= '\u30A1' && c <= '\u30F6') {
            return (char) (c - 0x60);
        }
        if (c < 0x80) {
            return Character.toLowerCase(c);
        }
        return c;
    }

    /** The folded text without any spaces: Japanese is written without them, and a line break may split a word. */
    static String withoutSpaces(String folded) {
        return folded.replace(" ", "");
    }

    static boolean isAsciiWord(String phrase) {
        return phrase.chars().allMatch(c -> c < 0x80);
    }

    static boolean containsWord(String folded, String phrase) {
        int from = 0;
        while (true) {
            int at = folded.indexOf(phrase, from);
            if (at < 0) {
                return false;
            }
            int end = at + phrase.length();
            if ((at == 0 || !isWordChar(folded.charAt(at - 1))) && (end == folded.length() || !isWordChar(folded.charAt(end)))) {
                return true;
            }
            from = at + 1;
        }
    }

    private static boolean isWordChar(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }
}
