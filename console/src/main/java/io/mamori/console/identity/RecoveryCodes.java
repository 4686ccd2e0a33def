package io.mamori.console.identity;

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
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int LENGTH = 16;
    static final int GROUP = 4;

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
        char[] chars = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    static String display(String code) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < code.length(); i += GROUP) {
            if (i > 0) {
                out.append('-');
            }
            out.append(code, i, Math.min(code.length(), i + GROUP));
        }
        return out.toString();
    }

    /** The code in canonical form (lower case, no separators), or {@code null} if it cannot be one. */
    static String normalize(String input) {
        if (input == null || input.length() > 40) {
            return null;
        }
        StringBuilder out = new StringBuilder(LENGTH);
        for (int i = 0; i < input.length(); i++) {
            char ch = input.charAt(i);
            if (ch == '-' || ch == ' ') {
                continue;
            }
            char lower = Character.toLowerCase(ch);
            if (!((lower >= 'a' && lower <= 'z') || (lower >= '2' && lower <= '7'))) {
                return null;
            }
            out.append(lower);
        }
        return out.length() == LENGTH ? out.toString() : null;
    }
}
