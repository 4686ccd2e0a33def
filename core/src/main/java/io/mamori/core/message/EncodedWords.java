package io.mamori.core.message;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * Decodes header values: raw 8-bit bytes (Japanese mailers send them unencoded), raw ISO-2022-JP, and
 * RFC 2047 encoded words, charset-aware through {@link MailCharsets}. Stateless and thread-safe.
 *
 * <p>Hand-written because Mime4j's {@code DecoderUtil} decodes each encoded word on its own: a multibyte
 * character (UTF-8, Shift_JIS, or an ISO-2022-JP sequence whose escape sits in the previous word) split
 * between two adjacent words, which long Japanese subjects folded by many mailers contain, comes out as
 * U+FFFD. Here adjacent encoded words of the same charset are joined as bytes before decoding, as
 * RFC 2047 section 6.2 permits, and base64 text split in the middle of a quantum is joined too.
 */
public final class EncodedWords {

    private EncodedWords() {
    }

    /** Decodes a header value given as raw bytes (folded or not). */
    public static String decode(byte[] rawValue) {
        return decode(rawValue, null);
    }

    /**
     * Decodes a header value given as raw bytes, reading raw 8-bit bytes in {@code hintCharset} (typically the
     * message's body charset, which mailers that send unencoded headers also use) or guessing when it is null.
     */
    public static String decode(byte[] rawValue, String hintCharset) {
        if (hintCharset == null) {
            String plain = plainUnfolded(rawValue);
            if (plain != null) {
                return plain;
            }
        }
        return decode(MailCharsets.decode(rawValue, hintCharset));
    }

