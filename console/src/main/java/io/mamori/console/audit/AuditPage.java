package io.mamori.console.audit;

import java.util.List;

/**
 * One page of a search, newest first. {@code nextBefore} is the cursor for the next (older) page — pass it as
 * {@code before} — or null when this is the last page. Keyset paging by seq keeps pages stable while new rows
 * are appended.
 */
public record AuditPage(List<AuditRecord> entries, Long nextBefore) {

    public AuditPage {
        entries = List.copyOf(entries);
    }
}
