package io.mamori.core.access;

import java.util.Locale;
import java.util.Optional;

/**
 * The roles of console users, least privilege first in {@link #EMPLOYEE}. What each may see is decided by the
 * console's scope check; what the policy's {@code access} section says about each (networks, hours, MFA) by
 * {@link AccessRules}.
 */
public enum Role {
    /** Everything, including users, roles and the policy. */
    ADMIN,
    /** Security analyst: every message, quarantine and release; not users or the policy. */
    ANALYST,
    /** Approves or releases held mail of the departments the user is approver for. */
    APPROVER,
    /** Reads everything, changes nothing. */
    AUDITOR,
    /** Own messages only (as sender or recipient). */
    EMPLOYEE;

    /** The name used in {@code policy.yaml} and in the directory CSV: lower case, e.g. {@code admin}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} in any case ({@code admin}, {@code ADMIN}), or empty. */
    public static Optional<Role> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String upper = text.strip().toUpperCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.name().equals(upper)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
