package io.mamori.core.scan;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Finding;
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
 */
public final class MessageScanner {

    /** The outcome of scanning one message. */
    public record ScanResult(ParsedMessage message, List<Finding> findings, Verdict verdict, Policy policy) {
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

    /**
     * Scans a message read from {@code raw}, which is consumed to its end (the SMTP path tees it into the
     * spool as it goes).
     */
    public ScanResult scan(Envelope envelope, InputStream raw) throws IOException {
        ParsedMessage parsed = parser.parse(raw);
        List<Finding> findings = pipeline.run(new AnalysisInput(envelope, parsed));
        Policy current = policy.get();
        Verdict verdict = engine.decide(current, envelope.direction(), findings);
        return new ScanResult(parsed, findings, verdict, current);
    }
}
