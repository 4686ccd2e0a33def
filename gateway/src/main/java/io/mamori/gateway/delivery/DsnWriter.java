package io.mamori.gateway.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a delivery status notification (RFC 3464) telling a sender that some recipients failed: a
 * {@code multipart/report; report-type=delivery-status} message with a human-readable part in Japanese then
 * English, the machine-readable {@code message/delivery-status} part, and the original message's header
 * (RFC 6522 {@code text/rfc822-headers}, at most {@value #MAX_ORIGINAL_HEADER} bytes — never its body).
 *
 * <p>The DSN is sent with the null reverse path {@code <>} (RFC 5321 §4.5.5) so it can never cause another
 * DSN; {@link #owesDsn} is false for a message whose own sender is null. Thread-safe.
 */
public final class DsnWriter {

    static final int MAX_ORIGINAL_HEADER = 64 * 1024;
    private static final Pattern SMTP_REPLY = Pattern.compile("^([2-5]\\d\\d)(?:[ -]([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b)?");
    private static final int MAX_DIAGNOSTIC = 900;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUBJECT_JA = "配信不能のお知らせ";
    private static final String SUBJECT_EN = "Undelivered Mail Returned to Sender";

    private final String reportingMta;
    private final Clock clock;
    private final ZoneId zone;

    /**
     * @param reportingMta our host name, for {@code Reporting-MTA} and the From address
     * @param clock        for Date and Last-Attempt-Date
     * @param zone         time zone of dates shown to people (e.g. Asia/Tokyo)
     */
    public DsnWriter(String reportingMta, Clock clock, ZoneId zone) {
        if (reportingMta == null || !reportingMta.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("reporting MTA must be a host name: " + reportingMta);
        }
        this.reportingMta = reportingMta;
        this.clock = Objects.requireNonNull(clock);
        this.zone = Objects.requireNonNull(zone);
    }

    /**
     * One recipient the DSN reports as failed.
     *
     * @param recipient the forward path
     * @param status    RFC 3463 status, e.g. {@code 5.1.1} (see {@link #statusFor})
     * @param diagnosis the SMTP reply that failed it ({@code 550 5.1.1 …}), or another explanation
     *                  (DNS failure, expiry) — written as {@code smtp;} or {@code x-mamori;} diagnostic
     */
    public record Failure(String recipient, String status, String diagnosis) {
        public Failure {
            Objects.requireNonNull(recipient);
            if (status == null || !status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
                throw new IllegalArgumentException("not an RFC 3463 status: " + status);
            }
            diagnosis = diagnosis == null ? "" : diagnosis;
        }
    }

    /** Whether the sender of a message can get a DSN: never for the null sender (a DSN about a DSN). */
    public static boolean owesDsn(String mailFrom) {
        return mailFrom != null && !mailFrom.isEmpty();
    }

    /**
     * The RFC 3463 status for a failure: the enhanced code of an SMTP reply when it has one, else 5.0.0 /
     * 4.0.0 from the reply code, else {@code fallback}.
     */
    public static String statusFor(String reply, String fallback) {
        if (reply != null) {
            Matcher m = SMTP_REPLY.matcher(reply);
            if (m.find()) {
                if (m.group(2) != null) {
                    return m.group(2) + "." + m.group(3) + "." + m.group(4);
                }
                return reply.charAt(0) == '4' ? "4.0.0" : reply.charAt(0) == '5' ? "5.0.0" : fallback;
            }
        }
        return fallback;
    }

    /**
     * {@code failure} with our own diagnosis in place of the one the next hop gave: its reply code and status are kept
     * (they say what went wrong), its text and any connection error (which names the host) are not.
     */
    public static Failure inOwnWords(Failure failure) {
        Matcher m = SMTP_REPLY.matcher(failure.diagnosis());
        String diagnosis;
        if (failure.status().startsWith("4")) {
            // expired: the last reply was a temporary one, not the reason the sender is told
            diagnosis = failure.status() + " The message could not be delivered within the delivery period";
        } else if (m.find()) {
            diagnosis = m.group(1) + " " + failure.status() + " The recipient's mail server refused the message";
        } else {
            diagnosis = failure.status() + " The message could not be delivered";
        }
        return new Failure(failure.recipient(), failure.status(), diagnosis);
    }

    /** Subject of every DSN. */
    public static String subject() {
        return SUBJECT_JA + " / " + SUBJECT_EN;
    }

    /**
     * Writes the DSN message (header and body, CRLF lines) to {@code out}.
     *
     * @param queueId         the original message's queue id
     * @param originalSender  the original reverse path, the DSN's recipient (must not be null sender)
     * @param arrivalDate     when the original arrived
     * @param failures        the failed recipients, at least one
     * @param originalContent the original message (only its header is read, up to a bound)
     */
    public void write(String queueId, String originalSender, Instant arrivalDate, List<Failure> failures,
                      InputStream originalContent, OutputStream out) throws IOException {
        if (!owesDsn(originalSender)) {
            throw new IllegalArgumentException("no DSN for the null sender");
        }
        if (failures.isEmpty()) {
            throw new IllegalArgumentException("a DSN needs at least one failed recipient");
        }
        Instant now = clock.instant();
        String boundary = "=_mamori_dsn_" + HexFormat.of().formatHex(randomBytes(12));
        StringBuilder head = new StringBuilder();
        head.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
        head.append("To: <").append(originalSender).append(">\r\n");
        // RFC 2047 §2 limits an encoded word to 75 characters: only the Japanese half is encoded.
        head.append("Subject: ").append(encodedWord(SUBJECT_JA)).append(" / ").append(SUBJECT_EN).append("\r\n");
        head.append("Date: ").append(rfc5322Date(now)).append("\r\n");
        head.append("Message-ID: <").append(HexFormat.of().formatHex(randomBytes(16))).append('@').append(reportingMta).append(">\r\n");
        // RFC 3834 §5: automatic responses are marked so that other automata do not answer them.
        head.append("Auto-Submitted: auto-replied\r\n");
        head.append("MIME-Version: 1.0\r\n");
        head.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n");
        head.append("\r\n");
        head.append("This is a MIME-encapsulated delivery status notification.\r\n");

        head.append("\r\n--").append(boundary).append("\r\n");
        head.append("Content-Type: text/plain; charset=UTF-8\r\n");
        head.append("Content-Transfer-Encoding: base64\r\n\r\n");
        head.append(base64Lines(humanReadable(queueId, arrivalDate, failures).getBytes(StandardCharsets.UTF_8)));

        head.append("\r\n--").append(boundary).append("\r\n");
        head.append("Content-Type: message/delivery-status\r\n\r\n");
        head.append(deliveryStatus(queueId, arrivalDate, now, failures));

        byte[] originalHeader = readHeader(originalContent);
        if (originalHeader.length == 0) {
            // the original could not be read: RFC 3462 §2 lets the third part go
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return;
        }
        head.append("\r\n--").append(boundary).append("\r\n");
        head.append("Content-Type: text/rfc822-headers");
        boolean ascii = isAscii(originalHeader);
        if (ascii) {
            head.append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(originalHeader);
        } else {
            // 8-bit header bytes (raw UTF-8 or Shift_JIS) must not reach a peer without 8BITMIME unencoded.
            head.append("; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            head.append(base64Lines(originalHeader));
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private String humanReadable(String queueId, Instant arrival, List<Failure> failures) {
        String arrived = ZonedDateTime.ofInstant(arrival, zone).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT));
        StringBuilder sb = new StringBuilder();
        sb.append("このメッセージは ").append(reportingMta).append(" のメールゲートウェイ (Mamori) が自動送信しています。\r\n\r\n");
        sb.append(arrived).append(" に受け付けたメール（キューID ").append(queueId)
                .append("）は、次の宛先に配信できませんでした。\r\n\r\n");
        for (Failure f : failures) {
            sb.append("  宛先: ").append(f.recipient()).append("\r\n");
            sb.append("  理由: ").append(reason(f, true)).append("\r\n");
            sb.append("  詳細: ").append(detailInJapanese(f)).append("\r\n\r\n");
        }
        sb.append("宛先のアドレスに誤りがないかご確認ください。元のメールのヘッダーを添付しています。\r\n\r\n");
        sb.append("----------------------------------------------------------------\r\n\r\n");
        sb.append("This message was sent automatically by the mail gateway (Mamori) at ").append(reportingMta).append(".\r\n\r\n");
        sb.append("Your message accepted at ").append(arrived).append(" (queue ID ").append(queueId)
                .append(") could not be delivered to the following recipients.\r\n\r\n");
        for (Failure f : failures) {
            sb.append("  Recipient: ").append(f.recipient()).append("\r\n");
            sb.append("  Reason:    ").append(reason(f, false)).append("\r\n");
            sb.append("  Details:   ").append(printable(f.diagnosis())).append("\r\n\r\n");
        }
        sb.append("Please check the recipient addresses. The header of your message is attached.\r\n");
        return sb.toString();
    }

    private static String reason(Failure f, boolean japanese) {
        if (f.status().startsWith("4")) {
            return japanese ? "配信期限内に配信できませんでした。" : "It could not be delivered within the delivery period.";
        }
        if (SMTP_REPLY.matcher(f.diagnosis()).find()) {
            return japanese ? "受信側のサーバーが受け取りを拒否しました。" : "The receiving server refused it.";
        }
        return japanese ? "宛先のドメインはメールを受け取れません。" : "The recipient's domain cannot receive mail.";
    }

    /**
     * The Japanese detail line: what the status class means (RFC 3463 §3: the subject digit; any 4.x.x is temporary),
     * then the diagnostic as it was given, which is often the next hop's English reply.
     */
    static String detailInJapanese(Failure f) {
        String diagnosis = printable(f.diagnosis());
        String explanation = explanationInJapanese(f.status());
        return diagnosis.isEmpty() ? explanation : explanation + " 原文: " + diagnosis;
    }

    private static String explanationInJapanese(String status) {
        if (status.startsWith("4")) {
            return "一時的な障害（相手サーバーの混雑や接続の失敗など）が配信期限まで続きました。";
        }
        return switch (status.substring(2, status.indexOf('.', 2))) {
            case "1" -> "宛先アドレスの問題です（アドレスが存在しないか、誤りがあります）。";
            case "2" -> "宛先のメールボックスの問題です（容量の超過や利用停止など）。";
            case "3" -> "受信側のメールシステムの問題です（容量不足やサイズの制限など）。";
            case "4" -> "ネットワークまたは配送経路の問題です（宛先ドメインのメールサーバーに届かないなど）。";
            case "5" -> "メール配送の手順（SMTP）の問題です。";
            case "6" -> "メールの内容または形式の問題です（文字コードや、変換できない形式など）。";
            case "7" -> "セキュリティまたはポリシーによる拒否です（送信元の認証の失敗や迷惑メールの判定など）。";
            default -> "原因は特定されていません。";
        };
    }

    private String deliveryStatus(String queueId, Instant arrival, Instant now, List<Failure> failures) {
        StringBuilder sb = new StringBuilder();
        sb.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        sb.append("X-Mamori-Queue-ID: ").append(printable(queueId)).append("\r\n");
        sb.append("Arrival-Date: ").append(rfc5322Date(arrival)).append("\r\n");
        for (Failure f : failures) {
            sb.append("\r\n");
            // RFC 6533: an address with non-ASCII characters is typed utf-8 instead of rfc822.
            sb.append("Final-Recipient: ").append(isAscii(f.recipient().getBytes(StandardCharsets.UTF_8)) ? "rfc822; " : "utf-8; ")
                    .append(printableUtf8(f.recipient())).append("\r\n");
            sb.append("Action: failed\r\n");
            sb.append("Status: ").append(f.status()).append("\r\n");
            if (!f.diagnosis().isEmpty()) {
                boolean smtp = SMTP_REPLY.matcher(f.diagnosis()).find();
                sb.append("Diagnostic-Code: ").append(smtp ? "smtp; " : "x-mamori; ").append(printable(f.diagnosis())).append("\r\n");
            }
            sb.append("Last-Attempt-Date: ").append(rfc5322Date(now)).append("\r\n");
        }
        return sb.toString();
    }

    /** The header of the original up to and including its blank line, cut at a line end within the bound. */
    static byte[] readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        byte[] buf = in.readNBytes(MAX_ORIGINAL_HEADER);
        int lastLineEnd = 0;
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] == '\n') {
                boolean blank = i == 0 || (i == 1 && buf[0] == '\r') || buf[i - 1] == '\n'
                        || (buf[i - 1] == '\r' && i >= 2 && buf[i - 2] == '\n');
                lastLineEnd = i + 1;
                if (blank) {
                    break;
                }
            }
        }
        header.write(buf, 0, lastLineEnd);
        return header.toByteArray();
    }

    /**
     * The header of an inbound message as it is returned to its sender outside: the stored header, which for a message
     * the gateway rewrote (a TAG's subject prefix, a warning part that wrapped the body in {@code multipart/mixed}) is
     * the rewrite's, given back as the sender wrote it as far as it can be. The Subject is the one the message came with
     * ({@code originalSubject}, as the store kept it; none when it had none), and the fields that describe the body
     * ({@code MIME-Version}, {@code Content-*}) are left out, since the body is not returned: a sender of phishing to an
     * unknown address must not learn from the bounce that, or how, the gateway marked the message. The other fields stay
     * byte for byte. A header mime4j cannot read is returned as empty.
     */
    static byte[] asReceived(byte[] header, String originalSubject) {
        if (header.length == 0) {
            return header;
        }
        org.apache.james.mime4j.dom.Header parsed;
        try {
            // permissive: the header is at most MAX_ORIGINAL_HEADER bytes already, and a long line is no reason to drop it
            org.apache.james.mime4j.message.DefaultMessageBuilder builder =
                    new org.apache.james.mime4j.message.DefaultMessageBuilder();
            builder.setMimeEntityConfig(org.apache.james.mime4j.stream.MimeConfig.PERMISSIVE);
            parsed = builder.parseHeader(new java.io.ByteArrayInputStream(header));
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + 64);
        for (org.apache.james.mime4j.stream.Field f : parsed.getFields()) {
            String name = f.getName().toLowerCase(Locale.ROOT);
            if (name.equals("subject") || name.equals("mime-version") || name.startsWith("content-")) {
                continue;
            }
            byte[] raw = f.getRaw() != null ? f.getRaw().toByteArray()
                    : (f.getName() + ": " + f.getBody()).getBytes(StandardCharsets.UTF_8);
            out.writeBytes(raw);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        if (originalSubject != null && !originalSubject.isEmpty()) {
            String subject = printableUtf8(originalSubject);
            String value = isAscii(subject.getBytes(StandardCharsets.UTF_8)) && !subject.contains("=?")
                    ? subject
                    : org.apache.james.mime4j.codec.EncoderUtil.encodeEncodedWord(subject,
                            org.apache.james.mime4j.codec.EncoderUtil.Usage.TEXT_TOKEN, "Subject: ".length(),
                            StandardCharsets.UTF_8, org.apache.james.mime4j.codec.EncoderUtil.Encoding.B);
            out.writeBytes(org.apache.james.mime4j.util.MimeUtil.fold("Subject: " + value, 0)
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    private static String base64Lines(byte[] data) {
        return Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(data) + "\r\n";
    }

    private static String encodedWord(String text) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    private static String rfc5322Date(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atZone(ZoneId.of("UTC")));
    }

    /** Printable ASCII only, bounded: the text goes into header-like fields. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_DIAGNOSTIC));
        for (int i = 0; i < s.length() && sb.length() < MAX_DIAGNOSTIC; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    private static String printableUtf8(String s) {
        return s.replaceAll("[\\x00-\\x1f\\x7f]", "?");
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
