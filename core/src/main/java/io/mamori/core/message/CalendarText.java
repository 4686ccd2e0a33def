package io.mamori.core.message;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a reader sees of a calendar invitation (iCalendar, RFC 5545) carried by a message: a {@code text/calendar} part
 * (Outlook's and Google's meeting requests) or an attached {@code .ics} file, which mail clients show as the message
 * and add to the calendar. Its title, description, place and links are where invitation phishing puts its lure and
 * its link, past filters that read only the message's text and HTML bodies.
 *
 * <p>Hand-written: the text of a few properties needs only the content-line rules of RFC 5545 §3.1 (unfolding,
 * parameters with quoted values) and the escapes of the TEXT value type (§3.3.11). A full iCalendar library (ical4j,
 * biweekly) builds an object model of dates, time zones and recurrence rules that is not needed here, and refuses
 * damaged calendars that clients still show.
 *
 * <p>Bounded: at most {@value #MAX_BYTES} bytes of a part are read. A part that does not start with
 * {@code BEGIN:VCALENDAR} is not a calendar and has no text here. Stateless.
 *
 * @param words what the reader reads: the values of {@code SUMMARY}, {@code DESCRIPTION}, {@code LOCATION} and
 *              {@code COMMENT}, one per line, escapes undone
 * @param links where links are: the same, and the values of {@code URL}, {@code ATTACH}, {@code CONFERENCE} and the
 *              HTML description {@code X-ALT-DESC} (as written, tags and all)
 */
public record CalendarText(String words, String links) {

    /** Bytes of one calendar part read at most. */
    public static final int MAX_BYTES = 256 * 1024;

    private static final Set<String> READ = Set.of("SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT");
    private static final Set<String> LINKED = Set.of("URL", "ATTACH", "CONFERENCE", "X-ALT-DESC");

    /** Whether a part is a calendar by its type or file name. */
    public static boolean isCalendar(MimePart part) {
        String type = part.contentType();
        if ("text/calendar".equals(type) || "application/ics".equals(type) || "text/x-vcalendar".equals(type)) {
            return true;
        }
        String name = part.filename() == null ? "" : part.filename().strip().toLowerCase(Locale.ROOT);
        return name.endsWith(".ics") || name.endsWith(".vcs");
    }

    /** The text of a calendar part, or empty for any other part, an unreadable one or one that is no calendar. */
    public static Optional<CalendarText> of(MimePart part) {
        if (!isCalendar(part) || part.content() == null) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = part.content().open()) {
            bytes = in.readNBytes(MAX_BYTES);
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return read(MailCharsets.decode(bytes, part.charset() == null ? "utf-8" : part.charset()));
    }

    /** The text of an iCalendar object, or empty when it does not start with {@code BEGIN:VCALENDAR}. */
    static Optional<CalendarText> read(String calendar) {
        int start = 0;
        while (start < calendar.length() && (calendar.charAt(start) == '\uFEFF' || Character.isWhitespace(calendar.charAt(start)))) {
            start++;
        }
        if (!calendar.regionMatches(true, start, "BEGIN:VCALENDAR", 0, 15)) {
            return Optional.empty();
        }
        StringBuilder words = new StringBuilder();
        StringBuilder links = new StringBuilder();
        StringBuilder line = new StringBuilder();
        int n = calendar.length();
        for (int i = start; i <= n; i++) {
            char c = i < n ? calendar.charAt(i) : '\n';
            if (c == '\r' && i + 1 < n && calendar.charAt(i + 1) == '\n') {
                continue;
            }
            if (c == '\n' || c == '\r') {
                // a line starting with a space or a tab continues the one before (folding, §3.1)
                if (i + 1 < n && (calendar.charAt(i + 1) == ' ' || calendar.charAt(i + 1) == '\t')) {
                    i++;
                    continue;
                }
                contentLine(line, words, links);
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
        return Optional.of(new CalendarText(words.toString(), links.toString()));
    }

    /** One unfolded content line: {@code NAME *(;PARAM=VALUE) : VALUE}, parameter values possibly quoted. */
    private static void contentLine(CharSequence line, StringBuilder words, StringBuilder links) {
        int nameEnd = 0;
        while (nameEnd < line.length() && line.charAt(nameEnd) != ';' && line.charAt(nameEnd) != ':') {
            nameEnd++;
        }
        String name = line.subSequence(0, nameEnd).toString().strip().toUpperCase(Locale.ROOT);
        boolean read = READ.contains(name);
        if (!read && !LINKED.contains(name)) {
            return;
        }
        boolean quoted = false;
        int colon = nameEnd;
        for (; colon < line.length(); colon++) {
            char c = line.charAt(colon);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ':' && !quoted) {
                break;
            }
        }
        if (colon >= line.length()) {
            return;
        }
        String value = unescaped(line, colon + 1);
        if (read) {
            words.append(value).append('\n');
        }
        links.append(value).append('\n');
    }

    /** A TEXT value with its escapes undone (§3.3.11): {@code \n} or {@code \N} a new line, {@code \\ \; \,} themselves. */
    private static String unescaped(CharSequence line, int from) {
        StringBuilder out = new StringBuilder(line.length() - from);
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(++i);
                out.append(next == 'n' || next == 'N' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
