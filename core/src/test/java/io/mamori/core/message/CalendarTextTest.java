package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalendarTextTest {

    @TempDir
    Path temp;

    /** An invitation as Exchange writes one: CRLF, lines folded at 75 octets, TEXT escapes, quoted parameters. */
    static final String INVITE = String.join("\r\n",
            "BEGIN:VCALENDAR",
            "METHOD:REQUEST",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            "BEGIN:VEVENT",
            "ORGANIZER;CN=\"総務部: 山田\":mailto:yamada@example.co.jp",
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=keiri@exa",
            " mple.co.jp:mailto:keiri@example.co.jp",
            "DESCRIPTION;LANGUAGE=ja-JP:定例会議です。\\n資料: https://files.example.co.jp/a",
            " genda\\, 第3版\\; 議事録は後日\\\\共有",
            "SUMMARY;LANGUAGE=ja-JP:定例会議",
            "LOCATION;LANGUAGE=ja-JP:会議室A",
            "X-ALT-DESC;FMTTYPE=text/html:<html><body><a href=\"https://files.example.co.jp/agenda\">資料</a></body></html>",
            "URL:https://www.example.co.jp/meetings/42",
            "DTSTART;TZID=Tokyo Standard Time:20261201T100000",
            "END:VEVENT",
            "END:VCALENDAR", "");

    @Test
    void theWordsAndLinksOfAnInvitationAreReadUnfoldedAndUnescaped() {
        CalendarText text = CalendarText.read(INVITE).orElseThrow();
        assertThat(text.words()).isEqualTo("定例会議です。\n資料: https://files.example.co.jp/agenda, 第3版; 議事録は後日\\共有\n"
                + "定例会議\n会議室A\n");
        // the links: the same, then the HTML description as written and the event's URL, in the calendar's order
        assertThat(text.links()).isEqualTo(text.words()
                + "<html><body><a href=\"https://files.example.co.jp/agenda\">資料</a></body></html>\n"
                + "https://www.example.co.jp/meetings/42\n");
    }

    @Test
    void foldingWithTabsLoneLineEndsAndAByteOrderMarkAreRead() {
        CalendarText text = CalendarText.read("\uFEFF begin:vcalendar\nSUMMARY:a\n\tb\rDESCRIPTION:c\r d\nEND:VCALENDAR")
                .orElseThrow();
        assertThat(text.words()).isEqualTo("ab\ncd\n");
    }

    @Test
    void whatIsNoCalendarHasNoText() {
        assertThat(CalendarText.read("SUMMARY:not a calendar")).isEmpty();
        assertThat(CalendarText.read("")).isEmpty();
        assertThat(CalendarText.read("BEGIN:VCARD\nFN:x\nEND:VCARD")).isEmpty();
        // a line without a value, a name alone, an unclosed quote: nothing from them, no error
        assertThat(CalendarText.read("BEGIN:VCALENDAR\nSUMMARY\nDESCRIPTION;X=\"a:b\nLOCATION:here\n").orElseThrow()
                .words()).isEqualTo("here\n");
    }

    private ParsedMessage parse(String raw) throws Exception {
        return new MessageParser(ParseLimits.defaults(), temp)
                .parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aMeetingRequestPartAndAnAttachedIcsFileAreCalendarsAndOnlyTheirFirstBytesAreRead() throws Exception {
        String big = "BEGIN:VCALENDAR\r\nSUMMARY:" + "x".repeat(CalendarText.MAX_BYTES) + "\r\nDESCRIPTION:late\r\n";
        String raw = "From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: invite\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee the invitation\r\n"
                + "--b\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + INVITE + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"invite.ics\"\r\n"
                + "Content-Disposition: attachment; filename=\"invite.ics\"\r\n\r\n" + big + "\r\n"
                + "--b--\r\n";
        try (ParsedMessage message = parse(raw)) {
            assertThat(message.parts()).extracting(CalendarText::isCalendar).containsExactly(false, true, true);
            assertThat(CalendarText.of(message.parts().get(0))).isEmpty();
            assertThat(CalendarText.of(message.parts().get(1)).map(CalendarText::words))
                    .hasValueSatisfying(w -> assertThat(w).startsWith("定例会議です。"));
            Optional<CalendarText> cut = CalendarText.of(message.parts().get(2));
            assertThat(cut.orElseThrow().words()).hasSizeLessThan(CalendarText.MAX_BYTES).doesNotContain("late");
        }
    }
}
