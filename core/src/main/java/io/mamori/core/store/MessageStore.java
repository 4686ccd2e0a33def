package io.mamori.core.store;

import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Envelope;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable, encrypted store and queue of messages: the hand-over between receiving and delivering.
 *
 * <p>Contract: every method is thread-safe. {@link #commit} returns only after the content and its row are
 * durable (content fsynced, database transaction committed); implementations may batch concurrent commits
 * into one transaction (group commit). Message content is encrypted at rest. Queue claims are leases, so
 * several delivery workers (and several gateway nodes sharing one database) never deliver the same
 * message at the same time, and a crashed worker's claim expires.
 */
public interface MessageStore {

    /** Starts receiving a new message. */
    Spool openSpool() throws IOException;

    /**
     * Makes the spooled message durable. {@code headerPrefix} (e.g. {@code Received:} and
     * {@code X-Mamori-Verdict:} lines, CRLF-terminated) is stored with it and returned in front of the
     * content by {@link #openContent}; the spooled bytes themselves stay verbatim.
     *
     * @return the stored message, with its queue id
     */
    StoredMessage commit(Spool spool, NewMessage message, String headerPrefix) throws IOException;

    /** Header prefix followed by the verbatim spooled content, decrypted. */
    InputStream openContent(String id) throws IOException;

    /**
     * The verbatim spooled content, decrypted, without the header prefix: the message as it was received (or as it was
     * committed, when a rewrite made it), for analyzing it again.
     */
    InputStream openOriginal(String id) throws IOException;

    /** The SMTP envelope the message was committed with (recipients in RCPT order); empty if there is no such message. */
    Optional<Envelope> envelope(String id);

    /**
     * Records a new verdict (action, score, finding codes) for a message that is still in {@code state}, e.g. a
     * quarantined message analyzed again with more to go on. The stored content and its header prefix are unchanged.
     *
     * @return {@code false} if the message does not exist or is no longer in {@code state}
     */
    boolean revise(String id, MessageState state, Verdict verdict);

    Optional<StoredMessage> find(String id);

    /** Newest first; {@code state == null} lists all states. */
    List<StoredMessage> list(MessageState state, int limit);

    /** Counts by state, for metrics and the console. */
    java.util.Map<MessageState, Long> countByState();

    /**
     * Counts by state of the messages {@code parties} own (see {@link MessageQuery#parties()}); every state is a
     * key. {@code parties == null} counts every message.
     */
    java.util.Map<MessageState, Long> countByState(java.util.Set<String> parties);

    /** Messages matching {@code query}, newest first, from its offset up to its limit. */
    List<StoredMessage> search(MessageQuery query);

    /**
     * What was received in {@code [from, to)} among the messages {@code parties} own ({@code null}: all), counted
     * in the database (memory does not grow with the number of messages).
     */
    Traffic traffic(Instant from, Instant to, java.util.Set<String> parties);

    /**
     * Claims up to {@code limit} QUEUED messages whose next attempt is due at {@code now}, leasing each to
     * the caller until {@code now + lease} (a claimed message is not returned again until its lease ends or
     * {@link #recordAttempt} is called). Times are kept to the microsecond.
     */
    List<StoredMessage> claimDue(Instant now, int limit, Duration lease);

    /**
     * Extends the caller's lease of a message to {@code now + lease}, just before it starts the message's attempt.
     * The lease is named by its end, {@code leaseUntil} ({@code now + lease} of the {@link #claimDue} or renewal that
     * set it): no two claims of a message end at the same time, so the end identifies the holder. False when the
     * message has been claimed again since (its lease ended and another worker took it) or left the queue: the
     * caller must then leave it alone.
     */
    boolean renewLease(String id, Instant leaseUntil, Instant now, Duration lease);

    /**
     * Gives back the caller's lease (named by its end, as for {@link #renewLease}) without attempting the message,
     * so it is due again at once; a message claimed by someone else since is left alone.
     */
    void releaseLease(String id, Instant leaseUntil);

    /**
     * Records the outcome of one delivery attempt made under the caller's lease, named by its end as for {@link
     * #renewLease}: recipient statuses and replies, the attempt count, and either the next attempt time (some
     * recipients still PENDING) or the final state (DELIVERED when all recipients were delivered, BOUNCED when none is
     * pending and at least one failed); the lease is released. The attempt is recorded in full only while the caller
     * still holds that lease. Once it has not (the lease ended and another worker claimed the message, an operator
     * moved the message, or this attempt was recorded already), whoever has the message now decides its state: only
     * what is settled for good is kept, so that nobody delivers or reports it again — recipients still PENDING that the
     * attempt DELIVERED or FAILED get that status and reply. Their state, next attempt time, attempt count, error and
     * lease stay as they are.
     *
     * @param outcomes      new status per recipient address (recipients not named keep theirs)
     * @param nextAttemptAt when to try PENDING recipients again; ignored when none is pending
     * @param error         summary of the attempt's error, or {@code null}
     * @return the updated message; empty when the lease was no longer the caller's
     */
    Optional<StoredMessage> recordAttempt(String id, Instant leaseUntil, List<StoredRecipient> outcomes, Instant nextAttemptAt,
                                          String error);

    /**
     * Moves a message to another state if the life cycle allows it ({@link MessageState#canMoveTo}).
     * Moving to QUEUED makes it due at once.
     *
     * @return {@code false} if the message does not exist or is not in a state that may move to {@code to}
     */
    boolean transition(String id, MessageState to);

    /**
     * As {@link #transition(String, MessageState)}, but only from {@code from}: {@code false} when the message is in any
     * other state (someone else moved it first), e.g. a quarantined message deleted only while still quarantined.
     */
    boolean transition(String id, MessageState from, MessageState to);

    /** Re-encrypts stored content keys under the current primary key (after a key rotation). Returns how many. */
    int rewrapKeys() throws IOException;
}
