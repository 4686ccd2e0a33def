package io.mamori.gateway.store;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Queue ids in the ULID layout: 26 Crockford base-32 characters, 48 bits of milliseconds then 80 random
 * bits. They sort by creation time as plain strings, are safe in URLs, file names and SMTP replies, and
 * reveal nothing but the time. Hand-written because it is twenty lines and the ULID libraries bring their
 * own clock and random source, while here both are injected.
 *
 * <p>Thread-safe.
 */
final class QueueIds {

    static final int LENGTH = 26;
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final Clock clock;
    private final SecureRandom random;

    QueueIds(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    String next() {
        long millis = clock.millis();
        byte[] entropy = new byte[10];
        random.nextBytes(entropy);
        char[] id = new char[LENGTH];
        for (int i = 9; i >= 0; i--) {
            id[i] = CROCKFORD[(int) (millis & 31)];
            millis >>>= 5;
        }
        long high = 0;
        for (int i = 0; i < 5; i++) {
            high = (high << 8) | (entropy[i] & 0xff);
        }
        long low = 0;
        for (int i = 5; i < 10; i++) {
            low = (low << 8) | (entropy[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            id[i] = CROCKFORD[(int) (high & 31)];
            high >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            id[i] = CROCKFORD[(int) (low & 31)];
            low >>>= 5;
        }
        return new String(id);
    }

    /** Whether {@code id} has the shape of a queue id (so it is safe as a file name). */
    static boolean isWellFormed(String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U'))) {
                return false;
            }
        }
        return true;
    }
}
