package io.mamori.console.notice;

import io.mamori.console.text.ConsoleMessages;
import io.mamori.core.text.InvalidInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.HexFormat;
import java.util.TimeZone;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.DefaultFieldParser;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.message.DefaultMessageWriter;

/**
 * Writes one notice as an Internet message (RFC 5322 with MIME): {@code text/plain; charset=UTF-8} in base64,
 * subject and display names as RFC 2047 encoded words (folded, never splitting a character), {@code Date},
 * a fresh {@code Message-ID}, {@code Auto-Submitted: auto-generated} (RFC 3834: automatic responders must not
 * answer it) and {@code X-Auto-Response-Suppress: All} (the same for Exchange/Microsoft 365 out-of-office
 * replies). Mime4j writes the message, so the encoding rules are a maintained library's, not ours.
 *
 * <p>Thread-safe.
 */
final class NoticeMail {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Mailbox from;
    private final String hostname;
    private final ZoneId zone;

    /**
     * @param from     the From mailbox, e.g. {@code mamori-noreply@example.co.jp} or {@code Mamori <…>}
     * @param hostname right-hand side of Message-IDs
     * @param zone     time zone of the Date header
     */
    NoticeMail(String from, String hostname, ZoneId zone) {
        this.from = mailbox(from, "mamori.notices.from");
        this.hostname = hostname;
        this.zone = zone;
    }

    String fromAddress() {
        return from.getAddress();
    }

    /**
     * The message bytes.
     *
     * @param to              recipient address
     * @param toName          recipient display name, may be empty
     * @param subject         decoded subject (one line)
     * @param body            text, lines separated by LF or CRLF
     * @param contentLanguage e.g. {@code ja}, {@code en} or {@code ja, en}
     */
    byte[] compose(String to, String toName, String subject, String body, String contentLanguage, Instant date) {
        Mailbox recipient = mailbox(to, null);
        Mailbox named = toName == null || toName.isBlank() ? recipient
                : new Mailbox(toName, recipient.getLocalPart(), recipient.getDomain());
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        try {
            Message message = Message.Builder.of()
                    .setFrom(from)
                    .setTo(named)
                    .setSubject(subject)
                    .setDate(Date.from(date), TimeZone.getTimeZone(zone))
                    .setMessageId("<notice." + HexFormat.of().formatHex(random) + "@" + hostname + ">")
                    // RFC 2045 §6.8: text is base64-encoded in its canonical form, with CRLF line breaks.
                    .setBody(body.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n", StandardCharsets.UTF_8)
                    .setContentTransferEncoding("base64")
                    .addField(DefaultFieldParser.parse("Content-Language: " + contentLanguage))
                    .addField(DefaultFieldParser.parse("Auto-Submitted: auto-generated"))
                    .addField(DefaultFieldParser.parse("X-Auto-Response-Suppress: All"))
                    .build();
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            new DefaultMessageWriter().writeMessage(message, out);
            return out.toByteArray();
        } catch (IOException | MimeException e) {
            throw new IllegalStateException("cannot write notice message: " + e.getMessage(), e);
        }
    }

    /**
     * Parses one mailbox. One that is not an address is refused in English and Japanese, in the console's words
     * ({@code email.invalid}), after the name of the setting it came from when it came from one.
     *
     * @param setting the setting, e.g. {@code mamori.notices.from}, or {@code null} for a recipient's address
     * @throws InvalidInput when {@code text} is not one mailbox with a domain
     */
    static Mailbox mailbox(String text, String setting) {
        if (text == null || text.isBlank() || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw notAnAddress(text, setting, null);
        }
        Mailbox m;
        try {
            m = DefaultAddressParser.DEFAULT.parseMailbox(text.trim());
        } catch (org.apache.james.mime4j.dom.field.ParseException | RuntimeException e) {
            throw notAnAddress(text, setting, e);
        }
        if (m.getDomain() == null || m.getDomain().isBlank() || !m.getDomain().contains(".") || m.getLocalPart().isBlank()) {
            throw notAnAddress(text, setting, null);
        }
        return m;
    }

    private static InvalidInput notAnAddress(String text, String setting, Exception cause) {
        InvalidInput reason = ConsoleMessages.invalid("email.invalid", text);
        InvalidInput named = setting == null ? reason
                : new InvalidInput(setting + ": " + reason.getMessage(), setting + ": " + reason.messageJa());
        if (cause != null) {
            named.initCause(cause);
        }
        return named;
    }
}
