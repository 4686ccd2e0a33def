package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How an added header field is written: folded so that no line passes 998 characters, and 78 where it can. */
class TraceFieldsTest {

    private static List<String> lines(String field) {
        assertThat(field).endsWith("\r\n");
        return List.of(field.substring(0, field.length() - 2).split("\r\n", -1));
    }

    @Test
    void aShortFieldIsOneLineAsItWas() {
        assertThat(new TraceFields.Field("Authentication-Results", "mx.example.co.jp; spf=pass; arc=none").foldedAt(';'))
                .isEqualTo("Authentication-Results: mx.example.co.jp; spf=pass; arc=none\r\n");
        assertThat(new TraceFields.Field("X-Mamori-Verdict", "DELIVER; score=0.00; findings=none").foldedAt(','))
                .isEqualTo("X-Mamori-Verdict: DELIVER; score=0.00; findings=none\r\n");
    }

    @Test
    void authenticationResultsIsFoldedAfterItsSemicolonsIntoLinesOf78() {
        StringBuilder value = new StringBuilder("mx.example.co.jp; spf=none smtp.mailfrom=example.com");
        for (int i = 0; i < 8; i++) {
            value.append("; dkim=permerror (no key record at sel._domainkey.example.com) header.d=example.com header.s=s")
                    .append(i);
        }
        value.append("; dmarc=none header.from=example.com; arc=none");

        String field = new TraceFields.Field("Authentication-Results", value.toString()).foldedAt(';');

        assertThat(lines(field)).hasSizeGreaterThan(9).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(999))
                .filteredOn(l -> !l.contains("dkim=")).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(79));
        assertThat(lines(field).subList(1, lines(field).size())).allSatisfy(l -> assertThat(l).startsWith("\t").doesNotStartWith("\t "));
        // unfolding (RFC 5322 §2.2.3) and reading CFWS as one space gives the value back
        assertThat(field.replace(";\r\n\t", "; ")).isEqualTo("Authentication-Results: " + value + "\r\n");
    }

    @Test
    void aVerdictWithManyFindingsIsFoldedBetweenTheCodes() {
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < 124; i++) {
            codes.append(i == 0 ? "" : ",").append("FINDING_CODE_NUMBER_").append(i);
        }
        String value = "QUARANTINE; score=99.00; findings=" + codes + "; disarmed=1";

        String field = new TraceFields.Field("X-Mamori-Verdict", value).foldedAt(',');

        assertThat(lines(field)).hasSizeGreaterThan(30).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(79));
        assertThat(field.replace(",\r\n\t", ",")).isEqualTo("X-Mamori-Verdict: " + value + "\r\n");
    }

    @Test
    void aPartLongerThanALineMayBeIsFoldedAtItsSpacesOrCut() {
        String words = "word ".repeat(400).strip();
        String field = new TraceFields.Field("X-Test", "a; " + words + "; " + "x".repeat(2500)).foldedAt(';');

        assertThat(lines(field)).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(999));
        assertThat(field.replace("\r\n\t", " ")).contains("a; " + words + "; x");
    }
}
