package io.mamori.core.classifier;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.lure.LureText;
import io.mamori.core.message.CalendarText;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The words the content classifier reads in a message: what its reader reads, and nothing about how it travelled.
 *
 * <p>Read: the Subject (its words marked {@code s:}, since a word in the subject says more than the same word in a
 * long body) and the body text as the reader sees it (plain text parts, and HTML parts as {@link HtmlText#visible}
 * shows them, so hidden salting text teaches nothing; the title, description, place and comment of a calendar
 * invitation, attached or not, as {@link CalendarText} reads them), folded by {@link LureText#fold} (NFKC, case, accents, kana).
 * Latin, Cyrillic and other alphabetic scripts give words of {@value #MIN_WORD}..{@value #MAX_WORD} letters; Chinese
 * characters and kana, written without spaces, give overlapping pairs of characters (the usual way to index
 * Japanese without a dictionary), a lone character giving itself. Each token counts once per message.
 *
 * <p>Left out on purpose, because they describe where and when a message was collected rather than what it says:
 * every header other than the Subject (addresses, Received chains, list headers, dates, message ids), digits (years
 * and dates would teach the model the age of its training mail), web and mail addresses in the text (one-off
 * campaign hosts; the link analyzer judges links), and the words of the recipients' own addresses (a greeting
 * "Dear tanaka" or a collection's anonymised recipient says nothing about the mail). Bounded: at most
 * {@value #MAX_CHARS} characters of text and {@value #MAX_TOKENS} tokens.
 */
public final class ContentTokens {

    static final int MAX_CHARS = 100_000;
    static final int MAX_TOKENS = 5_000;
    static final int MIN_WORD = 3;
    static final int MAX_WORD = 24;
    static final String SUBJECT = "s:";

    private ContentTokens() {
    }

    /** The tokens of one message, in first-seen order (its HTML parts parsed anew: no other analyzer reads them). */
    public static Set<String> of(ParsedMessage message) {
        return of(message, HtmlText::visible);
    }

    /** The tokens of the input's message, its HTML parts read once with the other analyzers ({@link HtmlText}). */
    public static Set<String> of(AnalysisInput input) {
        return of(input.message(), html -> HtmlText.visible(input, html));
    }

    private static Set<String> of(ParsedMessage message, UnaryOperator<String> visible) {
        Set<String> recipientWords = recipientWords(message);
        Set<String> tokens = new LinkedHashSet<>();
        add(tokens, message.subject(), SUBJECT, recipientWords);
        StringBuilder body = new StringBuilder();
        for (MimePart part : message.parts()) {
            if (body.length() >= MAX_CHARS || tokens.size() >= MAX_TOKENS) {
                break;
            }
            // a meeting request or an attached .ics: its title, description and place are what the reader reads
            java.util.Optional<CalendarText> calendar = CalendarText.of(part);
            if (calendar.isPresent()) {
                String words = calendar.get().words();
                body.append(words, 0, Math.min(words.length(), MAX_CHARS - body.length())).append('\n');
                continue;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            String text = "text/html".equals(part.contentType()) ? visible.apply(part.text())
                    : "text/plain".equals(part.contentType()) ? part.text() : null;
            if (text != null) {
                body.append(text, 0, Math.min(text.length(), MAX_CHARS - body.length())).append('\n');
            }
        }
        add(tokens, body, "", recipientWords);
        return tokens;
    }

    /** The words of the To, Cc and Delivered-To addresses (local parts and domain labels). */
    private static Set<String> recipientWords(ParsedMessage message) {
        Set<String> words = new HashSet<>();
        for (String field : new String[] {"To", "Cc", "Delivered-To"}) {
            for (String value : message.headers(field)) {
                for (Mailbox m : Mailbox.parseList(value)) {
                    for (String w : m.address().toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
                        if (!w.isEmpty()) {
                            words.add(w);
                        }
                    }
                }
            }
        }
        return words;
    }

    private static void add(Set<String> tokens, CharSequence raw, String prefix, Set<String> skip) {
        if (raw == null || raw.length() == 0) {
            return;
        }
        // One char array rather than charAt calls: most text of real mail is not Latin-1, and the C1 code of a short
        // `eval` checks every charAt of such a string (it was the largest single cost). After folding, the only
        // white space is the plain space.
        char[] text = LureText.fold(raw.length() > MAX_CHARS ? raw.subSequence(0, MAX_CHARS) : raw).toCharArray();
        int n = text.length;
        int i = 0;
        while (i < n && tokens.size() < MAX_TOKENS) {
            char c = text[i];
            if (c == ' ') {
                i++;
                continue;
            }
            if (startsAddress(text, i)) {
                i = endOfChunk(text, i); // a web or mail address: skipped whole
                continue;
            }
            if (isIdeographic(c)) {
                int start = i;
                while (i < n && isIdeographic(text[i])) {
                    i++;
                }
                if (i - start == 1) {
                    tokens.add(prefix + c);
                } else {
                    for (int k = start; k + 1 < i; k++) {
                        tokens.add(prefix + new String(text, k, 2));
                    }
                }
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                int start = i;
                boolean digits = false;
                while (i < n) {
                    char d = text[i];
                    if (d < 0x80 ? (d >= 'a' && d <= 'z') || (d >= '0' && d <= '9') || (d >= 'A' && d <= 'Z')
                            : Character.isLetterOrDigit(d) && !isIdeographic(d)) {
                        digits |= d >= '0' && d <= '9' || d >= 0x80 && Character.isDigit(d);
                        i++;
                    } else if (d == '\'' && i + 1 < n && Character.isLetter(text[i + 1])) {
                        i++;
                    } else {
                        break;
                    }
                }
                if (i < n && text[i] == '@') {
                    i = endOfChunk(text, i); // a mail address not preceded by a space
                    continue;
                }
                int length = i - start;
                // numbers and words with digits (codes, ids, dates, "2fa") are no words
                if (!digits && length >= MIN_WORD && length <= MAX_WORD) {
                    String word = new String(text, start, length);
                    if (!skip.contains(word)) {
                        tokens.add(prefix.isEmpty() ? word : prefix + word);
                    }
                }
                continue;
            }
            i++;
        }
    }

    /** Whether a URL ({@code http:}, {@code https:}, {@code www.}) or a mail address starts at {@code i}. */
    private static boolean startsAddress(char[] text, int i) {
        if (i > 0) {
            char before = text[i - 1];
            if (before != ' ' && before != '(' && before != '<') {
                return false;
            }
        }
        return startsWith(text, i, "http://") || startsWith(text, i, "https://") || startsWith(text, i, "www.")
                || mailAddressAt(text, i);
    }

    private static boolean startsWith(char[] text, int i, String prefix) {
        if (i + prefix.length() > text.length) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (text[i + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean mailAddressAt(char[] text, int i) {
        int end = endOfChunk(text, i);
        for (int k = i + 1; k < end - 1; k++) {
            if (text[k] == '@') {
                return true;
            }
        }
        return false;
    }

    /** The end of the run of non-space characters that contains {@code i}. */
    private static int endOfChunk(char[] text, int i) {
        int n = text.length;
        while (i < n && text[i] != ' ') {
            i++;
        }
        return i;
    }

    /** Chinese characters, hiragana, katakana and their marks: scripts written without spaces between words. */
    static boolean isIdeographic(char c) {
        if (c < 0x2E80) {
            return false; // below the CJK radicals: no Chinese character or kana
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || c == 'ー' || c == '々';
    }
}
