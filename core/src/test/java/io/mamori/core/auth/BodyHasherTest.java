package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BodyHasherTest {

    private static byte[] line(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void finishingTwiceGivesTheSameHashForEverySignatureSharingTheHasher() throws Exception {
        BodyHasher h = new BodyHasher(true, "SHA-256", -1);
        h.line(line("Hello  \t world  "));
        h.line(line(""));
        byte[] first = h.finish();
        byte[] second = h.finish();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(line("Hello world\r\n"));
        assertThat(first).isEqualTo(expected);
        assertThat(second).isEqualTo(expected);
        // a caller changing its copy does not change what the next signature gets
        first[0] ^= 1;
        assertThat(h.finish()).isEqualTo(expected);
    }

    @Test
    void onlyHashersWithTheSameCanonicalizationAlgorithmAndLimitAreShared() {
        BodyHasher relaxed = new BodyHasher(true, "SHA-256", -1);
        assertThat(relaxed.sameHashAs(new BodyHasher(true, "SHA-256", -1))).isTrue();
        assertThat(relaxed.sameHashAs(new BodyHasher(false, "SHA-256", -1))).isFalse();
        assertThat(relaxed.sameHashAs(new BodyHasher(true, "SHA-1", -1))).isFalse();
        assertThat(relaxed.sameHashAs(new BodyHasher(true, "SHA-256", 10))).isFalse();
    }

    @Test
    void anEmptySimpleBodyHashesAsOneLineBreakEvenWhenFinishedTwice() {
        BodyHasher simple = new BodyHasher(false, "SHA-256", -1);
        // RFC 6376 §3.4.3: the well-known body hash of an empty body in simple canonicalization
        String expected = "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=";
        assertThat(Base64.getEncoder().encodeToString(simple.finish())).isEqualTo(expected);
        assertThat(Base64.getEncoder().encodeToString(simple.finish())).isEqualTo(expected);
        assertThat(simple.canonicalLength()).isEqualTo(2);
    }
}
