package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.Test;

class DsnWriterTest {

    private static final Instant NOW = Instant.parse("2025-04-01T03:00:00Z");
    private static final String HEADER = "Received: from client.test\r\nFrom: Taro <taro@sender.test>\r\n"
            + "To: b@rcpt.test, c@rcpt.test\r\nSubject: quarterly report\r\n\r\n";
    private static final String BODY = "Confidential body text that must not come back.\r\n";

    private final DsnWriter writer = new DsnWriter("gw.example.test", Clock.fixed(NOW, ZoneOffset.UTC), ZoneId.of("Asia/Tokyo"));

    private byte[] dsn(List<DsnWriter.Failure> failures, byte[] original) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write("Q123", "taro@sender.test", NOW.minusSeconds(3600), failures, new ByteArrayInputStream(original), out);
        return out.toByteArray();
    }

    private static Message parse(byte[] dsn) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        return builder.parseMessage(new ByteArrayInputStream(dsn));
    }

    private static String text(Entity part) throws IOException {
        String charset = part.getCharset() == null ? "US-ASCII" : part.getCharset();
        return new String(((SingleBody) part.getBody()).getInputStream().readAllBytes(), charset);
    }

    @Test
    void reportHasHumanMachineAndHeaderPartsForEachFailedRecipient() throws IOException {
        byte[] bytes = dsn(List.of(
                new DsnWriter.Failure("b@rcpt.test", "5.1.1", "550 5.1.1 <b@rcpt.test>: User unknown"),
                new DsnWriter.Failure("c@rcpt.test", "4.4.7", "451 4.3.0 Try later")),
                (HEADER + BODY).getBytes(StandardCharsets.US_ASCII));
        Message dsn = parse(bytes);

        assertThat(dsn.getMimeType()).isEqualTo("multipart/report");
        assertThat(dsn.getHeader().getField("Content-Type").getBody()).contains("report-type=delivery-status");
        assertThat(dsn.getTo().toString()).contains("taro@sender.test");
        assertThat(dsn.getSubject()).isEqualTo("配信不能のお知らせ / Undelivered Mail Returned to Sender");
        assertThat(dsn.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-replied");

        List<Entity> parts = ((Multipart) dsn.getBody()).getBodyParts();
        assertThat(parts).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");

        String human = text(parts.get(0));
        assertThat(human.indexOf("次の宛先に配信できませんでした")).isLessThan(human.indexOf("could not be delivered"));
        assertThat(human).contains("b@rcpt.test", "550 5.1.1", "受信側のサーバーが受け取りを拒否しました",
                "配信期限内に配信できませんでした", "2025-04-01 11:00:00 JST", "Q123");

        String status = text(parts.get(1));
        assertThat(status).contains("Reporting-MTA: dns; gw.example.test\r\n", "Arrival-Date: Tue, 1 Apr 2025 02:00:00 GMT\r\n",
                "Final-Recipient: rfc822; b@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                        + "Diagnostic-Code: smtp; 550 5.1.1 <b@rcpt.test>: User unknown\r\n",
                "Final-Recipient: rfc822; c@rcpt.test\r\nAction: failed\r\nStatus: 4.4.7\r\n");

        assertThat(text(parts.get(2))).isEqualTo(HEADER);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("Confidential body");
    }

    @Test
    void theJapaneseDetailExplainsTheStatusClassBeforeTheRemoteDiagnosticAndTheEnglishDetailIsTheDiagnostic()
            throws IOException {
        Message dsn = parse(dsn(List.of(
                new DsnWriter.Failure("b@rcpt.test", "5.1.1", "550 5.1.1 <b@rcpt.test>: User unknown"),
                new DsnWriter.Failure("c@rcpt.test", "5.7.1", "554 5.7.1 Message rejected due to content policy")),
                HEADER.getBytes(StandardCharsets.US_ASCII)));
        List<String> lines = text(((Multipart) dsn.getBody()).getBodyParts().get(0)).lines().toList();

        assertThat(lines).filteredOn(l -> l.startsWith("  詳細: ")).containsExactly(
                "  詳細: 宛先アドレスの問題です（アドレスが存在しないか、誤りがあります）。 原文: 550 5.1.1 <b@rcpt.test>: User unknown",
                "  詳細: セキュリティまたはポリシーによる拒否です（送信元の認証の失敗や迷惑メールの判定など）。"
                        + " 原文: 554 5.7.1 Message rejected due to content policy");
        assertThat(lines).filteredOn(l -> l.startsWith("  Details: ")).containsExactly(
                "  Details:   550 5.1.1 <b@rcpt.test>: User unknown",
                "  Details:   554 5.7.1 Message rejected due to content policy");
    }

    @Test
    void theJapaneseDetailOfAnExpiredMessageSaysTheFailureWasTemporary() {
        assertThat(DsnWriter.detailInJapanese(new DsnWriter.Failure("b@rcpt.test", "4.4.7", "451 4.3.0 Try later")))
                .isEqualTo("一時的な障害（相手サーバーの混雑や接続の失敗など）が配信期限まで続きました。 原文: 451 4.3.0 Try later");
        assertThat(DsnWriter.detailInJapanese(new DsnWriter.Failure("b@rcpt.test", "5.6.3", "")))
                .isEqualTo("メールの内容または形式の問題です（文字コードや、変換できない形式など）。");
    }

    @Test
    void nonSmtpReasonIsMarkedAsOurOwnDiagnostic() throws IOException {
        String status = text(((Multipart) parse(dsn(
                List.of(new DsnWriter.Failure("x@missing.test", "5.1.2", "domain missing.test does not exist (NXDOMAIN)")),
                HEADER.getBytes(StandardCharsets.US_ASCII))).getBody()).getBodyParts().get(1));

        assertThat(status).contains("Status: 5.1.2\r\nDiagnostic-Code: x-mamori; domain missing.test does not exist (NXDOMAIN)\r\n");
    }

    @Test
    void eightBitOriginalHeaderIsBase64EncodedAndDecodesBack() throws IOException {
        String header = "From: 山田 <yamada@sender.test>\r\nSubject: 見積書\r\n\r\n";
        Message dsn = parse(dsn(List.of(new DsnWriter.Failure("b@rcpt.test", "5.0.0", "550 refused")),
                (header + "本文").getBytes(StandardCharsets.UTF_8)));
        Entity headers = ((Multipart) dsn.getBody()).getBodyParts().get(2);

        assertThat(headers.getContentTransferEncoding()).isEqualTo("base64");
        assertThat(text(headers)).isEqualTo(header);
    }

    @Test
    void originalHeaderIsBoundedAndCutAtALineEnd() throws IOException {
        StringBuilder huge = new StringBuilder();
        while (huge.length() < 3 * DsnWriter.MAX_ORIGINAL_HEADER) {
            huge.append("X-Filler: ").append("a".repeat(60)).append("\r\n");
        }
        byte[] header = DsnWriter.readHeader(new ByteArrayInputStream(huge.toString().getBytes(StandardCharsets.US_ASCII)));

        assertThat(header.length).isLessThanOrEqualTo(DsnWriter.MAX_ORIGINAL_HEADER).isGreaterThan(DsnWriter.MAX_ORIGINAL_HEADER - 100);
        assertThat(new String(header, StandardCharsets.US_ASCII)).endsWith("\r\n").startsWith("X-Filler: ");
    }

    @Test
    void statusComesFromTheEnhancedCodeOrTheReplyClass() {
        assertThat(DsnWriter.statusFor("550 5.1.1 User unknown", "5.0.0")).isEqualTo("5.1.1");
        assertThat(DsnWriter.statusFor("554 Transaction failed", "5.0.0")).isEqualTo("5.0.0");
        assertThat(DsnWriter.statusFor("452 insufficient storage", "5.0.0")).isEqualTo("4.0.0");
        assertThat(DsnWriter.statusFor("connection refused", "5.4.4")).isEqualTo("5.4.4");
    }

    @Test
    void ourOwnWordingKeepsTheReplyCodeAndStatusButNoneOfTheNextHopsText() {
        assertThat(DsnWriter.inOwnWords(new DsnWriter.Failure("b@rcpt.test", "5.1.1",
                "550 5.1.1 <b@rcpt.test>: no such user on mbx01.corp.internal")).diagnosis())
                .isEqualTo("550 5.1.1 The recipient's mail server refused the message");
        assertThat(DsnWriter.inOwnWords(new DsnWriter.Failure("b@rcpt.test", "4.4.7",
                "connect to 10.1.2.3:25 failed: Connection refused")).diagnosis())
                .isEqualTo("4.4.7 The message could not be delivered within the delivery period");
        assertThat(DsnWriter.inOwnWords(new DsnWriter.Failure("b@rcpt.test", "5.1.3", "recipient address has no domain"))
                .diagnosis()).isEqualTo("5.1.3 The message could not be delivered");
    }

    @Test
    void theNullSenderNeverGetsADsn() {
        assertThat(DsnWriter.owesDsn("")).isFalse();
        assertThat(DsnWriter.owesDsn("taro@sender.test")).isTrue();
        assertThatThrownBy(() -> writer.write("Q1", "", NOW, List.of(new DsnWriter.Failure("b@rcpt.test", "5.0.0", "550 no")),
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHeaderReturnedToAnOutsideSenderKeepsItsOtherFieldsByteForByteAndTheSubjectItWrote() {
        byte[] stored = ("Received: from a\r\n by b; Mon, 1 Dec 2026 10:00:00 +0000\r\nFrom: x@example.com\r\n"
                + "Subject: [SUSPICIOUS] hello\r\nContent-Type: multipart/mixed; boundary=b\r\n"
                + "Content-Transfer-Encoding: 7bit\r\nMIME-Version: 1.0\r\nTo: y@example.org\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(DsnWriter.asReceived(stored, "hello"), StandardCharsets.US_ASCII)).isEqualTo(
                "Received: from a\r\n by b; Mon, 1 Dec 2026 10:00:00 +0000\r\nFrom: x@example.com\r\n"
                        + "To: y@example.org\r\nSubject: hello\r\n\r\n");
        assertThat(new String(DsnWriter.asReceived(stored, null), StandardCharsets.US_ASCII))
                .as("a message that came without a subject").doesNotContain("Subject").endsWith("To: y@example.org\r\n\r\n");
        assertThat(new String(DsnWriter.asReceived(stored, "a\r\nBcc: z@example.net"), StandardCharsets.US_ASCII))
                .as("no field can be smuggled in through the stored subject").contains("Subject: a??Bcc: z@example.net\r\n");
        assertThat(DsnWriter.asReceived(new byte[0], "hello")).isEmpty();
    }
}
