package io.mamori.core.impersonation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The confusable skeleton of UTS #39 section 4 ({@code skeleton(X) = NFD(map(NFD(X)))}) from the shipped Unicode
 * {@code confusables.txt}. Written here rather than taken from ICU4J's SpoofChecker because the data file and
 * these few lines do the job, where ICU4J would add 15 MB to the gateway for one function. The skeleton is
 * lower-cased afterwards: the data maps {@code 0} to {@code O} but leaves {@code o} alone, and domain names are
 * case-insensitive anyway. Immutable and thread-safe.
 */
final class ConfusableSkeleton {

    private static final String RESOURCE = "confusables.txt";
    private static final ConfusableSkeleton BUILT_IN = load();

    private final Map<Integer, String> prototypes;
    /** The prototypes of the Latin-1 code points (null: none), where most of a domain name's characters are. */
    private final String[] latin1 = new String[0x100];

    private ConfusableSkeleton(Map<Integer, String> prototypes) {
        this.prototypes = Map.copyOf(prototypes);
        for (int c = 0; c < latin1.length; c++) {
            latin1[c] = this.prototypes.get(c);
        }
    }

    static ConfusableSkeleton builtIn() {
        return BUILT_IN;
    }

    String skeleton(String text) {
        String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder mapped = new StringBuilder(nfd.length());
        // a loop with a table for Latin-1 rather than a stream of code points each boxed and looked up in the map
        for (int i = 0; i < nfd.length(); ) {
            int c = nfd.codePointAt(i);
            i += Character.charCount(c);
            String prototype = prototypeOf(c);
            if (prototype == null) {
                mapped.appendCodePoint(c);
            } else {
                mapped.append(prototype);
            }
        }
        return Normalizer.normalize(mapped, Normalizer.Form.NFD).toLowerCase(Locale.ROOT);
    }

    /** The prototype of a code point in the data, or null. */
    String prototypeOf(int c) {
        return c >= 0 && c < latin1.length ? latin1[c] : prototypes.get(c);
    }

    /** The prototype as the data's map gives it (what {@link #prototypeOf} gives, read from the map alone). */
    String prototypeInData(int c) {
        return prototypes.get(c);
    }

    private static ConfusableSkeleton load() {
        Map<Integer, String> prototypes = new HashMap<>();
        try (InputStream in = ConfusableSkeleton.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                // Format: "source ; target code points ; type # comment"; the first line may carry a BOM.
                int hash = line.indexOf('#');
                String data = (hash < 0 ? line : line.substring(0, hash)).replace("\uFEFF", "").strip();
                if (data.isEmpty()) {
                    continue;
                }
                int first = data.indexOf(';');
                int second = first < 0 ? -1 : data.indexOf(';', first + 1);
                if (first < 0) {
                    continue;
                }
                String targets = data.substring(first + 1, second < 0 ? data.length() : second);
                StringBuilder target = new StringBuilder();
                int i = 0;
                while (i < targets.length()) {
                    while (i < targets.length() && targets.charAt(i) <= ' ') {
                        i++;
                    }
                    int end = i;
                    while (end < targets.length() && targets.charAt(end) > ' ') {
                        end++;
                    }
                    if (end > i) {
                        target.appendCodePoint(Integer.parseInt(targets, i, end, 16));
                    }
                    i = end;
                }
                prototypes.put(Integer.parseInt(data.substring(0, first).strip(), 16), target.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new ConfusableSkeleton(prototypes);
    }
}
