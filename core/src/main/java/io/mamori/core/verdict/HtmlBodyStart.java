package io.mamori.core.verdict;

import java.util.Locale;
import java.util.Set;

/**
 * Finds where the rendered body of an HTML document begins, so the TAG warning goes where the reader sees it
 * first. A regular expression for {@code <body…>} is fooled by the sender: {@code <!-- <body> -->},
 * {@code <title><body></title>} and {@code <body title=">">} would put the warning inside a comment, the title
 * or an attribute value, where it does not show and the sender's own "verified safe" box does. This walks the
 * tokens before the body the way the HTML tokenizer does (WHATWG HTML section 13.2.5: comments, bogus comments,
 * doctype, attribute values quoted or not, RCDATA and RAWTEXT elements) and stops at the first token that is
 * not head matter.
 *
 * <p>The answer is always a point between two tokens of the top-level document, never inside one, so inserting
 * a {@code <div>} there leaves the rest of the text byte for byte and the div always renders: after the real
 * {@code <body…>} start tag when only head matter precedes it; otherwise before the first token that starts the
 * body implicitly (text, any other element) or that this scanner will not interpret (noscript and template,
 * which parse differently with scripting on and off; script holding {@code <!--}, whose escaping rules are not
 * worth the risk; anything unterminated). A div there opens the body itself, so the warning is its first child.
 *
 * <p>One pass: each character is read a bounded number of times, so thousands of comments or tags before the body
 * cost no more than reading them. The text is read through {@link CharSequence#charAt} only, which lets a test count
 * the reads. Stateless.
 */
final class HtmlBodyStart {

    /** Elements allowed in the head that have no content (section 13.2.6.4.4, "in head"). */
    private static final Set<String> HEAD_VOID = Set.of("meta", "link", "base", "basefont", "bgsound");

    /** Head elements whose content is text up to their end tag: RCDATA (title) and RAWTEXT (style, noframes). */
    private static final Set<String> HEAD_TEXT = Set.of("title", "style", "noframes");

    private HtmlBodyStart() {
    }

    /** The offset in {@code html} where the warning should be inserted. */
    static int insertionPoint(CharSequence html) {
        int i = 0;
        int n = html.length();
        while (i < n) {
            char c = html.charAt(i);
            if (isWhitespace(c)) {
                i++;
                continue;
            }
            if (c != '<') {
                return i; // text starts the body
            }
            int tokenStart = i;
            if (startsWith(html, "<!--", i)) {
                int end = commentEnd(html, i + 4);
                if (end < 0) {
                    return tokenStart;
                }
                i = end;
            } else if (startsWith(html, "<!", i) || startsWith(html, "<?", i)) {
                // DOCTYPE ends at its first '>' even inside its quoted identifiers; <![CDATA[ outside SVG and
                // MathML, and anything else after "<!" or "<?", is a bogus comment that ends there too.
                int end = indexOf(html, '>', i + 2);
                if (end < 0) {
                    return tokenStart;
                }
                i = end + 1;
            } else if (startsWith(html, "</", i)) {
                if (i + 2 < n && html.charAt(i + 2) == '>') {
                    i += 3; // "</>" is dropped
                    continue;
                }
                if (i + 2 >= n || !isAsciiAlpha(html.charAt(i + 2))) {
                    int end = indexOf(html, '>', i + 2);
                    if (end < 0) {
                        return tokenStart;
                    }
                    i = end + 1;
                    continue;
                }
                int nameEnd = tagNameEnd(html, i + 2);
                String name = html.subSequence(i + 2, nameEnd).toString().toLowerCase(Locale.ROOT);
                // </body>, </html> and </br> before the body open it; other end tags there are ignored
                if (name.equals("body") || name.equals("html") || name.equals("br")) {
                    return tokenStart;
                }
                int end = tagEnd(html, nameEnd);
                if (end < 0) {
                    return tokenStart;
                }
                i = end;
            } else if (i + 1 < n && isAsciiAlpha(html.charAt(i + 1))) {
                int nameEnd = tagNameEnd(html, i + 1);
                String name = html.subSequence(i + 1, nameEnd).toString().toLowerCase(Locale.ROOT);
                int end = tagEnd(html, nameEnd);
                if (end < 0) {
                    return tokenStart;
                }
                if (name.equals("body")) {
                    return end;
                }
                if (name.equals("html") || name.equals("head") || HEAD_VOID.contains(name)) {
                    i = end;
                } else if (HEAD_TEXT.contains(name) || name.equals("script")) {
                    int close = rawTextEnd(html, end, name);
                    if (close < 0) {
                        return tokenStart;
                    }
                    if (name.equals("script") && indexOf(html, "<!--", end, close) >= 0) {
                        return tokenStart;
                    }
                    int closeEnd = tagEnd(html, close + 2 + name.length());
                    if (closeEnd < 0) {
                        return tokenStart;
                    }
                    i = closeEnd;
                } else {
                    return tokenStart; // any other element starts the body, or is not worth interpreting
                }
            } else {
                return tokenStart; // a lone '<' is text
            }
        }
        return n;
    }

