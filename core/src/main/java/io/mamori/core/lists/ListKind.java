package io.mamori.core.lists;

import java.util.Locale;

/** Which list an entry is on. */
public enum ListKind {
    /** Senders the organisation (or one recipient) trusts: lowers score-based findings once the sender is authenticated. */
    ALLOW,
    /** Senders and link destinations the organisation (or one recipient) refuses. */
    BLOCK;

    /** {@code allow} or {@code block}, as written in files, the CLI and the REST API. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code allow} or {@code block} (any case). @throws InvalidListEntry otherwise */
    public static ListKind parse(String text) {
        for (ListKind k : values()) {
            if (k.name().equalsIgnoreCase(text)) {
                return k;
            }
        }
        throw new InvalidListEntry("unknown list '" + text + "'; expected allow or block",
                "不明なリスト '" + text + "' です。allow か block を指定してください");
    }
}
