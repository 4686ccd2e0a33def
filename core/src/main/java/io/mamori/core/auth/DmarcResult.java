package io.mamori.core.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of DMARC (RFC 7489; policy discovery and organizational domain by the DNS tree walk of
 * RFC 9989).
 *
 * @param kind         the result
 * @param fromDomain   the RFC5322.From domain (empty if there is none to check)
 * @param policyDomain where the policy record was found (empty if none)
 * @param policy       the policy the domain owner asks for on failure, after {@code sp}/{@code np}, and
 *                     lowered one step for {@code t=y} or {@code pct} below 100
 * @param detail       why, for people and logs
 */
public record DmarcResult(Kind kind, String fromDomain, String policyDomain, Policy policy, String detail) {

    public enum Kind {
        NONE, PASS, FAIL, TEMPERROR, PERMERROR;

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }

        Policy lower() {
            return this == REJECT ? QUARANTINE : NONE;
        }
    }

    public DmarcResult {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(policy, "policy");
        fromDomain = fromDomain == null ? "" : fromDomain;
        policyDomain = policyDomain == null ? "" : policyDomain;
        detail = detail == null ? "" : detail;
    }

    /**
     * The message names no single author domain (no From, several, or one without exactly one address with a valid
     * domain), so there was nothing to check; {@link #detail} says which.
     */
    public boolean noAuthorDomain() {
        return kind == Kind.PERMERROR && fromDomain.isEmpty();
    }
}
