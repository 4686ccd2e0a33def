package io.mamori.core.message;

/** Which listener a message came in on; policy thresholds and next hops are per direction. */
public enum Direction {
    /** MX role: mail from the internet to the organisation's internal domains. */
    INBOUND,
    /** Smart-host role: mail from the organisation's cloud mailbox to the world. */
    OUTBOUND;

    public String lowerName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
