package io.mamori.gateway.delivery;

/** How a delivery uses STARTTLS (RFC 3207). */
public enum TlsPolicy {
    /**
     * Use STARTTLS when the server offers it, without checking its certificate (RFC 7435 opportunistic
     * security: better than plain text, and a failed check must not stop delivery); plain text otherwise.
     * A failed TLS handshake is retried once in plain text on a new connection.
     */
    OPPORTUNISTIC,
    /**
     * STARTTLS must succeed with a certificate that chains to the configured trust store and matches the
     * host name; otherwise the attempt fails temporarily and nothing is sent.
     */
    REQUIRED;

    /** The stricter of the two. */
    public TlsPolicy atLeast(TlsPolicy other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
