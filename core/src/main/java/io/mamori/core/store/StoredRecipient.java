package io.mamori.core.store;

/**
 * One recipient of a stored message.
 *
 * @param address   the forward path
 * @param status    where delivery stands
 * @param lastReply the last SMTP reply (or connection error) seen for this recipient, or {@code null}
 */
public record StoredRecipient(String address, RecipientStatus status, String lastReply) {
}
