package io.mamori.core.text;

/**
 * The plausibility check for an e-mail address that a person typed or a file gave (directory, console accounts,
 * notices, policy): {@code local@domain.tld} with one {@code @}, a dot inside the domain, at most 320 characters
 * (RFC 5321's path limit), and no white space, control character, quote, angle bracket, comma or semicolon. Not RFC 5322
 * syntax (which SMTP checks where it matters), only enough to catch a typo or a pasted list.
 *
 * <p>Hand-written in one pass: the regular expression it replaces ({@code [^@\s]+@[^@\s]+\.[^@\s]+}) backtracks
 * quadratically on a long string of dots, which a form field or file could make take minutes. Stateless.
 */
public final class MailAddresses {

    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets; 320 (64 + 1 + 255) is the usual allowance for an address. */
    public static final int MAX_LENGTH = 320;

    private MailAddresses() {
    }

    /** Whether {@code address} looks like {@code local@domain.tld}; false for {@code null}. */
    public static boolean plausible(String address) {
        if (address == null || address.isEmpty() || address.length() > MAX_LENGTH) {
            return false;
        }
        int at = -1;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '@') {
                if (at >= 0) {
                    return false;
                }
                at = i;
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
                    || c == '"' || c == '<' || c == '>' || c == ',' || c == ';') {
                return false;
            }
        }
        if (at <= 0) {
            return false;
        }
        // a dot inside the domain with something on either side of it
        int dot = address.indexOf('.', at + 2);
        return dot > 0 && dot < address.length() - 1;
    }
}
