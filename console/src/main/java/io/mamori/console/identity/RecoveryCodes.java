package io.mamori.console.identity;

import io.mamori.gateway.auth.Base32Code;
import io.mamori.gateway.auth.Argon2id;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One-time recovery codes, and the one-time initial passwords of new accounts: 16 characters of the RFC 4648
 * base32 alphabet (80 random bits), shown as {@code abcd-efgh-ijkl-mnop}; dashes, spaces and case are ignored
 * when checking. For recovery codes the first group is stored in clear as a lookup code so that a try costs one
 * Argon2id computation; the remaining 60 bits are only stored as the hash.
 */
final class RecoveryCodes {

    static final int COUNT = 10;
    private static final int LENGTH = 16;
    static final int GROUP = Base32Code.GROUP;

    /** A code as stored: its lookup group and the Argon2id hash of the whole normalised code. */
    record Stored(String lookup, String hash) {
    }

    /** A stored unused code found by its lookup group. */
    record Candidate(long id, String hash) {
    }

    /** New codes as shown to the user, and the same as stored. */
    record Issued(List<String> shown, List<Stored> stored) {
    }

    private final SecureRandom random;
    private final Argon2id argon2;

    RecoveryCodes(SecureRandom random, Argon2id argon2) {
        this.random = random;
        this.argon2 = argon2;
    }

    Issued issue() {
        List<String> shown = new ArrayList<>();
        List<Stored> stored = new ArrayList<>();
        Set<String> lookups = new HashSet<>();
        while (shown.size() < COUNT) {
            String code = randomCode();
            if (!lookups.add(code.substring(0, GROUP))) {
                continue;
            }
            shown.add(display(code));
            stored.add(new Stored(code.substring(0, GROUP), argon2.hash(code)));
        }
        return new Issued(shown, stored);
    }

    String randomCode() {
        return Base32Code.random(random, LENGTH);
    }

    static String display(String code) {
        return Base32Code.display(code);
    }

    /** The code in canonical form (lower case, no separators), or {@code null} if it cannot be one. */
    static String normalize(String input) {
        return Base32Code.normalize(input, LENGTH, 40);
    }
}
