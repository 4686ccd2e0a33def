package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PublicSuffixListTest {

    private static final Pattern CASE = Pattern.compile("^checkPublicSuffix\\((null|'[^']*'), (null|'[^']*')\\);");

    static Stream<Arguments> upstreamCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        try (InputStream in = PublicSuffixListTest.class.getResourceAsStream("test_psl.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = CASE.matcher(line.strip());
                if (m.find()) {
                    cases.add(Arguments.of(unquote(m.group(1)), unquote(m.group(2))));
                }
            }
        }
        assertThat(cases).hasSizeGreaterThan(60);
        return cases.stream();
    }

    private static String unquote(String s) {
        return s.equals("null") ? null : s.substring(1, s.length() - 1);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("upstreamCases")
    void passesTheListsOwnConformanceCases(String host, String expected) {
        Optional<String> actual = PublicSuffixList.builtIn().registrableDomain(host);
        // The upstream cases give Unicode hosts Unicode answers; ours are ASCII, so compare in ASCII.
        assertThat(actual.orElse(null)).isEqualTo(expected == null ? null : PublicSuffixList.ascii(expected));
    }

    @Test
    void japaneseSecondLevelDomainsKeepTheirOrganisationLabel() {
        assertThat(PublicSuffixList.builtIn().registrableDomain("mail.sample-shoji.co.jp")).contains("sample-shoji.co.jp");
        assertThat(PublicSuffixList.builtIn().registrableDomain("www.city.shibuya.tokyo.jp")).contains("city.shibuya.tokyo.jp");
        assertThat(PublicSuffixList.builtIn().hasKnownTld("paypal.com")).isTrue();
        assertThat(PublicSuffixList.builtIn().hasKnownTld("v1.2")).isFalse();
    }

    @Test
    void readingTheBytesGivesTheRulesTheLineReaderGave() throws IOException {
        byte[] data;
        try (InputStream in = PublicSuffixList.class.getResourceAsStream("public_suffix_list.dat")) {
            data = in.readAllBytes();
        }
        // the shipped list, the same with CRLF and CR line ends, and odd lines: spacing, an ideographic space, no newline
        String text = new String(data, StandardCharsets.UTF_8);
        List<String> variants = List.of(text, text.replace("\n", "\r\n"), text.replace("\n", "\r"),
                "  com  \n\t*.kawasaki.jp // comment\n!city.kawasaki.jp\u001f\n// c\n\u3000食狮.中国 x\n*.\n!\nEXAMPLE.Org");
        for (String variant : variants) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            List<Set<String>> expected = lineReader(bytes);
            PublicSuffixList parsed = PublicSuffixList.parse(bytes);
            assertThat(parsed.rules()).isEqualTo(expected.get(0));
            assertThat(parsed.wildcards()).isEqualTo(expected.get(1));
            assertThat(parsed.exceptions()).isEqualTo(expected.get(2));
        }
        assertThat(PublicSuffixList.builtIn().rules()).hasSizeGreaterThan(9000).contains("co.jp", "xn--fiqs8s");
    }

    /** How the list was read before (BufferedReader lines, strip, IDNA for non-ASCII rules): rules, wildcards, exceptions. */
    private static List<Set<String>> lineReader(byte[] data) throws IOException {
        Set<String> rules = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        Set<String> exceptions = new HashSet<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            String rule = line.strip();
            for (int i = 0; i < rule.length(); i++) {
                if (" \t\n\u000B\f\r".indexOf(rule.charAt(i)) >= 0) {
                    rule = rule.substring(0, i);
                    break;
                }
            }
            if (rule.isEmpty() || rule.startsWith("//")) {
                continue;
            }
            Set<String> set = rule.startsWith("!") ? exceptions : rule.startsWith("*.") ? wildcards : rules;
            String r = rule.startsWith("!") ? rule.substring(1) : rule.startsWith("*.") ? rule.substring(2) : rule;
            String ascii = r.chars().allMatch(c -> c < 0x80) ? r.toLowerCase(Locale.ROOT) : PublicSuffixList.ascii(r);
            if (ascii != null) {
                set.add(ascii);
            }
        }
        return List.of(rules, wildcards, exceptions);
    }
}
