package io.mamori.core.message;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the bytes of mail text (a body part, a header value, a file name) into a string the way Japanese mail
 * needs it. Stateless and thread-safe.
 *
 * <p>Why this is hand-written rather than left to Mime4j or {@link Charset#forName}: Mime4j hands the label
 * straight to the JDK, and the JDK charsets named like the MIME labels decode Japanese mail wrongly.
 * <ul>
 *   <li>{@code ISO-2022-JP} in the JDK is strict JIS X 0208: the NEC row 13 and NEC-selected IBM extension
 *       characters that Windows (CP50220) and every Japanese mailer send, e.g. ①, ㈱, ㍉, 髙, become U+FFFD.
 *       {@code x-windows-iso2022jp} knows them but fails on JIS X 0212 runs and on 8-bit bytes, and Japanese
 *       mailers often send Shift_JIS (or UTF-8) labelled as ISO-2022-JP. The decoder below maps JIS X 0208 to
 *       Shift_JIS with the standard arithmetic (JIS X 0208 Annex 1) and decodes the result as windows-31j, which
 *       is exactly what CP50220 does, and lets 8-bit bytes through as windows-31j.</li>
 *   <li>{@code Shift_JIS} and {@code EUC-JP} in the JDK also lack those vendor characters; labels are mapped to
 *       {@code windows-31j} and {@code x-eucJP-Open}.</li>
 *   <li>Missing or wrong labels are common, so unlabelled 8-bit text is guessed (UTF-8, then Shift_JIS or
 *       EUC-JP), and 7-bit text carrying ISO-2022-JP escapes is decoded as such whatever its label.</li>
 * </ul>
 * Malformed input never throws: bad sequences become U+FFFD.
 */
public final class MailCharsets {

    private static final byte ESC = 0x1B;
    private static final byte SO = 0x0E;
    private static final byte SI = 0x0F;

    private static final Charset WINDOWS_31J = Charset.forName("windows-31j");
    private static final Charset EUC_JP = Charset.forName("x-eucJP-Open");
    /** Only used for JIS X 0212 runs ({@code ESC $ ( D}), which windows-31j cannot express. */
    private static final Charset ISO_2022_JP_2 = Charset.forName("ISO-2022-JP-2");

    private static final Set<String> ISO_2022_JP_LABELS = Set.of(
            "iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-2004",
            "x-windows-iso2022jp", "cp50220", "cp50221", "cp50222", "jis", "iso2022jp");
    private static final Set<String> SHIFT_JIS_LABELS = Set.of(
            "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cswindows31j",
            "cp932", "ms932", "x-ms-cp932", "shift_jis-2004", "x-sjis-2004");
    private static final Set<String> EUC_JP_LABELS = Set.of(
            "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "x-eucjp-open", "eucjp-ms", "cp51932",
            "euc-jis-2004");
    private static final Set<String> ASCII_LABELS = Set.of(
            "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "cp367", "csascii", "7bit");

    private MailCharsets() {
    }

    /**
     * The JDK charset to use for a MIME charset label, with Japanese labels mapped to their vendor-complete
     * variants; {@code null} when the label is missing, invalid or unknown to this JVM. ISO-2022-JP labels
     * map to {@code x-windows-iso2022jp} (for encoders and readers that need a {@link Charset}); prefer
     * {@link #decode} for decoding.
     */
    public static Charset lookup(String label) {
        String n = normalize(label);
        if (n.isEmpty()) {
            return null;
        }
        if (ISO_2022_JP_LABELS.contains(n)) {
            return Charset.forName("x-windows-iso2022jp");
        }
        if (SHIFT_JIS_LABELS.contains(n)) {
            return WINDOWS_31J;
        }
        if (EUC_JP_LABELS.contains(n)) {
            return EUC_JP;
        }
        if (ASCII_LABELS.contains(n)) {
            return StandardCharsets.US_ASCII;
        }
        if (n.equals("utf8")) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.isSupported(n) ? Charset.forName(n) : null;
        } catch (IllegalCharsetNameException e) {
            return null;
        }
    }

    /** Decodes all of {@code bytes}; see {@link #decode(byte[], int, int, String)}. */
    public static String decode(byte[] bytes, String label) {
        return decode(bytes, 0, bytes.length, label);
    }

    /**
     * Decodes bytes labelled with a MIME charset (or {@code null} when unlabelled), tolerating the common
     * Japanese mislabellings described in the class comment.
     */
    public static String decode(byte[] bytes, int off, int len, String label) {
        String n = normalize(label);
        int kinds = scan(bytes, off, len);
        boolean eightBit = (kinds & EIGHT_BIT) != 0;
        boolean jisEscapes = (kinds & JIS_ESCAPE) != 0;
        if (ISO_2022_JP_LABELS.contains(n)) {
            // 8-bit bytes and no escape: really Shift_JIS, EUC-JP or UTF-8 under the wrong label.
            return eightBit && !jisEscapes ? guess(bytes, off, len, kinds) : decodeIso2022Jp(bytes, off, len);
        }
        if (jisEscapes && !eightBit) {
            return decodeIso2022Jp(bytes, off, len);
        }
        if (n.isEmpty() || ASCII_LABELS.contains(n)) {
            return eightBit ? guess(bytes, off, len, kinds) : new String(bytes, off, len, StandardCharsets.ISO_8859_1);
        }
        Charset charset = lookup(n);
        if (charset == null) {
            return guess(bytes, off, len, kinds);
        }
        if (charset.equals(StandardCharsets.UTF_8) && eightBit) {
            // the strict decoding that proves it UTF-8 is also the result: no second pass
            String utf8 = strictUtf8(bytes, off, len);
            return utf8 != null ? utf8 : guess(bytes, off, len, kinds);
        }
        if (!eightBit && asciiCompatible(charset)) {
            return new String(bytes, off, len, StandardCharsets.ISO_8859_1);
        }
        return replacingDecode(charset, bytes, off, len);
    }

    /**
     * The charset to stream text with no usable label in, judged as {@link #guess} judges whole text but from its first
     * {@code len} bytes (text too big to decode at once): ISO-2022-JP escapes, else UTF-8 (also for ASCII), else the
     * likelier of Shift_JIS (windows-31j) and EUC-JP. The sample may end inside a character: up to three bytes at its
     * end may be left out of the judgement.
     */
    public static Charset likelyCharset(byte[] sample, int len) {
        int kinds = scan(sample, 0, len);
        if ((kinds & JIS_ESCAPE) != 0 && (kinds & EIGHT_BIT) == 0) {
            return ISO_2022_JP_2;
        }
        if ((kinds & EIGHT_BIT) == 0 || decodesWithin(StandardCharsets.UTF_8, sample, len, 3) != null) {
            return StandardCharsets.UTF_8;
        }
        String sjis = decodesWithin(WINDOWS_31J, sample, len, 1);
        String euc = decodesWithin(EUC_JP, sample, len, 2);
        return euc != null && (sjis == null || halfWidthKatakana(sjis) > halfWidthKatakana(euc)) ? EUC_JP : WINDOWS_31J;
    }

    /** The strict decoding of {@code sample}, or of it without up to {@code cut} last bytes, or null if none decodes. */
    private static String decodesWithin(Charset charset, byte[] sample, int len, int cut) {
        for (int k = 0; k <= cut && k <= len; k++) {
            String s = strictDecode(charset, sample, 0, len - k);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** Decodes text with no usable label: ISO-2022-JP escapes, else ASCII, else UTF-8, else the likelier of Shift_JIS and EUC-JP. */
    static String guess(byte[] bytes, int off, int len) {
        return guess(bytes, off, len, scan(bytes, off, len));
    }

    /** {@link #guess(byte[], int, int)} with the {@link #scan} of the bytes already made. */
    private static String guess(byte[] bytes, int off, int len, int kinds) {
        if ((kinds & JIS_ESCAPE) != 0) {
            return decodeIso2022Jp(bytes, off, len);
        }
        if ((kinds & EIGHT_BIT) == 0) {
            return new String(bytes, off, len, StandardCharsets.ISO_8859_1);
        }
        // the strict decoding that proves it UTF-8 is also the result (as in decode): no second pass
        String utf8 = strictUtf8(bytes, off, len);
        if (utf8 != null) {
            return utf8;
        }
        String sjis = strictDecode(WINDOWS_31J, bytes, off, len);
        String euc = strictDecode(EUC_JP, bytes, off, len);
        if (euc != null && (sjis == null || halfWidthKatakana(sjis) > halfWidthKatakana(euc))) {
            return euc;
        }
        return replacingDecode(WINDOWS_31J, bytes, off, len);
    }

    /**
     * ISO-2022-JP as CP50220 reads it: ASCII/JIS-Roman, JIS X 0208 (with NEC and NEC-selected IBM rows),
     * half-width katakana ({@code ESC ( I} or SO/SI), JIS X 0212 runs, and 8-bit bytes read as windows-31j.
     */
    static String decodeIso2022Jp(byte[] b, int off, int len) {
        StringBuilder out = new StringBuilder(len);
        ByteArrayOutputStream sjis = new ByteArrayOutputStream(len);
        ByteArrayOutputStream jis0212 = new ByteArrayOutputStream();
        Mode mode = Mode.ASCII;
        Mode beforeShiftOut = Mode.ASCII;
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c == ESC) {
                Mode next = escape(b, i, end);
                if (next != null) {
                    if (mode == Mode.JIS0212 && next != Mode.JIS0212) {
                        flushJis0212(jis0212, out);
                    }
                    if (next == Mode.JIS0212 && mode != Mode.JIS0212) {
                        flushSjis(sjis, out);
                    }
                    mode = next;
                    i += escapeLength(b, i);
                    continue;
                }
            }
            if (c == SO) {
                beforeShiftOut = mode == Mode.KANA ? beforeShiftOut : mode;
                mode = Mode.KANA;
                i++;
                continue;
            }
            if (c == SI) {
                mode = beforeShiftOut;
                i++;
                continue;
            }
            switch (mode) {
                case ASCII -> {
                    sjis.write(c);
                    i++;
                }
                case KANA -> {
                    sjis.write(c >= 0x21 && c <= 0x5F ? c + 0x80 : c);
                    i++;
                }
                case KANJI, JIS0212 -> {
                    if (c == '\r' || c == '\n') {
                        // RFC 1468 wants ESC ( B before each line end; tolerate mailers that forget it.
                        if (mode == Mode.JIS0212) {
                            flushJis0212(jis0212, out);
                        }
                        mode = Mode.ASCII;
                        sjis.write(c);
                        i++;
                    } else if (isJisByte(c) && i + 1 < end && isJisByte(b[i + 1] & 0xFF)) {
                        int c2 = b[i + 1] & 0xFF;
                        if (mode == Mode.KANJI && isUserDefinedRow(c)) {
                            flushSjis(sjis, out);
                            out.append('\uFFFD');
                        } else if (mode == Mode.KANJI) {
                            writeJisAsSjis(c, c2, sjis);
                        } else {
                            jis0212.write(c);
                            jis0212.write(c2);
                        }
                        i += 2;
                    } else if (isJisByte(c)) {
                        flushAll(sjis, jis0212, out);
                        out.append('\uFFFD');
                        i++;
                    } else if (mode == Mode.JIS0212) {
                        flushJis0212(jis0212, out);
                        out.append((char) c);
                        i++;
                    } else {
                        sjis.write(c);
                        i++;
                    }
                }
                default -> throw new IllegalStateException("unreachable mode " + mode);
            }
        }
        flushAll(sjis, jis0212, out);
        return out.toString();
    }

    private enum Mode { ASCII, KANA, KANJI, JIS0212 }

    private static Mode escape(byte[] b, int i, int end) {
        if (i + 2 < end) {
            int b1 = b[i + 1];
            int b2 = b[i + 2];
            if (b1 == '(' && (b2 == 'B' || b2 == 'J' || b2 == 'H')) {
                return Mode.ASCII;
            }
            if (b1 == '(' && b2 == 'I') {
                return Mode.KANA;
            }
            if (b1 == '$' && (b2 == 'B' || b2 == '@')) {
                return Mode.KANJI;
            }
            if (i + 3 < end && b1 == '$' && b2 == '(') {
                int b3 = b[i + 3];
                if (b3 == 'D') {
                    return Mode.JIS0212;
                }
                if (b3 == 'B' || b3 == 'Q' || b3 == 'O') {
                    return Mode.KANJI;
                }
            }
        }
        return null;
    }

    private static int escapeLength(byte[] b, int i) {
        return b[i + 1] == '$' && b[i + 2] == '(' ? 4 : 3;
    }

    private static boolean isJisByte(int c) {
        return c >= 0x21 && c <= 0x7E;
    }

    /**
     * Rows 85-88 and 93-94: user-defined characters (gaiji, carrier emoji) with no agreed Unicode mapping;
     * they have no CP932 counterpart either, so they become one U+FFFD instead of a stray lead byte.
     */
    private static boolean isUserDefinedRow(int j1) {
        return (j1 >= 0x75 && j1 <= 0x78) || j1 >= 0x7D;
    }

    /** JIS X 0208 row/cell to Shift_JIS (JIS X 0208:1997 Annex 1); rows 89-92 land on CP932's NEC-selected IBM block. */
    private static void writeJisAsSjis(int j1, int j2, ByteArrayOutputStream sjis) {
        int s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0);
        int s2 = j2 + ((j1 & 1) == 1 ? (j2 >= 0x60 ? 0x20 : 0x1F) : 0x7E);
        sjis.write(s1);
        sjis.write(s2);
    }

    /** At most one of the two buffers holds bytes: entering or leaving a JIS X 0212 run flushes the other. */
    private static void flushAll(ByteArrayOutputStream sjis, ByteArrayOutputStream jis0212, StringBuilder out) {
        flushSjis(sjis, out);
        flushJis0212(jis0212, out);
    }

    private static void flushSjis(ByteArrayOutputStream sjis, StringBuilder out) {
        if (sjis.size() > 0) {
            byte[] bytes = sjis.toByteArray();
            out.append(replacingDecode(WINDOWS_31J, bytes, 0, bytes.length));
            sjis.reset();
        }
    }

    private static void flushJis0212(ByteArrayOutputStream jis0212, StringBuilder out) {
        if (jis0212.size() > 0) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream(jis0212.size() + 8);
            framed.writeBytes(new byte[] {ESC, '$', '(', 'D'});
            framed.writeBytes(jis0212.toByteArray());
            framed.writeBytes(new byte[] {ESC, '(', 'B'});
            byte[] bytes = framed.toByteArray();
            out.append(replacingDecode(ISO_2022_JP_2, bytes, 0, bytes.length));
            jis0212.reset();
        }
    }

    static boolean hasEightBit(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                return true;
            }
        }
        return false;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** {@link #scan} bit: some byte has its high bit set. */
    private static final int EIGHT_BIT = 1;
    /** {@link #scan} bit: an ISO-2022-JP escape sequence to a non-ASCII set stands somewhere. */
    private static final int JIS_ESCAPE = 2;

    /**
     * {@link #hasEightBit} and {@link #hasIso2022JpEscape} in one pass (each text was scanned two to four times):
     * one comparison per byte finds both the 8-bit bytes (negative) and ESC (below every printable byte).
     */
    static int scan(byte[] b, int off, int len) {
        int kinds = 0;
        int end = off + len;
        int i = off;
        // Eight bytes at a time, skipping words where no byte is of a kind still unseen (8-bit, ESC): the JDK has no
        // public vectorised byte search, and the short-lived commands run C1 code, where a loop over single bytes
        // costs about a nanosecond a byte. (x - 0x01…) & ~x has a high bit set if, and only if, some byte of x is
        // zero (x: the word XOR ESC…), so no word holding an ESC is skipped.
        while (i + 8 <= end && kinds != (EIGHT_BIT | JIS_ESCAPE)) {
            long w = (long) LONGS.get(b, i);
            long x = w ^ 0x1B1B1B1B1B1B1B1BL;
            long candidates = ((x - 0x0101010101010101L) & ~x) | ((kinds & EIGHT_BIT) == 0 ? w : 0);
            if ((candidates & 0x8080808080808080L) != 0) {
                kinds = scan(b, i, i + 8, end, kinds);
            }
            i += 8;
        }
        return kinds == (EIGHT_BIT | JIS_ESCAPE) ? kinds : scan(b, i, end, end, kinds);
    }

    /** The kinds of the bytes from {@code from} to {@code to} added to {@code kinds}; escapes may reach to {@code end}. */
    private static int scan(byte[] b, int from, int to, int end, int kinds) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c < 0) {
                kinds |= EIGHT_BIT;
            } else if (c == ESC && (kinds & JIS_ESCAPE) == 0) {
                Mode m = escape(b, i, end);
                if (m != null && m != Mode.ASCII) {
                    kinds |= JIS_ESCAPE;
                }
            }
        }
        return kinds;
    }

    static boolean hasIso2022JpEscape(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == ESC && escape(b, i, end) != null && escape(b, i, end) != Mode.ASCII) {
                return true;
            }
        }
        return false;
    }

    /** Charsets that read 7-bit bytes as ASCII, so that 7-bit text needs no decoder. */
    private static boolean asciiCompatible(Charset charset) {
        String name = charset.name();
        return charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || name.startsWith("ISO-8859-") || name.startsWith("windows-125");
    }

    static boolean isUtf8(byte[] b, int off, int len) {
        return strictUtf8(b, off, len) != null;
    }

    /**
     * {@code strictDecode(UTF_8, …)}: String's own UTF-8 decoding (the JDK's fast path, no char buffer to copy and
     * compress) is the result when it replaced nothing, since it replaces exactly what the strict decoder rejects;
     * only text that holds U+FFFD, malformed or written so, goes through the strict decoder.
     */
    static String strictUtf8(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        return s.indexOf('\uFFFD') < 0 ? s : strictDecode(StandardCharsets.UTF_8, b, off, len);
    }

    static String strictDecode(Charset charset, byte[] b, int off, int len) {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(b, off, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String replacingDecode(Charset charset, byte[] b, int off, int len) {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return decoder.decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder reported an error", e);
        }
    }

    private static int halfWidthKatakana(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '\uFF61' && c <= '\uFF9F') {
                n++;
            }
        }
        return n;
    }

    private static String normalize(String label) {
        if (label == null) {
            return "";
        }
        String n = label.trim().toLowerCase(Locale.ROOT);
        if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
            n = n.substring(1, n.length() - 1).trim();
        }
        return n;
    }
}
