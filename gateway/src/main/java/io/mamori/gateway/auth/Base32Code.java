package io.mamori.gateway.auth;

import java.security.SecureRandom;

/**
 * A random secret a person types: lower-case RFC 4648 base32 characters, shown in groups of four joined by
 * dashes ({@code abcd-efgh-…}); dashes, spaces and case are ignored when it is typed back. Used by app
 * passwords and the console's recovery codes. The first group is stored in clear as a lookup key, so it must not
 * be counted as secret.
 */
public final class Base32Code {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** Characters per displayed group, and the length of the lookup prefix. */
    public static final int GROUP = 4;

    private Base32Code() {
    }

    /** {@code length} random characters (5 bits each). */
    public static String random(SecureRandom random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    /** The code in groups of {@link #GROUP} joined by dashes. */
    public static String display(String code) {
        StringBuilder out = new StringBuilder(code.length() + code.length() / GROUP);
        for (int i = 0; i < code.length(); i += GROUP) {
            if (i > 0) {
                out.append('-');
            }
            out.append(code, i, Math.min(code.length(), i + GROUP));
        }
        return out.toString();
    }

    /**
     * The typed code in canonical form (lower case, no dashes or spaces), or {@code null} if it is not a code of
     * {@code length} characters; input longer than {@code maxInput} is refused before it is looked at.
     */
    public static String normalize(String input, int length, int maxInput) {
        if (input == null || input.length() > maxInput) {
            return null;
        }
        StringBuilder out = new StringBuilder(length);
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
        return out.length() == length ? out.toString() : null;
    }
}
