package io.mamori.console.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Which audit rows a search or export wants; every part is optional (null means any).
 *
 * @param actor  exactly this actor (e.g. {@code cli:root}, {@code api-token}, a user's email)
 * @param action exactly this action code, or every code under a prefix when it ends with {@code *}
 *               ({@code queue.*} matches {@code queue.release} and {@code queue.delete})
 * @param object exactly this object (a queue id, a user's email …)
 * @param since  from this time on (inclusive)
 * @param until  before this time (exclusive)
 */
public record AuditFilter(String actor, String action, String object, Instant since, Instant until) {

    public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);

    public AuditFilter {
        actor = blankToNull(actor);
        action = blankToNull(action);
        object = blankToNull(object);
        if (since != null && until != null && !since.isBefore(until)) {
            throw new InvalidAuditInput("since (" + since + ") must be before until (" + until + ")",
                    "開始 (" + since + ") は終了 (" + until + ") より前にしてください");
        }
    }

    /**
     * Parses a time given by a person: an instant ({@code 2026-11-28T01:00:00Z}), a date-time with offset
     * ({@code 2026-11-28T10:00+09:00}), a local date-time or a date (start of that day), both in {@code zone}.
     *
     * @throws InvalidAuditInput naming the value and the accepted forms
     */
    public static Instant parseTime(String value, ZoneId zone) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(v).atZone(zone).toInstant();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(v).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            String shown = v.length() > 80 ? v.substring(0, 80) + "…" : v;
            throw new InvalidAuditInput("not a time: '" + shown + "' (expected e.g. 2026-11-28, 2026-11-28T10:00, "
                    + "2026-11-28T10:00+09:00 or 2026-11-28T01:00:00Z)", "日時として読めません: '" + shown
                    + "'（例: 2026-11-28、2026-11-28T10:00、2026-11-28T10:00+09:00、2026-11-28T01:00:00Z）");
        }
    }

    /** The filter as a short text, e.g. for the {@code after} of an {@code audit.export} entry. */
    public String describe() {
        StringBuilder b = new StringBuilder("filter:");
        if (actor != null) {
            b.append(" actor=").append(actor);
        }
        if (action != null) {
            b.append(" action=").append(action);
        }
        if (object != null) {
            b.append(" object=").append(object);
        }
        if (since != null) {
            b.append(" since=").append(since);
        }
        if (until != null) {
            b.append(" until=").append(until);
        }
        return b.length() == "filter:".length() ? "filter: all" : b.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
