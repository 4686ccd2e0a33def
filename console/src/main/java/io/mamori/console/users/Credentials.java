package io.mamori.console.users;

import io.mamori.console.api.ApiTokens;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.gateway.auth.AppPasswords;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * People's secrets issued and revoked by an administrator (users page, or the command line): app passwords for SMTP,
 * REST API tokens and one-time console passwords. Each change commits in one transaction with its audit entry
 * ({@link AuditTrail#recordAlong}): when the entry cannot be written, no password or token is stored, none is revoked
 * and no account is reset, and the call throws {@link AuditLogException} — so a secret is never issued, and so never
 * shown, without its record. The secrets themselves never go into an entry; a label or id says which one it was.
 *
 * <p>Thread-safe (its collaborators are).
 */
public final class Credentials {

    private final AppPasswords appPasswords;
    private final ApiTokens apiTokens;
    private final ConsoleAccounts accounts;
    private final AuditTrail audit;
    private final Clock clock;

    public Credentials(AppPasswords appPasswords, ApiTokens apiTokens, ConsoleAccounts accounts, AuditTrail audit,
            Clock clock) {
        this.appPasswords = Objects.requireNonNull(appPasswords);
        this.apiTokens = Objects.requireNonNull(apiTokens);
        this.accounts = Objects.requireNonNull(accounts);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Issues an app password for {@code email} and returns it (shown once).
     *
     * @throws io.mamori.core.text.InvalidInput for an address or label the store refuses (recorded as refused)
     */
    public String issueAppPassword(String email, String label, String actor, String source) {
        String after = "label=" + label;
        return refusalsRecorded("user.app-password.add", email, actor, source, () -> audit.recordAlong(
                work -> appPasswords.issue(email, label, work),
                done -> entry(actor, source, "user.app-password.add", email, null, after, true)));
    }

    /** Revokes app password {@code id} of {@code email}; whether an active one was revoked (recorded either way). */
    public boolean revokeAppPassword(String email, long id, String actor, String source) {
        return audit.recordAlong(work -> appPasswords.revoke(email, id, work),
                revoked -> entry(actor, source, "user.app-password.revoke", email, "id=" + id,
                        revoked ? "revoked" : "refused: no such active app password", revoked));
    }

    /** Issues an API token acting as {@code email} for {@code validity}; the token is shown once. */
    public ApiTokens.Issued issueApiToken(String email, String label, Duration validity, String actor, String source) {
        AtomicReference<ApiTokens.Issued> issued = new AtomicReference<>();
        return refusalsRecorded("api-token.issue", email, actor, source, () -> audit.recordAlong(
                work -> apiTokens.issue(email, label, validity, actor, token -> {
                    issued.set(token);
                    return work;
                }),
                done -> entry(actor, source, "api-token.issue", email, null, "id=" + issued.get().id() + " label=" + label
                        + " expires=" + issued.get().expiresAt(), true)));
    }

    /** Revokes API token {@code id} of {@code email}; whether a usable one was revoked (recorded either way). */
    public boolean revokeApiToken(String email, long id, String actor, String source) {
        return audit.recordAlong(work -> apiTokens.revoke(email, id, work),
                revoked -> entry(actor, source, "api-token.revoke", email, "id=" + id,
                        revoked ? "revoked" : "refused: no such usable token", revoked));
    }

    /**
     * Gives {@code email}'s console account a new one-time password (and with {@code clearTotp} a new TOTP
     * enrolment); empty, and recorded as refused, when there is no account.
     */
    public Optional<String> resetAccount(String email, boolean clearTotp, String actor, String source) {
        String object = ConsoleAccounts.normalize(email);
        return audit.recordAlong(work -> accounts.resetUser(email, clearTotp, work),
                reset -> entry(actor, source, "user.reset", object, null, !reset ? "refused: no console account"
                        : clearTotp ? "one-time password issued, TOTP cleared" : "one-time password issued", reset));
    }

    /** An action refused before it changed anything (invalid input, an unreachable database) is recorded as refused. */
    private <T> T refusalsRecorded(String action, String object, String actor, String source,
            java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (AuditLogException e) {
            throw e; // neither changed nor recorded
        } catch (RuntimeException e) {
            audit.record(entry(actor, source, action, object, null, "failed: " + e.getMessage(), false));
            throw e;
        }
    }

    private AuditEntry entry(String actor, String source, String action, String object, String before, String after,
            boolean success) {
        return new AuditEntry(clock.instant(), actor, source, action, object, before, after, success);
    }
}
