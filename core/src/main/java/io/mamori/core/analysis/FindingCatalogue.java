package io.mamori.core.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Weights and human-readable reasons of every finding code, kept as data ({@code findings.yaml} next to this
 * class) so that tuning never means editing analyzers. Immutable and thread-safe.
 *
 * <p>An entry with a {@code when} list is a <em>composite</em> (rspamd's term): no analyzer emits it; the
 * {@link AnalysisPipeline} adds it once every group of its {@code when} list is met by a finding of the message
 * (a group is a list of codes, any one of which meets it, with a multiplier of at least
 * {@value #COMPOSITE_MIN_MULTIPLIER}). That is how signals that mean little alone (a lure
 * word, an odd link) weigh more together than their sum, as a security analyst reads them.
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

    /**
     * A finding added when other findings occur together.
     *
     * @param code   the composite's own code (an entry of the catalogue)
     * @param groups every group must be met; a group is met when any of its codes was found (with a multiplier above 0)
     */
    public record Composite(String code, List<Set<String>> groups) {
        public Composite {
            // keep each group's order: evidence names the first code of a group that was found
            groups = groups.stream().map(g -> java.util.Collections.unmodifiableSet(new LinkedHashSet<>(g))).toList();
        }
    }

    private static final String RESOURCE = "findings.yaml";
    /** The least multiplier with which a finding counts towards a composite. */
    public static final double COMPOSITE_MIN_MULTIPLIER = 0.5;

    private final Map<String, Entry> entries;
    private final List<Composite> composites;

    public FindingCatalogue(Map<String, Entry> entries) {
        this(entries, List.of());
    }

    /**
     * @throws IllegalArgumentException when a composite's code or one of its codes is not an entry, a composite
     *                                  names another composite, or has fewer than two groups or an empty one
     */
    public FindingCatalogue(Map<String, Entry> entries, List<Composite> composites) {
        this.entries = Map.copyOf(entries);
        this.composites = List.copyOf(composites);
        Set<String> compositeCodes = new LinkedHashSet<>();
        this.composites.forEach(c -> compositeCodes.add(c.code()));
        for (Composite c : this.composites) {
            if (!this.entries.containsKey(c.code())) {
                throw new IllegalArgumentException("composite " + c.code() + " has no catalogue entry");
            }
            if (c.groups().size() < 2 || c.groups().stream().anyMatch(Set::isEmpty)) {
                throw new IllegalArgumentException("composite " + c.code() + " needs at least two non-empty groups");
            }
            for (Set<String> group : c.groups()) {
                for (String code : group) {
                    if (!this.entries.containsKey(code)) {
                        throw new IllegalArgumentException("composite " + c.code() + " names unknown code " + code);
                    }
                    if (compositeCodes.contains(code)) {
                        throw new IllegalArgumentException("composite " + c.code() + " names composite " + code
                                + " (composites are not nested)");
                    }
                }
            }
        }
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
        List<Composite> composites = new ArrayList<>();
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
            Object when = v.get("when");
            if (when != null) {
                if (!(when instanceof List<?> groups) || groups.stream().anyMatch(g -> !(g instanceof List<?>))) {
                    throw new IllegalStateException(RESOURCE + ": finding " + code + ": when must be a list of lists of codes");
                }
                List<Set<String>> parsed = new ArrayList<>();
                for (Object g : groups) {
                    Set<String> group = new LinkedHashSet<>();
                    ((List<?>) g).forEach(c -> group.add(String.valueOf(c)));
                    parsed.add(group);
                }
                composites.add(new Composite(code, parsed));
            }
        }
        try {
            return new FindingCatalogue(result, composites);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(RESOURCE + ": " + e.getMessage(), e);
        }
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

    /** The composites, in catalogue order. */
    public List<Composite> composites() {
        return composites;
    }

    /**
     * The composite findings that {@code findings} meet, in catalogue order, each once; evidence names the
     * codes that met its groups, e.g. {@code LURE_CREDENTIAL+LINK_IP_LITERAL}. A finding its analyzer reported with
     * a multiplier below {@value #COMPOSITE_MIN_MULTIPLIER} (weak evidence by its own account, such as the same name
     * under another suffix) does not meet a group.
     */
    public List<Finding> compositesOf(List<Finding> findings) {
        if (composites.isEmpty()) {
            return List.of();
        }
        Set<String> present = new LinkedHashSet<>();
        for (Finding f : findings) {
            if (f.multiplier() >= COMPOSITE_MIN_MULTIPLIER) {
                present.add(f.code());
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Composite c : composites) {
            List<String> met = new ArrayList<>(c.groups().size());
            for (Set<String> group : c.groups()) {
                // report the first code of the group (in the group's order) that was found
                String hit = null;
                for (String code : group) {
                    if (present.contains(code)) {
                        hit = code;
                        break;
                    }
                }
                if (hit == null) {
                    break;
                }
                met.add(hit);
            }
            if (met.size() == c.groups().size()) {
                out.add(Finding.of(c.code(), String.join("+", met)));
            }
        }
        return out;
    }

    /** Reasons for a list of findings, one per distinct code, in order. */
    public List<Entry> reasons(List<Finding> findings) {
        return findings.stream().map(Finding::code).distinct().map(entries::get)
                .filter(java.util.Objects::nonNull).toList();
    }
}
