package io.mamori.core.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of an SPF check (RFC 7208 §2.6).
 *
 * @param kind        the result
 * @param domain      the domain whose policy was checked (MAIL FROM domain, or the HELO name for the null sender)
 * @param explanation the sender's explanation for a {@code fail} (its {@code exp=}), empty if none
 * @param detail      why, for people and logs: the matching mechanism or the error; never message content
 */
public record SpfResult(Kind kind, String domain, String explanation, String detail) {

    public enum Kind {
        NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

        /** The name used in {@code Authentication-Results} (RFC 8601 §2.7.2). */
        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SpfResult {
        Objects.requireNonNull(kind, "kind");
        domain = domain == null ? "" : domain;
        explanation = explanation == null ? "" : explanation;
        detail = detail == null ? "" : detail;
    }
}
