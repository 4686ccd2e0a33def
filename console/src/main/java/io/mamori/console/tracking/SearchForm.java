package io.mamori.console.tracking;

import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

/**
 * The message search as a form or query string gives it (the tracking page and {@code GET /api/v1/messages}):
 * every field optional; dates are whole days ({@code YYYY-MM-DD}) in the console's time zone, {@code to}
 * inclusive; {@code finding} is one finding code the message's verdict names (e.g. {@code ENCRYPTED_ARCHIVE_OPENED}).
 */
public record SearchForm(String id, String sender, String recipient, String subject, String action, String state,
        String direction, String from, String to, String finding) {

    /**
     * The store query for page {@code page} (from 0) of {@code pageSize}.
     *
     * @throws IllegalArgumentException for an unknown state or direction, a date that is not {@code YYYY-MM-DD}, or a
     *                                  finding that is not a code
     */
    public MessageQuery toQuery(ZoneId zone, int page, int pageSize) {
        try {
            MessageState s = blank(state) ? null : MessageState.valueOf(state.strip().toUpperCase(Locale.ROOT));
            Direction d = blank(direction) ? null : Direction.valueOf(direction.strip().toUpperCase(Locale.ROOT));
            Instant f = blank(from) ? null : LocalDate.parse(from.strip()).atStartOfDay(zone).toInstant();
            Instant t = blank(to) ? null : LocalDate.parse(to.strip()).plusDays(1).atStartOfDay(zone).toInstant();
            return new MessageQuery(id, sender, recipient, subject, action, s, d, f, t, null,
                    Math.max(0, page) * pageSize, pageSize,
                    blank(finding) ? null : finding.strip().toUpperCase(Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("dates are YYYY-MM-DD: " + e.getParsedString(), e);
        } catch (java.time.DateTimeException e) {
            // parsed, but past the calendar's end once a day is added (+999999999-12-31)
            throw new IllegalArgumentException("date out of range: " + e.getMessage(), e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
