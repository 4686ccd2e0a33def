package io.mamori.core.lists;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.link.MessageLinks;
import io.mamori.core.message.Direction;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.Mailbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies the allow and block lists to inbound mail (outbound mail is the organisation's own and is not
 * checked). Entries come from the policy, the list file and the database (organisation-wide and per recipient).
 *
 * <ul>
 * <li>{@code SENDER_BLOCKED}: the From address or the envelope sender matches a block entry (address, or domain
 *     with its sub-domains). Either identity suffices: blocking is about refusing a source, and a spammer
 *     controls both.</li>
 * <li>{@code LINK_BLOCKED}: a link of the message ({@link MessageLinks}: its text, HTML, attached HTML pages,
 *     calendar invitations, pictures and documents) leads to a blocked domain (or sub-domain) or under a blocked URL.
 *     Every link is checked.</li>
 * <li>{@code LINK_CHECK_INCOMPLETE}: there are link entries, and part of the message could not be read for links
 *     (a part longer than the parser keeps): its links were not all checked. An allow never overrides it, as it
 *     never overrides {@code LINK_BLOCKED}.</li>
 * <li>{@code SENDER_ALLOWED}: the From field's single author ({@link Mailbox#author}) matches an allow entry <em>and</em> the From domain is
 *     authenticated ({@link SenderVerifier}). The policy engine then ignores the score-based findings except those
 *     the policy says an allow never overrides (malware, executables, DMARC failure …). Never emitted when the
 *     sender is also blocked: an explicit block wins.</li>
 * <li>{@code SENDER_ALLOW_UNVERIFIED} (weight 0): the From matches an allow entry but is not authenticated, so the
 *     allow is not applied; the analyst sees why. A forged From of an allow-listed partner lands here.</li>
 * </ul>
 *
 * <p>One verdict serves every recipient of a message, so per-recipient entries are applied asymmetrically, in the
 * safe direction: one recipient's block entry blocks the message (it can be released from quarantine), but a
 * recipient's allow entry counts only when every recipient of the message allows the sender.
 *
 * <p>Evidence names the entry and where it is ({@code entry=evil.example source=file:lists.txt:3}). Thread-safe.
 */
public final class SenderListAnalyzer implements Analyzer {

    public static final String NAME = "lists";
    public static final String SENDER_BLOCKED = "SENDER_BLOCKED";
    public static final String LINK_BLOCKED = "LINK_BLOCKED";
    public static final String SENDER_ALLOWED = "SENDER_ALLOWED";
    public static final String SENDER_ALLOW_UNVERIFIED = "SENDER_ALLOW_UNVERIFIED";
    public static final String LINK_CHECK_INCOMPLETE = "LINK_CHECK_INCOMPLETE";

    static final int MAX_EVIDENCE_ITEMS = 5;
    /** Distinct matches of blocked links kept for the evidence; past them it says "and more". */
    private static final int MAX_MATCHES_KEPT = 100;
    /** As many as a From field is read for ({@link Mailbox#MAX_MAILBOXES}): a look-up per address costs nothing. */
    private static final int MAX_FROM_ADDRESSES = Mailbox.MAX_MAILBOXES;

    private final Supplier<List<ListEntry>> policyEntries;
    private final Supplier<List<ListEntry>> fileEntries;
    private final ListStore store;
    private final SenderVerifier verifier;

