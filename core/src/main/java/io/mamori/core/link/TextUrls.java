package io.mamori.core.link;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the bare {@code http(s)://} and {@code www.} URLs of plain text, left to right, as {@link #PATTERN}'s
 * {@code Matcher.find()} would. The pattern starts with a look-behind and a case-insensitive alternation, so
 * {@code find()} has no literal prefix to skip ahead by and runs the look-behind at every position of the text;
 * on plain-text mail that was the costliest step of link analysis. Here a loop finds the few positions where
 * {@code http} or {@code www.} begins and the pattern is only tried there, with transparent bounds so the
 * look-behind still sees the character before. Not thread-safe (one per text).
 */
final class TextUrls {

    /** What a URL is written with: anything up to white space, quotes, brackets and Japanese punctuation. */
    private static final String URL_CHARS = "[^\\s<>\"'`\\u3000「」『』（）()\\[\\]{}、。]";
    /**
     * A URL; one whose host is an IPv6 address keeps its brackets (RFC 3986 §3.2.2, {@code http://[2001:db8::1]/}),
     * which elsewhere end a URL, so that the block list and the link checks see its host as they see any other.
     */
    static final Pattern PATTERN = Pattern.compile("(?i)(?<![a-z0-9@.-])(?:https?://\\[[0-9a-f:.]+\\]" + URL_CHARS + "*"
            + "|(?:https?://|www\\.)" + URL_CHARS + "+)");

    /** Punctuation that ends a sentence after a URL rather than belonging to it. */
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[.,;:!?'\"]+$");

    private final String text;
    private final Matcher matcher;
    private int from;

    TextUrls(String text) {
        this.text = text;
        this.matcher = PATTERN.matcher(text).useTransparentBounds(true);
    }

    /** A found URL without the sentence punctuation that follows it. */
    static String withoutTrailingPunctuation(String url) {
        return TRAILING_PUNCTUATION.matcher(url).replaceFirst("");
    }

    /** The next URL as matched (trailing punctuation included), or {@code null} when there is none. */
    String next() {
        int n = text.length();
        for (int i = from; i + 4 <= n; i++) {
            // ASCII letters only: the pattern's (?i) folds US-ASCII case and nothing else
            int lower = text.charAt(i) | 0x20;
            if ((lower == 'h' && (text.charAt(i + 1) | 0x20) == 't' && (text.charAt(i + 2) | 0x20) == 't'
                    && (text.charAt(i + 3) | 0x20) == 'p')
                    || (lower == 'w' && (text.charAt(i + 1) | 0x20) == 'w' && (text.charAt(i + 2) | 0x20) == 'w'
                    && text.charAt(i + 3) == '.')) {
                matcher.region(i, n);
                if (matcher.lookingAt()) {
                    from = matcher.end();
                    return matcher.group();
                }
            }
        }
        from = n;
        return null;
    }
}
