package io.mamori.core.policy;

import io.mamori.core.access.AccessRules.RoleAccess;
import io.mamori.core.access.AccessRules;
import io.mamori.core.access.Role;
import io.mamori.core.access.WeeklyHours;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListPattern;
import io.mamori.core.lists.ListSource;
import io.mamori.core.lists.ListTarget;
import io.mamori.core.network.Cidr;
import io.mamori.core.policy.Policy.DomainPattern;
import io.mamori.core.policy.Policy.Organisation;
import io.mamori.core.policy.Policy.Rules;
import io.mamori.core.policy.Policy.Tagging;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
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
    /** RFC 5321 §4.5.3.1: a local part of 64 octets, '@' and a domain of 255. */
    private static final int MAX_ADDRESS_LENGTH = io.mamori.core.text.MailAddresses.MAX_LENGTH;
    /** Longest number as written (underscores included); the largest value in a policy has a few digits. */
    private static final int MAX_NUMBER_LENGTH = 32;
    /** Most digits a number may have before, and after, its decimal point once its exponent is applied. */
    private static final int MAX_NUMBER_DIGITS = 64;
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
            errors.add(new PolicyError(file, 1, 1, "", "the file is empty", "ファイルが空です"));
            throw new PolicyException(errors);
        }
        Map<String, Node> top = fields(root, "", List.of("version", "organisation", "inbound", "outbound", "tag", "antivirus",
                        "protection", "attachments", "disarm", "lists", "first_contact", "access", "analysis", "blocklists",
                        "send_as"),
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
        Policy.Lists lists = top.containsKey("lists") ? lists(top.get("lists")) : Policy.Lists.NONE;
        Policy.FirstContact firstContact = top.containsKey("first_contact")
                ? firstContact(top.get("first_contact")) : Policy.FirstContact.DEFAULT;
        AccessRules access = top.containsKey("access") ? access(top.get("access")) : AccessRules.DEFAULT;
        Policy.Analysis analysis = top.containsKey("analysis") ? analysis(top.get("analysis")) : Policy.Analysis.DEFAULT;
        Policy.Blocklists blocklists = top.containsKey("blocklists") ? blocklists(top.get("blocklists"))
                : Policy.Blocklists.NONE;
        Policy.SendAs sendAs = top.containsKey("send_as") ? sendAs(top.get("send_as")) : Policy.SendAs.NONE;
        if (!errors.isEmpty()) {
            throw result();
        }
        return new Policy(version, organisation, inbound, outbound, tag, antivirus, protection, attachments, disarm,
                lists, firstContact, access, analysis, blocklists, sendAs);
    }

    private PolicyException result() {
        List<PolicyError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
        if (suppressed > 0) {
            PolicyError last = sorted.get(sorted.size() - 1);
            sorted.add(new PolicyError(file, last.line(), last.column(), "", suppressed + " more errors not shown",
                    "ほかに " + suppressed + " 件のエラーがあります（表示を省略）"));
        }
        return new PolicyException(sorted);
    }

    private Integer version(Node node) {
        BigDecimal v = number(node, "version");
        if (v == null) {
            return null;
        }
        if (v.compareTo(BigDecimal.valueOf(SUPPORTED_VERSION)) != 0) {
            error(node, "version", "unsupported version " + v.toPlainString() + "; expected " + SUPPORTED_VERSION,
                    "バージョン " + v.toPlainString() + " には対応していません。" + SUPPORTED_VERSION + " を指定してください");
            return null;
        }
        return SUPPORTED_VERSION;
    }

    private Organisation organisation(Node node) {
        Map<String, Node> f = fields(node, "organisation", List.of("name", "internal_domains", "own_senders"),
                Set.of("name", "internal_domains"));
        if (f == null) {
            return null;
        }
        String name = null;
        if (f.containsKey("name")) {
            name = string(f.get("name"), "organisation.name");
            if (name != null && name.isBlank()) {
                error(f.get("name"), "organisation.name", "must not be empty", "空にはできません");
                name = null;
            } else if (name != null && name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
                error(f.get("name"), "organisation.name", "longer than " + MAX_NAME_LENGTH + " characters",
                        MAX_NAME_LENGTH + " 文字を超えています");
                name = null;
            }
        }
        List<DomainPattern> domains = f.containsKey("internal_domains")
                ? domains(f.get("internal_domains"), "organisation.internal_domains") : null;
        // an empty list is allowed here: no system of the organisation sends to the MX
        Node senders = f.get("own_senders");
        List<Cidr> ownSenders = senders == null || senders instanceof SequenceNode seq && seq.getValue().isEmpty()
                ? List.of() : networks(senders, "organisation.own_senders");
        return name == null || domains == null || ownSenders == null ? null : new Organisation(name, domains, ownSenders);
    }

    private List<DomainPattern> domains(Node node, String path) {
        SequenceNode seq = domainList(node, path);
        if (seq == null) {
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
                error(item, itemPath, "duplicate of " + path + "[" + firstIndex.get(pattern) + "]",
                        path + "[" + firstIndex.get(pattern) + "] と重複しています");
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
            error(item, path, "'*' is only allowed as the whole first label, as in \"*.example.co.jp\"",
                    "'*' は \"*.example.co.jp\" のように先頭のラベル全体としてのみ使えます");
            return null;
        }
        try {
            return new DomainPattern(DomainPattern.toAscii(base), wildcard);
        } catch (IllegalArgumentException e) {
            error(item, path, "'" + raw + "' is not a valid domain name (" + e.getMessage() + ")",
                    "'" + raw + "' は有効なドメイン名ではありません（" + e.getMessage() + "）");
            return null;
        }
    }

    private Rules rules(Node node, String path) {
        Map<String, Node> f = fields(node, path, List.of("thresholds", "forced", "weights"), Set.of("thresholds"));
        if (f == null) {
            return null;
        }
        Map<Action, Double> thresholds = f.containsKey("thresholds") ? thresholds(f.get("thresholds"), path + ".thresholds") : null;
        Map<String, Action> forced = f.containsKey("forced") ? forced(f.get("forced"), path + ".forced") : Map.of();
        Map<String, Double> weights = f.containsKey("weights") ? weights(f.get("weights"), path + ".weights") : Map.of();
        return thresholds == null || forced == null || weights == null ? null : new Rules(thresholds, forced, weights);
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
                error(value, path + "." + name, "must be ≥ 0", "0 以上にしてください");
                ok = false;
                continue;
            }
            if (highest != null && t.compareTo(highest) < 0) {
                error(value, path + "." + name, "must be ≥ " + highestName + " (" + highest.stripTrailingZeros().toPlainString() + ")",
                        highestName + " (" + highest.stripTrailingZeros().toPlainString() + ") 以上にしてください");
                ok = false;
                continue;
            }
            highest = t;
            highestName = name;
            result.put(action, t.doubleValue());
        }
        return ok ? result : null;
    }

    /**
     * {@code <direction>.weights}: finding code → the weight this organisation gives it instead of the catalogue's.
     * Codes must exist in the catalogue (composites included); weights are plain numbers from 0 (the finding stays
     * in the verdict but weighs nothing) to {@value Rules#MAX_WEIGHT}.
     */
    private Map<String, Double> weights(Node node, String path) {
        return byFindingCode(node, path, (value, codePath) -> {
            BigDecimal weight = number(value, codePath);
            if (weight != null && (weight.signum() < 0 || weight.compareTo(BigDecimal.valueOf(Rules.MAX_WEIGHT)) > 0)) {
                error(value, codePath, "must be between 0 and " + (int) Rules.MAX_WEIGHT,
                        "0 以上 " + (int) Rules.MAX_WEIGHT + " 以下にしてください");
                return null;
            }
            return weight == null ? null : weight.doubleValue();
        });
    }

    /** {@code <direction>.forced}: finding code → the minimum action whenever the finding is present. */
    private Map<String, Action> forced(Node node, String path) {
        return byFindingCode(node, path, (value, codePath) -> {
            Action action = action(value, codePath);
            if (action == Action.DELIVER) {
                error(value, codePath, "DELIVER cannot be forced; forced actions are minimums",
                        "DELIVER は強制できません。強制アクションは最低限の処置を指定するものです");
                return null;
            }
            return action;
        });
    }

    /**
     * A mapping from finding codes of the catalogue to values read by {@code value} (null after it reported an
     * error); an unknown code is reported with a suggestion when one is close. Null if anything was wrong.
     */
    private <T> Map<String, T> byFindingCode(Node node, String path, BiFunction<Node, String, T> value) {
        if (isNull(node)) {
            return Map.of();
        }
        List<NodeTuple> entries = entries(node, path);
        if (entries == null) {
            return null;
        }
        Map<String, T> result = new LinkedHashMap<>();
        boolean ok = true;
        for (NodeTuple t : entries) {
            String code = ((ScalarNode) t.getKeyNode()).getValue();
            String codePath = path + "." + code;
            if (catalogue.entry(code).isEmpty()) {
                error(t.getKeyNode(), codePath, "unknown finding code" + suggestion(code, catalogue.entries().keySet())
                        .orElse(" (not in the finding catalogue)"),
                        "不明な検知コードです" + suggestionJa(code, catalogue.entries().keySet())
                        .orElse("（検知カタログにありません）"));
                ok = false;
                continue;
            }
            T v = value.apply(t.getValueNode(), codePath);
            if (v == null) {
                ok = false;
            } else {
                result.put(code, v);
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
                    .orElse("; expected one of " + String.join(", ", names)),
                    "不明なアクション '" + value + "' です" + suggestionJa(value, names)
                    .orElse("。" + String.join(", ", names) + " のいずれかを指定してください"));
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
                error(peopleNode, "protection.people", "must be a list of {name, addresses}, got " + describe(peopleNode),
                        "{name, addresses} のリストにしてください（" + describeJa(peopleNode) + "が指定されています）");
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
        Map<String, Node> f = fields(node, path, List.of("name", "addresses", "aliases"), Set.of("name", "addresses"));
        if (f == null) {
            return null;
        }
        String name = f.containsKey("name") ? string(f.get("name"), path + ".name") : null;
        if (name != null && name.isBlank()) {
            error(f.get("name"), path + ".name", "must not be empty", "空にはできません");
            name = null;
        }
        List<String> addresses = addresses(f.get("addresses"), path + ".addresses");
        List<String> aliases = f.containsKey("aliases") ? aliases(f.get("aliases"), path + ".aliases") : List.of();
        return addresses != null && name != null && aliases != null ? new Policy.Person(name, addresses, aliases) : null;
    }

    /**
     * Other names of a protected person (a kana reading, a romanised name): a list of names, none empty and none holding
     * a control, separator or invisible character ({@link io.mamori.core.text.VisibleText#fitForAName}), which would
     * only make the alias match nothing; null (after reporting) if anything is wrong.
     */
    private List<String> aliases(Node list, String path) {
        if (!(list instanceof SequenceNode seq) || !Tag.SEQ.equals(list.getTag())) {
            error(list, path, "must be a list of names, got " + describe(list),
                    "名前のリストにしてください（" + describeJa(list) + "が指定されています）");
            return null;
        }
        List<String> aliases = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String alias = string(item, path + "[" + i + "]");
            if (alias != null && alias.isBlank()) {
                error(item, path + "[" + i + "]", "must not be empty", "空にはできません");
                alias = null;
            } else if (alias != null && !io.mamori.core.text.VisibleText.fitForAName(alias)) {
                error(item, path + "[" + i + "]", "'" + abbreviate(io.mamori.core.text.VisibleText.of(alias))
                        + "' holds a control or invisible character", "'" + abbreviate(io.mamori.core.text.VisibleText.of(alias))
                        + "' に制御文字または見えない文字が含まれています");
                alias = null;
            }
            if (alias == null) {
                ok = false;
            } else {
                aliases.add(alias.strip());
            }
        }
        return ok ? aliases : null;
    }

    /** A non-empty list of e-mail addresses, lower-cased; null (after reporting) if anything is wrong. */
    private List<String> addresses(Node list, String path) {
        List<String> addresses = new ArrayList<>();
        if (!(list instanceof SequenceNode seq) || !Tag.SEQ.equals(list.getTag()) || seq.getValue().isEmpty()) {
            error(list, path, "must be a non-empty list of addresses, got " + describe(list),
                    "空でないアドレスのリストにしてください（" + describeJa(list) + "が指定されています）");
            return null;
        }
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String address = string(item, path + "[" + i + "]");
            if (address == null || !address(item, path + "[" + i + "]", address)) {
                ok = false;
            } else {
                addresses.add(address.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return ok ? addresses : null;
    }

    /** Whether {@code address} can be an e-mail address (reported if not). */
    private boolean address(Node item, String path, String address) {
        if (address.length() > MAX_ADDRESS_LENGTH) {
            // said apart from the other reasons: the most an address can have
            error(item, path, "longer than " + MAX_ADDRESS_LENGTH + " characters, the most an address can have (RFC 5321)",
                    MAX_ADDRESS_LENGTH + " 文字を超えています（RFC 5321 によるアドレスの最大長）");
            return false;
        }
        if (!io.mamori.core.text.MailAddresses.plausible(address)) {
            error(item, path, "'" + abbreviate(address) + "' is not an email address",
                    "'" + abbreviate(address) + "' はメールアドレスではありません");
            return false;
        }
        return true;
    }

    /**
     * {@code send_as}: a list of {@code {login, addresses}}, the further addresses each login (the address its app
     * passwords were issued for) may send as; a login is named once.
     */
    private Policy.SendAs sendAs(Node node) {
        if (isNull(node)) {
            return Policy.SendAs.NONE;
        }
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, "send_as", "must be a list of {login, addresses}, got " + describe(node),
                    "{login, addresses} のリストにしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        Map<String, Set<String>> byLogin = new LinkedHashMap<>();
        Map<String, Integer> firstIndex = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            String path = "send_as[" + i + "]";
            Map<String, Node> f = fields(seq.getValue().get(i), path, List.of("login", "addresses"), Set.of("login", "addresses"));
            if (f == null) {
                ok = false;
                continue;
            }
            Node loginNode = f.get("login");
            String login = loginNode == null ? null : string(loginNode, path + ".login");
            if (login != null && !address(loginNode, path + ".login", login)) {
                login = null;
            }
            List<String> addresses = f.containsKey("addresses") ? addresses(f.get("addresses"), path + ".addresses") : null;
            if (login == null || addresses == null) {
                ok = false;
                continue;
            }
            String key = login.toLowerCase(Locale.ROOT);
            if (firstIndex.containsKey(key)) {
                error(loginNode, path + ".login", "duplicate of send_as[" + firstIndex.get(key) + "]",
                        "send_as[" + firstIndex.get(key) + "] と重複しています");
                ok = false;
                continue;
            }
            firstIndex.put(key, i);
            byLogin.put(key, Set.copyOf(addresses));
        }
        return ok ? new Policy.SendAs(byLogin) : null;
    }

    private Policy.Lists lists(Node node) {
        if (isNull(node)) {
            return Policy.Lists.NONE;
        }
        Map<String, Node> f = fields(node, "lists", List.of("allow", "block", "file"), Set.of());
        if (f == null) {
            return null;
        }
        boolean ok = true;
        List<ListEntry> entries = new ArrayList<>();
        java.util.Set<String> neverOverrides = Policy.Lists.DEFAULT_ALLOW_NEVER_OVERRIDES;
        if (f.containsKey("allow") && !isNull(f.get("allow"))) {
            Map<String, Node> allow = fields(f.get("allow"), "lists.allow", List.of("senders", "never_overrides"), Set.of());
            if (allow == null) {
                ok = false;
            } else {
                ok &= listEntries(allow.get("senders"), "lists.allow.senders", ListKind.ALLOW, ListTarget.SENDER, entries);
                if (allow.containsKey("never_overrides")) {
                    neverOverrides = codes(allow.get("never_overrides"), "lists.allow.never_overrides");
                    ok &= neverOverrides != null;
                }
            }
        }
        if (f.containsKey("block") && !isNull(f.get("block"))) {
            Map<String, Node> block = fields(f.get("block"), "lists.block", List.of("senders", "links"), Set.of());
            if (block == null) {
                ok = false;
            } else {
                ok &= listEntries(block.get("senders"), "lists.block.senders", ListKind.BLOCK, ListTarget.SENDER, entries);
                ok &= listEntries(block.get("links"), "lists.block.links", ListKind.BLOCK, ListTarget.LINK, entries);
            }
        }
        java.util.Optional<String> file = java.util.Optional.empty();
        if (f.containsKey("file") && !isNull(f.get("file"))) {
            String path = string(f.get("file"), "lists.file");
            if (path == null) {
                ok = false;
            } else if (path.isBlank() || path.length() > 1024 || path.codePoints().anyMatch(Character::isISOControl)) {
                error(f.get("file"), "lists.file", "must be a file path of 1 to 1024 characters without control characters",
                        "制御文字を含まない 1〜1024 文字のファイルパスにしてください");
                ok = false;
            } else {
                file = java.util.Optional.of(path);
            }
        }
        return ok ? new Policy.Lists(entries, file, neverOverrides) : null;
    }

    /** Adds the entries of one list ({@code null} or an empty value means none); false after reporting errors. */
    private boolean listEntries(Node node, String path, ListKind kind, ListTarget target, List<ListEntry> out) {
        if (node == null || isNull(node)) {
            return true;
        }
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, path, "must be a list of " + (target == ListTarget.SENDER ? "addresses or domains" : "domains or URLs")
                    + ", got " + describe(node),
                    (target == ListTarget.SENDER ? "アドレスまたはドメイン" : "ドメインまたは URL") + "のリストにしてください（"
                    + describeJa(node) + "が指定されています）");
            return false;
        }
        boolean ok = true;
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            String raw = string(item, itemPath);
            if (raw == null) {
                ok = false;
                continue;
            }
            try {
                ListPattern pattern = ListPattern.parse(target, raw);
                Integer earlier = first.putIfAbsent(pattern.text(), i);
                if (earlier != null) {
                    error(item, itemPath, "duplicate of " + path + "[" + earlier + "]",
                            path + "[" + earlier + "] と重複しています");
                    ok = false;
                } else {
                    out.add(new ListEntry(kind, target, pattern, ListSource.POLICY, null, itemPath));
                }
            } catch (InvalidListEntry e) {
                error(item, itemPath, e.getMessage(), e.messageJa());
                ok = false;
            }
        }
        return ok;
    }

    private java.util.Set<String> codes(Node node, String path) {
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, path, "must be a list of finding codes, got " + describe(node),
                    "検知コードのリストにしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        java.util.Set<String> result = new java.util.LinkedHashSet<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String code = string(item, path + "[" + i + "]");
            if (code == null) {
                ok = false;
            } else if (catalogue.entry(code).isEmpty()) {
                error(item, path + "[" + i + "]", "unknown finding code" + suggestion(code, catalogue.entries().keySet())
                        .orElse(" (not in the finding catalogue)"),
                        "不明な検知コードです" + suggestionJa(code, catalogue.entries().keySet())
                        .orElse("（検知カタログにありません）"));
                ok = false;
            } else if (!result.add(code)) {
                error(item, path + "[" + i + "]", "duplicate code " + code, "コード " + code + " が重複しています");
                ok = false;
            }
        }
        return ok ? result : null;
    }

    private Policy.Blocklists blocklists(Node node) {
        if (isNull(node)) {
            return Policy.Blocklists.NONE;
        }
        Map<String, Node> f = fields(node, "blocklists", List.of("ip", "domain"), Set.of());
        if (f == null) {
            return null;
        }
        List<String> ip = f.containsKey("ip") ? zones(f.get("ip"), "blocklists.ip") : List.of();
        List<String> domain = f.containsKey("domain") ? zones(f.get("domain"), "blocklists.domain") : List.of();
        return ip == null || domain == null ? null : new Policy.Blocklists(ip, domain);
    }

    /** A non-empty YAML list, or {@code null} after recording why not. */
    private SequenceNode domainList(Node node, String path) {
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, path, "must be a list of domains, got " + describe(node),
                    "ドメインのリストにしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        if (seq.getValue().isEmpty()) {
            error(node, path, "must list at least one domain", "ドメインを 1 つ以上指定してください");
            return null;
        }
        return seq;
    }

    /**
     * DNS zones of block lists: domain names without wildcards, whose first label may be {@code {key}}, which stands
     * for the subscription key of the setting {@code mamori.dns.blocklist-key} (kept out of the policy text).
     */
    private List<String> zones(Node node, String path) {
        SequenceNode seq = domainList(node, path);
        if (seq == null) {
            return null;
        }
        Map<String, Integer> firstIndex = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            String raw = string(item, itemPath);
            // the placeholder is no domain label: the rest of the name must be the domain it stands before
            boolean keyed = raw != null && raw.startsWith(KEY_LABEL);
            DomainPattern zone = raw == null ? null
                    : domainPattern(item, itemPath, keyed ? raw.substring(KEY_LABEL.length()) : raw);
            String name = zone == null ? null : (keyed ? KEY_LABEL : "") + zone.domain();
            if (zone == null) {
                ok = false;
            } else if (zone.subdomains()) {
                error(item, itemPath, "a block list is one DNS zone, such as zen.spamhaus.org; '*' is not allowed",
                        "ブロックリストは zen.spamhaus.org のような 1 つの DNS ゾーンです。'*' は使えません");
                ok = false;
            } else if (firstIndex.containsKey(name)) {
                error(item, itemPath, "duplicate of " + path + "[" + firstIndex.get(name) + "]",
                        path + "[" + firstIndex.get(name) + "] と重複しています");
                ok = false;
            } else {
                firstIndex.put(name, i);
            }
        }
        List<String> zones = List.copyOf(firstIndex.keySet());
        return ok ? zones : null;
    }

    /** The first label of a zone that stands for the block list subscription key. */
    private static final String KEY_LABEL = "{key}.";

    private Policy.FirstContact firstContact(Node node) {
        if (isNull(node)) {
            return Policy.FirstContact.DEFAULT;
        }
        Map<String, Node> f = fields(node, "first_contact", List.of("window_days", "learning_days"), Set.of());
        if (f == null) {
            return null;
        }
        Integer window = Policy.FirstContact.DEFAULT.windowDays();
        if (f.containsKey("window_days")) {
            window = days(f.get("window_days"), "first_contact.window_days", 1);
        }
        Integer learning = Policy.FirstContact.DEFAULT.learningDays();
        if (f.containsKey("learning_days")) {
            learning = days(f.get("learning_days"), "first_contact.learning_days", 0);
        }
        return window == null || learning == null ? null : new Policy.FirstContact(window, learning);
    }

    private Integer days(Node node, String path, int minimum) {
        return wholeNumber(node, path, minimum, 3650, "days", "日数");
    }

    /** A whole number from {@code minimum} to {@code maximum} of {@code unit} (日本語: {@code unitJa}), or an error. */
    private Integer wholeNumber(Node node, String path, int minimum, int maximum, String unit, String unitJa) {
        BigDecimal v = number(node, path);
        if (v == null) {
            return null;
        }
        if (v.stripTrailingZeros().scale() > 0 || v.compareTo(BigDecimal.valueOf(minimum)) < 0
                || v.compareTo(BigDecimal.valueOf(maximum)) > 0) {
            error(node, path, "must be a whole number of " + unit + " from " + minimum + " to " + maximum,
                    minimum + "〜" + maximum + " の整数（" + unitJa + "）にしてください");
            return null;
        }
        return v.intValueExact();
    }

    private AccessRules access(Node node) {
        if (isNull(node)) {
            return AccessRules.DEFAULT;
        }
        Map<String, Node> f = fields(node, "access", List.of("roles"), Set.of());
        if (f == null || !f.containsKey("roles") || isNull(f.get("roles"))) {
            return f == null ? null : AccessRules.DEFAULT;
        }
        List<NodeTuple> entries = entries(f.get("roles"), "access.roles");
        if (entries == null) {
            return null;
        }
        List<String> names = Arrays.stream(Role.values()).map(Role::key).toList();
        Map<Role, RoleAccess> result = new EnumMap<>(Role.class);
        boolean ok = true;
        for (NodeTuple t : entries) {
            String name = ((ScalarNode) t.getKeyNode()).getValue();
            String path = "access.roles." + name;
            Optional<Role> role = names.contains(name) ? Role.parse(name) : Optional.empty();
            if (role.isEmpty()) {
                error(t.getKeyNode(), path, "unknown role" + suggestion(name, names)
                        .orElse("; expected one of " + String.join(", ", names)),
                        "不明なロールです" + suggestionJa(name, names)
                        .orElse("。" + String.join(", ", names) + " のいずれかを指定してください"));
                ok = false;
                continue;
            }
            RoleAccess rule = roleAccess(t.getValueNode(), path);
            if (rule == null) {
                ok = false;
            } else {
                result.put(role.get(), rule);
            }
        }
        return ok ? new AccessRules(result) : null;
    }

    private RoleAccess roleAccess(Node node, String path) {
        if (isNull(node)) {
            return RoleAccess.UNRESTRICTED;
        }
        Map<String, Node> f = fields(node, path, List.of("networks", "hours", "mfa_required"), Set.of());
        if (f == null) {
            return null;
        }
        List<Cidr> networks = f.containsKey("networks") ? networks(f.get("networks"), path + ".networks") : List.of();
        Optional<WeeklyHours> hours = f.containsKey("hours") ? hours(f.get("hours"), path + ".hours") : Optional.empty();
        Boolean mfa = f.containsKey("mfa_required") ? bool(f.get("mfa_required"), path + ".mfa_required") : Boolean.TRUE;
        return networks == null || hours == null || mfa == null ? null : new RoleAccess(networks, hours, mfa);
    }

    private List<Cidr> networks(Node node, String path) {
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag())) {
            error(node, path, "must be a list of networks (CIDR), got " + describe(node),
                    "ネットワーク（CIDR）のリストにしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        if (seq.getValue().isEmpty()) {
            error(node, path, "must list at least one network; leave the key out to allow every network",
                    "ネットワークを 1 つ以上指定してください。すべてのネットワークを許可する場合はこのキーを省略してください");
            return null;
        }
        List<Cidr> result = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            String raw = string(item, itemPath);
            if (raw == null) {
                ok = false;
                continue;
            }
            try {
                result.add(Cidr.parse(raw));
            } catch (IllegalArgumentException e) {
                error(item, itemPath, e.getMessage(), "'" + raw + "' は CIDR 表記の IP ネットワークとして正しくありません");
                ok = false;
            }
        }
        return ok ? result : null;
    }

    private Optional<WeeklyHours> hours(Node node, String path) {
        Map<String, Node> f = fields(node, path, List.of("time_zone", "windows"), Set.of("time_zone", "windows"));
        if (f == null) {
            return null;
        }
        ZoneId zone = null;
        boolean ok = true;
        if (f.containsKey("time_zone")) {
            String id = string(f.get("time_zone"), path + ".time_zone");
            if (id == null) {
                ok = false;
            } else {
                try {
                    zone = ZoneId.of(id);
                } catch (DateTimeException e) {
                    error(f.get("time_zone"), path + ".time_zone", "unknown time zone '" + id + "'; write an IANA name such as Asia/Tokyo",
                            "不明なタイムゾーン '" + id + "' です。Asia/Tokyo のような IANA の名前で指定してください");
                    ok = false;
                }
            }
        }
        List<WeeklyHours.Window> windows = new ArrayList<>();
        Node list = f.get("windows");
        if (list != null) {
            if (!(list instanceof SequenceNode seq) || !Tag.SEQ.equals(list.getTag()) || seq.getValue().isEmpty()) {
                error(list, path + ".windows", "must be a non-empty list of {days, from, to}, got " + describe(list),
                        "空でない {days, from, to} のリストにしてください（" + describeJa(list) + "が指定されています）");
                return null;
            }
            for (int i = 0; i < seq.getValue().size(); i++) {
                WeeklyHours.Window w = window(seq.getValue().get(i), path + ".windows[" + i + "]");
                if (w == null) {
                    ok = false;
                } else {
                    windows.add(w);
                }
            }
        }
        return ok && zone != null && !windows.isEmpty() ? Optional.of(new WeeklyHours(zone, windows)) : null;
    }

    private static final Map<String, DayOfWeek> DAY_NAMES = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY,
            "sat", DayOfWeek.SATURDAY, "sun", DayOfWeek.SUNDAY);
    private static final Map<String, Set<DayOfWeek>> DAY_GROUPS = Map.of(
            "weekdays", EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
            "weekends", EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
            "every_day", EnumSet.allOf(DayOfWeek.class));

    private WeeklyHours.Window window(Node node, String path) {
        Map<String, Node> f = fields(node, path, List.of("days", "from", "to"), Set.of("days", "from", "to"));
        if (f == null) {
            return null;
        }
        Set<DayOfWeek> days = f.containsKey("days") ? days(f.get("days"), path + ".days") : null;
        Integer from = f.containsKey("from") ? minuteOfDay(f.get("from"), path + ".from", false) : null;
        Integer to = f.containsKey("to") ? minuteOfDay(f.get("to"), path + ".to", true) : null;
        if (days == null || from == null || to == null) {
            return null;
        }
        if (to <= from) {
            error(f.get("to"), path + ".to", "must be after from; a window cannot cross midnight (write two windows)",
                    "from より後にしてください。時間帯は午前 0 時をまたげません（2 つの時間帯に分けて書いてください）");
            return null;
        }
        return new WeeklyHours.Window(days, from, to);
    }

    private Set<DayOfWeek> days(Node node, String path) {
        String expected = "mon, tue, wed, thu, fri, sat, sun, or one of weekdays, weekends, every_day";
        if (node instanceof ScalarNode && Tag.STR.equals(node.getTag())) {
            String value = ((ScalarNode) node).getValue();
            Set<DayOfWeek> group = DAY_GROUPS.get(value);
            if (group == null && DAY_NAMES.containsKey(value)) {
                group = EnumSet.of(DAY_NAMES.get(value));
            }
            if (group == null) {
                error(node, path, "unknown day '" + value + "'; expected " + expected,
                        "不明な曜日 '" + value + "' です。" + expected + " のいずれかを指定してください");
            }
            return group;
        }
        if (!(node instanceof SequenceNode seq) || !Tag.SEQ.equals(node.getTag()) || seq.getValue().isEmpty()) {
            error(node, path, "must be a list of days or one of weekdays, weekends, every_day; got " + describe(node),
                    "曜日のリスト、または weekdays, weekends, every_day のいずれかにしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        Set<DayOfWeek> result = EnumSet.noneOf(DayOfWeek.class);
        boolean ok = true;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String value = string(item, path + "[" + i + "]");
            if (value == null) {
                ok = false;
            } else if (DAY_NAMES.containsKey(value)) {
                result.add(DAY_NAMES.get(value));
            } else if (DAY_GROUPS.containsKey(value)) {
                result.addAll(DAY_GROUPS.get(value));
            } else {
                error(item, path + "[" + i + "]", "unknown day '" + value + "'; expected " + expected,
                        "不明な曜日 '" + value + "' です。" + expected + " のいずれかを指定してください");
                ok = false;
            }
        }
        return ok ? result : null;
    }

    /**
     * {@code HH:MM} as minutes since midnight; {@code 24:00} only as an end. YAML 1.1 reads an unquoted
     * {@code 20:00} as a base-60 integer, so the scalar's text is taken whatever its resolved type.
     */
    private Integer minuteOfDay(Node node, String path, boolean end) {
        if (!(node instanceof ScalarNode scalar) || !(Tag.STR.equals(node.getTag()) || Tag.INT.equals(node.getTag()))) {
            error(node, path, "must be a time of day such as \"08:00\", got " + describe(node),
                    "\"08:00\" のような時刻にしてください（" + describeJa(node) + "が指定されています）");
            return null;
        }
        java.util.regex.Matcher m = TIME_OF_DAY.matcher(scalar.getValue());
        int hour = m.matches() ? Integer.parseInt(m.group(1)) : -1;
        int minute = m.matches() ? Integer.parseInt(m.group(2)) : -1;
        boolean valid = hour >= 0 && minute >= 0 && minute < 60 && (hour < 24 || (end && hour == 24 && minute == 0));
        if (!valid) {
            error(node, path, "'" + scalar.getValue() + "' is not a time of day HH:MM (00:00.." + (end ? "24:00" : "23:59") + ")",
                    "'" + scalar.getValue() + "' は HH:MM 形式の時刻（00:00〜" + (end ? "24:00" : "23:59") + "）ではありません");
            return null;
        }
        return hour * 60 + minute;
    }

    private static final java.util.regex.Pattern TIME_OF_DAY = java.util.regex.Pattern.compile("(\\d{1,2}):(\\d{2})");

    private Policy.Antivirus antivirus(Node node) {
        Boolean tempfail = tempfailOrDeliver(node, "antivirus", "when_unavailable");
        if (tempfail == null) {
            return null;
        }
        return new Policy.Antivirus(tempfail ? Policy.Antivirus.WhenUnavailable.TEMPFAIL
                : Policy.Antivirus.WhenUnavailable.DELIVER);
    }

    private Policy.Analysis analysis(Node node) {
        Boolean tempfail = tempfailOrDeliver(node, "analysis", "when_busy");
        if (tempfail == null) {
            return null;
        }
        return new Policy.Analysis(tempfail ? Policy.Analysis.WhenBusy.TEMPFAIL : Policy.Analysis.WhenBusy.DELIVER);
    }

    /**
     * A section whose one key says {@code tempfail} (the default, also for an empty section) or {@code deliver}:
     * whether it says tempfail, or {@code null} after recording an error.
     */
    private Boolean tempfailOrDeliver(Node node, String section, String key) {
        if (isNull(node)) {
            return true;
        }
        Map<String, Node> f = fields(node, section, List.of(key), Set.of());
        if (f == null) {
            return null;
        }
        Node when = f.get(key);
        if (when == null) {
            return true;
        }
        String value = string(when, section + "." + key);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "tempfail" -> true;
            case "deliver" -> false;
            default -> {
                error(when, section + "." + key, "must be tempfail or deliver, not '" + value + "'",
                        "tempfail または deliver を指定してください（'" + value + "' は使えません）");
                yield null;
            }
        };
    }

    // ---- attachments and disarm ---------------------------------------------------------------------------------

    /**
     * {@code attachments.encrypted}, {@code attachments.macros}, {@code attachments.uninspected},
     * {@code attachments.opened} and {@code attachments.password_mail_minutes}. An absent key whose finding code is
     * named under {@code inbound.forced} means {@code score}, so files written before this section existed keep their
     * meaning; naming both is an error, because two rules for one finding would leave the reader guessing. An absent
     * {@code opened} takes the handling of {@code encrypted}: an attachment that could be opened and inspected is never
     * treated more strictly than one that could not.
     */
    private Policy.Attachments attachments(Node node, Node inboundNode) {
        Map<String, Node> f = node == null || isNull(node) ? Map.of()
                : fields(node, "attachments", List.of("encrypted", "macros", "uninspected", "opened",
                        "password_mail_minutes"), Set.of());
        if (f == null) {
            return null;
        }
        Policy.Attachments.Handling encrypted = handling(f.get("encrypted"), "attachments.encrypted",
                List.of(Policy.Attachments.ENCRYPTED_CODE), inboundNode, Policy.Attachments.DEFAULT.encrypted());
        Policy.Attachments.Handling macros = handling(f.get("macros"), "attachments.macros",
                Policy.Attachments.MACRO_CODES, inboundNode, Policy.Attachments.DEFAULT.macros());
        Policy.Attachments.Handling uninspected = handling(f.get("uninspected"), "attachments.uninspected",
                List.of(Policy.Attachments.UNINSPECTED_CODE), inboundNode, Policy.Attachments.DEFAULT.uninspected());
        Policy.Attachments.Handling opened = encrypted == null ? null : handling(f.get("opened"),
                "attachments.opened", List.of(Policy.Attachments.OPENED_CODE), inboundNode, encrypted);
        Integer minutes = Policy.Attachments.DEFAULT_PASSWORD_MAIL_MINUTES;
        if (f.containsKey("password_mail_minutes")) {
            minutes = wholeNumber(f.get("password_mail_minutes"), "attachments.password_mail_minutes", 0,
                    Policy.Attachments.MAX_PASSWORD_MAIL_MINUTES, "minutes", "分");
        }
        return encrypted == null || macros == null || uninspected == null || opened == null || minutes == null ? null
                : new Policy.Attachments(encrypted, macros, uninspected, opened, minutes);
    }

    /**
     * One {@code attachments} key, which governs the findings {@code codes}: naming it and one of them under
     * {@code inbound.forced} with another handling than {@code score} is a conflict.
     */
    private Policy.Attachments.Handling handling(Node value, String path, List<String> codes, Node inboundNode,
            Policy.Attachments.Handling fallback) {
        Node forced = null;
        String code = codes.get(0);
        for (String c : codes) {
            if (forced == null) {
                forced = forcedKey(inboundNode, c);
                code = c;
            }
        }
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
                    + suggestion(text, names).orElse(""),
                    String.join(", ", names) + " のいずれかを指定してください（'" + text + "' は使えません）"
                    + suggestionJa(text, names).orElse(""));
            return null;
        }
        Policy.Attachments.Handling handling = Policy.Attachments.Handling.valueOf(text.toUpperCase(Locale.ROOT));
        if (forced != null && handling != Policy.Attachments.Handling.SCORE) {
            error(value, path, "conflicts with inbound.forced." + code + " (line " + (forced.getStartMark().getLine() + 1)
                    + "); keep one of them",
                    "inbound.forced." + code + "（" + (forced.getStartMark().getLine() + 1)
                    + " 行目）と矛盾しています。どちらか一方だけにしてください");
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
                    error(applyNode, "disarm.apply_to", "must be external or tagged, not '" + value + "'",
                            "external または tagged を指定してください（'" + value + "' は使えません）");
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
        error(node, path, "must be true or false, got " + describe(node),
                "true または false にしてください（" + describeJa(node) + "が指定されています）");
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
            error(prefixNode, "tag.subject_prefix", "must not contain control characters or line breaks",
                    "制御文字や改行は含められません");
            return null;
        }
        if (prefix.codePointCount(0, prefix.length()) > MAX_PREFIX_LENGTH) {
            error(prefixNode, "tag.subject_prefix", "longer than " + MAX_PREFIX_LENGTH + " characters",
                    MAX_PREFIX_LENGTH + " 文字を超えています");
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
                        .orElse("; expected one of " + String.join(", ", allowed)),
                        "不明なキーです" + suggestionJa(name, allowed)
                        .orElse("。" + String.join(", ", allowed) + " のいずれかを指定してください"));
            }
        }
        for (String key : allowed) {
            if (required.contains(key) && !result.containsKey(key)) {
                error(node.getStartMark(), join(path, key), "missing required key", "必須のキーがありません");
            }
        }
        return result;
    }

    /** Key/value pairs of a mapping whose keys are plain strings; first occurrence wins, later ones are errors. */
    private List<NodeTuple> entries(Node node, String path) {
        if (!(node instanceof MappingNode mapping) || !Tag.MAP.equals(node.getTag())) {
            error(node, path, (path.isEmpty() ? "the policy must be a mapping of keys" : "must be a mapping")
                    + ", got " + describe(node),
                    (path.isEmpty() ? "ポリシーはキーのマッピングにしてください" : "マッピングにしてください")
                    + "（" + describeJa(node) + "が指定されています）");
            return null;
        }
        List<NodeTuple> result = new ArrayList<>();
        Map<String, Mark> seen = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            Node key = t.getKeyNode();
            if (Tag.MERGE.equals(key.getTag())) {
                error(key, path, "merge keys (<<) are not supported; write the keys out",
                        "マージキー（<<）には対応していません。キーを個別に書いてください");
                continue;
            }
            if (!(key instanceof ScalarNode scalar) || !Tag.STR.equals(key.getTag())) {
                error(key, path, "keys must be names, got " + describe(key),
                        "キーは名前にしてください（" + describeJa(key) + "が指定されています）");
                continue;
            }
            String name = scalar.getValue();
            Mark first = seen.putIfAbsent(name, key.getStartMark());
            if (first != null) {
                error(key, join(path, name), "duplicate key (first at line " + (first.getLine() + 1) + ")",
                        "キーが重複しています（最初は " + (first.getLine() + 1) + " 行目）");
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
        error(node, path, "must be a string, got " + describe(node),
                "文字列にしてください（" + describeJa(node) + "が指定されています）");
        return null;
    }

    private BigDecimal number(Node node, String path) {
        if (node instanceof ScalarNode scalar && (Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag()))) {
            String text = scalar.getValue();
            String shown = abbreviate(text);
            // Checked before any BigDecimal work: 1e-999999999 would print as a billion digits and a 400,000-digit
            // mantissa takes minutes to strip of its zeros, while no policy value needs more than a few digits.
            if (text.length() > MAX_NUMBER_LENGTH) {
                error(node, path, "a number of more than " + MAX_NUMBER_LENGTH + " characters, got '" + shown + "'",
                        MAX_NUMBER_LENGTH + " 文字を超える数値は使えません（'" + shown + "' が指定されています）");
                return null;
            }
            try {
                BigDecimal value = new BigDecimal(text.replace("_", ""));
                if (value.scale() > MAX_NUMBER_DIGITS || (long) value.precision() - value.scale() > MAX_NUMBER_DIGITS) {
                    error(node, path, "exponent out of range: at most " + MAX_NUMBER_DIGITS
                            + " digits before and after the decimal point, got '" + shown + "'",
                            "指数が範囲外です。小数点の前後とも " + MAX_NUMBER_DIGITS + " 桁以内にしてください（'"
                            + shown + "' が指定されています）");
                    return null;
                }
                return value;
            } catch (NumberFormatException e) {
                // falls through: hexadecimal, octal, sexagesimal, .inf and .nan are not accepted
            }
            error(node, path, "must be a plain decimal number, got '" + shown + "'",
                    "通常の 10 進数にしてください（'" + shown + "' が指定されています）");
            return null;
        }
        error(node, path, "must be a number, got " + describe(node),
                "数値にしてください（" + describeJa(node) + "が指定されています）");
        return null;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
        return describe(node, false);
    }

    /** The Japanese form of {@link #describe}, e.g. {@code 真偽値 'yes'}. */
    private static String describeJa(Node node) {
        return describe(node, true);
    }

    /** What a YAML node is, for an error message: e.g. {@code a boolean 'yes'} / {@code 真偽値 'yes'}. */
    private static String describe(Node node, boolean ja) {
        if (node instanceof MappingNode) {
            return tagged(node, Tag.MAP, ja, "a mapping", "マッピング");
        }
        if (node instanceof SequenceNode) {
            return tagged(node, Tag.SEQ, ja, "a list", "リスト");
        }
        if (!(node instanceof ScalarNode scalar)) {
            return ja ? "エイリアス" : "an alias";
        }
        Tag tag = node.getTag();
        if (Tag.NULL.equals(tag)) {
            return ja ? "空の値" : "an empty value";
        }
        String[] kind = Tag.STR.equals(tag) ? new String[] {"a string", "文字列"}
                : Tag.INT.equals(tag) ? new String[] {"an integer", "整数"}
                : Tag.FLOAT.equals(tag) ? new String[] {"a number", "数値"}
                : Tag.BOOL.equals(tag) ? new String[] {"a boolean", "真偽値"}
                : Tag.TIMESTAMP.equals(tag) ? new String[] {"a date", "日付"}
                : null;
        if (kind == null) {
            return ja ? "タグ " + tag + " 付きの値" : "a value tagged " + tag;
        }
        String value = " '" + abbreviate(scalar.getValue()) + "'";
        return ja ? kind[1] + value + " " : kind[0] + value;
    }

    private static String tagged(Node node, Tag plain, boolean ja, String en, String jaName) {
        if (plain.equals(node.getTag())) {
            return ja ? jaName : en;
        }
        return ja ? "タグ " + node.getTag() + " 付きの" + jaName : en + " tagged " + node.getTag();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private void error(Node node, String key, String message, String messageJa) {
        error(node.getStartMark(), key, message, messageJa);
    }

    private void error(Mark mark, String key, String message, String messageJa) {
        if (errors.size() >= MAX_ERRORS) {
            suppressed++;
            return;
        }
        errors.add(new PolicyError(file, mark.getLine() + 1, mark.getColumn() + 1, key, message, messageJa));
    }

    /** {@code "; did you mean 'x'?"} for the closest candidate within a small edit distance. */
    static Optional<String> suggestion(String value, Collection<String> candidates) {
        return closest(value, candidates).map(best -> "; did you mean '" + best + "'?");
    }

    /** The Japanese form of {@link #suggestion}: {@code "。'x' のことですか？"}. */
    static Optional<String> suggestionJa(String value, Collection<String> candidates) {
        return closest(value, candidates).map(best -> "。'" + best + "' のことですか？");
    }

    private static Optional<String> closest(String value, Collection<String> candidates) {
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
                ? Optional.of(best) : Optional.empty();
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
