package io.mamori.core.store;

import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Envelope;

/**
 * Everything recorded with a message at commit time besides its content.
 *
 * @param envelope     the SMTP envelope
 * @param subject      decoded subject, may be empty
 * @param verdict      the policy's verdict
 * @param initialState QUEUED, HELD or QUARANTINED
 */
public record NewMessage(Envelope envelope, String subject, Verdict verdict, MessageState initialState) {
}
