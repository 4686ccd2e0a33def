package io.mamori.core.lists;

import java.util.Objects;

/**
 * A list entry that cannot be used — a bad value, list or target name, or a combination that lists do not take —
 * with the reason in English and in Japanese, as every text an operator reads. Thrown by {@link ListPattern},
 * {@link ListKind}, {@link ListTarget}, {@link ListEntry} and {@link ListFile} (which puts the reason on its line)
 * and by the database list store.
 *
 * <p>{@link #getMessage()} is the English reason (logs and the audit trail, which are kept in English); an operator
 * gets {@link #message(String)} in their language (console) or {@link #bilingual()} where the reader's language is
 * unknown (command line, REST API). It stays an {@link IllegalArgumentException}, so code that only needs to know
 * that the input was bad does not change.
 */
public final class InvalidListEntry extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String messageJa;

    /**
     * @param message   short English reason, e.g. {@code 'co.jp' is a public suffix; it would match every domain under it}
     * @param messageJa the same reason in Japanese
     */
    public InvalidListEntry(String message, String messageJa) {
        super(Objects.requireNonNull(message, "message"));
        this.messageJa = Objects.requireNonNull(messageJa, "messageJa");
    }

    /** An allow entry for links: allow entries only ever lower the score of an authenticated sender. */
    public static InvalidListEntry allowOnlyForSenders() {
        return new InvalidListEntry("allow entries are for senders only",
                "許可リスト (allow) には送信者 (sender) だけを登録できます");
    }

    /** The reason in Japanese. */
    public String messageJa() {
        return messageJa;
    }

    /** The reason in the given language: {@code "ja"} gives Japanese, anything else English. */
    public String message(String lang) {
        return "ja".equals(lang) ? messageJa : getMessage();
    }

    /** Japanese first, then English: {@code 'co.jp' はパブリックサフィックスです… / 'co.jp' is a public suffix; …}. */
    public String bilingual() {
        return messageJa + " / " + getMessage();
    }
}
