package io.mamori.core.attachment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OLE objects of an RTF file, as Word reads them: each {@code \objdata} destination's data decoded and read as an
 * OLE 1.0 object ([MS-OLEDS] 2.2.4 ObjectHeader, 2.2.5 EmbeddedObject, 2.2.6 LinkedObject): its class name, the file
 * it links to, its native data; and each {@code \objclass} destination's text (the class Word shows, which the data
 * may contradict).
 *
 * <p>Hand-written: no Java library Mamori ships reads RTF objects (the JDK's RTF kit drops them, Tika's RTF parser is
 * not shipped), and the documents that carry exploits obfuscate them against parsers, as oletools' rtfobj describes:
 * control words, groups, spaces and {@code \binN} raw bytes inside the hexadecimal data, which Word passes over. So
 * does this: a group inside the data is skipped whole, a control word (with its numeric parameter) and any character
 * that is not a hexadecimal digit are ignored, {@code \binN}'s N bytes are taken as they are; the data ends where its
 * destination's group does. Stateless.
 */
final class RtfObjects {

    /** Objects read per file at most. */
    static final int MAX_OBJECTS = 16;
    /** Bytes of a class name, topic or item read at most (a longer one is damage, not a name). */
    private static final int MAX_NAME = 4096;
    /** Characters of a URL read out of a linked object's native data at most. */
    private static final int MAX_URL = 2048;

    /**
     * One object.
     *
     * @param className  the OLE 1.0 class name in its data ({@code Equation.3}, {@code Package}, {@code OLE2Link},
     *                   {@code Word.Document.8}), else the {@code \objclass} text; {@code null} when neither says
     * @param declared   the {@code \objclass} text before the data, or {@code null}
     * @param linkedFile the file a linked object (format 1) names, or {@code null}
     * @param nativeData an embedded object's native data (format 2), or {@code null}
     */
    record RtfObject(String className, String declared, String linkedFile, byte[] nativeData) {

        /** Whether Word would start the Equation Editor 3.0 for it (EQNEDT32.EXE, by its ProgID). */
        boolean equationEditor() {
            return isEquation(className) || isEquation(declared);
        }

        /** The class name that names the Equation Editor: the data's, else the declared one; {@code null} for none. */
        String equationClass() {
            return isEquation(className) ? className.strip() : isEquation(declared) ? declared.strip() : null;
        }

        private static boolean isEquation(String name) {
            return name != null && name.strip().toLowerCase(Locale.ROOT).startsWith("equation.3");
        }

        /** Whether it is a linked OLE 2 object ({@code OLE2Link}), which fetches its source when updated. */
        boolean ole2Link() {
            return className != null && className.strip().equalsIgnoreCase("OLE2Link");
        }

        /** Whether its native data is an OLE Package (a file embedded with Object Packager). */
        boolean packaged() {
            return className != null && className.strip().equalsIgnoreCase("Package") && nativeData != null;
        }
    }

    private RtfObjects() {
    }

