package io.mamori.core.message;

import java.time.Instant;
import java.util.List;

/**
 * The SMTP envelope of one message as the session saw it.
 *
 * @param direction         listener the message arrived on
 * @param mailFrom          reverse path; empty string for the null sender {@code <>}
 * @param recipients        forward paths, in RCPT order, never empty for an accepted message
 * @param clientAddress     textual IP address of the SMTP client
 * @param helo              EHLO/HELO argument, may be empty
 * @param authenticatedUser SMTP AUTH identity, or {@code null}
 * @param tls               whether the session was protected by STARTTLS
 * @param receivedAt        time the DATA phase began
 */
public record Envelope(
        Direction direction,
        String mailFrom,
        List<String> recipients,
        String clientAddress,
        String helo,
        String authenticatedUser,
        boolean tls,
        Instant receivedAt) {

    public Envelope {
        recipients = List.copyOf(recipients);
        mailFrom = mailFrom == null ? "" : mailFrom;
        helo = helo == null ? "" : helo;
    }
}
