package io.mamori.core.analysis;

/** Placeholder: runs analyzers under time budgets (being built). */
public final class AnalysisPipeline {
}
