package io.mamori.console.quarantine;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.classifier.DecisionLearning;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import io.mamori.gateway.store.JdbcMessageStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Quarantine operations shared by the REST API and the CLI: list held and quarantined mail with the reasons in
 * Japanese and English, release and delete (one message or in bulk), and employees' release requests that an
 * analyst approves (the message is released for delivery) or denies (with a reason). Every call records an
 * {@link AuditEntry}, successful or not; listings too, since they reveal senders and subjects. A message moves (released,
 * deleted, released in bulk, released by an approval) in one transaction with its entry ({@link
 * AuditTrail#recordAlong}): when the entry cannot be written, the message stays where it was and the call throws.
 *
 * <p>Callers say who acts ({@code actor}: a console user, {@code api-token}, {@code cli:<os user>}) and from where
 * ({@code source}: an IP address or {@code local}); how they authenticated is not this class's business. The
 * employee of a release request is passed as an address for now: once the console's identity work lands, it is
 * the signed-in employee.
 *
 * <p>Thread-safe.
 */
public final class QuarantineService {

    /**
     * A bulk release looks at most at this many candidates per request, newest first, in pages of {@value #BULK_PAGE}
     * (each a search of the store by state and by sender or finding); past it the result says that more may remain.
     */
    static final int BULK_LIMIT = 10_000;
    static final int BULK_PAGE = 500;
    /**
     * A bulk release teaches the content model from this many of the messages it releases (the newest). What an
     * analyst releases in bulk is usually one newsletter or one campaign many times over: learning every copy would
     * count its words hundreds of times, as if they were hundreds of independent messages, and would keep the request
     * parsing messages for tens of seconds.
     */
    static final int BULK_LESSONS = 200;

    /** A finding code with its reason for people. */
    public record Reason(String code, String reasonJa, String reasonEn) {
    }

    /** A held or quarantined message as analysts and employees see it. */
    public record Message(String id, MessageState state, Direction direction, String mailFrom, List<String> recipients,
            String subject, Instant receivedAt, String action, double score, List<Reason> reasons) {
    }

    /** A release request with the message it is about (empty if the message is gone). */
    public record Request(ReleaseRequest request, Optional<Message> message) {
    }

    /**
     * What a bulk release did.
     *
     * @param examined quarantined messages looked at (those the store's search found for the sender or finding)
     * @param matched  of those, the ones from exactly that sender, or with that finding
     * @param more     whether it stopped at {@value #BULK_LIMIT} examined, so that older matches may remain
     */
    public record BulkRelease(int examined, int matched, List<String> released, List<String> failed, boolean more) {
    }

    /** The outcome of an operation: the value, or why not (messages in Japanese and English). */
    public sealed interface Result<T> {
        record Ok<T>(T value) implements Result<T> {
        }

        /** A reason why not. */
        record Refused<T>(Refusal refusal, String message) implements Result<T> {
        }
    }

    /** Kinds of refusal, so each caller can map them (HTTP status, exit code). */
    public enum Refusal { NOT_FOUND, CONFLICT, FORBIDDEN, INVALID }

    private final JdbcMessageStore store;
    private final ReleaseRequests requests;
    private final FindingCatalogue catalogue;
    private final AuditTrail audit;
    private final Clock clock;
    private final DecisionLearning learning;
    private final int bulkPage;
    private final int bulkLimit;

    /** Without learning from decisions. */
    public QuarantineService(JdbcMessageStore store, ReleaseRequests requests, FindingCatalogue catalogue, AuditTrail audit,
            Clock clock) {
        this(store, requests, catalogue, audit, clock, DecisionLearning.NONE);
    }

    /**
     * @param learning what releases (legitimate) and deletions (phishing) of held and quarantined mail teach the
     *                 content classifier
     */
    public QuarantineService(JdbcMessageStore store, ReleaseRequests requests, FindingCatalogue catalogue, AuditTrail audit,
            Clock clock, DecisionLearning learning) {
        this(store, requests, catalogue, audit, clock, learning, BULK_PAGE, BULK_LIMIT);
    }

    /** With other page and request sizes for bulk releases (tests: the paging without ten thousand messages). */
    QuarantineService(JdbcMessageStore store, ReleaseRequests requests, FindingCatalogue catalogue, AuditTrail audit,
            Clock clock, DecisionLearning learning, int bulkPage, int bulkLimit) {
        if (bulkPage < 1 || bulkPage > 1000 || bulkLimit < bulkPage) {
            throw new IllegalArgumentException("bulk page 1 to 1000 and limit at least a page: " + bulkPage + ", " + bulkLimit);
        }
        this.bulkPage = bulkPage;
        this.bulkLimit = bulkLimit;
        this.learning = Objects.requireNonNull(learning, "learning");
        this.store = Objects.requireNonNull(store, "store");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Held and quarantined messages, newest first.
     *
     * @param state HELD or QUARANTINED, or {@code null} for both
     */
    public Result<List<Message>> list(MessageState state, int limit, String actor, String source) {
        if (state != null && state != MessageState.HELD && state != MessageState.QUARANTINED) {
            record(actor, source, "quarantine.list", String.valueOf(state), null, false);
            return refused(Refusal.INVALID, "state は HELD か QUARANTINED です / state must be HELD or QUARANTINED");
        }
        int n = Math.max(1, Math.min(limit, 1000));
        List<StoredMessage> found = new ArrayList<>();
        if (state == null || state == MessageState.QUARANTINED) {
            found.addAll(store.list(MessageState.QUARANTINED, n));
        }
        if (state == null || state == MessageState.HELD) {
            found.addAll(store.list(MessageState.HELD, n));
        }
        found.sort((a, b) -> b.receivedAt().compareTo(a.receivedAt()));
        List<Message> out = found.stream().limit(n).map(this::view).toList();
        record(actor, source, "quarantine.list", state == null ? "HELD,QUARANTINED" : state.name(), out.size() + " message(s)", true);
        return new Result.Ok<>(out);
    }

    /** Releases one held or quarantined message for delivery. */
    public Result<Message> release(String id, String actor, String source) {
        return move(id, MessageState.QUEUED, "queue.release", actor, source);
    }

    /** Deletes one message (its content is erased; the record stays). */
    public Result<Message> delete(String id, String actor, String source) {
        return move(id, MessageState.DELETED, "queue.delete", actor, source);
    }

    /**
     * Releases every quarantined message from one envelope sender or with one finding code; exactly one of the two is
     * given. The store is searched for them page by page (released messages leave the search, the others are stepped
     * over), at most {@value #BULK_LIMIT} per request.
     */
    public Result<BulkRelease> releaseBulk(String sender, String finding, String actor, String source) {
        boolean bySender = sender != null && !sender.isBlank();
        boolean byFinding = finding != null && !finding.isBlank();
        String object = bySender ? "sender=" + sender.strip() : "finding=" + (byFinding ? finding.strip() : "");
        if (bySender == byFinding) {
            record(actor, source, "queue.release_bulk", object, null, false);
            return refused(Refusal.INVALID, "sender か finding のどちらか一方を指定してください / give exactly one of sender or finding");
        }
        if (byFinding && catalogue.entry(finding.strip()).isEmpty()) {
            record(actor, source, "queue.release_bulk", object, null, false);
            return refused(Refusal.INVALID, "不明な検知コードです / unknown finding code: " + finding.strip());
        }
        MessageQuery query = new MessageQuery(null, bySender ? sender.strip() : null, null, null, null,
                MessageState.QUARANTINED, null, null, null, null, 0, bulkPage, byFinding ? finding.strip() : null);
        List<String> released = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int examined = 0;
        int matched = 0;
        int lessons = 0;
        int stepped = 0; // messages of the search that stay quarantined: the next page starts after them
        boolean more = false;
        while (true) {
            List<StoredMessage> page = store.search(query.withPage(stepped, bulkPage));
            for (StoredMessage m : page) {
                examined++;
                // the search finds the sender as part of the address; the finding exactly (checked again here)
                boolean match = bySender ? m.mailFrom().equalsIgnoreCase(sender.strip())
                        : m.hasFinding(finding.strip());
                if (!match) {
                    stepped++;
                    continue;
                }
                matched++;
                Runnable lesson = lessons < BULK_LESSONS ? learning.prepare(m, true) : () -> { };
                // each message with its own entry, in the transaction of its move; the summary follows at the end
                if (moveRecorded(m.id(), MessageState.QUEUED, moved -> new AuditEntry(clock.instant(),
                        actor, source, "queue.release", m.id(), m.state().name(),
                        (moved ? "QUEUED" : "refused: moved meanwhile") + " (bulk release by " + object + ")", moved))) {
                    released.add(m.id());
                    lesson.run();
                    lessons++;
                } else {
                    failed.add(m.id()); // moved meanwhile (released or deleted by someone else): gone from the search
                }
            }
            if (page.size() < bulkPage) {
                break;
            }
            if (examined >= bulkLimit) {
                more = true;
                break;
            }
        }
        BulkRelease result = new BulkRelease(examined, matched, List.copyOf(released), List.copyOf(failed), more);
        record(actor, source, "queue.release_bulk", object, "released " + released.size() + " of " + matched
                + (more ? " (stopped after " + examined + " examined; more may remain)" : "")
                + (released.isEmpty() ? "" : ": " + String.join(",", released.subList(0, Math.min(50, released.size())))),
                true);
        return new Result.Ok<>(result);
    }

    /**
     * An employee asks for a held or quarantined message to be released.
     *
     * @param requester the employee's address; must be a recipient of the message
     */
    public Result<ReleaseRequest> requestRelease(String messageId, String requester, String comment, String actor, String source) {
        String object = messageId + " requester=" + requester;
        Optional<StoredMessage> message = store.find(messageId);
        if (message.isEmpty()) {
            record(actor, source, "quarantine.request.create", object, null, false);
            return notFound(messageId);
        }
        StoredMessage m = message.get();
        String who = requester == null ? "" : bare(requester).toLowerCase(Locale.ROOT);
        boolean recipient = m.recipients().stream().map(StoredRecipient::address)
                .anyMatch(a -> bare(a).toLowerCase(Locale.ROOT).equals(who));
        // the employee whose outbound mail was stopped asks too (authenticated submission is sent as its login, so the
        // envelope sender is the employee's: SEND_AS_NOT_PERMITTED); an analyst or approver decides
        boolean sender = m.direction() == Direction.OUTBOUND && !who.isEmpty()
                && bare(m.mailFrom()).toLowerCase(Locale.ROOT).equals(who);
        if (!recipient && !sender) {
            record(actor, source, "quarantine.request.create", object, "not a recipient", false);
            return refused(Refusal.FORBIDDEN, m.direction() == Direction.OUTBOUND
                    ? "このメッセージの送信者・宛先ではないため、解放を依頼できません"
                            + " / you are neither the sender nor a recipient of this message and cannot ask for its release"
                    : "このメッセージの宛先ではないため、解放を依頼できません"
                            + " / you are not a recipient of this message and cannot ask for its release");
        }
        if (m.state() != MessageState.QUARANTINED && m.state() != MessageState.HELD) {
            record(actor, source, "quarantine.request.create", object, "state " + m.state(), false);
            return refused(Refusal.CONFLICT, "このメッセージは隔離・保留されていません / the message is not held or quarantined (state "
                    + m.state() + ")");
        }
        try {
            // the entry is written on the insert's transaction: no request stands without its record
            AtomicReference<ReleaseRequest> created = new AtomicReference<>();
            ReleaseRequest r = audit.recordAlong(work -> requests.create(messageId, requester, comment, request -> {
                created.set(request);
                return work;
            }), done -> new AuditEntry(clock.instant(), actor, source, "quarantine.request.create", object, null,
                    "request #" + created.get().id(), done));
            return new Result.Ok<>(r);
        } catch (ReleaseRequests.DuplicatePending e) {
            record(actor, source, "quarantine.request.create", object, "already pending #" + e.existing(), false);
            return refused(Refusal.CONFLICT, "解放依頼はすでに受け付けています / a release request is already pending (#"
                    + e.existing() + ")");
        } catch (ReleaseRequests.InvalidRequest e) {
            record(actor, source, "quarantine.request.create", object, e.getMessage(), false);
            return refused(Refusal.INVALID, e.bilingual());
        }
    }

    /** Release requests, newest first, with their messages; {@code status == null} lists all. */
    public Result<List<Request>> requests(Status status, int limit, String actor, String source) {
        List<Request> out = requests.list(status, Math.max(1, Math.min(limit, 1000))).stream()
                .map(r -> new Request(r, store.find(r.messageId()).map(this::view))).toList();
        record(actor, source, "quarantine.requests.list", status == null ? "all" : status.name(), out.size() + " request(s)", true);
        return new Result.Ok<>(out);
    }

    /**
     * Approves a pending request: the message is released for delivery and other pending requests for it are
     * approved with it. If the message can no longer be released (deleted, already released) the request stays
     * pending and the answer says why.
     */
    public Result<ReleaseRequest> approve(long requestId, String comment, String actor, String source) {
        String object = "request #" + requestId;
        Optional<ReleaseRequest> found = requests.find(requestId);
        if (found.isEmpty()) {
            record(actor, source, "quarantine.request.approve", object, null, false);
            return refused(Refusal.NOT_FOUND, "解放依頼が見つかりません / no such release request: " + requestId);
        }
        ReleaseRequest r = found.get();
        if (r.status() != Status.PENDING) {
            record(actor, source, "quarantine.request.approve", object, "already " + r.status(), false);
            return refused(Refusal.CONFLICT, "この依頼は処理済みです / the request was already " + r.status().name().toLowerCase(Locale.ROOT));
        }
        try {
            if (!requests.decide(requestId, Status.APPROVED, actor, comment)) {
                record(actor, source, "quarantine.request.approve", object, "decided concurrently", false);
                return refused(Refusal.CONFLICT, "この依頼は処理済みです / the request was decided meanwhile");
            }
        } catch (ReleaseRequests.InvalidRequest e) {
            record(actor, source, "quarantine.request.approve", object, e.getMessage(), false);
            return refused(Refusal.INVALID, e.bilingual());
        }
        Optional<StoredMessage> message = store.find(r.messageId());
        MessageState before = message.map(StoredMessage::state).orElse(null);
        Runnable lesson = message.map(m -> learning.prepare(m, true)).orElse(() -> { });
        boolean moved;
        try {
            moved = moveRecorded(r.messageId(), MessageState.QUEUED, m -> new AuditEntry(clock.instant(),
                    actor, source, "quarantine.request.approve", object, null, "message " + r.messageId() + " "
                    + (m ? before + " -> QUEUED" : "not releasable (" + before + ")"), m));
        } catch (RuntimeException e) {
            requests.reopen(requestId); // neither moved nor recorded: the request is still to be decided
            throw e;
        }
        if (!moved) {
            requests.reopen(requestId);
            return refused(Refusal.CONFLICT, "メッセージを解放できません(状態: " + before + ") / the message cannot be released (state "
                    + before + ")");
        }
        lesson.run();
        for (ReleaseRequest other : requests.forMessage(r.messageId())) {
            if (other.id() != requestId && other.status() == Status.PENDING) {
                // each request decided has its own entry (the message was released with this one)
                String with = "released with request #" + requestId;
                audit.recordAlong(work -> requests.decide(other.id(), Status.APPROVED, actor, with, work),
                        decided -> new AuditEntry(clock.instant(), actor, source, "quarantine.request.approve",
                                "request #" + other.id(), null, with, decided));
            }
        }
        return new Result.Ok<>(requests.find(requestId).orElseThrow());
    }

    /** Denies a pending request with a reason the employee will see. */
    public Result<ReleaseRequest> deny(long requestId, String reason, String actor, String source) {
        String object = "request #" + requestId;
        Optional<ReleaseRequest> found = requests.find(requestId);
        if (found.isEmpty()) {
            record(actor, source, "quarantine.request.deny", object, null, false);
            return refused(Refusal.NOT_FOUND, "解放依頼が見つかりません / no such release request: " + requestId);
        }
        if (reason == null || reason.isBlank()) {
            record(actor, source, "quarantine.request.deny", object, "no reason", false);
            return refused(Refusal.INVALID, "却下の理由を入力してください / a denial needs a reason");
        }
        try {
            // the entry is written on the update's transaction: no denial stands without its record
            String message = found.get().messageId();
            if (!audit.recordAlong(work -> requests.decide(requestId, Status.DENIED, actor, reason, work),
                    denied -> new AuditEntry(clock.instant(), actor, source, "quarantine.request.deny", object, null,
                            denied ? "message " + message : "already decided", denied))) {
                return refused(Refusal.CONFLICT, "この依頼は処理済みです / the request was already decided");
            }
        } catch (ReleaseRequests.InvalidRequest e) {
            record(actor, source, "quarantine.request.deny", object, e.getMessage(), false);
            return refused(Refusal.INVALID, e.bilingual());
        }
        return new Result.Ok<>(requests.find(requestId).orElseThrow());
    }

    private Result<Message> move(String id, MessageState to, String action, String actor, String source) {
        Optional<StoredMessage> before = store.find(id);
        if (before.isEmpty()) {
            record(actor, source, action, id, "not found", false);
            return notFound(id);
        }
        Runnable lesson = to == MessageState.QUEUED || to == MessageState.DELETED
                ? learning.prepare(before.get(), to == MessageState.QUEUED) : () -> { };
        String was = before.get().state().name();
        boolean moved = moveRecorded(id, to, m -> new AuditEntry(clock.instant(), actor, source, action, id, was,
                m ? to.name() : "refused: not allowed in state " + was, m));
        if (moved) {
            lesson.run();
        }
        if (!moved) {
            return refused(Refusal.CONFLICT, "この状態のメッセージには実行できません / not allowed in state " + before.get().state());
        }
        return new Result.Ok<>(view(store.find(id).orElseThrow()));
    }

    /** Moves a message with its audit entry, in one transaction where the trail is the audit table. */
    private boolean moveRecorded(String id, MessageState to, Function<Boolean, AuditEntry> entry) {
        return audit.recordAlong(work -> store.transition(id, to, work), entry);
    }

    /** The reasons of a stored message: its finding codes with the catalogue's Japanese and English texts. */
    public List<Reason> reasons(String findingCodes) {
        List<Reason> out = new ArrayList<>();
        for (String code : findingCodes.split(",")) {
            if (!code.isBlank()) {
                out.add(catalogue.entry(code).map(e -> new Reason(code, e.reasonJa(), e.reasonEn()))
                        .orElse(new Reason(code, "", "")));
            }
        }
        return out;
    }

    /** A stored message as the quarantine listings show it, with its reasons. */
    public Message view(StoredMessage m) {
        return new Message(m.id(), m.state(), m.direction(), m.mailFrom(),
                m.recipients().stream().map(StoredRecipient::address).toList(), m.subject(), m.receivedAt(), m.action(),
                m.score(), reasons(m.findingCodes()));
    }

    private void record(String actor, String source, String action, String object, String after, boolean success) {
        audit.record(new AuditEntry(clock.instant(), actor, source, action, object, null, after, success));
    }

    private static <T> Result<T> refused(Refusal refusal, String message) {
        return new Result.Refused<>(refusal, message);
    }

    private static <T> Result<T> notFound(String id) {
        return new Result.Refused<>(Refusal.NOT_FOUND, "メッセージが見つかりません / no such message: " + id);
    }

    private static String bare(String address) {
        String a = address.strip();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1) : a;
    }
}
