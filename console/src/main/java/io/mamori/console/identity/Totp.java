package io.mamori.console.identity;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * RFC 6238 time-based one-time passwords as authenticator apps (Google Authenticator, Microsoft Authenticator,
 * 1Password …) implement them: HMAC-SHA1, 30-second steps, 6 digits, 160-bit keys (RFC 4226 §4). A code is
 * accepted for the current step and one step either side (RFC 6238 §5.2: clock drift and typing time); older
 * codes have expired. Replay is refused by the caller remembering the last accepted step.
 *
 * <p>Thread-safe.
 */
public final class Totp {

    public static final Duration STEP = Duration.ofSeconds(30);
    private static final int SECRET_BYTES = 20;
    private static final int DIGITS = 6;

    private final TimeBasedOneTimePasswordGenerator generator = new TimeBasedOneTimePasswordGenerator(STEP, DIGITS);
    private final SecureRandom random;

    public Totp(SecureRandom random) {
        this.random = random;
    }

    byte[] newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return secret;
    }

    /** The key as people type it into an app: RFC 4648 base32 without padding, in groups of four. */
    static String displaySecret(byte[] secret) {
        String base32 = new Base32().encodeAsString(secret).replace("=", "");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < base32.length(); i += 4) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(base32, i, Math.min(base32.length(), i + 4));
        }
        return out.toString();
    }

    /** The {@code otpauth://} URI (Key Uri Format) that the QR code carries. */
    static String otpauthUri(String issuer, String account, byte[] secret) {
        String base32 = new Base32().encodeAsString(secret).replace("=", "");
        String label = encode(issuer) + ":" + encode(account);
        return "otpauth://totp/" + label + "?secret=" + base32 + "&issuer=" + encode(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP.toSeconds();
    }

    static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), STEP.toSeconds());
    }

    /** The code of one time step, as an app shows it. */
    String code(byte[] secret, long step) {
        try {
            return generator.generateOneTimePasswordString(new SecretKeySpec(secret, "RAW"),
                    Instant.ofEpochSecond(step * STEP.toSeconds()), Locale.ROOT);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC key rejected", e);
        }
    }

    /**
     * The time step, among the one before {@code now}, {@code now}'s and the one after, whose code equals
     * {@code code}; empty when none does (wrong or expired). Every candidate is computed and compared in
     * constant time.
     */
    OptionalLong matchingStep(byte[] secret, String code, Instant now) {
        String given = code == null ? "" : code.replace(" ", "");
        if (!given.matches("\\d{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        long current = step(now);
        long match = Long.MIN_VALUE;
        for (long s = current - 1; s <= current + 1; s++) {
            if (MessageDigest.isEqual(code(secret, s).getBytes(StandardCharsets.US_ASCII),
                    given.getBytes(StandardCharsets.US_ASCII)) && match == Long.MIN_VALUE) {
                match = s;
            }
        }
        return match == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(match);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
