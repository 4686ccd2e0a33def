package io.mamori.core.reputation;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.link.MessageLinks;
import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.ParsedMessage;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * DNS block lists (RFC 5782) for inbound mail, as the policy's {@code blocklists} names them: the SMTP client's
 * address in the IP lists (DNSBL: {@code 4.3.2.1.zen.spamhaus.org} for 1.2.3.4, nibbles for IPv6), and in the
 * domain lists (URI block lists such as {@code dbl.spamhaus.org}) the registrable domains of the From address, the
 * envelope sender, Reply-To and the message's links ({@link MessageLinks}, at most {@value #MAX_DOMAINS} domains).
 * {@code IP_BLOCKLISTED} and {@code DOMAIN_BLOCKLISTED} carry the zone and its answer, which says why (Spamhaus:
 * 127.0.0.2 spam source, 127.0.0.4 exploited machine, 127.0.1.4 phishing domain …).
 *
 * <p>An answer counts only inside 127.0.0.0/8 and not as 127.0.0.1 or 127.255.255.0/24, which the lists use for
 * errors (a query through a public resolver, over the free quota, a malformed query): a resolver that rewrites
 * NXDOMAIN to an advertising server's address, or a refused query, must never list anyone. A timeout or a server
 * failure is no listing either (the message is not held for a list's outage). The questions go out together, in two
 * rounds ({@link #ask}): a list that does not answer the first is not asked the rest for the message, and nothing is
 * waited for or asked after {@link #BUDGET}. The observer ({@link Observer}) hears what every answer said about its
 * list, which is how the gateway tells an administrator that a list refuses it. The organisation's own sending
 * servers, private and link-local client addresses, and internal domains are never asked about. Outbound mail is
 * not checked. Written here because a DNSBL query is a name built from an address or domain and one A look-up
 * through the DNS port the gateway already has; no library adds to that.
 */
public final class DnsBlocklistAnalyzer implements Analyzer {

    static final String IP_LISTED = "IP_BLOCKLISTED";
    static final String DOMAIN_LISTED = "DOMAIN_BLOCKLISTED";
    /** Distinct registrable domains asked about per message, senders first. */
    static final int MAX_DOMAINS = 20;
    /** Links read per message to find those domains. */
    static final int MAX_LINKS = 200;
    /** Time for a message's questions, well inside the analyzer's budget (10 s in the gateway). */
    static final java.time.Duration BUDGET = java.time.Duration.ofSeconds(5);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Labels this long in a zone name are a subscriber's key ({@link #shown}). */
    static final int KEY_LABEL = 16;

    /**
     * What the analyzer needs from the policy in force.
     *
     * @param ipZones     DNSBL zones asked for the client address
     * @param domainZones URI block list zones asked for domains
     * @param internal    whether a domain is one of the organisation's own
     * @param ownSender   whether a client address is one of the organisation's own sending servers
     * @param key         what {@value #KEY_PLACEHOLDER} in a zone stands for (the subscription key, a setting); a zone
     *                    that needs it is not asked while it is unset
     */
    public record Settings(List<String> ipZones, List<String> domainZones, Predicate<String> internal,
            Predicate<InetAddress> ownSender, Optional<String> key) {
        public Settings {
            ipZones = List.copyOf(ipZones);
            domainZones = List.copyOf(domainZones);
            Objects.requireNonNull(internal, "internal");
            Objects.requireNonNull(ownSender, "ownSender");
            Objects.requireNonNull(key, "key");
        }

        /** Without a subscription key. */
        public Settings(List<String> ipZones, List<String> domainZones, Predicate<String> internal,
                Predicate<InetAddress> ownSender) {
            this(ipZones, domainZones, internal, ownSender, Optional.empty());
        }
    }

    /** The first label of a policy zone that stands for the subscription key ({@code {key}.zen.dq.spamhaus.net}). */
    public static final String KEY_PLACEHOLDER = "{key}";

    /** The zone to ask: the placeholder replaced by the key; empty when the zone needs a key that is not set. */
    public static Optional<String> queried(String zone, Optional<String> key) {
        if (!zone.startsWith(KEY_PLACEHOLDER + ".")) {
            return Optional.of(zone);
        }
        return key.map(k -> k.toLowerCase(Locale.ROOT) + zone.substring(KEY_PLACEHOLDER.length()));
    }

    /** What one answer said about the list that gave it (not about the name asked). */
    public enum Outcome {
        /** A listing (an answer in 127/8 that is no error code). */
        LISTED,
        /** Not listed: NXDOMAIN, no address, or an answer outside 127/8 (a resolver that rewrites NXDOMAIN). */
        NOT_LISTED,
        /** An error code ({@link #isErrorCode}): the list refuses this resolver, the key or the query. */
        ERROR_CODE,
        /** No answer in time, or a server failure. */
        NO_ANSWER
    }

    /**
     * Told of each answer of a list, for the gateway's metrics and health: a list that refuses the gateway's resolver
     * or does not answer lists nobody, and looks just like clean mail in the mail flow. Called on the analyzer's
     * thread; must be quick and thread-safe.
     */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (zone, ip, outcome) -> { };

        /**
         * @param zone    the zone as the policy writes it, shown without a key ({@link #shown})
         * @param ip      whether it is an IP list (else a domain list)
         * @param outcome what the answer said
         */
        void answered(String zone, boolean ip, Outcome outcome);
    }

    private final DnsResolver dns;
    private final Supplier<Settings> settings;
    private final Observer observer;
    private final PublicSuffixList suffixes = PublicSuffixList.builtIn();

    public DnsBlocklistAnalyzer(DnsResolver dns, Supplier<Settings> settings) {
        this(dns, settings, Observer.NONE);
    }

    public DnsBlocklistAnalyzer(DnsResolver dns, Supplier<Settings> settings, Observer observer) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public String name() {
        return "dns-blocklists";
    }

    @Override
    public Set<String> codes() {
        return Set.of(IP_LISTED, DOMAIN_LISTED);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        Settings s = settings.get();
        if (input.envelope().direction() != Direction.INBOUND || (s.ipZones().isEmpty() && s.domainZones().isEmpty())) {
            return List.of();
        }
        List<Zone> zones = new ArrayList<>();
        Optional<InetAddress> client = clientAddress(input).filter(a -> worthAsking(a) && !s.ownSender().test(a));
        client.ifPresent(address -> {
            for (String zone : s.ipZones()) {
                queried(zone, s.key()).ifPresent(z -> zones.add(new Zone(zone, z, true, List.of(reversed(address)))));
            }
        });
        // the message's links are read only when some domain list can be asked (its key, if it needs one, is set)
        Map<String, String> domains = s.domainZones().stream().anyMatch(z -> queried(z, s.key()).isPresent())
                ? domains(input, s.internal()) : Map.of();
        if (!domains.isEmpty()) {
            for (String zone : s.domainZones()) {
                queried(zone, s.key()).ifPresent(z -> zones.add(new Zone(zone, z, false, List.copyOf(domains.keySet()))));
            }
        }
        if (zones.isEmpty()) {
            return List.of();
        }
        ask(zones, System.nanoTime() + BUDGET.toNanos());
        List<Finding> findings = new ArrayList<>();
        for (Zone zone : zones) {
            if (zone.ip) {
                zone.listing(zone.prefixes.get(0)).ifPresent(answer -> findings.add(Finding.of(IP_LISTED,
                        "ip=" + client.orElseThrow().getHostAddress() + " zone=" + shown(zone.policyZone) + " answer=" + answer)));
            }
        }
        for (Map.Entry<String, String> d : domains.entrySet()) {
            for (Zone zone : zones) {
                if (!zone.ip) {
                    zone.listing(d.getKey()).ifPresent(answer -> findings.add(Finding.of(DOMAIN_LISTED, "domain="
                            + d.getKey() + " (" + d.getValue() + ") zone=" + shown(zone.policyZone) + " answer=" + answer)));
                }
            }
        }
        return findings;
    }

    /**
     * One list's questions for a message and the answers that came back in time: {@code policyZone} as the policy
     * writes it (shown in evidence and to the observer, never the key), {@code queried} the zone asked (its key filled
     * in), {@code prefixes} the reversed client address or the domains, in the order findings keep.
     */
    private static final class Zone {
        final String policyZone;
        final String queried;
        final boolean ip;
        final List<String> prefixes;
        /** Filled in by {@link #ask}; a key of its maps by identity. */
        final Map<String, DnsAnswer> answers = new LinkedHashMap<>();

        Zone(String policyZone, String queried, boolean ip, List<String> prefixes) {
            this.policyZone = policyZone;
            this.queried = queried;
            this.ip = ip;
            this.prefixes = prefixes;
        }

        Optional<String> listing(String prefix) {
            return answers.get(prefix) instanceof DnsAnswer.Records records
                    ? records.values().stream().filter(DnsBlocklistAnalyzer::isListing).findFirst() : Optional.empty();
        }
    }

    /**
     * Asks the lists, all at once, in two rounds: first one question to each list, then, to each list that answered
     * it usefully, the rest of its questions together. A list that does not answer (timeout, server failure) or refuses
     * (an error code) is thus asked once per message, not for every domain, and a list's outage costs a message at most
     * one resolver timeout, never the analyzer's whole time (which would be {@code ANALYZER_FAILED}); answers after
     * {@code deadline} are not waited for and no question is sent after it. The answers go into each zone's map; the
     * observer is told of each, from this thread.
     */
    private void ask(List<Zone> zones, long deadline) {
        Map<Zone, Map<String, CompletableFuture<DnsAnswer>>> first = new LinkedHashMap<>();
        for (Zone zone : zones) {
            zone.prefixes.stream().filter(p -> askable(p + "." + zone.queried)).findFirst()
                    .ifPresent(p -> first.put(zone, Map.of(p, dns.lookupAsync(p + "." + zone.queried, DnsResolver.Type.A))));
        }
        if (!collect(first, deadline)) {
            return;
        }
        Map<Zone, Map<String, CompletableFuture<DnsAnswer>>> rest = new LinkedHashMap<>();
        for (Zone zone : first.keySet()) {
            // a list that gave no answer, or an error code (it refuses this resolver), has nothing more to say
            if (zone.answers.isEmpty() || System.nanoTime() > deadline) {
                continue;
            }
            Outcome probe = outcome(zone.answers.values().iterator().next());
            if (probe == Outcome.NO_ANSWER || probe == Outcome.ERROR_CODE) {
                continue;
            }
            Map<String, CompletableFuture<DnsAnswer>> asked = new LinkedHashMap<>();
            for (String prefix : zone.prefixes) {
                // a name DNS cannot carry is skipped, never asked (a link of a 70-letter label has no answer to give)
                if (!zone.answers.containsKey(prefix) && askable(prefix + "." + zone.queried)) {
                    asked.put(prefix, dns.lookupAsync(prefix + "." + zone.queried, DnsResolver.Type.A));
                }
            }
            rest.put(zone, asked);
        }
        collect(rest, deadline);
    }

    /** Waits for the answers until the deadline; false when interrupted (the analyzer's budget ran out). */
    private boolean collect(Map<Zone, Map<String, CompletableFuture<DnsAnswer>>> asked, long deadline) {
        for (Map.Entry<Zone, Map<String, CompletableFuture<DnsAnswer>>> zone : asked.entrySet()) {
            for (Map.Entry<String, CompletableFuture<DnsAnswer>> question : zone.getValue().entrySet()) {
                DnsAnswer answer;
                try {
                    answer = question.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (java.util.concurrent.TimeoutException e) {
                    answer = new DnsAnswer.TempFail("no answer within the block lists' time");
                } catch (java.util.concurrent.ExecutionException e) {
                    answer = new DnsAnswer.TempFail(e.getCause() == null ? "failed" : e.getCause().getClass().getSimpleName());
                }
                zone.getKey().answers.put(question.getKey(), answer);
                observer.answered(shown(zone.getKey().policyZone), zone.getKey().ip, outcome(answer));
            }
        }
        return true;
    }

    /** What an answer says about the list (not about the name asked). */
    static Outcome outcome(DnsAnswer answer) {
        if (answer instanceof DnsAnswer.TempFail) {
            return Outcome.NO_ANSWER;
        }
        if (answer instanceof DnsAnswer.Records records) {
            if (records.values().stream().anyMatch(DnsBlocklistAnalyzer::isErrorCode)) {
                return Outcome.ERROR_CODE;
            }
            if (records.values().stream().anyMatch(DnsBlocklistAnalyzer::isListing)) {
                return Outcome.LISTED;
            }
        }
        return Outcome.NOT_LISTED;
    }

    /**
     * A zone as evidence, the console and the start-up report show it: a paid list's zone carries the subscriber's
     * key as a label ({@code <key>.zen.dq.spamhaus.net}), a secret that must not reach findings, quarantine records or
     * logs, so a label of {@value #KEY_LABEL} characters or more (no public list's zone has one) is shown as
     * {@code <key>}.
     */
    public static String shown(String zone) {
        StringBuilder out = new StringBuilder();
        for (String label : zone.split("\\.", -1)) {
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(label.length() >= KEY_LABEL ? "<key>" : label);
        }
        return out.toString();
    }

    /** Whether DNS can carry the name: ASCII, at most 253 characters, labels of 1 to 63 characters. */
    static boolean askable(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        int label = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return false;
                }
                label = 0;
            } else if (c <= ' ' || c >= 0x7f || ++label > 63) {
                return false;
            }
        }
        return label > 0;
    }

    /** 127.0.0.2 to 127.255.254.255: a listing; an error code ({@link #isErrorCode}) or anything outside 127/8: not. */
    static boolean isListing(String address) {
        return IPV4.matcher(address).matches() && address.startsWith("127.") && !isErrorCode(address);
    }

    /** An answer the lists use for errors: 127.255.255.x (Spamhaus), 127.0.0.1 (URIBL and SURBL: query refused). */
    static boolean isErrorCode(String address) {
        return address.equals("127.0.0.1") || address.startsWith("127.255.255.");
    }

    private static Optional<InetAddress> clientAddress(AnalysisInput input) {
        String raw = input.envelope().clientAddress();
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        String a = raw.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        // a literal only: never a name look-up (Java resolves "999.1.1.1" as a host name, so octets are checked too;
        // a string with a colon is parsed as an IPv6 literal or refused, never looked up)
        boolean v4 = IPV4.matcher(a).matches()
                && java.util.Arrays.stream(a.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        if (!(v4 || (a.contains(":") && a.matches("[0-9A-Fa-f:.]+")))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(a));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Public addresses only: lists say nothing of private, link-local or unspecified ones. */
    private static boolean worthAsking(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        // IPv6 unique local addresses (fc00::/7) are the private ones of IPv6
        return !(a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc);
    }

    /** The address as a DNSBL query's prefix: octets reversed for IPv4, nibbles reversed for IPv6 (RFC 5782 §2.4). */
    static String reversed(InetAddress a) {
        byte[] b = a.getAddress();
        StringBuilder s = new StringBuilder();
        if (a instanceof Inet4Address) {
            for (int i = b.length - 1; i >= 0; i--) {
                s.append(b[i] & 0xff);
                if (i > 0) {
                    s.append('.');
                }
            }
        } else {
            for (int i = b.length - 1; i >= 0; i--) {
                s.append(Character.forDigit(b[i] & 0x0f, 16)).append('.').append(Character.forDigit((b[i] >> 4) & 0x0f, 16));
                if (i > 0) {
                    s.append('.');
                }
            }
        }
        return s.toString();
    }

    /** Registrable domain → where it was found: the sender addresses first, then the links. */
    private Map<String, String> domains(AnalysisInput input, Predicate<String> internal) {
        Map<String, String> out = new LinkedHashMap<>();
        ParsedMessage m = input.message();
        m.header("From").flatMap(Mailbox::sender).flatMap(Mailbox::domain).ifPresent(d -> add(out, d, "From", internal));
        Mailbox.domainOf(input.envelope().mailFrom()).ifPresent(d -> add(out, d, "envelope sender", internal));
        m.header("Reply-To").flatMap(Mailbox::first).flatMap(Mailbox::domain).ifPresent(d -> add(out, d, "Reply-To", internal));
        for (MessageLinks.Link link : MessageLinks.of(input, MAX_LINKS)) {
            if (out.size() >= MAX_DOMAINS) {
                break;
            }
            add(out, link.host(), "link", internal);
        }
        return out;
    }

    private void add(Map<String, String> out, String host, String where, Predicate<String> internal) {
        if (out.size() >= MAX_DOMAINS) {
            return;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        try {
            // a From domain may arrive in Unicode (SMTPUTF8, RFC 6531); lists are asked in A-labels
            h = java.net.IDN.toASCII(h, java.net.IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (h.startsWith("[") || IPV4.matcher(h).matches() || h.contains(":")) {
            return;
        }
        Optional<String> registrable = suffixes.registrableDomain(h);
        if (registrable.isEmpty() || internal.test(registrable.get()) || internal.test(h)) {
            return;
        }
        out.putIfAbsent(registrable.get(), where);
    }
}
