package io.mamori.core.auth;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.ParsedMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sender authentication of inbound mail: SPF of the envelope sender, DKIM signatures, DMARC of the From
 * domain, and ARC with trusted sealers. Reports what failed, with evidence; never decides. Temporary DNS
 * errors give {@code AUTH_TEMPFAIL} (weight 0), never a failure (RFC 7208 §4.4, RFC 7489 §6.6.2). Mail on
 * the outbound listener is skipped: it is ours, and asking the DNS about it costs time for nothing.
 *
 * <p>DNS answers are cached per message (the DMARC tree walks of the From, DKIM and SPF domains overlap);
 * across messages, caching is the resolver's business. Thread-safe: no mutable state between messages.
 */
public final class SenderAuthAnalyzer implements Analyzer {

    public static final String NAME = "sender-auth";

    static final String SPF_FAIL = "SPF_FAIL";
    static final String SPF_SOFTFAIL = "SPF_SOFTFAIL";
    static final String SPF_PERMERROR = "SPF_PERMERROR";
    static final String DKIM_FAIL = "DKIM_FAIL";
    static final String DKIM_PERMERROR = "DKIM_PERMERROR";
    static final String DMARC_FAIL = "DMARC_FAIL";
    static final String DMARC_REJECT_POLICY_FAIL = "DMARC_REJECT_POLICY_FAIL";
    static final String AUTH_TEMPFAIL = "AUTH_TEMPFAIL";
    static final String ARC_TRUSTED_OVERRIDE = "ARC_TRUSTED_OVERRIDE";
    static final String FROM_INVALID = "FROM_INVALID";