    /** The offset after a comment whose "<!--" ends just before {@code from}, or -1 when it is unterminated. */
    private static int commentEnd(CharSequence html, int from) {
        // "<!-->" and "<!--->" are closed at once (abrupt-closing-of-empty-comment)
        if (startsWith(html, ">", from)) {
            return from + 1;
        }
        if (startsWith(html, "->", from)) {
            return from + 2;
        }
        // the first "--" followed by ">" or "!>": one pass that stops there (looking for each ending on its own to the
        // end of the text made every comment cost the whole rest of it, quadratic over thousands of comments)
        for (int i = indexOf(html, "--", from); i >= 0; i = indexOf(html, "--", i + 1)) {
            if (startsWith(html, ">", i + 2)) {
                return i + 3;
            }
            if (startsWith(html, "!>", i + 2)) {
                return i + 4;
            }
        }
        return -1;
    }

    /** Where the end tag of an RCDATA/RAWTEXT element starts ("</name" then whitespace, '/' or '>'), or -1. */
    private static int rawTextEnd(CharSequence html, int from, String name) {
        int i = from;
        while (true) {
            int lt = indexOf(html, "</", i);
            if (lt < 0) {
                return -1;
            }
            int after = lt + 2 + name.length();
            if (regionMatchesIgnoreCase(html, lt + 2, name) && after < html.length()) {
                char c = html.charAt(after);
                if (isWhitespace(c) || c == '/' || c == '>') {
                    return lt;
                }
            }
            i = lt + 2;
        }
    }

    private static int tagNameEnd(CharSequence html, int from) {
        int i = from;
        while (i < html.length()) {
            char c = html.charAt(i);
            if (isWhitespace(c) || c == '/' || c == '>') {
                break;
            }
            i++;
        }
        return i;
    }

    private enum TagState { BEFORE_NAME, NAME, AFTER_NAME, BEFORE_VALUE, DOUBLE_QUOTED, SINGLE_QUOTED, UNQUOTED,
        AFTER_QUOTED, SELF_CLOSING }