    /**
     * @param policyEntries the entries of the policy in force
     * @param fileEntries   the entries of the list file in force
     * @param store         the database entries ({@link ListStore#NONE} offline)
     * @param verifier      whether the From domain is authenticated
     */
    public SenderListAnalyzer(Supplier<List<ListEntry>> policyEntries, Supplier<List<ListEntry>> fileEntries,
            ListStore store, SenderVerifier verifier) {
        this.policyEntries = Objects.requireNonNull(policyEntries, "policyEntries");
        this.fileEntries = Objects.requireNonNull(fileEntries, "fileEntries");
        this.store = Objects.requireNonNull(store, "store");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> codes() {
        return Set.of(SENDER_BLOCKED, LINK_BLOCKED, LINK_CHECK_INCOMPLETE, SENDER_ALLOWED, SENDER_ALLOW_UNVERIFIED);
    }

    /** A sender identity: where it was seen ({@code from} or {@code mailfrom}), the address, its ASCII domain. */
    private record Identity(String label, String address, Optional<String> domain) {
        String shown() {
            return label + "=" + address;
        }
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        if (input.envelope().direction() != Direction.INBOUND) {
            return List.of();
        }
        Set<String> recipients = new LinkedHashSet<>();
        for (String r : input.envelope().recipients()) {
            recipients.add(bare(r).toLowerCase(Locale.ROOT));
        }
        List<ListEntry> entries = new ArrayList<>();
        entries.addAll(policyEntries.get());
        entries.addAll(fileEntries.get());
        entries.addAll(store.entriesFor(recipients));
        entries.removeIf(e -> e.source() == ListSource.USER && !recipients.contains(e.owner()));
        if (entries.isEmpty()) {
            return List.of();
        }

        List<Identity> froms = fromIdentities(input);
        List<Identity> senders = new ArrayList<>(froms);
        String mailFrom = bare(input.envelope().mailFrom());
        if (!mailFrom.isEmpty()) {
            senders.add(identity("mailfrom", mailFrom));
        }

        List<Finding> findings = new ArrayList<>();
        Optional<Finding> blocked = senderBlocked(senders, entries);
        blocked.ifPresent(findings::add);
        findings.addAll(linkBlocked(input, entries));
        if (blocked.isEmpty()) {
            author(input).ifPresent(from -> allowed(input, from, entries, recipients).ifPresent(findings::add));
        }
        return findings;
    }

    private static Optional<Finding> senderBlocked(List<Identity> senders, List<ListEntry> entries) {
        List<String> matches = new ArrayList<>();
        for (Identity sender : senders) {
            for (ListEntry e : entries) {
                if (e.kind() == ListKind.BLOCK && e.target() == ListTarget.SENDER && matches(e.pattern(), sender)) {
                    String item = sender.shown() + " " + e.evidence();
                    if (!matches.contains(item)) {
                        matches.add(item);
                    }
                }
            }
        }
        return matches.isEmpty() ? Optional.empty() : Optional.of(Finding.of(SENDER_BLOCKED, joined(matches)));
    }

    /**
     * {@code LINK_BLOCKED} for the links to a blocked domain or URL, and {@code LINK_CHECK_INCOMPLETE} when some text
     * could not be read for links ({@link MessageLinks#walk}). Every link is checked: each is a look-up of its host in
     * the entries, not a scan of them, so no count of links (decoys before the one that matters) can end the check.
     */
    private static List<Finding> linkBlocked(AnalysisInput input, List<ListEntry> entries) {
        LinkBlocks blocks = new LinkBlocks(entries);
        if (blocks.isEmpty()) {
            return List.of();
        }
        Set<String> matches = new LinkedHashSet<>();
        boolean[] moreMatches = {false};
        List<String> unread = MessageLinks.walk(input, link -> {
            Optional<ListEntry> entry = blocks.match(link);
            if (entry.isPresent()) {
                // a page the browser is sent to unclicked says so: the reader saw no link to it
                String item = "host=" + link.host() + (link.origin() == MessageLinks.Origin.LINK ? ""
                        : " (" + link.origin().shown() + ")") + " " + entry.get().evidence();
                // distinct items for the evidence, up to a bound: a message may link to any number of blocked hosts
                if (matches.size() < MAX_MATCHES_KEPT) {
                    matches.add(item);
                } else if (!matches.contains(item)) {
                    moreMatches[0] = true;
                }
            }
            return true;
        });
        List<Finding> findings = new ArrayList<>();
        if (!matches.isEmpty()) {
            findings.add(Finding.of(LINK_BLOCKED, joined(List.copyOf(matches)) + (moreMatches[0] ? " and more" : "")));
        }
        if (!unread.isEmpty()) {
            findings.add(Finding.of(LINK_CHECK_INCOMPLETE, "not read for links: " + joined(unread)));
        }
        return findings;
    }

    /**
     * The block entries for links, indexed by what they match: a domain entry by its domain, looked up for a host and
     * each of its parent domains; URL entries by their host. A link matching several entries is named with the first
     * of them in list order, as a scan of the list would name it.
     */
    private static final class LinkBlocks {
        private final List<ListEntry> entries = new ArrayList<>();
        private final Map<String, Integer> domains = new HashMap<>();
        private final Map<String, List<Integer>> urlsByHost = new HashMap<>();

        LinkBlocks(List<ListEntry> all) {
            for (ListEntry e : all) {
                if (e.kind() != ListKind.BLOCK || e.target() != ListTarget.LINK) {
                    continue;
                }
                int index = entries.size();
                entries.add(e);
                if (e.pattern() instanceof ListPattern.Domain d) {
                    domains.putIfAbsent(d.domain(), index);
                } else if (e.pattern() instanceof ListPattern.Url u) {
                    urlsByHost.computeIfAbsent(u.host(), h -> new ArrayList<>()).add(index);
                }
            }
        }

        boolean isEmpty() {
            return entries.isEmpty();
        }

        Optional<ListEntry> match(MessageLinks.Link link) {
            String host = link.host();
            int first = Integer.MAX_VALUE;
            for (int from = 0; from >= 0; from = nextLabel(host, from)) {
                Integer i = domains.get(from == 0 ? host : host.substring(from));
                if (i != null && i < first) {
                    first = i;
                }
            }
            for (int i : urlsByHost.getOrDefault(host, List.of())) {
                if (i >= first) {
                    break;
                }
                if (((ListPattern.Url) entries.get(i).pattern()).covers(host, link.pathAndQuery())) {
                    first = i;
                    break;
                }
            }
            return first == Integer.MAX_VALUE ? Optional.empty() : Optional.of(entries.get(first));
        }

        /** Where the parent domain of {@code host.substring(from)} starts, or -1 at the last label. */
        private static int nextLabel(String host, int from) {
            int dot = host.indexOf('.', from);
            return dot < 0 ? -1 : dot + 1;
        }
    }

    private Optional<Finding> allowed(AnalysisInput input, Identity from, List<ListEntry> entries, Set<String> recipients) {
        ListEntry global = null;
        Map<String, ListEntry> byRecipient = new LinkedHashMap<>();
        for (ListEntry e : entries) {
            if (e.kind() != ListKind.ALLOW || !matches(e.pattern(), from)) {
                continue;
            }
            if (e.source() == ListSource.USER) {
                byRecipient.putIfAbsent(e.owner(), e);
            } else if (global == null) {
                global = e;
            }
        }
        String entry;
        if (global != null) {
            entry = global.evidence();
        } else if (!byRecipient.isEmpty() && byRecipient.keySet().containsAll(recipients)) {
            entry = byRecipient.values().iterator().next().evidence()
                    + (recipients.size() > 1 ? " (and the lists of all " + recipients.size() + " recipients)" : "");
        } else {
            return Optional.empty();
        }
        if (from.domain().isEmpty()) {
            return Optional.of(Finding.of(SENDER_ALLOW_UNVERIFIED, from.shown() + " " + entry
                    + " (no domain to authenticate; allow not applied)"));
        }
        SenderVerifier.Verification v = verifier.verify(input, from.domain().get());
        String evidence = from.shown() + " " + entry + " (" + v.detail() + ")";
        return Optional.of(v.authenticated() ? Finding.of(SENDER_ALLOWED, evidence)
                : Finding.of(SENDER_ALLOW_UNVERIFIED, from.shown() + " " + entry + " (" + v.detail() + "; allow not applied)"));
    }

    private static boolean matches(ListPattern pattern, Identity sender) {
        if (pattern instanceof ListPattern.Address a) {
            return a.address().equals(sender.address());
        }
        return pattern instanceof ListPattern.Domain d && sender.domain().filter(d::covers).isPresent();
    }

    /**
     * Every address of every From field (a message with several is suspicious, and each may be blocked): the author
     * first, read as written as DMARC reads it ({@link Mailbox#author}); then every word with an {@code @}
     * ({@link Mailbox#addressLikeWords}), so that a field too broken to hold a mailbox does not escape a block entry its
     * reader's program would match; then the rest of {@link Mailbox#parseList}. Bare words padding the field
     * ({@code a, b, c, …}) count as mailboxes there and would otherwise push the addresses out of reach.
     */
    private static List<Identity> fromIdentities(AnalysisInput input) {
        Set<String> addresses = new LinkedHashSet<>();
        for (HeaderField field : input.message().headerFields("From")) {
            Mailbox.author(field).ifPresent(m -> addresses.add(m.address()));
        }
        for (HeaderField field : input.message().headerFields("From")) {
            addresses.addAll(Mailbox.addressLikeWords(field.asWritten()));
        }
        for (HeaderField field : input.message().headerFields("From")) {
            for (Mailbox m : Mailbox.parseList(field.asWritten())) {
                addresses.add(m.address());
            }
        }
        return addresses.stream().limit(MAX_FROM_ADDRESSES).map(a -> identity("from", a)).toList();
    }

    /**
     * The From address an allow entry is matched against: the author of the single From field, the same mailbox whose
     * domain DMARC judges ({@link SenderVerifier} then checks that judgement); none when there is no single author.
     */
    private static Optional<Identity> author(AnalysisInput input) {
        List<HeaderField> froms = input.message().headerFields("From");
        return froms.size() == 1 ? Mailbox.author(froms.get(0)).map(m -> identity("from", m.address())) : Optional.empty();
    }

    private static Identity identity(String label, String rawAddress) {
        String address = rawAddress.strip().toLowerCase(Locale.ROOT);
        Optional<String> domain = ListPattern.asciiDomainOf(address);
        int at = address.lastIndexOf('@');
        String normal = at > 0 && domain.isPresent() ? address.substring(0, at) + "@" + domain.get() : address;
        return new Identity(label, normal, domain);
    }

    private static String bare(String address) {
        String a = address == null ? "" : address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        return a;
    }

    private static String joined(List<String> items) {
        String shown = String.join("; ", items.subList(0, Math.min(items.size(), MAX_EVIDENCE_ITEMS)));
        return items.size() > MAX_EVIDENCE_ITEMS ? shown + "; +" + (items.size() - MAX_EVIDENCE_ITEMS) + " more" : shown;
    }
}
