package io.mamori.core.policy;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy file could not be used. Checked, because every caller has a decision to make: refuse to start,
 * keep the last good policy, or show the errors to an operator. Its message is every error on a line of its own,
 * Japanese first, then English ({@link PolicyError#renderBilingual}), as the start-up failure and the reload warning
 * show it; {@link #errors()} gives each error's texts apart.
 */
public final class PolicyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<PolicyError> errors;

    public PolicyException(List<PolicyError> errors) {
        super(errors.stream().map(PolicyError::renderBilingual).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in document order; never empty. */
    public List<PolicyError> errors() {
        return errors;
    }
}
