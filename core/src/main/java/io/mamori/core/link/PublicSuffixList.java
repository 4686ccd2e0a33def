package io.mamori.core.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The registrable domain ("eTLD+1") of a host name by the Public Suffix List algorithm
 * (https://publicsuffix.org/list/: normal, wildcard and exception rules, the longest matching rule prevails,
 * an exception beats a wildcard, unlisted TLDs count as public suffixes). Hand-written rather than Guava's
 * {@code InternetDomainName}: the algorithm is twenty lines, the list stays plain data that an operator can
 * replace without a new release, and core keeps one dependency fewer. Rules are compared in their ASCII
 * (punycode) form, so {@code 食狮.中国} and {@code xn--85x722f.xn--fiqs8s} give the same answer.
 * Immutable and thread-safe.
 */
public final class PublicSuffixList {

    private static final String RESOURCE = "public_suffix_list.dat";
    /** Where a rule ends: the first of these whitespace characters. */
    private static final String RULE_END = " \t\n\u000B\f\r";
    private static final PublicSuffixList BUILT_IN = load();

    private final Set<String> rules;
    private final Set<String> wildcards;
    private final Set<String> exceptions;

    /** Takes the sets as they are (built for this list alone; copying 10,000 rules cost start-up time). */
    private PublicSuffixList(Set<String> rules, Set<String> wildcards, Set<String> exceptions) {
        this.rules = Collections.unmodifiableSet(rules);
        this.wildcards = Collections.unmodifiableSet(wildcards);
        this.exceptions = Collections.unmodifiableSet(exceptions);
    }

    Set<String> rules() {
        return rules;
    }

    Set<String> wildcards() {
        return wildcards;
    }

    Set<String> exceptions() {
        return exceptions;
    }

    /** The list shipped in core's resources (loaded once). */
    public static PublicSuffixList builtIn() {
        return BUILT_IN;
    }

    /**
     * The registrable domain of a host, lower-case ASCII, e.g. {@code example.co.jp} for {@code www.example.co.jp};
     * empty when the host is itself a public suffix, is not a valid domain name (empty labels, a leading dot)
     * or cannot be converted to ASCII. IP literals are not domain names: callers check for them first.
     */
    public Optional<String> registrableDomain(String host) {
        String ascii = ascii(host);
        if (ascii == null) {
            return Optional.empty();
        }
        String[] labels = ascii.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return Optional.empty();
            }
        }
        int suffixStart = labels.length - 1;
        for (int i = 0; i < labels.length; i++) {
            String candidate = join(labels, i);
            if (exceptions.contains(candidate)) {
                suffixStart = i + 1;
                break;
            }
            if (rules.contains(candidate) || (i + 1 < labels.length && wildcards.contains(join(labels, i + 1)))) {
                suffixStart = i;
                break;
            }
        }
        return suffixStart == 0 ? Optional.empty() : Optional.of(join(labels, suffixStart - 1));
    }

    /** Whether the last label of a name is a top-level domain the list knows (to tell a domain from {@code v1.2}). */
    public boolean hasKnownTld(String host) {
        String ascii = ascii(host);
        if (ascii == null) {
            return false;
        }
        String tld = ascii.substring(ascii.lastIndexOf('.') + 1);
        return rules.contains(tld) || wildcards.contains(tld) || exceptions.contains(tld);
    }

    /** Lower-case ASCII form of a host name, a trailing root dot removed; {@code null} when it is not one. */
    static String ascii(String host) {
        if (host == null || host.isEmpty() || host.length() > 253 * 4) {
            return null;
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        try {
            return IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String join(String[] labels, int from) {
        return String.join(".", java.util.Arrays.asList(labels).subList(from, labels.length));
    }

    private static PublicSuffixList load() {
        try (InputStream in = PublicSuffixList.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The list from the bytes of a {@code public_suffix_list.dat} (UTF-8). The format: one rule per line, up to the
     * first whitespace; "//" starts a comment line. Lines of ASCII (all but a few hundred of 16,000) are read from
     * the bytes as they are, without decoding the file into strings line by line: that decoding was the larger part
     * of reading the list at every start of an offline command. Any other line is decoded and read as a string, the
     * same way.
     */
    static PublicSuffixList parse(byte[] data) {
        Set<String> rules = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        Set<String> exceptions = new HashSet<>();
        int start = 0;
        while (start < data.length) {
            // lines end at LF, CR or CRLF, as BufferedReader.readLine reads them
            int end = start;
            boolean ascii = true;
            while (end < data.length && data[end] != '\n' && data[end] != '\r') {
                ascii &= data[end] >= 0;
                end++;
            }
            if (ascii) {
                asciiLine(data, start, end, rules, wildcards, exceptions);
            } else {
                line(new String(data, start, end - start, StandardCharsets.UTF_8), rules, wildcards, exceptions);
            }
            start = end < data.length && data[end] == '\r' && end + 1 < data.length && data[end + 1] == '\n'
                    ? end + 2 : end + 1;
        }
        return new PublicSuffixList(rules, wildcards, exceptions);
    }

    /** One line of ASCII: as {@link #line}, on its bytes. */
    private static void asciiLine(byte[] data, int from, int to, Set<String> rules, Set<String> wildcards,
            Set<String> exceptions) {
        int start = from;
        int end = to;
        while (start < end && Character.isWhitespace(data[start])) {
            start++;
        }
        while (end > start && Character.isWhitespace(data[end - 1])) {
            end--;
        }
        for (int i = start; i < end; i++) {
            if (RULE_END.indexOf(data[i]) >= 0) {
                end = i;
                break;
            }
        }
        if (end == start || (end - start >= 2 && data[start] == '/' && data[start + 1] == '/')) {
            return;
        }
        if (data[start] == '!') {
            exceptions.add(lowerAscii(data, start + 1, end));
        } else if (end - start >= 2 && data[start] == '*' && data[start + 1] == '.') {
            wildcards.add(lowerAscii(data, start + 2, end));
        } else {
            rules.add(lowerAscii(data, start, end));
        }
    }

    private static String lowerAscii(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static void line(String line, Set<String> rules, Set<String> wildcards, Set<String> exceptions) {
        // A loop rather than split("\\s"): that compiles a regular expression for each line.
        String rule = line.strip();
        for (int i = 0; i < rule.length(); i++) {
            if (RULE_END.indexOf(rule.charAt(i)) >= 0) {
                rule = rule.substring(0, i);
                break;
            }
        }
        if (rule.isEmpty() || rule.startsWith("//")) {
            return;
        }
        if (rule.startsWith("!")) {
            add(exceptions, rule.substring(1));
        } else if (rule.startsWith("*.")) {
            add(wildcards, rule.substring(2));
        } else {
            add(rules, rule);
        }
    }

    private static void add(Set<String> set, String rule) {
        // most rules are ASCII already; IDNA conversion of all 10,000 would be a good part of start-up time
        String ascii = rule.chars().allMatch(c -> c < 0x80) ? rule.toLowerCase(Locale.ROOT) : ascii(rule);
        if (ascii != null) {
            set.add(ascii);
        }
    }
}
