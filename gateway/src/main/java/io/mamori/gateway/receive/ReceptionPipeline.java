package io.mamori.gateway.receive;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.analysis.TraceFields;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.scan.MessageScanner;
import io.mamori.core.scan.MessageScanner.ScanResult;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.verdict.TagRewriter;
import io.mamori.gateway.contact.ContactRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.TeeInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive half of the pipeline (DESIGN.md stages 2–5): the DATA stream is teed into an encrypted spool
 * while it is parsed, analyzed and decided; REJECT is answered before anything is accepted (no
 * backscatter); everything else is committed durably with its {@code Received} and {@code X-Mamori-Verdict}
 * headers before the listener may answer 250. The spooled bytes stay verbatim (DKIM needs them) except for
 * TAG, which stores a rewritten copy.
 */
public final class ReceptionPipeline implements MessageReceiver {

    private static final Logger LOG = LoggerFactory.getLogger("mamori.message");
    private static final String AV_UNAVAILABLE = "AV_UNAVAILABLE";
    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private final MessageStore store;
    private final MessageScanner scanner;
    private final PolicyEngine engine;
    private final Supplier<Policy> policy;
    private final FindingCatalogue catalogue;
    private final TagRewriter rewriter;
    private final String hostname;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ContactRecorder contacts;

    public ReceptionPipeline(MessageStore store, MessageScanner scanner, PolicyEngine engine, Supplier<Policy> policy,
            FindingCatalogue catalogue, TagRewriter rewriter, String hostname, Clock clock, MeterRegistry meters) {
        this(store, scanner, engine, policy, catalogue, rewriter, hostname, clock, meters, null);
    }

    /** @param contacts records the sender history of mail committed for delivery; {@code null} for none */
    public ReceptionPipeline(MessageStore store, MessageScanner scanner, PolicyEngine engine, Supplier<Policy> policy,
            FindingCatalogue catalogue, TagRewriter rewriter, String hostname, Clock clock, MeterRegistry meters,
            ContactRecorder contacts) {
        this.contacts = contacts;
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
        Timer.Sample sample = Timer.start(meters);
        Spool spool = store.openSpool();
        Spool tagged = null;
        try {
            ParsedMessage parsed;
            try (OutputStream out = spool.output()) {
                InputStream tee = new TeeInputStream(data, out);
                parsed = parse(tee);
                // The parser reads to the end, but the spool must hold every byte whatever it did.
                IOUtils.consume(tee);
            }
            // The spool is complete now, so analyzers that need the exact bytes (DKIM, ARC) can read it.
            ScanOutcome outcome = analyze(envelope, parsed, spool::openInput);
            Verdict verdict = outcome.verdict();
            String subject = outcome.subject();
            StringBuilder trace = new StringBuilder();
            for (TraceFields.Field f : outcome.traceFields()) {
                trace.append(f.name()).append(": ").append(f.value()).append("\r\n");
            }
            Action action = verdict.action();
            // SMTP replies are ASCII (RFC 5321 §4.2); the finding codes tell the sender's admin why.
            if (action == Action.REJECT) {
                record(envelope, null, verdict, spool.size(), sample);
                return new ReceiveResult.Refused(550, "5.7.1",
                        "Message rejected by policy (" + String.join(",", verdict.codes()) + ")");
            }
            if (verdict.codes().contains(AV_UNAVAILABLE)
                    && policy.get().antivirus().whenUnavailable() == Policy.Antivirus.WhenUnavailable.TEMPFAIL) {
                meters.counter("mamori.messages.tempfailed", "direction", envelope.direction().lowerName(),
                        "reason", "antivirus").increment();
                LOG.info("message id=- direction={} client={} from=<{}> tempfail=antivirus-unavailable",
                        envelope.direction().lowerName(), envelope.clientAddress(), sanitize(envelope.mailFrom()));
                return new ReceiveResult.Refused(451, "4.7.1", "Antivirus scan unavailable, try again later");
            }
            Spool content = spool;
            if (action == Action.TAG) {
                tagged = store.openSpool();
                try (InputStream in = spool.openInput(); OutputStream out = tagged.output()) {
                    rewriter.rewrite(in, out, policy.get().tag().subjectPrefix(), catalogue.reasons(verdict.findings()));
                }
                content = tagged;
            }
            String prefix = receivedHeader(envelope, content.id()) + trace
                    + "X-Mamori-Verdict: " + verdict.headerValue() + "\r\n";
            StoredMessage stored = store.commit(content, new NewMessage(envelope, subject, verdict, stateFor(action)), prefix);
            record(envelope, stored.id(), verdict, stored.size(), sample);
            if (contacts != null && stored.state() == MessageState.QUEUED) {
                contacts.accepted(envelope, parsed, stored.receivedAt());
            }
            return new ReceiveResult.Accepted(stored.id());
        } finally {
            spool.discard();
            if (tagged != null) {
                tagged.discard();
            }
        }
    }

    private record ScanOutcome(Verdict verdict, String subject, List<TraceFields.Field> traceFields) {
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
            return new ScanOutcome(engine.decide(policy.get(), envelope.direction(), findings), "", List.of());
        }
        ScanResult r = scanner.analyze(envelope, parsed, raw, new TraceFields(hostname));
        return new ScanOutcome(r.verdict(), parsed.subject(), r.traceFields());
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
                .append(e.helo().isEmpty() ? "unknown" : sanitize(e.helo()))
                .append(" ([").append(e.clientAddress()).append("])\r\n\tby ").append(hostname)
                .append(" (Mamori) with ").append(protocol).append(" id ").append(id);
        if (e.recipients().size() == 1) {
            b.append("\r\n\tfor <").append(sanitize(e.recipients().get(0))).append('>');
        }
        b.append("; ").append(RFC5322.format(ZonedDateTime.ofInstant(e.receivedAt(), ZoneId.systemDefault())))
                .append("\r\n");
        return b.toString();
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

    private void record(Envelope e, String id, Verdict v, long size, Timer.Sample sample) {
        String direction = e.direction().lowerName();
        meters.counter("mamori.messages", "direction", direction, "action", v.action().name()).increment();
        sample.stop(meters.timer("mamori.receive", "direction", direction));
        LOG.info("message id={} direction={} client={} from=<{}> to={} action={} score={} findings={} size={}",
                id == null ? "-" : id, direction, e.clientAddress(), sanitize(e.mailFrom()), recipients(e.recipients()),
                v.action(), String.format(Locale.ROOT, "%.2f", v.score()), String.join(",", v.codes()), size);
        for (Finding f : v.findings()) {
            meters.counter("mamori.findings", "code", f.code(), "direction", direction).increment();
        }
    }
}