    /**
     * The offset after the '>' that ends a tag whose name ends at {@code from}, or -1. Follows the attribute
     * states of section 13.2.5.32 to 13.2.5.40 exactly, because that is where a quote hides a '>': a quote only
     * opens a value right after '=' (and "=" at the start of an attribute name is part of the name).
     */
    private static int tagEnd(CharSequence html, int from) {
        TagState state = TagState.BEFORE_NAME;
        int i = from;
        while (i < html.length()) {
            char c = html.charAt(i);
            switch (state) {
                case BEFORE_NAME -> {
                    if (c == '/') {
                        state = TagState.SELF_CLOSING;
                    } else if (c == '>') {
                        return i + 1;
                    } else if (!isWhitespace(c)) {
                        state = TagState.NAME; // '=' here starts a name too
                    }
                }
                case NAME -> {
                    if (isWhitespace(c)) {
                        state = TagState.AFTER_NAME;
                    } else if (c == '/') {
                        state = TagState.SELF_CLOSING;
                    } else if (c == '>') {
                        return i + 1;
                    } else if (c == '=') {
                        state = TagState.BEFORE_VALUE;
                    }
                }
                case AFTER_NAME -> {
                    if (c == '/') {
                        state = TagState.SELF_CLOSING;
                    } else if (c == '=') {
                        state = TagState.BEFORE_VALUE;
                    } else if (c == '>') {
                        return i + 1;
                    } else if (!isWhitespace(c)) {
                        state = TagState.NAME;
                    }
                }
                case BEFORE_VALUE -> {
                    if (c == '"') {
                        state = TagState.DOUBLE_QUOTED;
                    } else if (c == '\'') {
                        state = TagState.SINGLE_QUOTED;
                    } else if (c == '>') {
                        return i + 1;
                    } else if (!isWhitespace(c)) {
                        state = TagState.UNQUOTED;
                    }
                }
                case DOUBLE_QUOTED -> {
                    if (c == '"') {
                        state = TagState.AFTER_QUOTED;
                    }
                }
                case SINGLE_QUOTED -> {
                    if (c == '\'') {
                        state = TagState.AFTER_QUOTED;
                    }
                }
                case UNQUOTED -> {
                    if (isWhitespace(c)) {
                        state = TagState.BEFORE_NAME;
                    } else if (c == '>') {
                        return i + 1;
                    }
                }
                case AFTER_QUOTED -> {
                    if (c == '/') {
                        state = TagState.SELF_CLOSING;
                    } else if (c == '>') {
                        return i + 1;
                    } else {
                        state = TagState.BEFORE_NAME;
                        continue; // reconsumed
                    }
                }
                case SELF_CLOSING -> {
                    if (c == '>') {
                        return i + 1;
                    }
                    state = TagState.BEFORE_NAME;
                    continue; // reconsumed
                }
            }
            i++;
        }
        return -1;
    }

    /** As {@link String#startsWith(String, int)}. */
    private static boolean startsWith(CharSequence html, String prefix, int at) {
        if (at < 0 || at > html.length() - prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (html.charAt(at + k) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** As {@link String#indexOf(int, int)}. */
    private static int indexOf(CharSequence html, char c, int from) {
        for (int i = Math.max(0, from); i < html.length(); i++) {
            if (html.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** As {@link String#indexOf(String, int)}. */
    private static int indexOf(CharSequence html, String target, int from) {
        return indexOf(html, target, from, html.length());
    }

    /** The first {@code target} lying wholly in {@code [from, to)}, or -1 (targets here are a few characters long). */
    private static int indexOf(CharSequence html, String target, int from, int to) {
        char first = target.charAt(0);
        for (int i = Math.max(0, from); i <= to - target.length(); i++) {
            if (html.charAt(i) == first && startsWith(html, target, i)) {
                return i;
            }
        }
        return -1;
    }

    /** As {@link String#regionMatches(boolean, int, String, int, int)} with {@code ignoreCase} for all of {@code name}. */
    private static boolean regionMatchesIgnoreCase(CharSequence html, int at, String name) {
        if (at < 0 || at > html.length() - name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            char a = html.charAt(at + k);
            char b = name.charAt(k);
            if (a == b) {
                continue;
            }
            char upperA = Character.toUpperCase(a);
            char upperB = Character.toUpperCase(b);
            if (upperA != upperB && Character.toLowerCase(upperA) != Character.toLowerCase(upperB)) {
                return false;
            }
        }
        return true;
    }

    /** Whitespace as the tokenizer sees it; CR is one because input preprocessing turns it into LF. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }

    private static boolean isAsciiAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
