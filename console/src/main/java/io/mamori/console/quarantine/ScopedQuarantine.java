package io.mamori.console.quarantine;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.lists.ListService;
import io.mamori.console.quarantine.QuarantineService.Refusal;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.core.access.Role;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.lists.JdbcListStore;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Quarantine and held-mail operations for one signed-in user (console pages and the REST API): the same
 * operations as {@link QuarantineService} and {@link ListService}, which record them in the audit trail, but
 * only within what the user's {@link io.mamori.console.identity.Scope} allows. A message outside the scope is
 * answered as not found (nothing about it is revealed); a visible message the user may not act on is refused as
 * forbidden; a read-only user (auditor) is refused every change. Refusals made here are audited too, with the
 * user as actor.
 *
 * <p>Thread-safe.
 */
public final class ScopedQuarantine {

    /** The outcome of one message of a bulk action on selected messages. */
    public record Outcome(String id, boolean done, String message) {
    }

    private final QuarantineService quarantine;
    private final ListService lists;
    private final ReleaseRequests requests;
    private final MessageTracking tracking;
    private final AuditTrail audit;
    private final Clock clock;
    /** Opens quarantined messages with an analyst's password; {@code null} where the gateway does not run. */
    private final PasswordOpening opening;

    public ScopedQuarantine(QuarantineService quarantine, ListService lists, ReleaseRequests requests,
            MessageTracking tracking, AuditTrail audit, Clock clock) {
        this(quarantine, lists, requests, tracking, audit, clock, null);
    }

