package io.mamori.core.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Weights and human-readable reasons of every finding code, kept as data ({@code findings.yaml} next to this
 * class) so that tuning never means editing analyzers. Immutable and thread-safe.
 */
public final class FindingCatalogue {

    /**
     * One catalogue entry.
     *
     * @param code     finding code
     * @param weight   score contribution at multiplier 1.0
     * @param reasonJa reason shown to employees and analysts, Japanese
     * @param reasonEn the same reason in English
     */
    public record Entry(String code, double weight, String reasonJa, String reasonEn) {
    }

    private static final String RESOURCE = "findings.yaml";

    private final Map<String, Entry> entries;

    public FindingCatalogue(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** The catalogue shipped with the product. */
    public static FindingCatalogue builtIn() {
        try (InputStream in = FindingCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    @SuppressWarnings("unchecked")
    static FindingCatalogue parse(InputStream in) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        if (!(root instanceof Map<?, ?> map) || !(map.get("findings") instanceof Map<?, ?> findings)) {
            throw new IllegalStateException(RESOURCE + ": expected a top-level 'findings' mapping");
        }
        Map<String, Entry> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : findings.entrySet()) {
            String code = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> v)) {
                throw new IllegalStateException(RESOURCE + ": finding " + code + " must be a mapping");
            }
            Object weight = v.get("weight");
            Object ja = v.get("ja");
            Object en = v.get("en");
            if (!(weight instanceof Number w) || !(ja instanceof String j) || !(en instanceof String n)) {
                throw new IllegalStateException(RESOURCE + ": finding " + code + " needs weight (number), ja and en");
            }
            result.put(code, new Entry(code, w.doubleValue(), j, n));
        }
        return new FindingCatalogue(result);
    }

    public Optional<Entry> entry(String code) {
        return Optional.ofNullable(entries.get(code));
    }

    /** Weight of a code; an unknown code weighs 0 (and is caught by the catalogue completeness test). */
    public double weight(String code) {
        Entry e = entries.get(code);
        return e == null ? 0.0 : e.weight();
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** Reasons for a list of findings, one per distinct code, in order. */
    public List<Entry> reasons(List<Finding> findings) {
        return findings.stream().map(Finding::code).distinct().map(entries::get)
                .filter(java.util.Objects::nonNull).toList();
    }
}
