package io.mamori.console.web;

import io.mamori.core.access.AccessDecision;
import java.time.Instant;
import org.springframework.security.core.AuthenticationException;

/** Why a password sign-in was refused other than for a wrong password; the failure handler shows each its page. */
abstract class SignInRefused extends AuthenticationException {

    private static final long serialVersionUID = 1L;

    private final String email;

    SignInRefused(String message, String email) {
        super(message);
        this.email = email;
    }

    String email() {
        return email;
    }

    /** The policy's access rules do not allow this user from this address or at this time. */
    static final class ByAccessRule extends SignInRefused {
        private static final long serialVersionUID = 1L;
        private final transient AccessDecision.Denied decision;

        ByAccessRule(String email, AccessDecision.Denied decision) {
            super("access rule of role " + decision.role().key() + " refuses (" + decision.reason() + ")", email);
            this.decision = decision;
        }

        AccessDecision.Denied decision() {
            return decision;
        }
    }

    /**
     * The account is locked.
     *
     * @see #lockedNow()
     */
    static final class Locked extends SignInRefused {
        private static final long serialVersionUID = 1L;
        private final Instant until;
        private final boolean lockedNow;

        Locked(String email, Instant until, boolean lockedNow) {
            super("account locked until " + until, email);
            this.until = until;
            this.lockedNow = lockedNow;
        }

        Instant until() {
            return until;
        }

        /** Whether this attempt's failure locked it (as opposed to an attempt during the lock). */
        boolean lockedNow() {
            return lockedNow;
        }
    }

    /** The client address has failed too often recently. */
    static final class TooManyAttempts extends SignInRefused {
        private static final long serialVersionUID = 1L;

        TooManyAttempts(String email) {
            super("too many failed sign-ins from this address", email);
        }
    }
}
