package io.mamori.gateway.receive;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.analysis.TraceFields;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.StorageFailure;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.scan.MessageScanner;
import io.mamori.core.scan.MessageScanner.ScanResult;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.attachment.ArchivePasswords;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.message.Direction;
import io.mamori.core.verdict.AttachmentStripper;
import io.mamori.core.verdict.AuthResultsHeaders;
import io.mamori.core.verdict.MessageRewriter;
import io.mamori.gateway.contact.ContactRecorder;
import io.mamori.gateway.store.JdbcMessageStore;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.TeeInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive half of the pipeline (DESIGN.md stages 2–5): the DATA stream is teed into an encrypted spool
 * while it is parsed, analyzed and decided; REJECT is answered before anything is accepted (no
 * backscatter); everything else is committed durably with its {@code Received} and {@code X-Mamori-Verdict}
 * headers before the listener may answer 250. The spooled bytes stay verbatim (DKIM needs them) unless the
 * verdict transforms the message ({@link MessageRewriter}, one pass): forged {@code Authentication-Results}
 * claiming our authserv-id are removed from inbound mail (RFC 8601 §5) before ours is added; a message to be
 * delivered is tagged (TAG), disarmed (policy {@code disarm}) and stripped of attachments (policy
 * {@code attachments.*: strip}, the original kept QUARANTINED). X-Mamori-Verdict records what was done
 * ({@code ; disarmed=1}, {@code ; stripped=N; original=<id>}, {@code ; forged-authres-removed=N}); a message
 * that cannot be rewritten is quarantined ({@code ; rewrite=failed}). A write the local disk refuses (full, gone) is
 * the gateway's fault, not the message's ({@link StorageFailure}): the message is deferred (451), never quarantined.
 */
public final class ReceptionPipeline implements MessageReceiver {

    private static final Logger LOG = LoggerFactory.getLogger("mamori.message");
    private static final String AV_UNAVAILABLE = "AV_UNAVAILABLE";
    private static final String PASSWORD_SENT_SEPARATELY = "ARCHIVE_PASSWORD_SENT_SEPARATELY";
    private static final String PASSWORD_FROM_ANALYST = "ARCHIVE_PASSWORD_FROM_ANALYST";
    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private final JdbcMessageStore store;
    private final MessageScanner scanner;
    private final PolicyEngine engine;
    private final Supplier<Policy> policy;
    private final FindingCatalogue catalogue;
    private final MessageRewriter rewriter;
    private final String hostname;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ContactRecorder contacts;
    private final PasswordMails passwordMails;
    private final io.mamori.gateway.quarantine.ReleaseRequests releaseRequests;

    public ReceptionPipeline(JdbcMessageStore store, MessageScanner scanner, PolicyEngine engine, Supplier<Policy> policy,
            FindingCatalogue catalogue, MessageRewriter rewriter, String hostname, Clock clock, MeterRegistry meters) {
        this(store, scanner, engine, policy, catalogue, rewriter, hostname, clock, meters, null, null, null);
    }