    /** Whether the file has an object destination at all (a byte search, for the common RTF without one). */
    static boolean mayHoldObjects(byte[] rtf) {
        // one pass for "\obj", then the rest of either name
        for (int at = FileSignatures.indexOf(rtf, OBJ, 0); at >= 0; at = FileSignatures.indexOf(rtf, OBJ, at + 1)) {
            if (FileSignatures.startsAt(rtf, at, OBJDATA) || FileSignatures.startsAt(rtf, at, OBJCLASS)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] OBJ = "\\obj".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] OBJDATA = "\\objdata".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJCLASS = "\\objclass".getBytes(StandardCharsets.US_ASCII);

    /**
     * The objects of {@code rtf}, at most {@link #MAX_OBJECTS}, each's data at most {@code maxBytes} decoded; an
     * {@code \objclass} with no data after it is an object of that class without data.
     */
    static List<RtfObject> of(byte[] rtf, int maxBytes) {
        List<RtfObject> objects = new ArrayList<>();
        // every byte of the file is looked at a bounded number of times, however many destinations it holds
        int[] budget = {2 * rtf.length + 1024 * 1024};
        String declared = null;
        int data = FileSignatures.indexOf(rtf, OBJDATA, 0);
        int cls = FileSignatures.indexOf(rtf, OBJCLASS, 0);
        while (objects.size() < MAX_OBJECTS && budget[0] > 0 && (data >= 0 || cls >= 0)) {
            if (cls >= 0 && (data < 0 || cls < data)) {
                int after = cls + OBJCLASS.length;
                cls = FileSignatures.indexOf(rtf, OBJCLASS, after);
                if (!letter(rtf, after)) {
                    if (declared != null) {
                        objects.add(new RtfObject(declared, declared, null, null));
                    }
                    declared = text(rtf, after, budget);
                }
                continue;
            }
            int after = data + OBJDATA.length;
            data = FileSignatures.indexOf(rtf, OBJDATA, after);
            if (!letter(rtf, after)) { // not another control word that begins the same way
                objects.add(object(decode(rtf, after, maxBytes, budget), declared));
                declared = null;
            }
        }
        if (declared != null && objects.size() < MAX_OBJECTS) {
            objects.add(new RtfObject(declared, declared, null, null));
        }
        return objects;
    }

    /** The text of a destination such as {@code \objclass}'s, to its group's end, control words and groups left out. */
    private static String text(byte[] rtf, int from, int[] budget) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (int i = skipDelimiter(rtf, from); i < rtf.length && out.length() < MAX_NAME && budget[0]-- > 0; i++) {
            int c = rtf[i] & 0xff;
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth-- == 0) {
                    break;
                }
            } else if (c == '\\') {
                int[] word = controlWord(rtf, i);
                if (word[1] == HEX_SYMBOL && depth == 0) {
                    out.append((char) word[2]);
                }
                i = word[0] - 1;
            } else if (depth == 0 && c >= 0x20) {
                out.append((char) c);
            }
        }
        return out.toString().strip();
    }

    /** The bytes of an {@code \objdata} destination from {@code from}, as Word decodes them (see the class comment). */
    private static byte[] decode(byte[] rtf, int from, int maxBytes, int[] budget) {
        // hexadecimal data halves in size (raw \binN bytes do not): the buffer starts small and doubles as needed
        byte[] out = new byte[(int) Math.min(Math.min(maxBytes, (rtf.length - (long) from) / 2 + 16), 64 * 1024)];
        int size = 0;
        int depth = 0;
        int high = -1;
        for (int i = skipDelimiter(rtf, from); i < rtf.length && size < maxBytes && budget[0]-- > 0; i++) {
            int c = rtf[i] & 0xff;
            int nibble = HEX[c];
            if (nibble >= 0) {
                if (depth == 0) {
                    if (high < 0) {
                        high = nibble;
                    } else {
                        if (size == out.length) {
                            out = java.util.Arrays.copyOf(out, (int) Math.min(maxBytes, 2L * out.length));
                        }
                        out[size++] = (byte) (high << 4 | nibble);
                        high = -1;
                    }
                }
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth-- == 0) {
                    break;
                }
            } else if (c == '\\') {
                int[] word = controlWord(rtf, i);
                if (word[1] == BIN && depth == 0) {
                    int n = Math.max(0, (int) Math.min(Math.min(word[2], rtf.length - word[0]), maxBytes - size));
                    if (size + n > out.length) {
                        out = java.util.Arrays.copyOf(out, (int) Math.min(maxBytes, Math.max(2L * out.length, size + n)));
                    }
                    System.arraycopy(rtf, word[0], out, size, n);
                    size += n;
                    i = word[0] + n - 1;
                } else {
                    i = word[0] - 1;
                }
            }
        }
        return java.util.Arrays.copyOf(out, size);
    }

    /** The value of each byte as a hexadecimal digit, or -1. */
    private static final byte[] HEX = hexDigits();

    private static byte[] hexDigits() {
        byte[] table = new byte[256];
        java.util.Arrays.fill(table, (byte) -1);
        for (int c = 0; c < 256; c++) {
            int d = Character.digit(c, 16);
            if (d >= 0 && c < 128) {
                table[c] = (byte) d;
            }
        }
        return table;
    }

    private static final int OTHER = 0;
    private static final int BIN = 1;
    private static final int HEX_SYMBOL = 2;

    /**
     * The control word or symbol at {@code at} (a backslash): {end, kind, value}, where end is the index after it
     * (after its delimiting space), kind {@link #BIN} with its parameter as value, {@link #HEX_SYMBOL} ({@code \'hh})
     * with the byte as value, or {@link #OTHER}.
     */
    private static int[] controlWord(byte[] rtf, int at) {
        int i = at + 1;
        if (i >= rtf.length) {
            return new int[] {i, OTHER, 0};
        }
        if (!letter(rtf, i)) {
            if (rtf[i] == '\'' && i + 2 < rtf.length) {
                int h = Character.digit(rtf[i + 1], 16);
                int l = Character.digit(rtf[i + 2], 16);
                if (h >= 0 && l >= 0) {
                    return new int[] {i + 3, HEX_SYMBOL, h << 4 | l};
                }
            }
            return new int[] {i + 1, OTHER, 0}; // a control symbol: \* \{ \\ and the like
        }
        int start = i;
        while (i < rtf.length && letter(rtf, i) && i - start < 32) {
            i++;
        }
        boolean bin = i - start == 3 && rtf[start] == 'b' && rtf[start + 1] == 'i' && rtf[start + 2] == 'n';
        long param = 0;
        boolean negative = i < rtf.length && rtf[i] == '-';
        if (negative) {
            i++;
        }
        int digits = 0;
        while (i < rtf.length && rtf[i] >= '0' && rtf[i] <= '9' && digits < 10) {
            param = param * 10 + (rtf[i] - '0');
            i++;
            digits++;
        }
        if (i < rtf.length && rtf[i] == ' ') {
            i++;
        }
        return new int[] {i, bin && !negative ? BIN : OTHER, (int) Math.min(param, Integer.MAX_VALUE)};
    }

    private static int skipDelimiter(byte[] rtf, int at) {
        return at < rtf.length && rtf[at] == ' ' ? at + 1 : at;
    }

    private static boolean letter(byte[] rtf, int at) {
        return at < rtf.length && ((rtf[at] >= 'a' && rtf[at] <= 'z') || (rtf[at] >= 'A' && rtf[at] <= 'Z'));
    }

    /**
     * An OLE 1.0 object: OLEVersion (4 bytes, which Word ignores), FormatID (4: 1 linked, 2 embedded), ClassName,
     * TopicName and ItemName (each a LengthPrefixedAnsiString: a 4-byte length counting its NUL, then the bytes);
     * an embedded object then has NativeDataSize (4) and NativeData, a linked one names its file in TopicName. Data
     * that is not such an object is an object of the declared class without data.
     */
    private static RtfObject object(byte[] b, String declared) {
        int[] at = {4};
        long format = u32(b, at);
        String className = string(b, at);
        String topic = string(b, at);
        String item = string(b, at);
        if (className == null || topic == null || item == null || (format != 1 && format != 2)) {
            return new RtfObject(declared, declared, null, null);
        }
        String cls = className.isEmpty() ? declared : className;
        if (format == 1) {
            return new RtfObject(cls, declared, topic.isEmpty() ? null : topic, null);
        }
        long size = u32(b, at);
        if (size < 0) {
            return new RtfObject(cls, declared, null, null);
        }
        int n = (int) Math.min(size, b.length - at[0]);
        return new RtfObject(cls, declared, null, java.util.Arrays.copyOfRange(b, at[0], at[0] + n));
    }

    private static long u32(byte[] b, int[] at) {
        if (at[0] + 4 > b.length) {
            return -1;
        }
        int i = at[0];
        at[0] += 4;
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
    }

    private static String string(byte[] b, int[] at) {
        long length = u32(b, at);
        if (length < 0 || length > MAX_NAME || at[0] + length > b.length) {
            return null;
        }
        int n = (int) length;
        while (n > 0 && b[at[0] + n - 1] == 0) {
            n--;
        }
        String s = new String(b, at[0], n, StandardCharsets.ISO_8859_1);
        at[0] += (int) length;
        return s;
    }

    /**
     * The first URL or UNC path in UTF-16LE in a linked object's native data (an OLE2Link object's moniker holds
     * its source so: {@code http://…}, {@code \\host\share\…}), or {@code null}.
     */
    static String linkedUrl(byte[] nativeData) {
        for (int i = 0; i + 8 <= nativeData.length; i++) {
            if (startsWide(nativeData, i, "http:") || startsWide(nativeData, i, "https:")
                    || startsWide(nativeData, i, "\\\\") || startsWide(nativeData, i, "file:")) {
                StringBuilder url = new StringBuilder();
                for (int j = i; j + 1 < nativeData.length && url.length() < MAX_URL; j += 2) {
                    char c = (char) ((nativeData[j] & 0xff) | (nativeData[j + 1] & 0xff) << 8);
                    if (c == 0) {
                        break;
                    }
                    url.append(c);
                }
                return url.toString();
            }
        }
        return null;
    }

    private static boolean startsWide(byte[] b, int at, String ascii) {
        if (at + 2 * ascii.length() > b.length) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (Character.toLowerCase((char) (b[at + 2 * k] & 0xff)) != ascii.charAt(k) || b[at + 2 * k + 1] != 0) {
                return false;
            }
        }
        return true;
    }
}
