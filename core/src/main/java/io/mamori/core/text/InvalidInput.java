package io.mamori.core.text;

import java.util.Objects;

/**
 * Input a person gave that cannot be used, with the reason in English and in Japanese, as every text an operator or
 * employee reads. {@link #getMessage()} is the English reason (logs and the audit trail are kept in English); a reader
 * gets {@link #message(String)} in their language (console pages) or {@link #bilingual()} where their language is
 * unknown (command line, REST API). It stays an {@link IllegalArgumentException}, so code that only needs to know that
 * the input was bad does not change. Subclasses say what kind of input it was.
 */
public class InvalidInput extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String messageJa;

    /**
     * @param message   short English reason
     * @param messageJa the same reason in Japanese
     */
    public InvalidInput(String message, String messageJa) {
        super(Objects.requireNonNull(message, "message"));
        this.messageJa = Objects.requireNonNull(messageJa, "messageJa");
    }

    /** The reason in Japanese. */
    public String messageJa() {
        return messageJa;
    }

    /** The reason in the given language: {@code "ja"} gives Japanese, anything else English. */
    public String message(String lang) {
        return "ja".equals(lang) ? messageJa : getMessage();
    }

    /** Japanese first, then English: {@code 日本語の理由 / English reason}. */
    public String bilingual() {
        return messageJa + " / " + getMessage();
    }
}
