package io.mamori.core.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recurring weekly time windows in one time zone, e.g. weekdays 08:00–20:00 Asia/Tokyo. An instant is inside
 * when its local day and time in {@code zone} fall in any window. Immutable.
 *
 * @param zone    the time zone the windows are written in (daylight saving time is followed)
 * @param windows at least one window
 */
public record WeeklyHours(ZoneId zone, List<Window> windows) {

    public WeeklyHours {
        Objects.requireNonNull(zone, "zone");
        windows = List.copyOf(windows);
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("at least one window");
        }
    }

    /** Whether {@code instant} falls in one of the windows. */
    public boolean contains(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        return windows.stream().anyMatch(w -> w.contains(local.getDayOfWeek(), local.toLocalTime()));
    }

    /** {@code Mon-Fri 08:00-20:00 (Asia/Tokyo)}, for logs and the access-denied page. */
    public String describe() {
        return windows.stream().map(Window::describe).collect(Collectors.joining(", ")) + " (" + zone.getId() + ")";
    }

    /**
     * Days of the week and a time range on each of them, in minutes since local midnight.
     *
     * @param days       at least one day
     * @param fromMinute start, inclusive, 0..1439 ({@code 08:00} is 480)
     * @param toMinute   end, exclusive, after {@code fromMinute}, at most 1440 ({@code 24:00}); a window never
     *                   crosses midnight (write two windows for a night shift)
     */
    public record Window(Set<DayOfWeek> days, int fromMinute, int toMinute) {

        public static final int END_OF_DAY = 24 * 60;

        public Window {
            if (days.isEmpty()) {
                throw new IllegalArgumentException("at least one day");
            }
            days = Set.copyOf(EnumSet.copyOf(days));
            if (fromMinute < 0 || toMinute > END_OF_DAY || toMinute <= fromMinute) {
                throw new IllegalArgumentException("need 0 <= from < to <= 24:00: " + fromMinute + ".." + toMinute);
            }
        }

        boolean contains(DayOfWeek day, LocalTime time) {
            int minute = time.getHour() * 60 + time.getMinute();
            return days.contains(day) && minute >= fromMinute && minute < toMinute;
        }

        String describe() {
            String names = EnumSet.copyOf(days).stream()
                    .map(d -> d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH))
                    .collect(Collectors.joining(","));
            return names + " " + clock(fromMinute) + "-" + clock(toMinute);
        }

        private static String clock(int minute) {
            return String.format(Locale.ROOT, "%02d:%02d", minute / 60, minute % 60);
        }
    }
}
