package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    static final Instant T = Instant.parse("2026-11-28T01:00:00Z");

    static AuditEntry entry(String actor, String source, String before, String after) {
        return new AuditEntry(T, actor, source, "a.b", "o", before, after, true);
    }

    @Test
    void fieldsThatConcatenateAlikeStillEncodeDifferently() {
        assertThat(AuditChain.encode(1, entry("ab", "c", null, null), AuditChain.GENESIS))
                .isNotEqualTo(AuditChain.encode(1, entry("a", "bc", null, null), AuditChain.GENESIS));
        assertThat(AuditChain.hash(1, entry("a", "b", null, ""), AuditChain.GENESIS))
                .as("null and empty differ").isNotEqualTo(AuditChain.hash(1, entry("a", "b", "", null), AuditChain.GENESIS));
    }

    @Test
    void theEncodingIsTheDocumentedLayout() {
        byte[] e = AuditChain.encode(7, new AuditEntry(Instant.ofEpochSecond(0, 1_000), "A", "B", "C", "D", null, "É", true),
                AuditChain.GENESIS);
        String hex = HexFormat.of().formatHex(e);
        assertThat(hex).isEqualTo(HexFormat.of().formatHex("MAMORI-AUDIT-1\n".getBytes())
                + "0000000000000007" + "0000000000000001"
                + "0000000141" + "0000000142" + "0000000143" + "0000000144" + "ffffffff" + "00000002c389"
                + "01" + "00".repeat(32));
    }

    @Test
    void everyFieldAndThePreviousHashChangeTheHash() {
        String base = AuditChain.hash(1, entry("a", "b", "c", "d"), AuditChain.GENESIS);
        assertThat(AuditChain.hash(2, entry("a", "b", "c", "d"), AuditChain.GENESIS)).isNotEqualTo(base);
        assertThat(AuditChain.hash(1, entry("a", "b", "c", "e"), AuditChain.GENESIS)).isNotEqualTo(base);
        assertThat(AuditChain.hash(1, entry("a", "b", "c", "d"), "1".repeat(64))).isNotEqualTo(base);
        assertThat(AuditChain.hash(1, new AuditEntry(T.plusNanos(1000), "a", "b", "a.b", "o", "c", "d", true),
                AuditChain.GENESIS)).isNotEqualTo(base);
        assertThat(AuditChain.hash(1, new AuditEntry(T, "a", "b", "a.b", "o", "c", "d", false), AuditChain.GENESIS))
                .isNotEqualTo(base);
        assertThat(base).matches("[0-9a-f]{64}");
    }

    @Test
    void aMalformedPreviousHashIsRefused() {
        assertThatThrownBy(() -> AuditChain.hash(1, entry("a", "b", null, null), "XYZ"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("previous hash");
    }

    @Test
    void anchorsParseAsPrinted() {
        assertThat(AuditAnchor.parse("42:" + "AB".repeat(32))).isEqualTo(new AuditAnchor(42, "ab".repeat(32)));
        assertThatThrownBy(() -> AuditAnchor.parse("42")).hasMessageContaining("SEQ:HASH");
        assertThatThrownBy(() -> AuditAnchor.parse("x:" + "ab".repeat(32))).hasMessageContaining("not a number");
    }

    @Test
    void timesGivenByPeopleParseInTheirZone() {
        java.time.ZoneId tokyo = java.time.ZoneId.of("Asia/Tokyo");
        assertThat(AuditFilter.parseTime("2026-11-28", tokyo)).isEqualTo(Instant.parse("2026-11-27T15:00:00Z"));
        assertThat(AuditFilter.parseTime("2026-11-28T10:00", tokyo)).isEqualTo(Instant.parse("2026-11-28T01:00:00Z"));
        assertThat(AuditFilter.parseTime("2026-11-28T10:00+09:00", tokyo)).isEqualTo(Instant.parse("2026-11-28T01:00:00Z"));
        assertThat(AuditFilter.parseTime("2026-11-28T01:00:00Z", tokyo)).isEqualTo(Instant.parse("2026-11-28T01:00:00Z"));
        assertThatThrownBy(() -> AuditFilter.parseTime("yesterday", tokyo)).hasMessageContaining("not a time: 'yesterday'");
    }
}
