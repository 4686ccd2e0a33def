package io.mamori.core.text;

import java.util.Locale;

/**
 * Untrusted text as a person who must judge it is shown it: each invisible formatting character (Unicode category Cf:
 * the bidirectional controls such as the right-to-left override U+202E and the isolates U+2066–U+2069, zero-width
 * characters, Unicode tag characters) and each control character but the tab written as {@code <U+202E>}. Such a
 * character can make {@code Rechnung_<U+202E>fdp.exe} read as {@code Rechnung_exe.pdf}, or a sender look like another;
 * written out, it cannot disguise the text around it. Everything else is kept as it is (the page escapes it).
 * Stateless and thread-safe.
 */
public final class VisibleText {

    private VisibleText() {
    }

    /** Whether {@code codePoint} would be invisible or act on the text around it, and is written out. */
    public static boolean hides(int codePoint) {
        return Character.getType(codePoint) == Character.FORMAT
                || (Character.isISOControl(codePoint) && codePoint != '\t');
    }

    /**
     * Whether {@code text} may serve as a name people are shown (a person, a department, a label): no control character,
     * tab, line or paragraph separator, nor any character that {@link #hides} — names are printed in terminals, pages and
     * notices, where such a character could act on the screen or disguise the name.
     */
    public static boolean fitForAName(String text) {
        return text.codePoints().noneMatch(c -> hides(c) || c == '\t'
                || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
    }

    /** How a hiding code point is written: {@code <U+202E>}. */
    public static String code(int codePoint) {
        return String.format(Locale.ROOT, "<U+%04X>", codePoint);
    }

    /** {@code text} with every hiding code point written out; {@code ""} for {@code null}. */
    public static String of(String text) {
        if (text == null) {
            return "";
        }
        if (text.codePoints().noneMatch(VisibleText::hides)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (hides(c)) {
                out.append(code(c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
