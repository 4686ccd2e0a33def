package io.mamori.console.quarantine;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.quarantine.QuarantineService.Refusal;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.store.MessageStore;
import io.mamori.gateway.receive.ReceptionPipeline;
import io.mamori.gateway.receive.ReceptionPipeline.Reassessment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An analyst opens a message quarantined for a password-protected attachment with the password the sender gave by
 * telephone or another way (PPAP): the gateway analyzes it again with that password
 * ({@link ReceptionPipeline#reassess}), so that its content is inspected and scanned before anyone decides; if the
 * policy lets the content decide and it is clean, it is committed again for delivery. The password is used for that
 * analysis only: never stored, logged or audited. Audited as {@code quarantine.open-with-password}; a revised verdict
 * and a message committed again commit with their entry ({@link AuditTrail#recordAlong}).
 */
public final class PasswordOpening {

    /** The longest password accepted (7-Zip and WinZip allow long ones; the analysis tries it as given). */
    static final int MAX_PASSWORD = 256;

    /**
     * What opening did.
     *
     * @param outcome     NOT_OPENED, ANTIVIRUS_UNAVAILABLE, ANALYSIS_BUSY, KEPT or COMMITTED_AGAIN
     * @param message     the quarantined message as it is now (KEPT: with its new verdict), or the copy committed again
     * @param committedAs the queue id of the copy committed again, or {@code null}
     */
    public record Opened(Reassessment.Outcome outcome, QuarantineService.Message message, String committedAs) {
    }

    private final ReceptionPipeline reception;
    private final MessageStore store;
    private final QuarantineService quarantine;
    private final AuditTrail audit;
    private final Clock clock;

    public PasswordOpening(ReceptionPipeline reception, MessageStore store, QuarantineService quarantine,
            AuditTrail audit, Clock clock) {
        this.reception = Objects.requireNonNull(reception, "reception");
        this.store = Objects.requireNonNull(store, "store");
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Opens quarantined message {@code id} with {@code password}, as {@code actor} from {@code source}. */
    public Result<Opened> open(String id, String password, String actor, String source) {
        if (password == null || password.isEmpty() || password.length() > MAX_PASSWORD
                || password.chars().anyMatch(Character::isISOControl)) {
            record(actor, source, id, "invalid password (empty, over " + MAX_PASSWORD + " characters or control characters)",
                    false);
            return new Result.Refused<>(Refusal.INVALID, "パスワードは 1〜" + MAX_PASSWORD + " 文字で、制御文字を含めないでください"
                    + " / the password must be 1 to " + MAX_PASSWORD + " characters without control characters");
        }
        // KEPT and COMMITTED_AGAIN commit with their entry: the revised verdict, or the deletion of the quarantined
        // message after its copy was committed again, happens only if the entry is written with it
        AtomicReference<Reassessment> decided = new AtomicReference<>();
        Reassessment r;
        try {
            r = audit.recordAlong(work -> {
                try {
                    return reception.reassess(id, PasswordMail.fromAnalyst(actor, password), outcome -> {
                        decided.set(outcome);
                        return work;
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot analyze message " + id + " again", e);
                }
            }, changed -> entry(actor, source, id, changed ? after(decided.get()) : "not quarantined", changed));
        } catch (AuditLogException e) {
            throw e; // nothing changed, and nothing could be recorded
        } catch (RuntimeException e) {
            Throwable cause = e instanceof UncheckedIOException io ? io.getCause() : e;
            record(actor, source, id, "failed: " + cause.getClass().getSimpleName(), false);
            throw e;
        }
        return switch (r.outcome()) {
            case NOT_QUARANTINED -> {
                if (decided.get() == null) {
                    record(actor, source, id, "not quarantined", false); // else recorded with the refused change
                }
                yield store.find(id).isPresent()
                        ? new Result.Refused<>(Refusal.CONFLICT, "隔離中のメッセージではありません / the message is not quarantined")
                        : new Result.Refused<>(Refusal.NOT_FOUND, "メッセージが見つかりません / no such message: " + id);
            }
            case NOT_OPENED, ANTIVIRUS_UNAVAILABLE, ANALYSIS_BUSY -> {
                record(actor, source, id, r.outcome().name(), false);
                yield new Result.Ok<>(new Opened(r.outcome(), quarantine.view(store.find(id).orElseThrow()), null));
            }
            case KEPT -> new Result.Ok<>(new Opened(r.outcome(), quarantine.view(store.find(id).orElseThrow()), null));
            case COMMITTED_AGAIN -> new Result.Ok<>(new Opened(r.outcome(),
                    quarantine.view(store.find(r.committedAs()).orElseThrow()), r.committedAs()));
        };
    }

    /** What a change that happened is recorded as: the verdict kept, or where the message was committed again. */
    private static String after(Reassessment r) {
        return r.outcome() == Reassessment.Outcome.KEPT
                ? "KEPT " + r.verdict().action() + " " + String.join(",", r.verdict().codes())
                : "COMMITTED_AGAIN as " + r.committedAs() + " " + r.verdict().action();
    }

    private void record(String actor, String source, String id, String after, boolean success) {
        audit.record(entry(actor, source, id, after, success));
    }

    private AuditEntry entry(String actor, String source, String id, String after, boolean success) {
        return new AuditEntry(clock.instant(), actor, source, "quarantine.open-with-password", id, "QUARANTINED", after,
                success);
    }
}
