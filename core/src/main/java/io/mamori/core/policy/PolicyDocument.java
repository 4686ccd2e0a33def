package io.mamori.core.policy;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.policy.Policy.DomainPattern;
import io.mamori.core.policy.Policy.Organisation;
import io.mamori.core.policy.Policy.Rules;
import io.mamori.core.policy.Policy.Tagging;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Walks one composed YAML document along the policy schema and collects every error with its position, so
 * that an operator fixes a file in one round instead of one error per attempt. Single use, not thread-safe.
 *
 * <p>The walk follows the schema, never the document: nodes under unknown keys are not visited, so an alias
 * bomb placed anywhere costs nothing beyond what the composer's alias limit already allows.
 */
final class PolicyDocument {

    static final int SUPPORTED_VERSION = 1;
    private static final int MAX_ERRORS = 100;
    private static final int MAX_NAME_LENGTH = 200;
    private static final int MAX_PREFIX_LENGTH = 64;
    private static final List<Action> THRESHOLD_ACTIONS = List.of(Action.TAG, Action.HOLD, Action.QUARANTINE, Action.REJECT);

    private final String file;
    private final FindingCatalogue catalogue;
    private final List<PolicyError> errors = new ArrayList<>();
    private int suppressed;

    PolicyDocument(String file, FindingCatalogue catalogue) {
        this.file = file;
        this.catalogue = catalogue;
    }

    Policy read(Node root) throws PolicyException {
        if (root == null) {
            errors.add(new PolicyError(file, 1, 1, "", "the file is empty"));
            throw new PolicyException(errors);
        }
        Map<String, Node> top = fields(root, "", List.of("version", "organisation", "inbound", "outbound", "tag", "antivirus", "protection",
                        "attachments", "disarm"),
                Set.of("version", "organisation", "inbound", "outbound"));
        if (top == null) {
            throw result();
        }
        Integer version = top.containsKey("version") ? version(top.get("version")) : null;
        Organisation organisation = top.containsKey("organisation") ? organisation(top.get("organisation")) : null;
        Rules inbound = top.containsKey("inbound") ? rules(top.get("inbound"), "inbound") : null;
        Rules outbound = top.containsKey("outbound") ? rules(top.get("outbound"), "outbound") : null;
        Tagging tag = top.containsKey("tag") ? tagging(top.get("tag")) : new Tagging(Tagging.DEFAULT_SUBJECT_PREFIX);
        Policy.Antivirus antivirus = top.containsKey("antivirus") ? antivirus(top.get("antivirus")) : Policy.Antivirus.DEFAULT;
        Policy.Protection protection = top.containsKey("protection") ? protection(top.get("protection")) : Policy.Protection.NONE;
        Policy.Attachments attachments = attachments(top.get("attachments"), top.get("inbound"));
        Policy.Disarm disarm = top.containsKey("disarm") ? disarm(top.get("disarm")) : Policy.Disarm.DEFAULT;
        if (!errors.isEmpty()) {
            throw result();
        }
        return new Policy(version, organisation, inbound, outbound, tag, antivirus, protection, attachments, disarm);
    }

    private PolicyException result() {
        List<PolicyError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
        if (suppressed > 0) {
            PolicyError last = sorted.get(sorted.size() - 1);
            sorted.add(new PolicyError(file, last.line(), last.column(), "", suppressed + " more errors not shown"));
        }
        return new PolicyException(sorted);
    }

    private Integer version(Node node) {
        BigDecimal v = number(node, "version");
        if (v == null) {
            return null;
        }
        if (v.compareTo(BigDecimal.valueOf(SUPPORTED_VERSION)) != 0) {
            error(node, "version", "unsupported version " + v.toPlainString() + "; expected " + SUPPORTED_VERSION);
            return null;
        }
        return SUPPORTED_VERSION;
    }

