package io.mamori.gateway.auth;

import java.time.Instant;

/**
 * One issued app password as shown to administrators; the password itself is never stored or shown again.
 *
 * @param lastUsedAt last successful SMTP AUTH with it, or {@code null} if never used
 * @param revokedAt  when it was revoked, or {@code null} while it is active
 */
public record AppPassword(long id, String userEmail, String label, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