    /** @param opening opens quarantined messages with an analyst's password; {@code null}: not offered */
    public ScopedQuarantine(QuarantineService quarantine, ListService lists, ReleaseRequests requests,
            MessageTracking tracking, AuditTrail audit, Clock clock, PasswordOpening opening) {
        this.opening = opening;
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.lists = Objects.requireNonNull(lists, "lists");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.tracking = Objects.requireNonNull(tracking, "tracking");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Held or quarantined messages the user may see, newest first, one page; the listing is audited. */
    public MessageTracking.Page list(ConsoleUser user, MessageState state, MessageQuery filter, String source) {
        if (state != MessageState.HELD && state != MessageState.QUARANTINED) {
            throw new IllegalArgumentException("state must be HELD or QUARANTINED: " + state);
        }
        return tracking.search(user, filter.withState(state), source);
    }

    public Result<QuarantineService.Message> release(ConsoleUser user, String id, String source) {
        Optional<Result<QuarantineService.Message>> refused = mayAct(user, id, "queue.release", source);
        return refused.orElseGet(() -> quarantine.release(id, user.email(), source));
    }

    public Result<QuarantineService.Message> delete(ConsoleUser user, String id, String source) {
        Optional<Result<QuarantineService.Message>> refused = mayAct(user, id, "queue.delete", source);
        return refused.orElseGet(() -> quarantine.delete(id, user.email(), source));
    }

    /** Releases or deletes each selected message the user may act on; each is audited on its own. */
    public List<Outcome> bulk(ConsoleUser user, List<String> ids, boolean release, String source) {
        List<Outcome> out = new ArrayList<>();
        for (String id : ids.stream().distinct().limit(500).toList()) {
            Result<QuarantineService.Message> r = release ? release(user, id, source) : delete(user, id, source);
            out.add(r instanceof Result.Refused<QuarantineService.Message> no ? new Outcome(id, false, no.message())
                    : new Outcome(id, true, ""));
        }
        return out;
    }

    /** Releases every quarantined message from one sender or with one finding: organisation-wide, so analysts only. */
    public Result<QuarantineService.BulkRelease> releaseBulk(ConsoleUser user, String sender, String finding, String source) {
        if (!user.hasAnyRole(Role.ADMIN, Role.ANALYST)) {
            String object = sender != null && !sender.isBlank() ? "sender=" + sender : "finding=" + finding;
            record(user, source, "queue.release_bulk", object, "forbidden for " + user.roles(), false);
            return forbidden();
        }
        return quarantine.releaseBulk(sender, finding, user.email(), source);
    }

    /**
     * Opens a quarantined message the user may act on with a password the sender gave another way
     * ({@link PasswordOpening}); a read-only user, or one who may not act on it, is refused.
     */
    public Result<PasswordOpening.Opened> openWithPassword(ConsoleUser user, String id, String password, String source) {
        String action = "quarantine.open-with-password";
        Optional<Result<PasswordOpening.Opened>> refused = mayAct(user, id, action, source);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (readOnly(user)) {
            record(user, source, action, id, "read-only role", false);
            return forbidden();
        }
        if (opening == null) {
            record(user, source, action, id, "not offered here", false);
            return new Result.Refused<>(Refusal.CONFLICT, "この環境ではパスワードで開けません / opening with a password is not available here");
        }
        return opening.open(id, password, user.email(), source);
    }

    /** The signed-in employee asks for the release of a message they received. */
    public Result<ReleaseRequest> requestRelease(ConsoleUser user, String id, String comment, String source) {
        if (tracking.visible(user, id).isEmpty()) {
            record(user, source, "quarantine.request.create", clip(id), "not found or out of scope", false);
            return notFound(id);
        }
        if (readOnly(user)) {
            record(user, source, "quarantine.request.create", id, "read-only role", false);
            return forbidden();
        }
        return quarantine.requestRelease(id, user.email(), comment, user.email(), source);
    }

    /**
     * Release requests the user may see: an approver or analyst those about messages they may act on (an auditor
     * all, read-only); anyone else their own requests.
     */
    public List<QuarantineService.Request> requests(ConsoleUser user, Status status, String source) {
        Result<List<QuarantineService.Request>> all = quarantine.requests(status, 1000, user.email(), source);
        List<QuarantineService.Request> found = ((Result.Ok<List<QuarantineService.Request>>) all).value();
        return found.stream().filter(r -> mayDecide(user, r.request()) || r.request().requester().equalsIgnoreCase(user.email())
                || (user.hasRole(Role.AUDITOR) && messageVisible(user, r.request()))).toList();
    }

    /** Whether the user may approve or deny this request (used to show the buttons). */
    public boolean mayDecide(ConsoleUser user, ReleaseRequest request) {
        if (readOnly(user) || !user.hasAnyRole(Role.ADMIN, Role.ANALYST, Role.APPROVER)) {
            return false;
        }
        return tracking.visible(user, request.messageId()).map(m -> tracking.canAct(user, m)).orElse(false);
    }

    public Result<ReleaseRequest> approve(ConsoleUser user, long requestId, String comment, String source) {
        Optional<Result<ReleaseRequest>> refused = mayDecide(user, requestId, "quarantine.request.approve", source);
        return refused.orElseGet(() -> quarantine.approve(requestId, comment, user.email(), source));
    }

    public Result<ReleaseRequest> deny(ConsoleUser user, long requestId, String reason, String source) {
        Optional<Result<ReleaseRequest>> refused = mayDecide(user, requestId, "quarantine.request.deny", source);
        return refused.orElseGet(() -> quarantine.deny(requestId, reason, user.email(), source));
    }

    /**
     * Adds the envelope sender of a message the user may see to the allow or block list: the organisation's list
     * for analysts and administrators, the user's own list for anyone else. Why it could not be added is worded in
     * {@code locale}, the language of the page that shows it.
     */
    public Result<ListService.View> listSender(ConsoleUser user, String id, ListKind kind, String source, Locale locale) {
        String lang = locale.getLanguage();
        String action = "lists.add";
        Optional<StoredMessage> m = tracking.visible(user, id);
        if (m.isEmpty()) {
            record(user, source, action, clip(id), "not found or out of scope", false);
            return notFound(id);
        }
        if (readOnly(user)) {
            record(user, source, action, id, "read-only role", false);
            return forbidden();
        }
        String sender = m.get().mailFrom();
        if (sender.isBlank()) {
            record(user, source, action, id, "null sender", false);
            return new Result.Refused<>(Refusal.INVALID, "ja".equals(lang) ? "送信者が空のメッセージです"
                    : "the message has no sender address");
        }
        String owner = user.hasAnyRole(Role.ADMIN, Role.ANALYST) ? null : user.email();
        try {
            return new Result.Ok<>(lists.add(kind, ListTarget.SENDER, owner, sender, "from message " + id, user.email(), source));
        } catch (JdbcListStore.DuplicateEntry e) {
            return new Result.Refused<>(Refusal.CONFLICT, ("ja".equals(lang) ? "すでに登録されています: " : "already listed: ") + sender);
        } catch (InvalidListEntry e) {
            return new Result.Refused<>(Refusal.INVALID, ("ja".equals(lang) ? "送信者をリストに追加できません: "
                    : "the sender cannot be listed: ") + e.message(lang));
        }
    }

    private boolean readOnly(ConsoleUser user) {
        return tracking.readOnly(user);
    }

    private boolean messageVisible(ConsoleUser user, ReleaseRequest r) {
        return tracking.visible(user, r.messageId()).isPresent();
    }

    private <T> Optional<Result<T>> mayAct(ConsoleUser user, String id, String action, String source) {
        Optional<StoredMessage> m = tracking.visible(user, id);
        if (m.isEmpty()) {
            record(user, source, action, clip(id), "not found or out of scope", false);
            return Optional.of(notFound(id));
        }
        if (!tracking.canAct(user, m.get())) {
            record(user, source, action, id, "forbidden for " + user.roles(), false);
            return Optional.of(forbidden());
        }
        return Optional.empty();
    }

    private <T> Optional<Result<T>> mayDecide(ConsoleUser user, long requestId, String action, String source) {
        Optional<ReleaseRequest> r = requests.find(requestId);
        if (r.isEmpty() || tracking.visible(user, r.get().messageId()).isEmpty()) {
            record(user, source, action, "request #" + requestId, "not found or out of scope", false);
            return Optional.of(new Result.Refused<>(Refusal.NOT_FOUND,
                    "解放依頼が見つかりません / no such release request: " + requestId));
        }
        if (!mayDecide(user, r.get())) {
            record(user, source, action, "request #" + requestId, "forbidden for " + user.roles(), false);
            return Optional.of(forbidden());
        }
        return Optional.empty();
    }

    /** Records a request refused before it reached this class (its form was wrong, or it asked for another person). */
    public void refused(ConsoleUser user, String source, String action, String object, String why) {
        record(user, source, action, clip(object), why, false);
    }

    private void record(ConsoleUser user, String source, String action, String object, String after, boolean success) {
        audit.record(new AuditEntry(clock.instant(), user.email(), source, action, object, null, after, success));
    }

    private static <T> Result<T> notFound(String id) {
        return new Result.Refused<>(Refusal.NOT_FOUND, "メッセージが見つかりません / no such message: " + clip(id));
    }

    private static <T> Result<T> forbidden() {
        return new Result.Refused<>(Refusal.FORBIDDEN, "この操作は許可されていません / you may not do this");
    }

    private static String clip(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 64 ? text.substring(0, 64) : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
