package io.mamori.core.lists;

import java.util.Collection;
import java.util.List;

/**
 * The entries kept in the database: organisation-wide ({@link ListSource#GLOBAL}, managed with the CLI and the
 * REST API) and per recipient ({@link ListSource#USER}). Policy and file entries are not here.
 *
 * <p>Contract: thread-safe; {@link #entriesFor} is called for every inbound message under the analyzer's time
 * budget, so implementations keep a cached snapshot rather than query per message. A failure is an exception
 * (the analysis pipeline turns it into {@code ANALYZER_FAILED}), never an empty list.
 */
public interface ListStore {

    /** No database entries (offline scans, tests). */
    ListStore NONE = recipients -> List.of();

    /**
     * Every GLOBAL entry and the USER entries owned by any of {@code recipients} (compared in lower case).
     */
    List<ListEntry> entriesFor(Collection<String> recipients);
}
