package io.mamori.core.store;

import io.mamori.core.message.Direction;
import java.time.Instant;
import java.util.List;

/**
 * Metadata of one stored message (the content is read with {@link MessageStore#openContent}).
 *
 * @param id            queue id, unique, safe to show in logs and replies
 * @param direction     listener it arrived on
 * @param mailFrom      reverse path ("" for the null sender)
 * @param recipients    per-recipient delivery status
 * @param clientAddress SMTP client IP
 * @param subject       decoded subject (for operators; never logged)
 * @param state         current state
 * @param action        policy action name (DELIVER, TAG …)
 * @param score         policy score
 * @param findingCodes  comma-separated finding codes, or ""
 * @param size          stored content size in bytes (added headers included)
 * @param receivedAt    commit time
 * @param attempts      delivery attempts so far
 * @param nextAttemptAt when the next delivery attempt is due (QUEUED only), else {@code null}
 * @param lastError     last delivery error summary, or {@code null}
 * @param queuedAt      when it last entered the delivery queue: its commit, or the release that queued it (its
 *                      commit time while it has never been queued); delivery's retry lifetime counts from here
 */
public record StoredMessage(
        String id,
        Direction direction,
        String mailFrom,
        List<StoredRecipient> recipients,
        String clientAddress,
        String subject,
        MessageState state,
        String action,
        double score,
        String findingCodes,
        long size,
        Instant receivedAt,
        int attempts,
        Instant nextAttemptAt,
        String lastError,
        Instant queuedAt) {

    public StoredMessage {
        recipients = List.copyOf(recipients);
    }

    /** Whether {@code code} is one of the message's finding codes (exactly, not as part of a longer one). */
    public boolean hasFinding(String code) {
        return java.util.Arrays.asList(findingCodes.split(",")).contains(code);
    }

    public List<String> pendingRecipients() {
        return recipients.stream().filter(r -> r.status() == RecipientStatus.PENDING).map(StoredRecipient::address).toList();
    }
}
