package io.mamori.gateway.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * Client-side SMTP timeouts (RFC 5321 §4.5.3.2). Each applies to one wait: a reply, or (for
 * {@code dataBlock}) one write of content to the socket.
 *
 * @param connect         TCP connect
 * @param greeting        the 220 greeting (RFC: 5 minutes)
 * @param command         replies to EHLO, STARTTLS, MAIL and RCPT (RFC: 5 minutes for MAIL and RCPT)
 * @param dataInitiation  the 354 reply to DATA (RFC: 2 minutes)
 * @param dataBlock       each block of content written (RFC: 3 minutes)
 * @param dataTermination the reply after the final dot (RFC: 10 minutes; shorter values risk duplicates,
 *                        because the server may still be accepting the message when the client gives up)
 */
public record SmtpTimeouts(Duration connect, Duration greeting, Duration command, Duration dataInitiation,
                           Duration dataBlock, Duration dataTermination) {

    public SmtpTimeouts {
        for (Duration d : new Duration[] {connect, greeting, command, dataInitiation, dataBlock, dataTermination}) {
            Objects.requireNonNull(d, "timeout");
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout must be positive and below 24 days: " + d);
            }
        }
    }

    /** The values RFC 5321 §4.5.3.2 recommends, with a 30 s connect timeout. */
    public static SmtpTimeouts rfc5321() {
        return new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
    }

    /**
     * Shorter waits for the handshake so a dead peer frees a worker sooner; the data termination wait stays
     * at the RFC's 10 minutes to avoid duplicate deliveries.
     */
    public static SmtpTimeouts defaults() {
        return new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(2),
                Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
    }

    /** Every timeout set to {@code d}, for tests. */
    public static SmtpTimeouts all(Duration d) {
        return new SmtpTimeouts(d, d, d, d, d, d);
    }
}
