package io.mamori.core.store;

import io.mamori.core.message.Direction;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A search over stored messages (message tracking). Every criterion is optional ({@code null} or blank means
 * "any"); given criteria must all match.
 *
 * @param id        exact queue id
 * @param sender    part of the envelope sender, case-insensitive
 * @param recipient part of an envelope recipient, case-insensitive
 * @param subject   part of the subject, case-insensitive
 * @param action    the policy action (DELIVER, TAG, HOLD, QUARANTINE, REJECT), exact
 * @param state     the current state
 * @param direction the listener it arrived on
 * @param from      received at or after
 * @param to        received before
 * @param parties   scope: when not {@code null}, only messages one of these addresses owns (an envelope
 *                  recipient, or the envelope sender of an OUTBOUND message); an empty set matches nothing.
 *                  Addresses compare case-insensitively.
 * @param offset    rows to skip (newest first)
 * @param limit     most rows to return, 1 to 1000
 * @param finding   a finding code the message's verdict or findings name, exact (e.g. {@code LINK_SHORTENER})
 */
public record MessageQuery(String id, String sender, String recipient, String subject, String action,
        MessageState state, Direction direction, Instant from, Instant to, Set<String> parties, int offset, int limit,
        String finding) {

    /**
     * Most addresses a scope may name (an approver's departments: a large company's division); more is refused rather
     * than silently cut. The store binds them as one array, so the bound is memory, not the statement's parameters.
     */
    public static final int MAX_PARTIES = 200_000;

    public MessageQuery {
        id = blankToNull(id);
        sender = blankToNull(sender);
        recipient = blankToNull(recipient);
        subject = blankToNull(subject);
        action = action == null || action.isBlank() ? null : action.strip().toUpperCase(Locale.ROOT);
        if (parties != null) {
            TreeSet<String> lower = new TreeSet<>();
            parties.stream().filter(p -> p != null && !p.isBlank()).map(p -> p.strip().toLowerCase(Locale.ROOT))
                    .forEach(lower::add);
            if (lower.size() > MAX_PARTIES) {
                throw new IllegalArgumentException("a scope may name at most " + MAX_PARTIES + " addresses: " + lower.size());
            }
            parties = java.util.Collections.unmodifiableSortedSet(lower);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000: " + limit);
        }
        finding = blankToNull(finding);
        if (finding != null && !finding.matches("[A-Z][A-Z0-9_]{0,63}")) {
            throw new IllegalArgumentException("not a finding code: " + finding);
        }
    }

    /** Without a finding criterion. */
    public MessageQuery(String id, String sender, String recipient, String subject, String action, MessageState state,
            Direction direction, Instant from, Instant to, Set<String> parties, int offset, int limit) {
        this(id, sender, recipient, subject, action, state, direction, from, to, parties, offset, limit, null);
    }

    /** Every message, newest first, {@code limit} at a time. */
    public static MessageQuery all(int limit) {
        return new MessageQuery(null, null, null, null, null, null, null, null, null, null, 0, limit);
    }

    public MessageQuery withParties(Set<String> owners) {
        return new MessageQuery(id, sender, recipient, subject, action, state, direction, from, to, owners, offset, limit,
                finding);
    }

    public MessageQuery withPage(int newOffset, int newLimit) {
        return new MessageQuery(id, sender, recipient, subject, action, state, direction, from, to, parties, newOffset,
                newLimit, finding);
    }

    public MessageQuery withState(MessageState newState) {
        return new MessageQuery(id, sender, recipient, subject, action, newState, direction, from, to, parties, offset,
                limit, finding);
    }

    public MessageQuery withFinding(String code) {
        return new MessageQuery(id, sender, recipient, subject, action, state, direction, from, to, parties, offset, limit,
                code);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
