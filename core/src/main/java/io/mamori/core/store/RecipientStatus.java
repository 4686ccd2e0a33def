package io.mamori.core.store;

/** Delivery status of one recipient of a stored message. */
public enum RecipientStatus {
    /** Not yet delivered; will be (re)tried. */
    PENDING,
    /** Accepted by the next hop with a 2xx reply. */
    DELIVERED,
    /** Permanently refused (5xx) or expired; a DSN is owed to the sender. */
    FAILED
}
