package io.mamori.gateway.delivery;

import java.util.List;
import java.util.Optional;

/**
 * What one SMTP session with one hop did for each recipient.
 *
 * @param hop        the hop that was tried
 * @param tls        whether the transaction ran under STARTTLS
 * @param recipients one result per requested recipient, in request order
 * @param failure    why the session ended early (connection, timeout, TLS …), if it did
 */
public record DeliveryResult(HostAndPort hop, boolean tls, List<RecipientResult> recipients,
                             Optional<SessionFailure> failure) {

    public DeliveryResult {
        recipients = List.copyOf(recipients);
    }

    /** Per-recipient outcome of one attempt. */
    public enum Outcome {
        /** The hop took responsibility (2xx after the data). */
        DELIVERED,
        /** 4xx, connection error, timeout or TLS failure: try again later. */
        TEMP_FAILED,
        /** 5xx: give up on this recipient and tell the sender. */
        PERM_FAILED
    }

    /**
     * @param address the recipient
     * @param outcome what happened
     * @param reply   the SMTP reply that decided it (e.g. {@code 550 5.1.1 User unknown}) or a description of
     *                the connection error; single line, printable ASCII/UTF-8
     */
    public record RecipientResult(String address, Outcome outcome, String reply) {
    }

    /**
     * Why a session ended before every recipient got a reply of its own.
     *
     * @param afterContent whether the whole content had been sent and only the final reply was missing: the peer may
     *                     have the message (RFC 1047's duplicate problem), so it is not sent to the next host at once
     */
    public record SessionFailure(Kind kind, String detail, boolean afterContent) {

        /** A failure before the content was sent. */
        public SessionFailure(Kind kind, String detail) {
            this(kind, detail, false);
        }

        public enum Kind {
            /** TCP connect failed or the connection was lost. */
            CONNECT,
            /** The peer did not answer (or accept data) in time. */
            TIMEOUT,
            /** TLS was required and could not be established, or the handshake failed. */
            TLS,
            /** The peer broke the protocol (malformed or over-long replies). */
            PROTOCOL,
            /** The peer refused the whole transaction (greeting, EHLO, MAIL or DATA reply). */
            REPLY,
            /** Refused locally before sending: message too large for the peer, SMTPUTF8 not offered. */
            LOCAL
        }
    }

    public List<String> addressesWith(Outcome outcome) {
        return recipients.stream().filter(r -> r.outcome() == outcome).map(RecipientResult::address).toList();
    }

    /** Whether nobody got a definite answer: a reason to try the next MX host (RFC 5321 §5.1). */
    public boolean allTempFailed() {
        return recipients.stream().allMatch(r -> r.outcome() == Outcome.TEMP_FAILED);
    }
}
