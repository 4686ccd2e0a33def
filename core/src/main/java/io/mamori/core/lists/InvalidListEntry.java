package io.mamori.core.lists;

import io.mamori.core.text.InvalidInput;

/**
 * A list entry that cannot be used — a bad value, list or target name, or a combination that lists do not take —
 * with the reason in English and in Japanese, as every text an operator reads. Thrown by {@link ListPattern},
 * {@link ListKind}, {@link ListTarget}, {@link ListEntry} and {@link ListFile} (which puts the reason on its line)
 * and by the database list store.
 */
public final class InvalidListEntry extends InvalidInput {

    private static final long serialVersionUID = 1L;

    /**
     * @param message   short English reason, e.g. {@code 'co.jp' is a public suffix; it would match every domain under it}
     * @param messageJa the same reason in Japanese
     */
    public InvalidListEntry(String message, String messageJa) {
        super(message, messageJa);
    }

    /** An allow entry for links: allow entries only ever lower the score of an authenticated sender. */
    public static InvalidListEntry allowOnlyForSenders() {
        return new InvalidListEntry("allow entries are for senders only",
                "許可リスト (allow) には送信者 (sender) だけを登録できます");
    }
}