    private Organisation organisation(Node node) {
        Map<String, Node> f = fields(node, "organisation", List.of("name", "internal_domains"),
                Set.of("name", "internal_domains"));
        if (f == null) {
            return null;
        }
        String name = null;
        if (f.containsKey("name")) {
            name = string(f.get("name"), "organisation.name");
            if (name != null && name.isBlank()) {
                error(f.get("name"), "organisation.name", "must not be empty");
                name = null;
            } else if (name != null && name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
                error(f.get("name"), "organisation.name", "longer than " + MAX_NAME_LENGTH + " characters");
                name = null;
            }
        }
        List<DomainPattern> domains = f.containsKey("internal_domains")
                ? domains(f.get("internal_domains"), "organisation.internal_domains") : null;
        return name == null || domains == null ? null : new Organisation(name, domains);
    }

    private List<DomainPattern> domains(Node node, String path) {
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, path, "must be a list of domains, got " + describe(node));
            return null;
        }
        if (seq.getValue().isEmpty()) {
            error(node, path, "must list at least one domain");
            return null;
        }
        List<DomainPattern> result = new ArrayList<>();
        Map<DomainPattern, Integer> firstIndex = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            String raw = string(item, itemPath);
            if (raw == null) {
                ok = false;
                continue;
            }
            DomainPattern pattern = domainPattern(item, itemPath, raw);
            if (pattern == null) {
                ok = false;
            } else if (firstIndex.containsKey(pattern)) {
                error(item, itemPath, "duplicate of " + path + "[" + firstIndex.get(pattern) + "]");
                ok = false;
            } else {
                firstIndex.put(pattern, i);
                result.add(pattern);
            }
        }
        return ok ? result : null;
    }

    private DomainPattern domainPattern(Node item, String path, String raw) {
        boolean wildcard = raw.startsWith("*.");
        String base = wildcard ? raw.substring(2) : raw;
        if (base.contains("*")) {
            error(item, path, "'*' is only allowed as the whole first label, as in \"*.example.co.jp\"");
            return null;
        }
        try {
            return new DomainPattern(DomainPattern.toAscii(base), wildcard);
        } catch (IllegalArgumentException e) {
            error(item, path, "'" + raw + "' is not a valid domain name (" + e.getMessage() + ")");
            return null;
        }
    }

    private Rules rules(Node node, String path) {
        Map<String, Node> f = fields(node, path, List.of("thresholds", "forced"), Set.of("thresholds"));
        if (f == null) {
            return null;
        }
        Map<Action, Double> thresholds = f.containsKey("thresholds") ? thresholds(f.get("thresholds"), path + ".thresholds") : null;
        Map<String, Action> forced = f.containsKey("forced") ? forced(f.get("forced"), path + ".forced") : Map.of();
        return thresholds == null || forced == null ? null : new Rules(thresholds, forced);
    }

    private Map<Action, Double> thresholds(Node node, String path) {
        List<String> names = THRESHOLD_ACTIONS.stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList();
        Map<String, Node> f = fields(node, path, names, Set.of());
        if (f == null) {
            return null;
        }
        Map<Action, Double> result = new EnumMap<>(Action.class);
        boolean ok = true;
        BigDecimal highest = null;
        String highestName = null;
        for (Action action : THRESHOLD_ACTIONS) {
            String name = action.name().toLowerCase(Locale.ROOT);
            Node value = f.get(name);
            if (value == null) {
                continue;
            }
            BigDecimal t = number(value, path + "." + name);
            if (t == null) {
                ok = false;
                continue;
            }
            if (t.signum() < 0) {
                error(value, path + "." + name, "must be ≥ 0");
                ok = false;
                continue;
            }
            if (highest != null && t.compareTo(highest) < 0) {
                error(value, path + "." + name, "must be ≥ " + highestName + " (" + highest.stripTrailingZeros().toPlainString() + ")");
                ok = false;
                continue;
            }
            highest = t;
            highestName = name;
            result.put(action, t.doubleValue());
        }
        return ok ? result : null;
    }

    private Map<String, Action> forced(Node node, String path) {
        if (isNull(node)) {
            return Map.of();
        }
        List<NodeTuple> entries = entries(node, path);
        if (entries == null) {
            return null;
        }
        Map<String, Action> result = new LinkedHashMap<>();
        boolean ok = true;
        for (NodeTuple t : entries) {
            String code = ((ScalarNode) t.getKeyNode()).getValue();
            String codePath = path + "." + code;
            if (catalogue.entry(code).isEmpty()) {
                error(t.getKeyNode(), codePath, "unknown finding code" + suggestion(code, catalogue.entries().keySet())
                        .orElse(" (not in the finding catalogue)"));
                ok = false;
                continue;
            }
            Action action = action(t.getValueNode(), codePath);
            if (action == null) {
                ok = false;
            } else if (action == Action.DELIVER) {
                error(t.getValueNode(), codePath, "DELIVER cannot be forced; forced actions are minimums");
                ok = false;
            } else {
                result.put(code, action);
            }
        }
        return ok ? result : null;
    }

    private Action action(Node node, String path) {
        String value = string(node, path);
        if (value == null) {
            return null;
        }
        List<String> names = Arrays.stream(Action.values()).map(Action::name).toList();
        if (!names.contains(value)) {
            error(node, path, "unknown action '" + value + "'" + suggestion(value, names)
                    .orElse("; expected one of " + String.join(", ", names)));
            return null;
        }
        return Action.valueOf(value);
    }

    private Policy.Protection protection(Node node) {
        if (isNull(node)) {
            return Policy.Protection.NONE;
        }
        Map<String, Node> f = fields(node, "protection", List.of("partner_domains", "people"), Set.of());
        if (f == null) {
            return null;
        }
        List<DomainPattern> partners = f.containsKey("partner_domains")
                ? domains(f.get("partner_domains"), "protection.partner_domains") : List.of();
        List<Policy.Person> people = new ArrayList<>();
        boolean ok = partners != null;
        if (f.containsKey("people")) {
            Node peopleNode = f.get("people");
            if (!(peopleNode instanceof SequenceNode seq) || !Tag.SEQ.equals(peopleNode.getTag())) {
                error(peopleNode, "protection.people", "must be a list of {name, addresses}, got " + describe(peopleNode));
                return null;
            }
            for (int i = 0; i < seq.getValue().size(); i++) {
                Policy.Person person = person(seq.getValue().get(i), "protection.people[" + i + "]");
                if (person == null) {
                    ok = false;
                } else {
                    people.add(person);
                }
            }
        }
        return ok ? new Policy.Protection(partners, people) : null;
    }

    private Policy.Person person(Node node, String path) {
        Map<String, Node> f = fields(node, path, List.of("name", "addresses"), Set.of("name", "addresses"));
        if (f == null) {
            return null;
        }
        String name = f.containsKey("name") ? string(f.get("name"), path + ".name") : null;
        if (name != null && name.isBlank()) {
            error(f.get("name"), path + ".name", "must not be empty");
            name = null;
        }
        List<String> addresses = new ArrayList<>();
        Node list = f.get("addresses");
        if (!(list instanceof SequenceNode seq) || !Tag.SEQ.equals(list.getTag()) || seq.getValue().isEmpty()) {
            error(list, path + ".addresses", "must be a non-empty list of addresses, got " + describe(list));
            return null;
        }
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String address = string(item, path + ".addresses[" + i + "]");
            if (address == null) {
                ok = false;
            } else if (!address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                error(item, path + ".addresses[" + i + "]", "'" + address + "' is not an email address");
                ok = false;
            } else {
                addresses.add(address.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return ok && name != null ? new Policy.Person(name, addresses) : null;
    }

    private Policy.Antivirus antivirus(Node node) {
        if (isNull(node)) {
            return Policy.Antivirus.DEFAULT;
        }
        Map<String, Node> f = fields(node, "antivirus", List.of("when_unavailable"), Set.of());
        if (f == null) {
            return null;
        }
        Node when = f.get("when_unavailable");
        if (when == null) {
            return Policy.Antivirus.DEFAULT;
        }
        String value = string(when, "antivirus.when_unavailable");
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "tempfail" -> new Policy.Antivirus(Policy.Antivirus.WhenUnavailable.TEMPFAIL);
            case "deliver" -> new Policy.Antivirus(Policy.Antivirus.WhenUnavailable.DELIVER);
            default -> {
                error(when, "antivirus.when_unavailable", "must be tempfail or deliver, not '" + value + "'");
                yield null;
            }
        };
    }

    // ---- attachments and disarm ---------------------------------------------------------------------------------

    /**
     * {@code attachments.encrypted} and {@code attachments.macros}. An absent key whose finding code is named
     * under {@code inbound.forced} means {@code score}, so files written before this section existed keep their
     * meaning; naming both is an error, because two rules for one finding would leave the reader guessing.
     */
    private Policy.Attachments attachments(Node node, Node inboundNode) {
        Map<String, Node> f = node == null || isNull(node) ? Map.of()
                : fields(node, "attachments", List.of("encrypted", "macros"), Set.of());
        if (f == null) {
            return null;
        }
        Policy.Attachments.Handling encrypted = handling(f.get("encrypted"), "attachments.encrypted",
                Policy.Attachments.ENCRYPTED_CODE, inboundNode, Policy.Attachments.DEFAULT.encrypted());
        Policy.Attachments.Handling macros = handling(f.get("macros"), "attachments.macros",
                Policy.Attachments.MACRO_CODE, inboundNode, Policy.Attachments.DEFAULT.macros());
        return encrypted == null || macros == null ? null : new Policy.Attachments(encrypted, macros);
    }

    private Policy.Attachments.Handling handling(Node value, String path, String code, Node inboundNode,
            Policy.Attachments.Handling fallback) {
        Node forced = forcedKey(inboundNode, code);
        if (value == null) {
            return forced != null ? Policy.Attachments.Handling.SCORE : fallback;
        }
        String text = string(value, path);
        if (text == null) {
            return null;
        }
        List<String> names = Arrays.stream(Policy.Attachments.Handling.values())
                .map(h -> h.name().toLowerCase(Locale.ROOT)).toList();
        if (!names.contains(text)) {
            error(value, path, "must be one of " + String.join(", ", names) + ", not '" + text + "'"
                    + suggestion(text, names).orElse(""));
            return null;
        }
        Policy.Attachments.Handling handling = Policy.Attachments.Handling.valueOf(text.toUpperCase(Locale.ROOT));
        if (forced != null && handling != Policy.Attachments.Handling.SCORE) {
            error(value, path, "conflicts with inbound.forced." + code + " (line " + (forced.getStartMark().getLine() + 1)
                    + "); keep one of them");
            return null;
        }
        return handling;
    }

    /** The key node of {@code inbound.forced.<code>}, or null; the inbound section is validated elsewhere. */
    private static Node forcedKey(Node inboundNode, String code) {
        if (!(inboundNode instanceof MappingNode inbound)) {
            return null;
        }
        for (NodeTuple t : inbound.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && "forced".equals(k.getValue())
                    && t.getValueNode() instanceof MappingNode forced) {
                for (NodeTuple e : forced.getValue()) {
                    if (e.getKeyNode() instanceof ScalarNode c && code.equals(c.getValue())) {
                        return e.getKeyNode();
                    }
                }
            }
        }
        return null;
    }

    private Policy.Disarm disarm(Node node) {
        if (isNull(node)) {
            return Policy.Disarm.DEFAULT;
        }
        Map<String, Node> f = fields(node, "disarm", List.of("enabled", "apply_to", "html_to_text", "defang_links"), Set.of());
        if (f == null) {
            return null;
        }
        Policy.Disarm d = Policy.Disarm.DEFAULT;
        Boolean enabled = f.containsKey("enabled") ? bool(f.get("enabled"), "disarm.enabled") : Boolean.valueOf(d.enabled());
        Boolean htmlToText = f.containsKey("html_to_text") ? bool(f.get("html_to_text"), "disarm.html_to_text") : Boolean.valueOf(d.htmlToText());
        Boolean defang = f.containsKey("defang_links") ? bool(f.get("defang_links"), "disarm.defang_links") : Boolean.valueOf(d.defangLinks());
        Policy.Disarm.ApplyTo applyTo = d.applyTo();
        Node applyNode = f.get("apply_to");
        if (applyNode != null) {
            String value = string(applyNode, "disarm.apply_to");
            applyTo = value == null ? null : switch (value) {
                case "external" -> Policy.Disarm.ApplyTo.EXTERNAL;
                case "tagged" -> Policy.Disarm.ApplyTo.TAGGED;
                default -> {
                    error(applyNode, "disarm.apply_to", "must be external or tagged, not '" + value + "'");
                    yield null;
                }
            };
        }
        if (enabled == null || htmlToText == null || defang == null || applyTo == null) {
            return null;
        }
        return new Policy.Disarm(enabled, applyTo, htmlToText, defang);
    }

    /** Only {@code true} and {@code false}: YAML 1.1 also reads yes/no/on/off as booleans, which surprises people. */
    private Boolean bool(Node node, String path) {
        if (node instanceof ScalarNode scalar && Tag.BOOL.equals(node.getTag())
                && (scalar.getValue().equals("true") || scalar.getValue().equals("false"))) {
            return Boolean.valueOf(scalar.getValue());
        }
        error(node, path, "must be true or false, got " + describe(node));
        return null;
    }

    private Tagging tagging(Node node) {
        if (isNull(node)) {
            return new Tagging(Tagging.DEFAULT_SUBJECT_PREFIX);
        }
        Map<String, Node> f = fields(node, "tag", List.of("subject_prefix"), Set.of());
        if (f == null) {
            return null;
        }
        Node prefixNode = f.get("subject_prefix");
        if (prefixNode == null) {
            return new Tagging(Tagging.DEFAULT_SUBJECT_PREFIX);
        }
        String prefix = string(prefixNode, "tag.subject_prefix");
        if (prefix == null) {
            return null;
        }
        if (prefix.codePoints().anyMatch(Character::isISOControl)) {
            // A line break here would let the policy inject header fields into every tagged message.
            error(prefixNode, "tag.subject_prefix", "must not contain control characters or line breaks");
            return null;
        }
        if (prefix.codePointCount(0, prefix.length()) > MAX_PREFIX_LENGTH) {
            error(prefixNode, "tag.subject_prefix", "longer than " + MAX_PREFIX_LENGTH + " characters");
            return null;
        }
        return new Tagging(prefix);
    }

    /**
     * The fixed keys of a schema mapping. Reports unknown keys, duplicates and missing required keys; returns
     * null (after reporting) if the node is not a mapping.
     */
    private Map<String, Node> fields(Node node, String path, List<String> allowed, Set<String> required) {
        List<NodeTuple> entries = entries(node, path);
        if (entries == null) {
            return null;
        }
        Map<String, Node> result = new LinkedHashMap<>();
        for (NodeTuple t : entries) {
            String name = ((ScalarNode) t.getKeyNode()).getValue();
            if (allowed.contains(name)) {
                result.put(name, t.getValueNode());
            } else {
                error(t.getKeyNode(), join(path, name), "unknown key" + suggestion(name, allowed)
                        .orElse("; expected one of " + String.join(", ", allowed)));
            }
        }
        for (String key : allowed) {
            if (required.contains(key) && !result.containsKey(key)) {
                error(node.getStartMark(), join(path, key), "missing required key");
            }
        }
        return result;
    }

    /** Key/value pairs of a mapping whose keys are plain strings; first occurrence wins, later ones are errors. */
    private List<NodeTuple> entries(Node node, String path) {
        if (!(node instanceof MappingNode mapping) || !Tag.MAP.equals(node.getTag())) {
            error(node, path, (path.isEmpty() ? "the policy must be a mapping of keys" : "must be a mapping")
                    + ", got " + describe(node));
            return null;
        }
        List<NodeTuple> result = new ArrayList<>();
        Map<String, Mark> seen = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            Node key = t.getKeyNode();
            if (Tag.MERGE.equals(key.getTag())) {
                error(key, path, "merge keys (<<) are not supported; write the keys out");
                continue;
            }
            if (!(key instanceof ScalarNode scalar) || !Tag.STR.equals(key.getTag())) {
                error(key, path, "keys must be names, got " + describe(key));
                continue;
            }
            String name = scalar.getValue();
            Mark first = seen.putIfAbsent(name, key.getStartMark());
            if (first != null) {
                error(key, join(path, name), "duplicate key (first at line " + (first.getLine() + 1) + ")");
                continue;
            }
            result.add(t);
        }
        return result;
    }

    private String string(Node node, String path) {
        if (node instanceof ScalarNode scalar && Tag.STR.equals(node.getTag())) {
            return scalar.getValue();
        }
        error(node, path, "must be a string, got " + describe(node));
        return null;
    }

    private BigDecimal number(Node node, String path) {
        if (node instanceof ScalarNode scalar && (Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag()))) {
            try {
                BigDecimal value = new BigDecimal(scalar.getValue().replace("_", ""));
                if (Double.isFinite(value.doubleValue())) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // falls through: hexadecimal, octal, sexagesimal, .inf and .nan are not accepted
            }
            error(node, path, "must be a plain decimal number, got '" + scalar.getValue() + "'");
            return null;
        }
        error(node, path, "must be a number, got " + describe(node));
        return null;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return Tag.MAP.equals(node.getTag()) ? "a mapping" : "a mapping tagged " + node.getTag();
        }
        if (node instanceof SequenceNode) {
            return Tag.SEQ.equals(node.getTag()) ? "a list" : "a list tagged " + node.getTag();
        }
        if (!(node instanceof ScalarNode scalar)) {
            return "an alias";
        }
        Tag tag = node.getTag();
        String quoted = " '" + abbreviate(scalar.getValue()) + "'";
        if (Tag.STR.equals(tag)) {
            return "a string" + quoted;
        } else if (Tag.INT.equals(tag)) {
            return "an integer" + quoted;
        } else if (Tag.FLOAT.equals(tag)) {
            return "a number" + quoted;
        } else if (Tag.BOOL.equals(tag)) {
            return "a boolean" + quoted;
        } else if (Tag.NULL.equals(tag)) {
            return "an empty value";
        } else if (Tag.TIMESTAMP.equals(tag)) {
            return "a date" + quoted;
        }
        return "a value tagged " + tag;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private void error(Node node, String key, String message) {
        error(node.getStartMark(), key, message);
    }

    private void error(Mark mark, String key, String message) {
        if (errors.size() >= MAX_ERRORS) {
            suppressed++;
            return;
        }
        errors.add(new PolicyError(file, mark.getLine() + 1, mark.getColumn() + 1, key, message));
    }

    /** {@code "; did you mean 'x'?"} for the closest candidate within a small edit distance. */
    static Optional<String> suggestion(String value, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(value.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, value.length() / 4));
        return best != null && bestDistance <= allowed
                ? Optional.of("; did you mean '" + best + "'?") : Optional.empty();
    }

    /**
     * Levenshtein distance, written out because core takes no text library for one suggestion; inputs are
     * keys and codes, so the quadratic cost is bounded by their length cap.
     */
    private static int editDistance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
