package io.mamori.console.audit;

import java.util.Objects;

/**
 * A search time, time range or anchor that cannot be used, with the reason in English (the message) and in
 * Japanese: the audit page shows the user's language, the command line and the REST API both.
 */
public final class InvalidAuditInput extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String messageJa;

    InvalidAuditInput(String message, String messageJa) {
        super(Objects.requireNonNull(message, "message"));
        this.messageJa = Objects.requireNonNull(messageJa, "messageJa");
    }

    public String messageJa() {
        return messageJa;
    }

    /** The reason in the given language: {@code "ja"} gives Japanese, anything else English. */
    public String message(String lang) {
        return "ja".equals(lang) ? messageJa : getMessage();
    }

    /** Japanese first, then English. */
    public String bilingual() {
        return messageJa + " / " + getMessage();
    }
}
