package io.mamori.core.store;

/**
 * Life cycle of a stored message. RECEIVED is the committed state before a routing decision is recorded;
 * QUEUED waits for delivery; HELD waits for release, approval or expiry; QUARANTINED waits for an analyst.
 * DELIVERED, BOUNCED and DELETED are final.
 *
 * <pre>
 * RECEIVED → QUEUED | HELD | QUARANTINED
 * HELD | QUARANTINED → QUEUED (release) | DELETED
 * QUEUED → DELIVERED | BOUNCED | DELETED
 * </pre>
 */
public enum MessageState {
    RECEIVED, QUEUED, HELD, QUARANTINED, DELIVERED, BOUNCED, DELETED;

    public boolean isFinal() {
        return this == DELIVERED || this == BOUNCED || this == DELETED;
    }

    /** Whether the life cycle above allows moving from this state to {@code next}. */
    public boolean canMoveTo(MessageState next) {
        return switch (this) {
            case RECEIVED -> next == QUEUED || next == HELD || next == QUARANTINED || next == DELETED;
            case HELD, QUARANTINED -> next == QUEUED || next == DELETED;
            case QUEUED -> next == DELIVERED || next == BOUNCED || next == DELETED;
            case DELIVERED, BOUNCED, DELETED -> false;
        };
    }
}
