package io.mamori.core.verdict;

import java.io.IOException;
import java.io.Reader;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts HTML read from a {@link Reader} into pieces of about {@link #TARGET} characters, each ending where a
 * tokenizer is between tokens: before a {@code <} that starts a tag, or at whitespace in text, and never inside a
 * tag, a comment, or the raw text of {@code <script>}, {@code <style>}, {@code <textarea>} and the like. The OWASP
 * sanitizer's lexer takes whole strings; feeding it these pieces one after another, with one policy that keeps its
 * state across them (see {@link DisarmedHtml}), sanitizes HTML of any length in bounded memory.
 *
 * <p>The scanner here only approximates the HTML tokenizer (it need not be exact): a cut in a place the lexer
 * disagrees with can only lose formatting, never let anything through, because the sanitizer escapes whatever it
 * does not recognise as an allowed tag. A piece with no safe place in {@link #HARD_LIMIT} characters (a huge
 * comment, script or attribute) is cut there for the same reason. Not thread-safe.
 */
final class HtmlChunks {

    static final int TARGET = 64 * 1024;
    static final int HARD_LIMIT = 1024 * 1024;
    private static final int READ = 16 * 1024;
    /** Longest look-ahead the scanner needs: {@code </plaintext}. */
    private static final int LOOKAHEAD = 12;

    /**
     * Elements whose content the tokenizer reads as text up to the matching end tag: the ones the OWASP lexer
     * treats so ({@code HtmlTextEscapingMode}: CDATA, RCDATA, PLAIN_TEXT and IE's CDATA_SOMETIMES).
     */
    private static final Set<String> RAW_TEXT = Set.of(
            "script", "style", "textarea", "title", "xmp", "iframe", "listing", "comment", "plaintext");

    private enum State { DATA, TAG_NAME, TAG, QUOTED, COMMENT, DECLARATION, RAW }

    private final Reader in;
    private final char[] read = new char[READ];
    private final StringBuilder buffer = new StringBuilder();
    private boolean eof;
    private int pos;
    private int safe;
    private State state = State.DATA;
    private final StringBuilder tagName = new StringBuilder();
    private boolean closingTag;
    private char quote;
    private char lastInTag;
    private String rawElement;

    private final int target;
    private final int hardLimit;

    HtmlChunks(Reader in) {
        this(in, TARGET, HARD_LIMIT);
    }

    /** Other piece sizes, for tests that cut HTML far more often than real use does. */
    HtmlChunks(Reader in, int target, int hardLimit) {
        if (target < 1 || hardLimit < target + LOOKAHEAD) {
            throw new IllegalArgumentException("need 1 <= target and target + " + LOOKAHEAD + " <= hardLimit");
        }
        this.in = in;
        this.target = target;
        this.hardLimit = hardLimit;
    }

    /** The next piece, or {@code null} at the end. */
    String next() throws IOException {
        while (true) {
            scan();
            if (buffer.length() >= target && safe > 0) {
                return cut(safe);
            }
            if (buffer.length() >= hardLimit) {
                int at = Math.min(hardLimit, pos);   // never past what was scanned
                if (Character.isHighSurrogate(buffer.charAt(at - 1))) {
                    at--;
                }
                return cut(at);
            }
            if (eof) {
                return buffer.length() == 0 ? null : cut(buffer.length());
            }
            int n = in.read(read);
            if (n < 0) {
                eof = true;
            } else {
                buffer.append(read, 0, n);
            }
        }
    }

    private String cut(int at) {
        String piece = buffer.substring(0, at);
        buffer.delete(0, at);
        pos -= at;
        safe = 0;
        return piece;
    }

    private void scan() {
        while (pos < buffer.length() && (eof || pos + LOOKAHEAD <= buffer.length())) {
            char c = buffer.charAt(pos);
            switch (state) {
                case DATA -> data(c);
                case TAG_NAME -> tagName(c);
                case TAG -> tag(c);
                case QUOTED -> {
                    if (c == quote) {
                        state = State.TAG;
                        lastInTag = c;
                    }
                }
                case COMMENT -> {
                    if (c == '>' && pos >= 2 && buffer.charAt(pos - 1) == '-' && buffer.charAt(pos - 2) == '-') {
                        state = State.DATA;
                    }
                }
                case DECLARATION -> {
                    if (c == '>') {
                        state = State.DATA;
                    }
                }
                case RAW -> raw(c);
            }
            pos++;
        }
    }

    private void data(char c) {
        if (c == '<') {
            char next = at(pos + 1);
            if (next == '!' && at(pos + 2) == '-' && at(pos + 3) == '-') {
                safe = pos;
                state = State.COMMENT;
                pos += 3;
            } else if (next == '!' || next == '?') {
                safe = pos;
                state = State.DECLARATION;
            } else if (isLetter(next) || (next == '/' && isLetter(at(pos + 2)))) {
                safe = pos;
                closingTag = next == '/';
                tagName.setLength(0);
                state = State.TAG_NAME;
                if (closingTag) {
                    pos++;
                }
            }
        } else if (Character.isWhitespace(c) && pos > 0) {
            safe = pos;
        }
    }

    private void tagName(char c) {
        if (isLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == ':') {
            if (tagName.length() < 16) {
                tagName.append(Character.toLowerCase(c));
            }
        } else {
            state = State.TAG;
            lastInTag = ' ';
            tag(c);
        }
    }

    private void tag(char c) {
        if (c == '>') {
            String name = tagName.toString().toLowerCase(Locale.ROOT);
            if (!closingTag && RAW_TEXT.contains(name)) {
                rawElement = name;
                state = State.RAW;
            } else {
                state = State.DATA;
            }
        } else if ((c == '"' || c == '\'') && lastInTag == '=') {
            quote = c;
            state = State.QUOTED;
        } else if (!Character.isWhitespace(c)) {
            lastInTag = c;
        }
    }

    private void raw(char c) {
        if (c != '<' || at(pos + 1) != '/' || rawElement.equals("plaintext")) {
            return;
        }
        int n = rawElement.length();
        for (int i = 0; i < n; i++) {
            if (Character.toLowerCase(at(pos + 2 + i)) != rawElement.charAt(i)) {
                return;
            }
        }
        char after = at(pos + 2 + n);
        if (after == '>' || after == '/' || Character.isWhitespace(after) || after == 0) {
            closingTag = true;
            tagName.setLength(0);
            tagName.append(rawElement);
            state = State.TAG;
            lastInTag = ' ';
            pos += 1 + n;
        }
    }

    private char at(int i) {
        return i < buffer.length() ? buffer.charAt(i) : 0;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
