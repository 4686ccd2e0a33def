package io.mamori.console.directory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a directory import changed (or, for a dry run, would change).
 *
 * @param file        the file's name
 * @param added       addresses of people new to the directory
 * @param updated     people whose entry changed, with what changed
 * @param deactivated addresses of people deactivated: marked inactive in the file, or no longer in it
 * @param unchanged   number of people the file lists exactly as the directory has them
 * @param applied     {@code false} for a dry run
 */
public record ImportReport(String file, List<String> added, List<Change> updated, List<String> deactivated,
        int unchanged, boolean applied) {

    public ImportReport {
        added = List.copyOf(added);
        updated = List.copyOf(updated);
        deactivated = List.copyOf(deactivated);
    }

    /**
     * @param email   the person
     * @param changes one line per changed field, e.g. {@code department: 営業部 → 経理部}
     */
    public record Change(String email, List<String> changes) {
        public Change {
            changes = List.copyOf(changes);
        }
    }

    public boolean changesAnything() {
        return !added.isEmpty() || !updated.isEmpty() || !deactivated.isEmpty();
    }

    /** {@code added=2 updated=1 deactivated=0 unchanged=40}, for the audit log. */
    public String summary() {
        return "added=" + added.size() + " updated=" + updated.size() + " deactivated=" + deactivated.size()
                + " unchanged=" + unchanged;
    }

    /**
     * One line per change, for the command line: {@code + address} added, {@code ~ address: field: old → new} updated,
     * {@code - address} deactivated. The totals are the caller's to word (the command line writes them in both
     * languages).
     */
    public List<String> changeLines() {
        List<String> lines = new ArrayList<>();
        added.forEach(e -> lines.add("  + " + e));
        for (Change c : updated) {
            lines.add("  ~ " + c.email() + ": " + String.join("; ", c.changes()));
        }
        deactivated.forEach(e -> lines.add("  - " + e));
        return lines;
    }
}
