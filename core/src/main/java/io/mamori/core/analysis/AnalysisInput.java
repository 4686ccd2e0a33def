package io.mamori.core.analysis;

import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * What every analyzer sees: the SMTP envelope and the parsed message, and, where the caller can provide it,
 * a way to re-read the raw message (DKIM and ARC verify signatures over the exact bytes).
 *
 * @param envelope the SMTP envelope
 * @param message  the parsed message
 * @param raw      opens the raw message; {@code null} when the caller cannot provide it (analyzers that need
 *                 it then report only what they can tell without it)
 * @param trace    header fields analyzers ask the gateway to add (e.g. Authentication-Results)
 * @param memo     work several analyzers of this message share, done once (see {@link MessageMemo}); a new, empty
 *                 one with every input made by the shorter constructors, so that one input is one message's analysis
 * @param passwordMail passwords a separate mail gave for this message's encrypted attachments; {@code null} for none
 *                 (every input but the gateway's re-analysis of a quarantined message)
 */
public record AnalysisInput(Envelope envelope, ParsedMessage message, RawMessage raw, TraceFields trace,
        MessageMemo memo, PasswordMail passwordMail) {

    public AnalysisInput {
        Objects.requireNonNull(memo, "memo");
    }

    /** Without passwords from a separate mail. */
    public AnalysisInput(Envelope envelope, ParsedMessage message, RawMessage raw, TraceFields trace, MessageMemo memo) {
        this(envelope, message, raw, trace, memo, null);
    }

    /** With a new, empty memo. */
    public AnalysisInput(Envelope envelope, ParsedMessage message, RawMessage raw, TraceFields trace) {
        this(envelope, message, raw, trace, new MessageMemo());
    }

    /** Without the raw message. */
    public AnalysisInput(Envelope envelope, ParsedMessage message) {
        this(envelope, message, null);
    }

    /** Without trace fields: what analyzers add there is dropped (offline scans of files). */
    public AnalysisInput(Envelope envelope, ParsedMessage message, RawMessage raw) {
        this(envelope, message, raw, new TraceFields("localhost"));
    }

    public Optional<RawMessage> rawMessage() {
        return Optional.ofNullable(raw);
    }

    public Optional<PasswordMail> separatePasswords() {
        return Optional.ofNullable(passwordMail);
    }
}
