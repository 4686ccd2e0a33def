package io.mamori.core.access;

import java.util.Objects;

/** The outcome of checking a console request against the policy's access rules. */
public sealed interface AccessDecision {

    /** Every role of the user allows the request. */
    record Allowed() implements AccessDecision {
    }

    /**
     * A role of the user does not allow the request.
     *
     * @param role   the first role (in {@link Role} order) whose rule refused
     * @param reason which part of the rule refused
     * @param rule   what the rule allows, for the denied page and the log (e.g. {@code 192.0.2.0/24} or
     *               {@code Mon,Tue 08:00-20:00 (Asia/Tokyo)})
     */
    record Denied(Role role, Reason reason, String rule) implements AccessDecision {
        public Denied {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(rule, "rule");
        }
    }

    enum Reason {
        /** The client address is in none of the role's networks. */
        NETWORK,
        /** The time is in none of the role's windows. */
        HOURS,
        /** The user has no role at all. */
        NO_ROLE
    }

    AccessDecision ALLOWED = new Allowed();

    default boolean allowed() {
        return this instanceof Allowed;
    }
}
