package io.mamori.gateway.receive;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.attachment.ArchivePasswords;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.policy.Policy;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PPAP's パスワード別送: a password-protected zip or Office file in one mail, its password in the next. The gateway
 * quarantines the first (it cannot be inspected, {@code attachments.encrypted}); when an inbound mail of the same
 * envelope sender to one of its recipients comes within {@code attachments.password_mail_minutes} and its text gives
 * passwords ({@link ArchivePasswords#of}), the quarantined message is analyzed again with them
 * ({@link ReceptionPipeline#reassess}), off the SMTP session's thread. The two mails are often sent at once and may
 * arrive in either order: a message quarantined for encryption also looks back over the window for such a mail that
 * came before it ({@link #quarantined}). A sender who can send the password could as
 * well have written it into the first mail, which is opened the same way: the second mail opens nothing the first
 * could not, and what it opens is inspected and scanned before anything is delivered.
 *
 * <p>Looked up in the store (so it works across restarts and gateway nodes): only for mail whose text gives a
 * password, and at most {@value #MAX_MESSAGES} quarantined messages per password mail, newest first.
 */
final class PasswordMails {

    private static final Logger LOG = LoggerFactory.getLogger("mamori.message");
    /** Quarantined messages one password mail is tried on, and earlier mails a quarantined message looks at. */
    static final int MAX_MESSAGES = 3;
    /** Larger earlier mails are not read for a password: a password mail is a few lines (and perhaps a logo). */
    static final long MAX_PASSWORD_MAIL_BYTES = 1024 * 1024;
    private static final String ENCRYPTED = Policy.Attachments.ENCRYPTED_CODE;

    /** Analyzes a quarantined message again with a password mail's passwords: whether they opened anything. */
    interface Reassessment {
        boolean reassess(String quarantinedId, PasswordMail mail) throws Exception;
    }

    /** The passwords a stored message's text gives ({@link ArchivePasswords#of}), empty when none or unreadable. */
    interface StoredPasswords {
        List<String> of(String storedId) throws Exception;
    }

    private final MessageStore store;
    private final Executor executor;
    private final Reassessment reassessment;
    private final StoredPasswords storedPasswords;

    PasswordMails(MessageStore store, Executor executor, Reassessment reassessment, StoredPasswords storedPasswords) {
        this.store = store;
        this.executor = executor;
        this.reassessment = reassessment;
        this.storedPasswords = storedPasswords;
    }

    /**
     * An inbound message was committed as {@code storedId} ({@code analyzed}: what its analyzers saw, {@code null} when
     * it could not be parsed): if its text gives passwords, the quarantined messages it may give the password of are looked
     * up and analyzed again on the executor; on the caller's thread (the SMTP session's, before its 250) only the text is
     * searched. Never throws: the message is accepted already.
     */
    void received(Envelope envelope, AnalysisInput analyzed, String storedId, Policy policy) {
        int minutes = policy.attachments().passwordMailMinutes();
        if (minutes == 0 || envelope.direction() != Direction.INBOUND || envelope.mailFrom().isEmpty() || analyzed == null) {
            return;
        }
        try {
            // the HTML parts' visible text is the analyzers', kept in the input's memo: only the search itself costs
            List<String> passwords = ArchivePasswords.of(analyzed).own();
            if (passwords.isEmpty()) {
                return;
            }
            PasswordMail mail = new PasswordMail(storedId, passwords);
            Instant since = envelope.receivedAt().minus(Duration.ofMinutes(minutes));
            // the store's look-up too runs on the executor: the session's 250 waits for nothing but the bounded search
            // of the text above (a slow database would otherwise hold the reply past the client's timeout, and the
            // message, committed already, would be sent again)
            executor.execute(() -> {
                List<StoredMessage> waiting;
                try {
                    waiting = waiting(envelope, storedId, since);
                } catch (Exception | LinkageError e) {
                    LOG.warn("message id={} is a password mail, but its quarantined messages could not be looked up ({})",
                            storedId, e.getClass().getSimpleName());
                    return;
                }
                for (StoredMessage m : waiting) {
                    try {
                        reassessment.reassess(m.id(), mail);
                    } catch (Exception | LinkageError e) {
                        // it stays quarantined, as it was: an analyst can still release it
                        LOG.warn("message id={} could not be analyzed again with the password mail id={} ({})", m.id(),
                                storedId, e.getClass().getSimpleName());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("message id={} is a password mail, but the gateway is too busy to try it now", storedId);
        } catch (RuntimeException | StackOverflowError e) {
            // the message is committed: whatever the search met must not turn its 250 into a 4xx (sent again, delivered twice)
            LOG.warn("message id={} could not be searched for passwords ({})", storedId, e.getClass().getSimpleName());
        }
    }

    /**
     * An inbound message was committed as {@code storedId} with {@code ENCRYPTED_ARCHIVE} among its findings: if it
     * was quarantined, the mails of the same envelope sender to one of its recipients that came within the window
     * before it (at most {@value #MAX_MESSAGES}, newest first, each at most {@value #MAX_PASSWORD_MAIL_BYTES} bytes)
     * are read for passwords, which are tried on it in turn until one opens it, all on the executor. Never throws.
     */
    void quarantined(Envelope envelope, String storedId, Policy policy) {
        int minutes = policy.attachments().passwordMailMinutes();
        if (minutes == 0 || envelope.direction() != Direction.INBOUND || envelope.mailFrom().isEmpty()) {
            return;
        }
        Instant since = envelope.receivedAt().minus(Duration.ofMinutes(minutes));
        try {
            executor.execute(() -> {
                try {
                    lookBack(envelope, storedId, since);
                } catch (Exception | LinkageError e) {
                    LOG.warn("message id={} could not be tried with earlier password mails ({})", storedId,
                            e.getClass().getSimpleName());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("message id={} waits for a password, but the gateway is too busy to look for an earlier one now",
                    storedId);
        }
    }

    private void lookBack(Envelope envelope, String storedId, Instant since) throws Exception {
        StoredMessage quarantined = store.find(storedId).orElse(null);
        if (quarantined == null || quarantined.state() != MessageState.QUARANTINED || !quarantined.hasFinding(ENCRYPTED)) {
            return;
        }
        for (StoredMessage earlier : earlier(envelope, storedId, since)) {
            List<String> passwords;
            try {
                passwords = storedPasswords.of(earlier.id());
            } catch (Exception e) {
                // deleted meanwhile, or unreadable: the others may still give it
                LOG.debug("message id={} could not be read for a password ({})", earlier.id(), e.getClass().getSimpleName());
                continue;
            }
            if (!passwords.isEmpty() && reassessment.reassess(storedId, new PasswordMail(earlier.id(), passwords))) {
                return;
            }
        }
    }

    /**
     * Inbound messages of the same envelope sender to one of these recipients since then whose content is kept and
     * small enough to be a password mail, newest first; not one quarantined for encryption.
     */
    private List<StoredMessage> earlier(Envelope envelope, String storedId, Instant since) {
        return sameSenderAndRecipient(envelope, storedId, null, since, null)
                .filter(m -> m.state() != MessageState.DELETED && m.size() <= MAX_PASSWORD_MAIL_BYTES
                        && !m.hasFinding(ENCRYPTED))
                .limit(MAX_MESSAGES)
                .toList();
    }

    /** Inbound messages of the same envelope sender to one of these recipients, quarantined for encryption since then. */
    private List<StoredMessage> waiting(Envelope envelope, String storedId, Instant since) {
        return sameSenderAndRecipient(envelope, storedId, MessageState.QUARANTINED, since, ENCRYPTED)
                .limit(MAX_MESSAGES)
                .toList();
    }

    /**
     * Inbound messages (newest first, at most 50 looked at) in {@code state} ({@code null}: any) with {@code finding}
     * ({@code null}: any) received since then, of exactly the same envelope sender to at least one of the envelope's
     * recipients; never {@code storedId} itself.
     */
    private Stream<StoredMessage> sameSenderAndRecipient(Envelope envelope, String storedId, MessageState state,
            Instant since, String finding) {
        Set<String> recipients = envelope.recipients().stream().map(r -> r.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        // the sender criterion matches a part of the address; only the same address counts
        return store.search(new MessageQuery(null, envelope.mailFrom(), null, null, null, state, Direction.INBOUND,
                        since, null, null, 0, 50, finding)).stream()
                .filter(m -> !m.id().equals(storedId) && m.mailFrom().equalsIgnoreCase(envelope.mailFrom()))
                .filter(m -> m.recipients().stream().map(StoredRecipient::address)
                        .anyMatch(a -> recipients.contains(a.toLowerCase(Locale.ROOT))));
    }
}