    /**
     * @param contacts         records the sender history of mail committed for delivery; {@code null} for none
     * @param passwordMailWork where quarantined messages are analyzed again with the passwords of a later mail
     *                         ({@link PasswordMails}); {@code null}: never
     * @param releaseRequests  employees' release requests: those still pending for a quarantined message that a
     *                         password opened and that was committed again are approved by the gateway; {@code null}:
     *                         none kept
     */
    public ReceptionPipeline(JdbcMessageStore store, MessageScanner scanner, PolicyEngine engine, Supplier<Policy> policy,
            FindingCatalogue catalogue, MessageRewriter rewriter, String hostname, Clock clock, MeterRegistry meters,
            ContactRecorder contacts, java.util.concurrent.Executor passwordMailWork,
            io.mamori.gateway.quarantine.ReleaseRequests releaseRequests) {
        this.releaseRequests = releaseRequests;
        this.contacts = contacts;
        this.passwordMails = passwordMailWork == null ? null : new PasswordMails(store, passwordMailWork,
                (id, mail) -> reassess(id, mail).outcome() != Reassessment.Outcome.NOT_OPENED, this::passwordsIn);
        this.store = store;
        this.scanner = scanner;
        this.engine = engine;
        this.policy = policy;
        this.catalogue = catalogue;
        this.rewriter = rewriter;
        this.hostname = hostname;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public ReceiveResult receive(Envelope envelope, InputStream data) throws IOException {
        Received r = receiveOne(envelope, data);
        if (passwordMails != null && r.result() instanceof ReceiveResult.Accepted accepted) {
            passwordMails.received(envelope, r.input(), accepted.queueId(), r.policy());
            if (r.waitingForPassword() != null) {
                passwordMails.quarantined(envelope, r.waitingForPassword(), r.policy());
            }
        }
        return r.result();
    }

    /**
     * What one message's reception gave, and what the password-mail look-up needs of it: what the analyzers saw
     * ({@code null} when the message could not be parsed), the policy in force, and the id of the message committed
     * QUARANTINED with an encrypted attachment that could not be opened ({@code ENCRYPTED_ARCHIVE}): the message itself,
     * or with {@code attachments.encrypted: strip} its kept original; {@code null} when there is none.
     */
    private record Received(ReceiveResult result, AnalysisInput input, Policy policy, String waitingForPassword) {
        Received(ReceiveResult result, AnalysisInput input, Policy policy) {
            this(result, input, policy, null);
        }
    }

    /**
     * What a commit stored: the SMTP answer's queue id (the message, or its stripped copy) and the id of the copy
     * committed QUARANTINED ({@code null} when none was).
     */
    private record Committed(ReceiveResult.Accepted accepted, String quarantined) {
    }

    /**
     * The passwords a stored inbound message's text gives, read from its original content (a password mail that came
     * before the message it opens); empty when it has none or cannot be read.
     */
    private List<String> passwordsIn(String id) throws IOException {
        Optional<Envelope> envelope = store.envelope(id);
        if (envelope.isEmpty()) {
            return List.of();
        }
        ParsedMessage parsed;
        try (InputStream in = store.openOriginal(id)) {
            parsed = parse(in);
        }
        if (parsed == null) {
            return List.of();
        }
        try (parsed) {
            return ArchivePasswords.of(new AnalysisInput(envelope.get(), parsed)).own();
        }
    }

    private Received receiveOne(Envelope envelope, InputStream data) throws IOException {
        Timer.Sample sample = Timer.start(meters);
        Spool spool = store.openSpool();
        List<Spool> copies = new ArrayList<>();
        try {
            ParsedMessage parsed;
            // a write the disk refuses is told apart from the message's faults, also where the parser meets it
            try (OutputStream out = new StorageOutput(spool.output())) {
                InputStream tee = new TeeInputStream(data, out);
                parsed = parse(tee);
                // The parser reads to the end, but the spool must hold every byte whatever it did.
                IOUtils.consume(tee);
            }
            // The spool is complete now, so analyzers that need the exact bytes (DKIM, ARC) can read it.
            ScanOutcome outcome = analyze(envelope, parsed, spool::openInput);
            Verdict verdict = outcome.verdict();
            String subject = outcome.subject();
            StringBuilder trace = trace(outcome.traceFields());
            Action action = verdict.action();
            // SMTP replies are ASCII (RFC 5321 §4.2); the finding codes tell the sender's admin why.
            Policy current = outcome.policy();
            if (action == Action.REJECT) {
                record(envelope, null, verdict, spool.size(), sample, "");
                return new Received(new ReceiveResult.Refused(550, "5.7.1",
                        "Message rejected by policy (" + String.join(",", verdict.codes()) + ")"), outcome.input(), current);
            }
            if (verdict.codes().contains(AnalysisPipeline.ANALYZER_NOT_RUN)
                    && current.analysis().whenBusy() == Policy.Analysis.WhenBusy.TEMPFAIL) {
                // Overloaded (analyzers found no thread in time, or shutting down): the message was not wholly
                // analysed. As Postfix defers when its content filter cannot take mail, the sender retries later.
                meters.counter("mamori.messages.tempfailed", "direction", envelope.direction().lowerName(),
                        "reason", "analysis-busy").increment();
                LOG.warn("message id=- direction={} client={} from=<{}> tempfail=analysis-busy", envelope.direction()
                        .lowerName(), envelope.clientAddress(), sanitize(envelope.mailFrom()));
                return new Received(new ReceiveResult.Refused(451, "4.3.2",
                        "Too busy to analyze the message, try again later"), outcome.input(), current);
            }
            if (verdict.codes().contains(AV_UNAVAILABLE)
                    && current.antivirus().whenUnavailable() == Policy.Antivirus.WhenUnavailable.TEMPFAIL) {
                meters.counter("mamori.messages.tempfailed", "direction", envelope.direction().lowerName(),
                        "reason", "antivirus").increment();
                LOG.info("message id=- direction={} client={} from=<{}> tempfail=antivirus-unavailable",
                        envelope.direction().lowerName(), envelope.clientAddress(), sanitize(envelope.mailFrom()));
                return new Received(new ReceiveResult.Refused(451, "4.7.1",
                        "Antivirus scan unavailable, try again later"), outcome.input(), current);
            }
            Committed committed = commit(envelope, parsed, subject, verdict, current, trace, spool, copies, "", sample);
            return new Received(committed.accepted(), outcome.input(), current,
                    verdict.codes().contains(Policy.Attachments.ENCRYPTED_CODE) ? committed.quarantined() : null);
        } finally {
            spool.discard();
            for (Spool copy : copies) {
                copy.discard();
            }
        }
    }

    /** Commits a message as its verdict and the policy say: whole, or stripped with its original kept. */
    private Committed commit(Envelope envelope, ParsedMessage parsed, String subject, Verdict verdict, Policy current,
            StringBuilder trace, Spool spool, List<Spool> copies, String note, Timer.Sample sample) throws IOException {
        Transforms t = plan(envelope, parsed, verdict, current, spool);
        if (t.stripPaths().isEmpty() && t.stripFindings().size() > 0) {
            // The finding names no part we can find: keep the whole message from the recipient instead.
            verdict = new Verdict(Action.QUARANTINE, verdict.score(), verdict.findings());
            return commitWhole(envelope, parsed, subject, verdict, trace, spool, copies,
                    t.withoutDeliveryTransforms(), note + "; strip=part-not-found", sample);
        }
        if (!t.stripPaths().isEmpty()) {
            return commitStripped(envelope, parsed, subject, verdict, trace, spool, copies, t, note, sample);
        }
        return commitWhole(envelope, parsed, subject, verdict, trace, spool, copies, t, note, sample);
    }

    /**
     * What analyzing a quarantined message again with passwords given outside it did ({@link #reassess}).
     *
     * @param outcome     what happened
     * @param verdict     the new verdict when a password opened something, else {@code null}
     * @param committedAs the queue id of the copy committed again ({@link Outcome#COMMITTED_AGAIN}), else {@code null}
     */
    public record Reassessment(Outcome outcome, Verdict verdict, String committedAs) {

        public enum Outcome {
            /** No such message, or it is not (or no longer) quarantined. */
            NOT_QUARANTINED,
            /** No password opened any of its encrypted attachments (or it could not be read): nothing changed. */
            NOT_OPENED,
            /** The antivirus engine did not answer: nothing changed, it can be tried again. */
            ANTIVIRUS_UNAVAILABLE,
            /** The analyzers found no thread (the gateway was overloaded): nothing changed, it can be tried again. */
            ANALYSIS_BUSY,
            /** Opened; it stays quarantined with the new verdict recorded. */
            KEPT,
            /** Opened and judged deliverable: committed again, the quarantined copy deleted. */
            COMMITTED_AGAIN
        }
    }

    /**
     * Analyzes a quarantined inbound message again with the passwords of a later mail ({@link PasswordMails}) or of an
     * analyst. When they open nothing of it, nothing changes. When they open an encrypted attachment, the message's new
     * verdict is what it would have been with the password in it: if that is QUARANTINE or REJECT (the content is bad,
     * or {@code attachments.opened} quarantines), the quarantined message keeps its place with the new verdict recorded
     * ({@link JdbcMessageStore#revise}), so an analyst sees what is inside; otherwise the message is committed again
     * as the verdict says (tagged, disarmed or stripped as for any message; X-Mamori-Verdict names the password mail,
     * or says an analyst gave the password, and the quarantined message) and the quarantined one is deleted. In that
     * order, a failure in between leaves the quarantined message where it was, never a lost one. A message the
     * antivirus engine could not scan stays as it was.
     */
    public Reassessment reassess(String id, PasswordMail passwords) throws IOException {
        return reassess(id, passwords, decided -> Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #reassess(String, PasswordMail)}, with the work {@code alongside} gives for the outcome run on the
     * transaction that makes it (the audit entry of the analyst who gave the password): the revised verdict of a
     * message that stays quarantined ({@code KEPT}), or the deletion of the quarantined message after its copy was
     * committed again ({@code COMMITTED_AGAIN}); the work is told whether that change happened (when the message was
     * no longer quarantined by then, the outcome is {@code NOT_QUARANTINED}). When the work fails, the quarantined
     * message stays as it was, a copy committed again is withdrawn, and the failure is thrown. Outcomes that change
     * nothing run no work.
     */
    public Reassessment reassess(String id, PasswordMail passwords, Function<Reassessment, TransactionWork> alongside)
            throws IOException {
        Optional<Envelope> stored = store.envelope(id);
        Optional<StoredMessage> before = store.find(id);
        if (stored.isEmpty() || before.isEmpty() || before.get().state() != MessageState.QUARANTINED) {
            return new Reassessment(Reassessment.Outcome.NOT_QUARANTINED, null, null);
        }
        Envelope envelope = stored.get();
        Timer.Sample sample = Timer.start(meters);
        Spool spool = store.openSpool();
        List<Spool> copies = new ArrayList<>();
        try {
            try (InputStream in = store.openOriginal(id); OutputStream out = spool.output()) {
                in.transferTo(out);
            }
            ParsedMessage parsed;
            try (InputStream in = spool.openInput()) {
                parsed = parse(in);
            }
            if (parsed == null) {
                return new Reassessment(Reassessment.Outcome.NOT_OPENED, null, null);
            }
            ScanResult r = scanner.analyze(envelope, parsed, spool::openInput, new TraceFields(hostname), passwords);
            Verdict verdict = r.verdict();
            if (verdict.codes().contains(AnalysisPipeline.ANALYZER_NOT_RUN)) {
                // whatever analysis.when_busy says: the quarantined copy stays, and the analyst can try again
                return new Reassessment(Reassessment.Outcome.ANALYSIS_BUSY, null, null);
            }
            // only this analysis had passwords from outside the message: their finding says one of them opened it
            if (!verdict.codes().contains(passwords.fromAnalyst() ? PASSWORD_FROM_ANALYST : PASSWORD_SENT_SEPARATELY)) {
                return new Reassessment(Reassessment.Outcome.NOT_OPENED, null, null);
            }
            if (verdict.codes().contains(AV_UNAVAILABLE)) {
                return new Reassessment(Reassessment.Outcome.ANTIVIRUS_UNAVAILABLE, null, null);
            }
            meters.counter("mamori.password-mail.opened", "source", passwords.fromAnalyst() ? "analyst" : "mail")
                    .increment();
            String from = passwords.fromAnalyst() ? "an analyst's password" : "the password mail id=" + passwords.messageId();
            if (verdict.action() == Action.QUARANTINE || verdict.action() == Action.REJECT) {
                Verdict kept = new Verdict(Action.QUARANTINE, verdict.score(), verdict.findings());
                Reassessment outcome = new Reassessment(Reassessment.Outcome.KEPT, kept, null);
                if (!store.revise(id, MessageState.QUARANTINED, kept, alongside.apply(outcome))) {
                    return new Reassessment(Reassessment.Outcome.NOT_QUARANTINED, null, null);
                }
                LOG.info("message id={} opened with {}; stays quarantined score={} findings={}", id, from,
                        String.format(Locale.ROOT, "%.2f", kept.score()), String.join(",", kept.codes()));
                return outcome;
            }
            StringBuilder trace = trace(r.traceFields());
            // the analyst's name stays out of the delivered message's header (the audit log has it)
            String note = (passwords.fromAnalyst() ? "; password=analyst" : "; password-mail=" + passwords.messageId())
                    + "; reassessed=" + id;
            String again = commit(envelope, parsed, parsed.subject(), verdict, r.policy(), trace, spool, copies,
                    note, sample).accepted().queueId();
            Reassessment outcome = new Reassessment(Reassessment.Outcome.COMMITTED_AGAIN, verdict, again);
            boolean deleted;
            try {
                deleted = store.transition(id, MessageState.QUARANTINED, MessageState.DELETED, alongside.apply(outcome));
            } catch (RuntimeException e) {
                // the deletion failed (its work alongside, or the database): the quarantined message stays, so its
                // copy must not be delivered
                try {
                    store.transition(again, MessageState.DELETED);
                } catch (RuntimeException withdrawal) {
                    e.addSuppressed(withdrawal); // the first failure is what went wrong
                }
                throw e;
            }
            if (!deleted) {
                // An analyst released or deleted it meanwhile (or another password opened it first): that decision
                // stands, and the copy is withdrawn before the delivery worker, which polls, takes it.
                store.transition(again, MessageState.DELETED);
                LOG.info("message id={} opened with {}, but it was no longer quarantined; the copy id={} is withdrawn", id,
                        from, again);
                return new Reassessment(Reassessment.Outcome.NOT_QUARANTINED, null, null);
            }
            LOG.info("message id={} opened with {} and committed again as id={}; the quarantined copy is deleted", id,
                    from, again);
            boolean delivered = store.find(again).map(m -> m.state() == MessageState.QUEUED).orElse(false);
            if (delivered) {
                approvePendingRequests(id, again);
            } else {
                // the copy is held or quarantined in its turn (a part to strip not found, a rewrite that failed): the
                // employee's request waits for an approver, about the copy
                movePendingRequests(id, again);
            }
            return outcome;
        } finally {
            spool.discard();
            for (Spool copy : copies) {
                copy.discard();
            }
        }
    }

    private void movePendingRequests(String quarantinedId, String committedAs) {
        if (releaseRequests == null) {
            return;
        }
        try {
            releaseRequests.move(quarantinedId, committedAs);
        } catch (RuntimeException e) {
            LOG.warn("release requests of message id={} could not be moved to id={} ({})", quarantinedId, committedAs,
                    e.getClass().getSimpleName());
        }
    }

    /**
     * An employee who asked for the release of a message that was then opened and committed again gets it anyway: the
     * request is approved by the gateway, naming the copy, instead of waiting for an approver who could no longer
     * release the deleted quarantined copy. A failure here changes nothing delivered, so it is only logged.
     */
    private void approvePendingRequests(String quarantinedId, String committedAs) {
        if (releaseRequests == null) {
            return;
        }
        try {
            for (io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest r : releaseRequests.forMessage(quarantinedId)) {
                if (r.status() == io.mamori.gateway.quarantine.ReleaseRequests.Status.PENDING) {
                    releaseRequests.decide(r.id(), io.mamori.gateway.quarantine.ReleaseRequests.Status.APPROVED, "mamori",
                            "パスワードで開いて検査し、" + committedAs + " として配送します / opened with its password,"
                                    + " inspected and delivered as " + committedAs);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("release requests of message id={} could not be closed ({})", quarantinedId,
                    e.getClass().getSimpleName());
        }
    }

    /**
     * The transforms a message gets (DESIGN.md stage 4): forged {@code Authentication-Results} removed from any
     * inbound message (RFC 8601 §5); and, for a message that will be delivered (DELIVER, TAG, HOLD), the TAG
     * rewrite, disarm of inbound mail, and the parts that {@code attachments.*: strip} removes.
     */
    private record Transforms(MessageRewriter.Plan plan, boolean forgedAuthResults, boolean disarm,
            List<Finding> stripFindings, Set<String> stripPaths) {

        /** Only what a quarantined message gets. */
        Transforms withoutDeliveryTransforms() {
            MessageRewriter.Plan cleaning = forgedAuthResults ? MessageRewriter.Plan.NONE.removingAuthResultsOf(
                    plan.ownAuthservId()) : MessageRewriter.Plan.NONE;
            return new Transforms(cleaning, forgedAuthResults, false, List.of(), Set.of());
        }
    }

    private Transforms plan(Envelope envelope, ParsedMessage parsed, Verdict verdict, Policy current, Spool spool)
            throws IOException {
        boolean inbound = envelope.direction() == Direction.INBOUND;
        MessageRewriter.Plan plan = MessageRewriter.Plan.NONE;
        boolean forged = false;
        if (inbound) {
            try (InputStream in = spool.openInput()) {
                forged = AuthResultsHeaders.present(in, hostname);
            }
            if (forged) {
                plan = plan.removingAuthResultsOf(hostname);
            }
        }
        Action action = verdict.action();
        boolean deliverable = action == Action.DELIVER || action == Action.TAG || action == Action.HOLD;
        if (!deliverable) {
            return new Transforms(plan, forged, false, List.of(), Set.of());
        }
        if (action == Action.TAG) {
            plan = plan.tagging(current.tag().subjectPrefix(), catalogue.reasons(verdict.findings()));
        }
        boolean disarm = inbound && current.disarm().appliesTo(action);
        if (disarm) {
            plan = plan.disarming(current.disarm().htmlToText(), current.disarm().defangLinks());
        }
        Set<String> codes = inbound ? current.attachments().stripCodes() : Set.of();
        // Only findings that count: an allow-listed sender whose policy lets it send such attachments gets them.
        List<Finding> strip = engine.counted(current, verdict.findings()).stream()
                .filter(f -> codes.contains(f.code())).toList();
        Set<String> paths = new LinkedHashSet<>();
        for (Finding f : strip) {
            Set<String> named = parsed == null ? Set.of() : AttachmentContentAnalyzer.partsNamedBy(parsed, List.of(f), codes);
            if (named.isEmpty()) {
                // Every finding must name a part, or something unscannable would be delivered after all.
                return new Transforms(plan, forged, disarm, strip, Set.of());
            }
            paths.addAll(named);
        }
        return new Transforms(plan, forged, disarm, strip, Set.copyOf(paths));
    }

    /** Commits the message as one copy, transformed as planned; a message that cannot be rewritten is quarantined. */
    private Committed commitWhole(Envelope envelope, ParsedMessage parsed, String subject, Verdict verdict,
            StringBuilder trace, Spool spool, List<Spool> copies, Transforms t, String note, Timer.Sample sample)
            throws IOException {
        Spool content = spool;
        StringBuilder notes = new StringBuilder(note);
        if (!t.plan().isEmpty()) {
            Spool rewritten = store.openSpool();
            copies.add(rewritten);
            MessageRewriter.Result result = rewrite(spool, rewritten, t.plan());
            if (result == null) {
                verdict = new Verdict(Action.QUARANTINE, verdict.score(), verdict.findings());
                notes.append("; rewrite=failed");
            } else {
                content = rewritten;
                notes.append(transformNotes(t, result));
            }
        }
        String prefix = receivedHeader(envelope, content.id()) + trace + verdictHeader(verdict, notes);
        StoredMessage stored = store.commit(content, new NewMessage(envelope, subject, verdict, stateFor(verdict.action())), prefix);
        record(envelope, stored.id(), verdict, stored.size(), sample, notes.toString());
        recordContacts(envelope, parsed, stored);
        return new Committed(new ReceiveResult.Accepted(stored.id()),
                stored.state() == MessageState.QUARANTINED ? stored.id() : null);
    }

    /**
     * {@code attachments.*: strip}: the original (without forged Authentication-Results) is committed QUARANTINED
     * first, then the copy without the named parts with the verdict's own state; each names the other. In that
     * order, a failure between the two commits (the sender is told 451 and retries) leaves at most an extra
     * quarantined copy, never a delivered message the sender will send again. Only the delivered copy counts as
     * contact (the quarantined original is what the recipient did not get).
     */
    private Committed commitStripped(Envelope envelope, ParsedMessage parsed, String subject, Verdict verdict,
            StringBuilder trace, Spool spool, List<Spool> copies, Transforms t, String note, Timer.Sample sample)
            throws IOException {
        Spool original = spool;
        if (t.forgedAuthResults()) {
            Spool cleaned = store.openSpool();
            copies.add(cleaned);
            if (rewrite(spool, cleaned, MessageRewriter.Plan.NONE.removingAuthResultsOf(hostname)) != null) {
                original = cleaned;
            }
        }
        Spool delivered = store.openSpool();
        copies.add(delivered);
        MessageRewriter.Result result = rewrite(spool, delivered, t.plan().stripping(t.stripPaths(),
                catalogue.reasons(t.stripFindings()), original.id()));
        Verdict quarantined = new Verdict(Action.QUARANTINE, verdict.score(), verdict.findings());
        boolean partMissed = result != null && !allRemoved(t.stripPaths(), result.removed());
        if (result == null || partMissed) {
            // a part the findings name but the rewrite did not find (the parser and the rewriter number a message
            // differently) would be delivered: the whole message is quarantined instead, as docs/policy.md says
            if (partMissed) {
                LOG.warn("message id={}: a part to strip was not found in the message; it is quarantined whole", spool.id());
            }
            Transforms cleaning = original == spool ? t.withoutDeliveryTransforms()
                    : new Transforms(MessageRewriter.Plan.NONE, false, false, List.of(), Set.of());
            return commitWhole(envelope, parsed, subject, quarantined, trace, original, copies, cleaning,
                    note + (partMissed ? "; strip=part-not-found" : "; rewrite=failed")
                            + (original == spool ? "" : "; forged-authres-removed=1"), sample);
        }
        String originalNotes = note + "; stripped-copy=" + delivered.id()
                + (t.forgedAuthResults() ? "; forged-authres-removed=1" : "");
        StoredMessage kept = store.commit(original, new NewMessage(envelope, subject, quarantined, MessageState.QUARANTINED),
                receivedHeader(envelope, original.id()) + trace + verdictHeader(quarantined, originalNotes));
        LOG.info("message id={} direction={} action=QUARANTINE size={} kept-original-of={}", kept.id(),
                envelope.direction().lowerName(), kept.size(), delivered.id());
        String notes = note + transformNotes(t, result) + "; original=" + kept.id();
        StoredMessage stored = store.commit(delivered, new NewMessage(envelope, subject, verdict, stateFor(verdict.action())),
                receivedHeader(envelope, delivered.id()) + trace + verdictHeader(verdict, notes));
        record(envelope, stored.id(), verdict, stored.size(), sample, notes);
        recordContacts(envelope, parsed, stored);
        return new Committed(new ReceiveResult.Accepted(stored.id()), kept.id());
    }

    /** Whether every part to strip was removed, itself or with a container it is inside. */
    private static boolean allRemoved(Set<String> paths, List<AttachmentStripper.Removed> removed) {
        return paths.stream().allMatch(p -> removed.stream().anyMatch(r -> p.equals(r.path()) || p.startsWith(r.path() + ".")));
    }

    /**
     * Mail committed for delivery (QUEUED: DELIVER or TAG) feeds the sender history; held and quarantined mail
     * never does, so an attacker's stopped attempts never make its domain known.
     */
    private void recordContacts(Envelope envelope, ParsedMessage parsed, StoredMessage stored) {
        if (contacts != null && stored.state() == MessageState.QUEUED) {
            try {
                contacts.accepted(envelope, parsed, stored.receivedAt());
            } catch (RuntimeException e) {
                // The message is committed: a failure here must not become a 451, which the sender would answer by
                // sending it again (delivered twice). The history misses one contact; the next message records it.
                LOG.warn("message id={} is accepted, but its sender could not be recorded as a contact ({})", stored.id(),
                        e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Runs one rewrite; {@code null} when the message cannot be rewritten (the caller quarantines it instead).
     *
     * @throws StorageFailure when the disk refused the rewritten message or a body the rewrite set aside: the message
     *                        is not at fault, and is deferred (451) rather than quarantined
     */
    private MessageRewriter.Result rewrite(Spool from, Spool to, MessageRewriter.Plan plan) throws IOException {
        try (InputStream in = from.openInput(); OutputStream out = new StorageOutput(to.output())) {
            return rewriter.rewrite(in, out, plan);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            StorageFailure storage = StorageFailure.find(e);
            if (storage != null) {
                LOG.warn("message id={} cannot be rewritten: the disk refused it ({})", from.id(), storage.getMessage());
                throw storage;
            }
            // Here it is the content that failed (a pattern too deep for the stack included): quarantined, not
            // deferred for ever.
            LOG.warn("message id={} cannot be rewritten ({}); it is quarantined instead", from.id(), e.getClass().getSimpleName());
            meters.counter("mamori.rewrites.failed").increment();
            return null;
        }
    }

    /** A spool being written: whatever fails there is the disk's fault, not the message's. */
    private static final class StorageOutput extends java.io.FilterOutputStream {
        StorageOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new StorageFailure("cannot write the message to the spool", e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            // no array per byte: the reception's tee writes here byte by byte when its reader reads so
            try {
                out.write(b);
            } catch (IOException e) {
                throw new StorageFailure("cannot write the message to the spool", e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new StorageFailure("cannot write the message to the spool", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw new StorageFailure("cannot write the message to the spool", e);
            }
        }
    }

    /** What X-Mamori-Verdict and the log say was done, e.g. {@code ; disarmed=1; stripped=1}. */
    private String transformNotes(Transforms t, MessageRewriter.Result result) {
        StringBuilder b = new StringBuilder();
        if (t.disarm()) {
            b.append("; disarmed=1");
            meters.counter("mamori.rewrites", "kind", "disarm").increment();
        }
        if (!result.removed().isEmpty()) {
            b.append("; stripped=").append(result.removed().size());
            meters.counter("mamori.rewrites", "kind", "strip").increment(result.removed().size());
        }
        if (result.authResultsRemoved() > 0) {
            b.append("; forged-authres-removed=").append(result.authResultsRemoved());
            meters.counter("mamori.rewrites", "kind", "forged-authres").increment();
        }
        return b.toString();
    }

    /** @param input what the analyzers saw; {@code null} when the message could not be parsed */
    private record ScanOutcome(Verdict verdict, String subject, List<TraceFields.Field> traceFields, Policy policy,
            AnalysisInput input) {
    }

    /** A parser bug must not lose the message: it becomes {@code null} here and a defined verdict below. */
    private ParsedMessage parse(InputStream in) throws IOException {
        try {
            return scanner.parse(in);
        } catch (RuntimeException e) {
            LOG.warn("parser failed ({}); the message gets ANALYZER_FAILED", e.getClass().getSimpleName());
            return null;
        }
    }

    private ScanOutcome analyze(Envelope envelope, ParsedMessage parsed, RawMessage raw) {
        if (parsed == null) {
            List<Finding> findings = List.of(new Finding("ANALYZER_FAILED", 1.0, "parser: failed"));
            Policy current = policy.get();
            return new ScanOutcome(engine.decide(current, envelope.direction(), findings), "", List.of(), current, null);
        }
        ScanResult r = scanner.analyze(envelope, parsed, raw, new TraceFields(hostname));
        return new ScanOutcome(r.verdict(), parsed.subject(), r.traceFields(), r.policy(), r.input());
    }

    private static MessageState stateFor(Action action) {
        return switch (action) {
            case DELIVER, TAG -> MessageState.QUEUED;
            case HOLD -> MessageState.HELD;
            case QUARANTINE -> MessageState.QUARANTINED;
            case REJECT -> throw new IllegalArgumentException("REJECT is never stored");
        };
    }

    /** RFC 5321 §4.4 trace field; protocol names per RFC 3848. One recipient is named, several are not (privacy). */
    private String receivedHeader(Envelope e, String id) {
        String protocol = "ESMTP" + (e.tls() ? "S" : "") + (e.authenticatedUser() != null ? "A" : "");
        StringBuilder b = new StringBuilder("Received: from ")
                .append(e.helo().isEmpty() ? "unknown" : sanitize(asciiHelo(e.helo())))
                .append(" ([").append(e.clientAddress()).append("])\r\n\tby ").append(hostname)
                .append(" (Mamori) with ").append(protocol).append(" id ").append(id);
        if (e.recipients().size() == 1) {
            b.append("\r\n\tfor <").append(sanitize(e.recipients().get(0))).append('>');
        }
        b.append("; ").append(RFC5322.format(ZonedDateTime.ofInstant(e.receivedAt(), ZoneId.systemDefault())))
                .append("\r\n");
        return b.toString();
    }

    /**
     * The client's name as an ASCII token for the Received field: a Unicode host name in its A-label form, any other
     * non-ASCII character as '?'. The message may go on to servers that do not take UTF-8 headers (RFC 6532 only with
     * SMTPUTF8), and the name is only the client's claim.
     */
    static String asciiHelo(String helo) {
        if (helo.chars().allMatch(c -> c < 0x80)) {
            return helo;
        }
        try {
            return java.net.IDN.toASCII(helo, java.net.IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return helo.chars().map(c -> c < 0x80 ? c : '?')
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        }
    }

    /**
     * The header fields analyzers asked for (e.g. Authentication-Results), folded and CRLF-terminated: eight DKIM
     * signatures make an Authentication-Results value longer than the 998 characters a line may have (RFC 5322
     * §2.1.1), and our own listener, like a strict next hop, refuses such a line.
     */
    private static StringBuilder trace(List<TraceFields.Field> fields) {
        StringBuilder trace = new StringBuilder();
        for (TraceFields.Field f : fields) {
            trace.append(f.foldedAt(';'));
        }
        return trace;
    }

    /** X-Mamori-Verdict, folded between its finding codes: a message may raise a hundred of them. */
    private static String verdictHeader(Verdict verdict, CharSequence notes) {
        return new TraceFields.Field("X-Mamori-Verdict", verdict.headerValue() + notes).foldedAt(',');
    }

    /** Keeps client-supplied words from breaking the header (no CR, LF, or other controls). */
    private static String sanitize(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 255));
        for (int i = 0; i < s.length() && b.length() < 255; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** Recipients for the log line: addresses only (never content), at most ten. */
    private static String recipients(List<String> rcpts) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rcpts.size() && i < 10; i++) {
            b.append(i == 0 ? "<" : ",<").append(sanitize(rcpts.get(i))).append('>');
        }
        if (rcpts.size() > 10) {
            b.append(",+").append(rcpts.size() - 10).append(" more");
        }
        return b.toString();
    }

    private void record(Envelope e, String id, Verdict v, long size, Timer.Sample sample, String transforms) {
        String direction = e.direction().lowerName();
        meters.counter("mamori.messages", "direction", direction, "action", v.action().name()).increment();
        sample.stop(meters.timer("mamori.receive", "direction", direction));
        // the login of authenticated submission too: the envelope sender is whatever the client said
        LOG.info("message id={} direction={} client={}{} from=<{}> to={} action={} score={} findings={} size={}{}",
                id == null ? "-" : id, direction, e.clientAddress(),
                e.authenticatedUser() == null ? "" : " auth=" + sanitize(e.authenticatedUser()), sanitize(e.mailFrom()),
                recipients(e.recipients()),
                v.action(), String.format(Locale.ROOT, "%.2f", v.score()), String.join(",", v.codes()), size,
                transforms.isEmpty() ? "" : " transforms=" + transforms.substring(2).replace("; ", ","));
        for (Finding f : v.findings()) {
            meters.counter("mamori.findings", "code", f.code(), "direction", direction).increment();
        }
    }
}