    private static final Set<String> CODES = Set.of(SPF_FAIL, SPF_SOFTFAIL, SPF_PERMERROR, DKIM_FAIL, DKIM_PERMERROR, DMARC_FAIL,
            DMARC_REJECT_POLICY_FAIL, AUTH_TEMPFAIL, ARC_TRUSTED_OVERRIDE, FROM_INVALID);
    /** Signatures named in one DKIM finding's evidence. */
    private static final int MAX_DKIM_FINDINGS = 3;
    private static final Pattern ANGLE_ADDRESS = Pattern.compile("<([^<>]*)>");
    private static final Pattern COMMENT = Pattern.compile("\\([^()]*\\)");
    /** What a bounce's lone sender name never holds: another address or a list separator. */
    private static final Pattern BESIDE_AN_ADDRESS = Pattern.compile("[,@;]");
    private static final Pattern MAIL_SYSTEM = Pattern.compile("(?i)|mailer-daemon|postmaster");
    /**
     * How mail systems name themselves on their bounces (Sendmail, Postfix, Exim). Not "System Administrator" or
     * "Mail Administrator": phishing signs with those.
     */
    private static final Pattern MAIL_SYSTEM_NAME = Pattern.compile(
            "(?i)mailer[- ]daemon|postmaster|mail delivery (?:system|subsystem|service)");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}]");

    private final DnsResolver dns;
    private final SenderAuthSettings settings;
    private final Clock clock;
    private final DkimVerifier.Settings dkimSettings;
    /** This analyzer's results in the inputs' memos (its own key: another analyzer may use other DNS or settings). */
    private final MessageMemo.Key<SenderAuthResult> evaluated = MessageMemo.Key.of("sender authentication");

    /**
     * @param dns      the resolver (production: the gateway's dnsjava adapter; it should cache across messages)
     * @param settings trusted ARC sealers
     * @param clock    for DKIM expiry and the SPF {@code %{t}} macro when the envelope has no arrival time
     */
    public SenderAuthAnalyzer(DnsResolver dns, SenderAuthSettings settings, Clock clock) {
        this(dns, settings, clock, DkimVerifier.Settings.RFC_8301);
    }

    SenderAuthAnalyzer(DnsResolver dns, SenderAuthSettings settings, Clock clock, DkimVerifier.Settings dkimSettings) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dkimSettings = dkimSettings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> codes() {
        return CODES;
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        if (input.envelope().direction() != Direction.INBOUND) {
            return List.of();
        }
        SenderAuthResult result = evaluate(input);
        input.trace().add("Authentication-Results", result.authenticationResults(input.trace().authservId()));
        List<Finding> out = findings(result);
        // RFC 5322 §3.6 asks for exactly one From field, and DMARC (RFC 7489 §6.6.1) for one author domain in it:
        // otherwise the sender the reader sees cannot be authenticated at all (a brand written where the domain
        // belongs, "<support@bank>", passes no DMARC check because there is none to fail). Gmail and Exchange
        // Online refuse such mail outright. Delivery reports are the one legitimate kind: mail servers send them
        // from "MAILER-DAEMON" or "<>" with no domain.
        if (result.dmarc().noAuthorDomain() && !deliveryReport(input.message())) {
            out.add(Finding.of(FROM_INVALID, shortened(result.dmarc().detail())));
        }
        return out;
    }

    /**
     * The author domain DMARC judges (RFC 7489 §6.6.1: the domain of the single address of the single From field,
     * A-label), or empty when there is none; read from the header alone, without any DNS work.
     */
    public static Optional<String> authorDomain(ParsedMessage message) {
        return Optional.ofNullable(Author.of(message).domain());
    }

    /**
     * The single author domain of the From fields, or why there is none (DMARC's {@code permerror} then). The address
     * is {@link Mailbox#author}'s, which the sender lists match too: were they to read the field differently, an allow
     * entry could match one address while DMARC passed for another.
     */
    private record Author(String domain, String problem) {
        static Author of(ParsedMessage message) {
            if (!message.headerComplete()) {
                // fields the parser dropped past its limit, or never read past a field longer than its limit, may hold
                // a second From that the reader's program shows: the one From seen is not known to be the only one
                return new Author(null, "header not read in full (over the parser's limits); another From may follow");
            }
            List<HeaderField> froms = message.headerFields("From");
            if (froms.size() != 1) {
                return new Author(null, froms.isEmpty() ? "no From header" : froms.size() + " From headers");
            }
            return Mailbox.author(froms.get(0)).flatMap(m -> asciiDomain(m.address())).map(d -> new Author(d, null))
                    .orElseGet(() -> new Author(null,
                            "From does not hold exactly one address with a domain: " + froms.get(0).value()));
        }
    }

    /**
     * A delivery status notification or other mail-system report (RFC 6522 multipart/report, RFC 3464
     * message/delivery-status), or mail from a server's own mailbox ("MAILER-DAEMON", "postmaster", "<>"), which
     * sends bounces without a domain or with a local one ("MAILER-DAEMON@localhost").
     */
    static boolean deliveryReport(ParsedMessage message) {
        String type = message.header("Content-Type").orElse("").strip().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/report") || type.startsWith("message/delivery-status")) {
            return true;
        }
        List<String> froms = message.headers("From");
        if (froms.size() != 1) {
            return false;
        }
        Matcher m = ANGLE_ADDRESS.matcher(froms.get(0));
        boolean angle = m.find();
        if (angle && (!COMMENT.matcher(froms.get(0).substring(m.end())).replaceAll("").isBlank()
                || BESIDE_AN_ADDRESS.matcher(COMMENT.matcher(froms.get(0).substring(0, m.start())).replaceAll("")).find())) {
            // anything beside the one bracketed address (<>, ceo@…): a mail system's bounce names itself alone
            return false;
        }
        String address = (angle ? m.group(1) : COMMENT.matcher(froms.get(0)).replaceAll("")).strip();
        if (address.isEmpty() && angle) {
            // "<>" is a mail system's null sender when the name is one too ("MAILER-DAEMON <>") or absent; a brand's
            // name on it ("Facebook" <>) is a sender the reader cannot check, not a bounce
            String name = COMMENT.matcher(froms.get(0).substring(0, m.start())).replaceAll("").replace("\"", "").strip();
            return name.isEmpty() || MAIL_SYSTEM_NAME.matcher(name).matches();
        }
        int at = address.lastIndexOf('@');
        return MAIL_SYSTEM.matcher(at < 0 ? address : address.substring(0, at)).matches();
    }

    /**
     * The typed results (also for the {@code Authentication-Results} header: see
     * {@link SenderAuthResult#authenticationResults}). Does the DNS work once per input: this analyzer and
     * {@code DmarcAlignment} (the sender lists' check of an allow-listed sender) both ask, in parallel, and the first
     * to ask evaluates while the other waits for its result ({@link AnalysisInput#memo()}). The result depends only
     * on the input (envelope, message, raw message) and this analyzer's settings, so the key is this analyzer's.
     */
    public SenderAuthResult evaluate(AnalysisInput input) {
        return input.memo().computeIfAbsent(evaluated, () -> evaluateNow(input));
    }

    private SenderAuthResult evaluateNow(AnalysisInput input) {
        Envelope e = input.envelope();
        DnsResolver cached = new CachingDnsResolver(dns, settings.dnsTimeLimit());
        InetAddress ip = IpAddresses.parse(e.clientAddress());
        String mailFrom = e.mailFrom().strip();
        if (mailFrom.startsWith("<") && mailFrom.endsWith(">")) {
            mailFrom = mailFrom.substring(1, mailFrom.length() - 1);
        }
        // Judged as of the message's arrival (a signature's x= expiry, SPF's %{t}): in the gateway that is now; an
        // offline re-scan of stored mail gives the time it arrived, not the day it is scanned.
        Clock at = e.receivedAt() == null ? clock : Clock.fixed(e.receivedAt(), ZoneOffset.UTC);
        // the first questions of SPF and DMARC go out now, together with the DKIM keys below: the evaluation then waits
        // about one answer's time for them, not one after the other
        if (ip != null) {
            SpfEvaluator.askAhead(cached, mailFrom, e.helo());
        }
        Author author = Author.of(input.message());
        if (author.domain() != null) {
            DmarcEvaluator.askAhead(cached, author.domain());
        }
        DkimVerifier dkim = new DkimVerifier(cached, at, dkimSettings);
        List<DkimResult> dkimResults = List.of();
        ArcResult arc = new ArcResult(ArcResult.Kind.NONE, List.of(), "");
        boolean rawChecked = false;
        if (input.rawMessage().isPresent()) {
            try {
                SignatureChecks.Outcome o = new SignatureChecks(dkim, new ArcVerifier(cached, dkim)).run(input.raw());
                dkimResults = o.dkim();
                arc = o.arc();
                rawChecked = true;
            } catch (IOException ex) {
                // the raw message could not be read (or its header block is absurdly large): DKIM and ARC
                // stay unchecked, which DMARC then sees as "no DKIM pass"
                arc = new ArcResult(ArcResult.Kind.NONE, List.of(), "raw message unreadable: " + ex.getClass().getSimpleName());
            }
        }
        SpfResult spf = ip == null ? new SpfResult(SpfResult.Kind.NONE, "", "", "no client IP address")
                : new SpfEvaluator(cached, at).check(ip, mailFrom, e.helo());
        DmarcResult dmarc = dmarc(author, cached, spf, dkimResults, rawChecked);
        Optional<ArcResult.ArcSet> override = Optional.empty();
        if (dmarc.kind() == DmarcResult.Kind.FAIL && arc.kind() == ArcResult.Kind.PASS) {
            override = trustedPass(arc, author.domain());
        }
        return new SenderAuthResult(spf, dkimResults, dmarc, arc, override, e.clientAddress(), rawChecked);
    }

    private DmarcResult dmarc(Author author, DnsResolver cached, SpfResult spf, List<DkimResult> dkim,
            boolean rawChecked) {
        if (author.domain() == null) {
            return new DmarcResult(DmarcResult.Kind.PERMERROR, "", "", DmarcResult.Policy.NONE, author.problem());
        }
        DmarcResult r = new DmarcEvaluator(cached).evaluate(author.domain(), spf, dkim);
        if (r.kind() == DmarcResult.Kind.FAIL && !rawChecked) {
            // without the raw message DKIM was never checked: a failure would be our blind spot, not theirs
            return new DmarcResult(DmarcResult.Kind.NONE, r.fromDomain(), r.policyDomain(), DmarcResult.Policy.NONE,
                    "DKIM not checked (raw message not available)");
        }
        return r;
    }

    /**
     * The domain of an author's address (lower-case, without comments or folding white space: {@link Mailbox}) as an
     * A-label, IDNA2003 folding full-width letters, {@code 。} and soft hyphens as mail programs show them; empty when
     * it is no domain.
     */
    static Optional<String> asciiDomain(String address) {
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1) {
            return Optional.empty();
        }
        return domain(address.substring(at + 1));
    }

    /** A domain as DMARC compares it: lower-case A-label, printable, of valid length and labels; else empty. */
    private static Optional<String> domain(String written) {
        String d = written.toLowerCase(Locale.ROOT);
        try {
            d = java.net.IDN.toASCII(d);
        } catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
        // control characters, spaces and DEL are no part of a domain (RFC 5322 §3.4.1: atext); IDNA leaves them be
        boolean printable = d.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        return printable && SpfEvaluator.validDomain(d) ? Optional.of(d) : Optional.empty();
    }

    /**
     * The newest ARC set, when a trusted sealer sealed it and recorded in its ARC-Authentication-Results that DMARC
     * passed for the author domain this message has now. Only the newest set can speak for the message as it
     * arrives: RFC 8617 §5.2 verifies only the newest ARC-Message-Signature, so an older set may have been copied
     * from another message (a trusted sealer's pass for the attacker's own domain, replayed under a new From and
     * body with the attacker's own set sealed on top). Its record must name the domain (header.from, RFC 7489
     * §11.2) for the same reason: a pass for some other From says nothing about this one. Every DMARC result of the
     * set must say so; an unreadable one does not count (see {@link AuthResults}).
     */
    private Optional<ArcResult.ArcSet> trustedPass(ArcResult arc, String authorDomain) {
        List<ArcResult.ArcSet> sets = arc.sets();
        if (arc.kind() != ArcResult.Kind.PASS || sets.isEmpty() || authorDomain == null) {
            return Optional.empty();
        }
        ArcResult.ArcSet newest = sets.get(sets.size() - 1);
        if (newest.instance() != sets.size() || !trusted(newest.sealer())) {
            return Optional.empty();
        }
        List<AuthResults.Result> dmarc = AuthResults.of(newest.authenticationResults()).stream()
                .filter(r -> r.method().equals("dmarc")).toList();
        boolean pass = !dmarc.isEmpty() && dmarc.stream().allMatch(r -> r.result().equals("pass")
                && sameDomain(r.properties().get("header.from"), authorDomain));
        return pass ? Optional.of(newest) : Optional.empty();
    }

    /** Whether an Authentication-Results {@code header.from} (a domain, or an address) names {@code authorDomain}. */
    private static boolean sameDomain(String headerFrom, String authorDomain) {
        if (headerFrom == null) {
            return false;
        }
        // RFC 8601 §2.2 pvalue: [[local-part] "@"] domain-name
        Optional<String> d = domain(headerFrom.substring(headerFrom.lastIndexOf('@') + 1));
        return d.isPresent() && withoutRootDot(d.get()).equals(withoutRootDot(authorDomain));
    }

    private static String withoutRootDot(String domain) {
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    private boolean trusted(String sealer) {
        for (String t : settings.trustedArcSealers()) {
            if (sealer.equals(t) || sealer.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    static List<Finding> findings(SenderAuthResult r) {
        List<Finding> out = new ArrayList<>();
        // Once the From domain is authenticated (aligned DKIM or SPF, or a trusted ARC sealer's word), an SPF
        // or DKIM failure is what forwarding and mailing lists do to genuine mail: not worth a finding.
        boolean authenticated = r.effectiveDmarc() == DmarcResult.Kind.PASS;
        SpfResult spf = r.spf();
        String spfEvidence = "mailfrom=" + spf.domain() + " ip=" + r.clientIp();
        switch (spf.kind()) {
            case FAIL -> {
                if (!authenticated) {
                    out.add(Finding.of(SPF_FAIL, spfEvidence));
                }
            }
            case SOFTFAIL -> {
                if (!authenticated) {
                    out.add(Finding.of(SPF_SOFTFAIL, spfEvidence));
                }
            }
            case PERMERROR -> out.add(Finding.of(SPF_PERMERROR, "mailfrom=" + spf.domain() + " " + shortened(spf.detail())));
            case TEMPERROR -> out.add(Finding.of(AUTH_TEMPFAIL, "spf " + spf.domain() + ": " + shortened(spf.detail())));
            default -> { }
        }
        boolean dkimPassed = r.dkim().stream().anyMatch(d -> d.kind() == DkimResult.Kind.PASS);
        // One finding per kind, however many signatures: a list that rewrites the body breaks every signature
        // at once, and that is one fact, not several.
        java.util.Map<String, java.util.Set<String>> dkimEvidence = new java.util.LinkedHashMap<>();
        for (DkimResult d : r.dkim()) {
            if (d.kind() == DkimResult.Kind.TEMPERROR) {
                out.add(Finding.of(AUTH_TEMPFAIL, "dkim d=" + d.domain() + ": " + shortened(d.reason())));
            } else if (!dkimPassed && !authenticated) {
                // RFC 8601 §2.7.1: "fail" is a signature that was checked and did not verify; a signature that
                // could not be checked at all (no key record, malformed tags, an algorithm RFC 8301 forbids) is
                // "permerror", which RFC 6376 §6.1 says to treat like no signature: recorded, never scored.
                String code = switch (d.kind()) {
                    case FAIL -> DKIM_FAIL;
                    case PERMERROR, POLICY -> DKIM_PERMERROR;
                    default -> null;
                };
                if (code != null) {
                    java.util.Set<String> items = dkimEvidence.computeIfAbsent(code, k -> new java.util.LinkedHashSet<>());
                    if (items.size() < MAX_DKIM_FINDINGS) {
                        items.add("d=" + d.domain() + " reason=" + shortened(d.reason()));
                    }
                }
            }
        }
        dkimEvidence.forEach((code, items) -> out.add(Finding.of(code, String.join("; ", items))));
        DmarcResult dmarc = r.dmarc();
        String dmarcEvidence = "from=" + dmarc.fromDomain() + " policy=" + dmarc.policy().lowerName();
        if (dmarc.kind() == DmarcResult.Kind.TEMPERROR) {
            out.add(Finding.of(AUTH_TEMPFAIL, "dmarc " + dmarc.fromDomain() + ": " + shortened(dmarc.detail())));
        } else if (dmarc.kind() == DmarcResult.Kind.FAIL) {
            if (r.arcOverride().isPresent()) {
                ArcResult.ArcSet s = r.arcOverride().get();
                out.add(Finding.of(ARC_TRUSTED_OVERRIDE, "from=" + dmarc.fromDomain() + " sealer=" + s.sealer() + " i=" + s.instance()));
            } else if (dmarc.policy() == DmarcResult.Policy.REJECT) {
                out.add(Finding.of(DMARC_REJECT_POLICY_FAIL, dmarcEvidence));
            } else {
                // the owner's own policy says how sure it is: p=none is a monitoring-only domain
                out.add(new Finding(DMARC_FAIL, dmarc.policy() == DmarcResult.Policy.NONE ? 0.5 : 1.0, dmarcEvidence));
            }
        }
        if (r.arc().kind() == ArcResult.Kind.TEMPERROR) {
            out.add(Finding.of(AUTH_TEMPFAIL, "arc: " + shortened(r.arc().reason())));
        }
        return out;
    }

    private static String shortened(String s) {
        String clean = CONTROL.matcher(s).replaceAll(" ");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}
