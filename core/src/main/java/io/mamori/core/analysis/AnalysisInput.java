package io.mamori.core.analysis;

import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;

/** What every analyzer sees: the SMTP envelope and the parsed (never the raw, whole) message. */
public record AnalysisInput(Envelope envelope, ParsedMessage message) {
}