    /**
     * A header value given as raw bytes, read in its charset as {@link #decode(byte[], String)} reads it and unfolded,
     * with its encoded words left as they are.
     */
    public static String undecoded(byte[] rawValue, String hintCharset) {
        if (hintCharset == null) {
            String plain = plainUnfolded(rawValue);
            if (plain != null) {
                return plain;
            }
        }
        return unfold(MailCharsets.decode(rawValue, hintCharset));
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * What {@code decode(MailCharsets.decode(rawValue, null))} gives for a value of 7-bit bytes without ESC (so read
     * as Latin-1) and without {@code =?}, also not once unfolded (so without encoded words): the value without its CRs
     * and LFs. One pass over
     * the bytes, instead of a charset decoding, an unfolding and a search of the string, for most header fields;
     * {@code null} for any other value. The pass skips eight bytes at a time where none is CR, LF, {@code =}, ESC or
     * 8-bit (C1 code runs byte loops at about a nanosecond a byte); (x - 0x01…) & ~x has a high bit set if, and only
     * if, some byte of x is zero.
     */
    static String plainUnfolded(byte[] b) {
        int breaks = 0;
        int i = 0;
        int n = b.length;
        while (i < n) {
            if (i + 8 <= n) {
                long w = (long) LONGS.get(b, i);
                long cr = w ^ 0x0D0D0D0D0D0D0D0DL;
                long lf = w ^ 0x0A0A0A0A0A0A0A0AL;
                long eq = w ^ 0x3D3D3D3D3D3D3D3DL;
                long esc = w ^ 0x1B1B1B1B1B1B1B1BL;
                long ones = 0x0101010101010101L;
                long zeros = ((cr - ones) & ~cr) | ((lf - ones) & ~lf) | ((eq - ones) & ~eq) | ((esc - ones) & ~esc) | w;
                if ((zeros & 0x8080808080808080L) == 0) {
                    i += 8;
                    continue;
                }
            }
            for (int end = Math.min(i + 8, n); i < end; i++) {
                byte c = b[i];
                // "=" before a line break may become "=?" once unfolded: left to the full decoding too
                if (c < 0 || c == 0x1B || (c == '=' && i + 1 < n && (b[i + 1] == '?' || b[i + 1] == '\r'
                        || b[i + 1] == '\n'))) {
                    return null;
                }
                if (c == '\r' || c == '\n') {
                    breaks++;
                }
            }
        }
        if (breaks == 0) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        byte[] out = new byte[n - breaks];
        int o = 0;
        for (byte c : b) {
            if (c != '\r' && c != '\n') {
                out[o++] = c;
            }
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Decodes the encoded words in an already-unstructured value and unfolds it (RFC 5322 section 2.2.3). */
    public static String decode(String value) {
        String unfolded = unfold(value);
        if (unfolded.indexOf("=?") < 0) {
            return unfolded;
        }
        StringBuilder out = new StringBuilder(unfolded.length());
        Run run = null;
        int tail = 0;
        for (Word m = next(unfolded, tail); m != null; m = next(unfolded, tail)) {
            String between = unfolded.substring(tail, m.start());
            boolean adjacent = run != null && between.isBlank();
            if (!adjacent) {
                if (run != null) {
                    run.flushTo(out);
                }
                out.append(between);
                run = new Run();
            }
            run.add(m.charset(), m.encoding(), m.text());
            tail = m.end();
        }
        if (run != null) {
            run.flushTo(out);
        }
        out.append(unfolded, tail, unfolded.length());
        return out.toString();
    }

    /**
     * The next encoded word from {@code from} on, as {@code =\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=} would find it, or null.
     * Matched by hand where each {@code =?} stands (found by {@code indexOf}): that pattern was the costliest step of
     * decoding header fields. Neither run of the pattern can hold a {@code ?}, so each ends at the first {@code ?} or
     * white space and no backtracking could find another match at the same place.
     */
    static Word next(String value, int from) {
        int n = value.length();
        for (int at = value.indexOf("=?", from); at >= 0; at = value.indexOf("=?", at + 1)) {
            int charsetEnd = runEnd(value, at + 2);
            if (charsetEnd == at + 2 || charsetEnd + 3 >= n || value.charAt(charsetEnd) != '?') {
                continue;
            }
            char encoding = value.charAt(charsetEnd + 1);
            if ("bBqQ".indexOf(encoding) < 0 || value.charAt(charsetEnd + 2) != '?') {
                continue;
            }
            int textStart = charsetEnd + 3;
            int textEnd = runEnd(value, textStart);
            if (textEnd + 1 < n && value.charAt(textEnd) == '?' && value.charAt(textEnd + 1) == '=') {
                return new Word(at, textEnd + 2, value.substring(at + 2, charsetEnd), String.valueOf(encoding),
                        value.substring(textStart, textEnd));
            }
        }
        return null;
    }

    /** Where a run of characters other than {@code ?} and regex white space ({@code [ \\t\\n\\x0B\\f\\r]}) ends. */
    private static int runEnd(String value, int from) {
        int i = from;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '?' || c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    /** One encoded word: where it starts and ends in the value, and its three fields. */
    record Word(int start, int end, String charset, String encoding, String text) {
    }

    /** Removes every CR and LF: a line break followed by white space is a fold, and a stray one is dropped too. */
    static String unfold(String value) {
        int cr = value.indexOf('\r');
        int lf = value.indexOf('\n');
        if (cr < 0 && lf < 0) {
            return value;
        }
        // copied in runs between line breaks (indexOf is intrinsic; a loop over charAt was not); each of the two
        // searches is repeated only once the position it found is passed, so the work stays linear
        StringBuilder out = new StringBuilder(value.length());
        int start = 0;
        while (cr >= 0 || lf >= 0) {
            int at = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
            out.append(value, start, at);
            start = at + 1;
            if (cr >= 0 && cr < start) {
                cr = value.indexOf('\r', start);
            }
            if (lf >= 0 && lf < start) {
                lf = value.indexOf('\n', start);
            }
        }
        out.append(value, start, value.length());
        return out.toString();
    }

    /** Consecutive encoded words separated only by white space, which RFC 2047 says to join. */
    private static final class Run {
        private String charset;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final StringBuilder pendingBase64 = new StringBuilder();
        private final StringBuilder decoded = new StringBuilder();

        void add(String charsetAndLanguage, String encoding, String text) {
            // RFC 2231 section 5 allows "charset*language" in encoded words.
            String cs = charsetAndLanguage.split("\\*", 2)[0].toLowerCase(Locale.ROOT);
            if (charset != null && !charset.equals(cs)) {
                finishCharset();
            }
            charset = cs;
            if (encoding.equalsIgnoreCase("B")) {
                pendingBase64.append(text);
                if (pendingBase64.length() % 4 == 0) {
                    flushBase64();
                }
            } else {
                flushBase64();
                bytes.writeBytes(decodeQ(text));
            }
        }

        void flushTo(StringBuilder out) {
            finishCharset();
            out.append(decoded);
        }

        private void finishCharset() {
            flushBase64();
            if (bytes.size() > 0) {
                decoded.append(MailCharsets.decode(bytes.toByteArray(), charset));
                bytes.reset();
            }
        }

        private void flushBase64() {
            if (pendingBase64.length() > 0) {
                bytes.writeBytes(decodeBase64Leniently(pendingBase64));
                pendingBase64.setLength(0);
            }
        }
    }

    static byte[] decodeBase64Leniently(CharSequence text) {
        // the base64 alphabet kept in place in a byte array (what Base64.Decoder.decode(String) makes of a string):
        // a character beyond Latin-1 becomes '?', which is dropped like every other character outside the alphabet
        byte[] clean = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (byte c : clean) {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
                clean[length++] = c;
            }
        }
        if (length % 4 == 1) {
            length--;
        }
        return Base64.getDecoder().decode(length == clean.length ? clean : Arrays.copyOf(clean, length));
    }

    private static byte[] decodeQ(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
                i += 2;
            } else {
                // as String.valueOf(c).getBytes(ISO_8859_1) encodes it: a character beyond Latin-1 becomes '?'
                out.write(c <= 0xFF ? c : '?');
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
