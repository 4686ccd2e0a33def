package io.mamori.core.lists;

import java.util.Locale;

/** What an entry is matched against. */
public enum ListTarget {
    /** The sender: the From address (and, for block entries, also the envelope sender). Address or domain. */
    SENDER,
    /** The destinations of the message's links: domain or URL. Block lists only. */
    LINK;

    /** {@code sender} or {@code link}, as written in files, the CLI and the REST API. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sender} or {@code link} (any case). @throws InvalidListEntry otherwise */
    public static ListTarget parse(String text) {
        for (ListTarget t : values()) {
            if (t.name().equalsIgnoreCase(text)) {
                return t;
            }
        }
        throw new InvalidListEntry("unknown target '" + text + "'; expected sender or link",
                "不明な対象 '" + text + "' です。sender か link を指定してください");
    }
}
