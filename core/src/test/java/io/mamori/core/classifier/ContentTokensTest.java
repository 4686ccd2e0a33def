package io.mamori.core.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContentTokensTest {

    static ParsedMessage parse(String message) throws IOException {
        return new MessageParser().parse(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static Set<String> tokens(String message) throws IOException {
        try (ParsedMessage m = parse(message)) {
            return ContentTokens.of(m);
        }
    }

    @Test
    void subjectWordsAreMarkedAndBodyWordsAreFoldedOnce() throws IOException {
        Set<String> t = tokens("From: a@sender.example\r\nTo: b@example.co.jp\r\nSubject: Verify your Account\r\n\r\n"
                + "Please VERIFY your account now. Ｐａｓｓｗｏｒｄ expires; it's urgent.\r\n");
        assertThat(t).containsExactly("s:verify", "s:your", "s:account", "please", "verify", "your", "account", "now",
                "password", "expires", "it's", "urgent");
    }

    @Test
    void digitsAddressesAndTheRecipientsOwnNamesAreNotWords() throws IOException {
        Set<String> t = tokens("From: Shop <shop@sender.example>\r\nTo: Tanaka Taro <tanaka.taro@example.co.jp>\r\n"
                + "Cc: phishing@pot\r\nSubject: Order 12345\r\n\r\n"
                + "Dear Tanaka, your order 2024 (ref A1B2, 2fa code) ships. Write to help@sender.example or see "
                + "https://track.sender.example/x?id=1 and www.sender.example today. phishing pot taro\r\n");
        assertThat(t).containsExactly("s:order", "dear", "your", "order", "ref", "code", "ships", "write", "see", "and",
                "today");
        assertThat(t).doesNotContain("tanaka", "taro", "phishing", "pot", "help", "track", "sender");
    }

    @Test
    void japaneseIsReadInOverlappingPairsWithKatakanaFoldedAndHalfWidthKanaWidened() throws IOException {
        Set<String> t = tokens("From: a@sender.example\r\nSubject: =?UTF-8?B?" + java.util.Base64.getEncoder()
                .encodeToString("至急".getBytes(StandardCharsets.UTF_8)) + "?=\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "\r\nｱｶｳﾝﾄを確認。株\r\n");
        // ｱｶｳﾝﾄ → アカウント → あかうんと (katakana folded to hiragana); a lone character stands for itself
        assertThat(t).containsExactly("s:至急", "あか", "かう", "うん", "んと", "とを", "を確", "確認", "株");
    }

    @Test
    void htmlIsReadAsShownWithoutHiddenSaltingText() throws IOException {
        Set<String> t = tokens("From: a@sender.example\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n"
                + "<html><body><p>Confirm your <b>billing</b> details</p>"
                + "<div style=\"display:none\">grandmother recipe garden</div></body></html>\r\n");
        assertThat(t).contains("confirm", "your", "billing", "details").doesNotContain("grandmother", "recipe", "garden");
    }

    @Test
    void theWordsOfACalendarInvitationAreReadAsTheReaderSeesThem() throws IOException {
        // a meeting request whose lure is in the invitation, not the nearly empty body; an attached .ics the same way
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1@sender.example\r\n"
                + "DTSTART:20261201T010000Z\r\nSUMMARY:Payroll review\r\nDESCRIPTION:Confirm your mailbox credentials"
                + " before\\n the meeting\r\nLOCATION:Online\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        Set<String> inline = tokens("From: a@sender.example\r\nSubject: Invitation\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + ics + "--b--\r\n");
        assertThat(inline).containsExactly("s:invitation", "payroll", "review", "confirm", "your", "mailbox",
                "credentials", "before", "the", "meeting", "online");
        Set<String> attached = tokens("From: a@sender.example\r\nSubject: Invitation\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=invite.ics\r\n"
                + "Content-Disposition: attachment; filename=invite.ics\r\n\r\n" + ics + "--b--\r\n");
        assertThat(attached).contains("payroll", "credentials", "meeting");
    }

    @Test
    void attachmentsAreNotReadAndTheTokenCountIsBounded() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            // i in base 26 written with the letters a..z: 20,000 different words
            StringBuilder w = new StringBuilder("w");
            for (int k = i; k > 0; k /= 26) {
                w.append((char) ('a' + k % 26));
            }
            body.append(w).append("xx ");
        }
        Set<String> t = tokens("From: a@sender.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + body
                + "\r\n--b\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n"
                + "\r\nattachmentonlyword\r\n--b--\r\n");
        assertThat(t).hasSize(ContentTokens.MAX_TOKENS).doesNotContain("attachmentonlyword");
    }
}
