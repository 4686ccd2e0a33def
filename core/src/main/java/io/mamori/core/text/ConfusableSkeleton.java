package io.mamori.core.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The confusable skeleton of UTS #39 section 4 from the shipped Unicode {@code confusables.txt}: the text in NFD,
 * without its default-ignorable code points (zero-width spaces and joiners, bidirectional controls, variation
 * selectors, soft hyphens: invisible, so {@code pay\u200Bpal} looks like and has the skeleton of {@code paypal}), each
 * character replaced by its prototype, and the result in NFD again. Written here rather than taken from ICU4J's
 * SpoofChecker because the data file and these few lines do the job, where ICU4J would add 15 MB to the gateway for
 * one function; a test compares every code point with ICU4J's (the same Unicode version). One difference remains:
 * the JDK's normaliser (Unicode 13 in JDK 17) does not decompose the few precomposed letters of scripts added since
 * (Vithkuqi, Tulu-Tigalari, Kirat Rai, …). The skeleton is lower-cased afterwards: the data maps {@code 0} to
 * {@code O} but leaves {@code o} alone, and domain names are case-insensitive anyway. Immutable and thread-safe.
 */
public final class ConfusableSkeleton {

    private static final String RESOURCE = "confusables.txt";
    private static final ConfusableSkeleton BUILT_IN = load();

    private final Map<Integer, String> prototypes;
    /** The prototypes of the Latin-1 code points (null: none), where most of a domain name's characters are. */
    private final String[] latin1 = new String[0x100];

    private ConfusableSkeleton(Map<Integer, String> prototypes) {
        // kept as built (a copy of 6,500 entries cost start-up time); no one else holds the map
        this.prototypes = Collections.unmodifiableMap(prototypes);
        for (int c = 0; c < latin1.length; c++) {
            latin1[c] = this.prototypes.get(c);
        }
    }

    public static ConfusableSkeleton builtIn() {
        return BUILT_IN;
    }

    public String skeleton(String text) {
        String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder mapped = new StringBuilder(nfd.length());
        // a loop with a table for Latin-1 rather than a stream of code points each boxed and looked up in the map
        for (int i = 0; i < nfd.length(); ) {
            int c = nfd.codePointAt(i);
            i += Character.charCount(c);
            if (defaultIgnorable(c)) {
                continue;
            }
            String prototype = prototypeOf(c);
            if (prototype == null) {
                mapped.appendCodePoint(c);
            } else {
                mapped.append(prototype);
            }
        }
        return Normalizer.normalize(mapped, Normalizer.Form.NFD).toLowerCase(Locale.ROOT);
    }

    /**
     * The code points with the property Default_Ignorable_Code_Point, first and last of each range, from Unicode 17.0's
     * {@code DerivedCoreProperties.txt} (17 ranges; the JDK has no accessor for the property).
     */
    private static final int[] DEFAULT_IGNORABLE = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x061C, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180F,
        0x200B, 0x200F, 0x202A, 0x202E, 0x2060, 0x206F, 0x3164, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFEFF,
        0xFFA0, 0xFFA0, 0xFFF0, 0xFFF8, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0FFF,
    };

    /** Whether the code point is default-ignorable (invisible, left out of the skeleton). */
    public static boolean defaultIgnorable(int c) {
        if (c < 0xAD) {
            return false;
        }
        for (int i = 0; i < DEFAULT_IGNORABLE.length; i += 2) {
            if (c < DEFAULT_IGNORABLE[i]) {
                return false;
            }
            if (c <= DEFAULT_IGNORABLE[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The prototype of a code point in the data, or null. */
    public String prototypeOf(int c) {
        return c >= 0 && c < latin1.length ? latin1[c] : prototypes.get(c);
    }

    /** The prototype as the data's map gives it (what {@link #prototypeOf} gives, read from the map alone). */
    public String prototypeInData(int c) {
        return prototypes.get(c);
    }

    private static ConfusableSkeleton load() {
        try (InputStream in = ConfusableSkeleton.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new ConfusableSkeleton(parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The prototypes of the bytes of a {@code confusables.txt} (UTF-8). Format: "source ; target code points ; type #
     * comment"; the first line may carry a BOM. The fields before the comment are hexadecimal code points in ASCII, so
     * they are read from the bytes: decoding the whole file into lines of text (750 KB, its comments full of the
     * characters they describe) cost more than the rest of reading it, at every start of an offline command.
     */
    static Map<Integer, String> parse(byte[] data) {
        Map<Integer, String> prototypes = new HashMap<>();
        int start = data.length >= 3 && (data[0] & 0xff) == 0xEF && (data[1] & 0xff) == 0xBB && (data[2] & 0xff) == 0xBF
                ? 3 : 0;
        while (start < data.length) {
            int end = start;
            int hash = -1;
            while (end < data.length && data[end] != '\n' && data[end] != '\r') {
                if (hash < 0 && data[end] == '#') {
                    hash = end;
                }
                end++;
            }
            int dataEnd = hash < 0 ? end : hash;
            int first = indexOf(data, ';', start, dataEnd);
            if (first >= 0) {
                int second = indexOf(data, ';', first + 1, dataEnd);
                StringBuilder target = new StringBuilder();
                int i = first + 1;
                int targetsEnd = second < 0 ? dataEnd : second;
                while (i < targetsEnd) {
                    while (i < targetsEnd && (data[i] & 0xff) <= ' ') {
                        i++;
                    }
                    int tokenEnd = i;
                    while (tokenEnd < targetsEnd && (data[tokenEnd] & 0xff) > ' ') {
                        tokenEnd++;
                    }
                    if (tokenEnd > i) {
                        target.appendCodePoint(hex(data, i, tokenEnd));
                    }
                    i = tokenEnd;
                }
                int sourceStart = start;
                int sourceEnd = first;
                while (sourceStart < sourceEnd && (data[sourceStart] & 0xff) <= ' ') {
                    sourceStart++;
                }
                while (sourceEnd > sourceStart && (data[sourceEnd - 1] & 0xff) <= ' ') {
                    sourceEnd--;
                }
                prototypes.put(hex(data, sourceStart, sourceEnd), target.toString());
            }
            start = end + 1;
        }
        return prototypes;
    }

    private static int indexOf(byte[] data, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** A hexadecimal number in ASCII, as {@code Integer.parseInt(s, 16)} reads it (which names a malformed one). */
    private static int hex(byte[] data, int from, int to) {
        return Integer.parseInt(new String(data, from, to - from, StandardCharsets.ISO_8859_1), 16);
    }
}
