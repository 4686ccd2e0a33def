package io.mamori.core.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of verifying one DKIM signature (RFC 6376 §6.1, names of RFC 8601 §2.7.1).
 *
 * @param kind      the result
 * @param domain    the signing domain ({@code d=}), empty if the signature could not be parsed that far
 * @param selector  the selector ({@code s=}), may be empty
 * @param algorithm the {@code a=} tag, may be empty
 * @param headerB   the first 8 characters of {@code b=}, to tell signatures apart (RFC 6008)
 * @param reason    why it did not pass, for people and logs (empty for pass)
 */
public record DkimResult(Kind kind, String domain, String selector, String algorithm, String headerB, String reason) {

    public enum Kind {
        PASS, FAIL, NEUTRAL, POLICY, TEMPERROR, PERMERROR;

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DkimResult {
        Objects.requireNonNull(kind, "kind");
        domain = domain == null ? "" : domain;
        selector = selector == null ? "" : selector;
        algorithm = algorithm == null ? "" : algorithm;
        headerB = headerB == null ? "" : headerB;
        reason = reason == null ? "" : reason;
    }
}
