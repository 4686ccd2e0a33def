package io.mamori.core.analysis;

/** Placeholder: finding weights and reasons kept as data (being built). */
public final class FindingCatalogue {
}
