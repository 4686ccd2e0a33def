package io.mamori.core.scan;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.analysis.TraceFields;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * Parse → analyze → decide for one message: the part of the pipeline that is the same for the SMTP
 * receive path and the offline {@code scan}/{@code eval} commands. Thread-safe when its parts are.
 *
 * <p>Parsing and analysis are separate steps because the SMTP path parses while the bytes stream into the
 * spool, and only once the spool is complete can analyzers that need the raw bytes (DKIM, ARC) read it.
 */
public final class MessageScanner {

    /**
     * The outcome of scanning one message.
     *
     * @param traceFields header fields the analyzers asked to add (e.g. Authentication-Results)
     * @param input       what the analyzers saw, with the work they shared ({@link AnalysisInput#memo()}): for reading
     *                    more of the message afterwards without doing that work again (its attachment contents are
     *                    released)
     */
    public record ScanResult(ParsedMessage message, List<Finding> findings, Verdict verdict, Policy policy,
            List<TraceFields.Field> traceFields, AnalysisInput input) {
    }

    private final MessageParser parser;
    private final AnalysisPipeline pipeline;
    private final PolicyEngine engine;
    private final Supplier<Policy> policy;

    public MessageScanner(MessageParser parser, AnalysisPipeline pipeline, PolicyEngine engine, Supplier<Policy> policy) {
        this.parser = parser;
        this.pipeline = pipeline;
        this.engine = engine;
        this.policy = policy;
    }

    /** Reads {@code raw} to its end; never throws on malformed mail (defects are recorded instead). */
    public ParsedMessage parse(InputStream raw) throws IOException {
        return parser.parse(raw);
    }

    /**
     * Runs the analyzers and the policy over a parsed message; {@code raw} may be null when unavailable. Closes
     * {@code parsed} afterwards (its kept attachment contents are released; its metadata stays readable).
     */
    public ScanResult analyze(Envelope envelope, ParsedMessage parsed, RawMessage raw) {
        return analyze(envelope, parsed, raw, new TraceFields("localhost"));
    }

    /** As {@link #analyze(Envelope, ParsedMessage, RawMessage)}, collecting trace fields for {@code authservId}. */
    public ScanResult analyze(Envelope envelope, ParsedMessage parsed, RawMessage raw, TraceFields trace) {
        return analyze(envelope, parsed, raw, trace, null);
    }

    /**
     * As {@link #analyze(Envelope, ParsedMessage, RawMessage, TraceFields)}, also trying on the message's encrypted
     * attachments the passwords a separate password mail gave ({@code null}: none).
     */
    public ScanResult analyze(Envelope envelope, ParsedMessage parsed, RawMessage raw, TraceFields trace,
            PasswordMail passwordMail) {
        List<Finding> findings;
        AnalysisInput input = new AnalysisInput(envelope, parsed, raw, trace, new MessageMemo(), passwordMail);
        try (parsed) {
            findings = pipeline.run(input);
        }
        Policy current = policy.get();
        Verdict verdict = engine.decide(current, envelope.direction(), findings);
        return new ScanResult(parsed, findings, verdict, current, trace.fields(), input);
    }

    /** Both steps for a message that is already complete, e.g. a file ({@code raw} re-reads it). */
    public ScanResult scan(Envelope envelope, InputStream in, RawMessage raw) throws IOException {
        return analyze(envelope, parse(in), raw);
    }
}
