package io.mamori.core.analysis;

import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;
import java.util.Optional;

/**
 * What every analyzer sees: the SMTP envelope and the parsed message, and, where the caller can provide it,
 * a way to re-read the raw message (DKIM and ARC verify signatures over the exact bytes).
 *
 * @param envelope the SMTP envelope
 * @param message  the parsed message
 * @param raw      opens the raw message; {@code null} when the caller cannot provide it (analyzers that need
 *                 it then report only what they can tell without it)
 */
public record AnalysisInput(Envelope envelope, ParsedMessage message, RawMessage raw) {

    /** Without the raw message. */
    public AnalysisInput(Envelope envelope, ParsedMessage message) {
        this(envelope, message, null);
    }

    public Optional<RawMessage> rawMessage() {
        return Optional.ofNullable(raw);
    }
}
