package io.mamori.console.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TotpTest {

    private final Totp totp = new Totp(new SecureRandom());

    /** RFC 6238 Appendix B, SHA-1 rows (the test key is the ASCII string "12345678901234567890"). */
    @Test
    void codesMatchTheRfc6238TestVectors() {
        byte[] key = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        // The RFC lists 8-digit values; authenticator apps show the last 6 digits of the same truncation.
        assertThat(totp.code(key, Totp.step(Instant.ofEpochSecond(59)))).isEqualTo("287082");
        assertThat(totp.code(key, Totp.step(Instant.ofEpochSecond(1111111109)))).isEqualTo("081804");
        assertThat(totp.code(key, Totp.step(Instant.ofEpochSecond(1234567890)))).isEqualTo("005924");
        assertThat(totp.code(key, Totp.step(Instant.ofEpochSecond(2000000000)))).isEqualTo("279037");
    }

    @Test
    void aCodeMatchesItsStepAndOneStepEitherSideOnly() {
        byte[] key = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        Instant now = Instant.ofEpochSecond(1111111109);
        long step = Totp.step(now);
        assertThat(totp.matchingStep(key, totp.code(key, step), now)).hasValue(step);
        assertThat(totp.matchingStep(key, totp.code(key, step - 1), now)).hasValue(step - 1);
        assertThat(totp.matchingStep(key, totp.code(key, step + 1), now)).hasValue(step + 1);
        assertThat(totp.matchingStep(key, totp.code(key, step - 2), now)).isEmpty();
        assertThat(totp.matchingStep(key, "12345", now)).isEmpty();
        assertThat(totp.matchingStep(key, "abcdef", now)).isEmpty();
        assertThat(totp.matchingStep(key, null, now)).isEmpty();
    }

    @Test
    void theOtpauthUriCarriesIssuerAccountAndBase32Key() {
        byte[] key = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        assertThat(Totp.otpauthUri("Mamori", "taro@example.co.jp", key)).isEqualTo(
                "otpauth://totp/Mamori:taro%40example.co.jp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Mamori"
                        + "&algorithm=SHA1&digits=6&period=30");
        assertThat(Totp.displaySecret(key)).isEqualTo("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
    }

    @Test
    void theQrCodeIsAPngDataUri() {
        String uri = QrCodes.pngDataUri("otpauth://totp/Mamori:a%40example.co.jp?secret=GEZDGNBV");
        assertThat(uri).startsWith("data:image/png;base64,iVBORw0KGgo");
    }
}
