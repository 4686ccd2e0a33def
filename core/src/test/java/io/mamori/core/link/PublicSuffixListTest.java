package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
}
