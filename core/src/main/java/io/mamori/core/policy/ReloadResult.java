package io.mamori.core.policy;

import java.util.List;

/** What {@link PolicyHolder#reload()} did. */
public sealed interface ReloadResult {

    /** The policy in force after the reload. */
    Policy policy();

    /** The file held a valid, different policy, which is now in force. */
    record Applied(Policy previous, Policy policy) implements ReloadResult {
    }

    /** The file's bytes are those of the policy already in force; nothing happened. */
    record Unchanged(Policy policy) implements ReloadResult {
    }

    /** The file could not be read or is invalid; {@code policy} is the last good one, still in force. */
    record Rejected(Policy policy, List<PolicyError> errors) implements ReloadResult {
        public Rejected {
            errors = List.copyOf(errors);
        }
    }
}
