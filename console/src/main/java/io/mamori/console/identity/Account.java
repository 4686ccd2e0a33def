package io.mamori.console.identity;

import java.time.Instant;

/**
 * A console sign-in account as stored (table {@code console_account}). Holds the password hash, so it never
 * leaves this package.
 *
 * @param totpSecret   the TOTP key encrypted under the master keyset (Base64), or {@code null} before enrollment
 * @param totpLastStep last accepted TOTP time step, or {@code null}
 * @param lockedUntil  end of a lockout, or {@code null}
 */
record Account(String email, String passwordHash, boolean mustChangePassword, String totpSecret, Long totpLastStep,
        int failedAttempts, Instant lockedUntil, Instant createdAt, Instant passwordChangedAt, Instant lastLoginAt) {

    boolean totpEnrolled() {
        return totpSecret != null;
    }

    boolean lockedAt(Instant now) {
        return lockedUntil != null && now.isBefore(lockedUntil);
    }
}
