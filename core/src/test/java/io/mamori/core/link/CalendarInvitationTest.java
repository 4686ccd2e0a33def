package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.lure.LureWordingAnalyzer;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calendar invitation phishing: the lure and the link are in a meeting request ({@code text/calendar}) or an attached
 * {@code .ics} file, which the mail client shows and adds to the calendar, while the message's own body says little.
 * The link analyzer, the sender lists and the lure wording read them as the body.
 */
class CalendarInvitationTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "notice@account-check.example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2026-11-01T00:00:00Z"));

    @TempDir
    Path temp;

    private static String invite(String summary, String description, String url) {
        return String.join("\r\n", "BEGIN:VCALENDAR", "METHOD:REQUEST", "VERSION:2.0", "BEGIN:VEVENT",
                "ORGANIZER;CN=\"Microsoft 365\":mailto:notice@account-check.example.net",
                "SUMMARY;LANGUAGE=ja-JP:" + summary,
                "DESCRIPTION;LANGUAGE=ja-JP:" + description,
                "URL:" + url,
                "DTSTART:20261201T010000Z", "END:VEVENT", "END:VCALENDAR", "");
    }

    private ParsedMessage message(String calendarPart) throws Exception {
        String raw = "From: \"Microsoft 365\" <notice@account-check.example.net>\r\nTo: keiri@example.co.jp\r\n"
                + "Subject: =?UTF-8?B?5Lya6K2w44Gu44GU5qGI5YaF?=\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n"
                + "--b\r\n" + calendarPart + "\r\n--b--\r\n";
        return new MessageParser(ParseLimits.defaults(), temp)
                .parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    private static String meetingRequest(String calendar) {
        return "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + calendar;
    }

    private static String attachedIcs(String calendar) {
        return "Content-Type: application/octet-stream; name=invite.ics\r\n"
                + "Content-Disposition: attachment; filename=invite.ics\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(calendar.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theLinksAndLureOfAMeetingRequestOrAnAttachedIcsAreExaminedAsTheBodys() throws Exception {
        String calendar = invite("【至急】アカウント停止のお知らせ",
                "お客様のアカウントは停止されました。本人確認のため、以下から\\nサインインしてください: http://198.51.100.7/m",
                "https://bit.ly/3acct");
        for (String part : List.of(meetingRequest(calendar), attachedIcs(calendar))) {
            try (ParsedMessage message = message(part)) {
                AnalysisInput input = new AnalysisInput(ENVELOPE, message);
                assertThat(new LinkAnalyzer().analyze(input)).contains(Finding.of("LINK_IP_LITERAL", "198.51.100.7"),
                        Finding.of("LINK_SHORTENER", "bit.ly"));
                assertThat(MessageLinks.of(input, 100)).containsExactly(new MessageLinks.Link("198.51.100.7", "/m"),
                        new MessageLinks.Link("bit.ly", "/3acct"));
                assertThat(new LureWordingAnalyzer().analyze(input)).extracting(Finding::code)
                        .contains("LURE_URGENCY", "LURE_ACCOUNT_SUSPENSION", "LURE_CREDENTIAL");
            }
        }
    }

    @Test
    void aTextBodyMerelyNamedIcsIsReadAsTheTextItIs() throws Exception {
        String raw = "From: a@example.net\r\nTo: keiri@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8; name=invite.ics\r\nContent-Disposition: inline; filename=invite.ics"
                + "\r\n\r\nSign in: http://198.51.100.7/login\r\n";
        try (ParsedMessage message = new MessageParser(ParseLimits.defaults(), temp)
                .parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)))) {
            AnalysisInput input = new AnalysisInput(ENVELOPE, message);
            assertThat(new LinkAnalyzer().analyze(input)).contains(Finding.of("LINK_IP_LITERAL", "198.51.100.7"));
            assertThat(MessageLinks.of(input, 100)).containsExactly(new MessageLinks.Link("198.51.100.7", "/login"));
        }
    }

    @Test
    void anOrdinaryInvitationRaisesNothing() throws Exception {
        String calendar = invite("定例会議", "定例会議です。資料: https://www.example.co.jp/agenda\\n会議室A",
                "https://www.example.co.jp/meetings/42");
        try (ParsedMessage message = message(meetingRequest(calendar))) {
            AnalysisInput input = new AnalysisInput(ENVELOPE, message);
            assertThat(new LinkAnalyzer().analyze(input)).isEmpty();
            assertThat(new LureWordingAnalyzer().analyze(input)).isEmpty();
            assertThat(MessageLinks.of(input, 100)).containsExactly(new MessageLinks.Link("www.example.co.jp", "/agenda"),
                    new MessageLinks.Link("www.example.co.jp", "/meetings/42"));
        }
    }
}
