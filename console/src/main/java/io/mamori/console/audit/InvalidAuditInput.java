package io.mamori.console.audit;

import io.mamori.core.text.InvalidInput;

/**
 * A search time, time range or anchor that cannot be used, with the reason in English (the message) and in
 * Japanese: the audit page shows the user's language, the command line and the REST API both.
 */
public final class InvalidAuditInput extends InvalidInput {

    private static final long serialVersionUID = 1L;

    InvalidAuditInput(String message, String messageJa) {
        super(message, messageJa);
    }
}
