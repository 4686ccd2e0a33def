package io.mamori.core.lists;

import java.util.Locale;

/** Where an entry comes from; named in every finding's evidence so an analyst can find and change it. */
public enum ListSource {
    /** The {@code lists} section of {@code policy.yaml}. */
    POLICY,
    /** The plain-text list file named by {@code lists.file}. */
    FILE,
    /** The organisation-wide entries kept in the database (CLI {@code mamori lists …}, REST {@code /api/v1/lists}). */
    GLOBAL,
    /** One recipient's own entries, kept in the database. */
    USER;

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
