package io.mamori.core.auth;

import io.mamori.core.link.PublicSuffixList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything sender authentication found for one message, typed, for the analyzer's findings and for the
 * {@code Authentication-Results} header.
 *
 * @param spf         the SPF result of the MAIL FROM (or HELO) identity
 * @param dkim        one result per DKIM signature looked at, in header order
 * @param dmarc       the DMARC result before any ARC override
 * @param arc         the ARC chain validation
 * @param arcOverride the trusted sealer whose {@code dmarc=pass} overrode a DMARC failure, if any
 * @param clientIp    the SMTP client address as given
 * @param rawChecked  whether the raw message was available, so that DKIM and ARC could be checked
 */
public record SenderAuthResult(SpfResult spf, List<DkimResult> dkim, DmarcResult dmarc, ArcResult arc,
        Optional<ArcResult.ArcSet> arcOverride, String clientIp, boolean rawChecked) {

    private static final String LDH_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile(LDH_LABEL + "(?:\\." + LDH_LABEL + ")*");
    /**
     * A selector as RFC 6376 §3.1 defines it (dot-separated labels), at most 64 characters; underscores are let
     * through, as DNS allows them and some signers use them.
     */
    private static final Pattern SELECTOR = Pattern.compile("(?=.{1,64}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
            + "(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*");
    /** The start of b= as kept in {@link DkimResult#headerB()}. */
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=]{1,8}");

    public SenderAuthResult {
        Objects.requireNonNull(spf, "spf");
        dkim = List.copyOf(dkim);
        Objects.requireNonNull(dmarc, "dmarc");
        Objects.requireNonNull(arc, "arc");
        Objects.requireNonNull(arcOverride, "arcOverride");
        clientIp = clientIp == null ? "" : clientIp;
    }

    /** DMARC as the gateway acts on it: a failure with a trusted ARC override counts as pass. */
    public DmarcResult.Kind effectiveDmarc() {
        return dmarc.kind() == DmarcResult.Kind.FAIL && arcOverride.isPresent() ? DmarcResult.Kind.PASS : dmarc.kind();
    }

    /**
     * Whether the From domain is authenticated, and what decided it.
     *
     * @param kind   {@code PASS}, {@code FAIL}, or {@code TEMPERROR} when a temporary DNS error left it open (never a
     *               failure, RFC 7489 §6.6.2)
     * @param detail for evidence, e.g. {@code dmarc=pass} or {@code dmarc=none, no aligned SPF or DKIM pass}
     */
    public record Author(DmarcResult.Kind kind, String detail) {
        public boolean authenticated() {
            return kind == DmarcResult.Kind.PASS;
        }
    }

    /**
     * Whether the From domain is authenticated: DMARC passes (RFC 7489: an SPF or DKIM pass aligned with the From
     * domain; also a failure that a trusted ARC sealer vouches for, as the gateway treats it everywhere), or, for a
     * domain that publishes no DMARC record, SPF or DKIM passes for a domain aligned with it in the relaxed sense of
     * RFC 7489 §3.1 (the same registrable domain by the Public Suffix List). The second case matters: many
     * organisations publish SPF and sign with DKIM but have no DMARC record, and their genuine mail is just as
     * authenticated. A temporary DNS error that could have changed the answer gives {@code TEMPERROR}; anything else
     * (fail, permerror, nothing aligned) is {@code FAIL}.
     */
    public Author author() {
        if (effectiveDmarc() == DmarcResult.Kind.PASS) {
            return new Author(DmarcResult.Kind.PASS, arcOverride.isPresent()
                    ? "dmarc=pass (trusted ARC sealer " + arcOverride.get().sealer() + ")" : "dmarc=pass");
        }
        if (dmarc.kind() != DmarcResult.Kind.NONE || dmarc.fromDomain().isEmpty()) {
            return new Author(dmarc.kind() == DmarcResult.Kind.TEMPERROR ? DmarcResult.Kind.TEMPERROR
                    : DmarcResult.Kind.FAIL, "dmarc=" + dmarc.kind().lowerName());
        }
        PublicSuffixList suffixes = PublicSuffixList.builtIn();
        Optional<String> from = organisation(suffixes, dmarc.fromDomain());
        if (from.isPresent()) {
            if (spf.kind() == SpfResult.Kind.PASS && from.equals(organisation(suffixes, spf.domain()))) {
                return new Author(DmarcResult.Kind.PASS, "spf=pass aligned (no DMARC record)");
            }
            for (DkimResult d : dkim) {
                if (d.kind() == DkimResult.Kind.PASS && from.equals(organisation(suffixes, d.domain()))) {
                    return new Author(DmarcResult.Kind.PASS, "dkim=pass d=" + d.domain() + " aligned (no DMARC record)");
                }
            }
        }
        if (spf.kind() == SpfResult.Kind.TEMPERROR || dkim.stream().anyMatch(d -> d.kind() == DkimResult.Kind.TEMPERROR)) {
            return new Author(DmarcResult.Kind.TEMPERROR, "dmarc=none, SPF or DKIM had a temporary DNS error");
        }
        return new Author(DmarcResult.Kind.FAIL, "dmarc=none, no aligned SPF or DKIM pass");
    }

    private static Optional<String> organisation(PublicSuffixList suffixes, String domain) {
        return domain == null || domain.isEmpty() ? Optional.empty() : suffixes.registrableDomain(domain);
    }

    /**
     * The value of an {@code Authentication-Results} header field (RFC 8601), e.g.
     * {@code mx.example.co.jp; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com
     * header.s=sel header.b=abcd1234; dmarc=pass header.from=example.com; arc=none}.
     *
     * @param authservId the host name of this gateway (the authserv-id, RFC 8601 §2.5)
     */
    public String authenticationResults(String authservId) {
        List<String> parts = new ArrayList<>();
        parts.add(authservId);
        String identity = domainName(spf.domain()).map(d -> " smtp.mailfrom=" + d).orElse("");
        parts.add("spf=" + spf.kind().lowerName() + identity);
        if (!rawChecked) {
            parts.add("dkim=none (raw message not available)");
        } else if (dkim.isEmpty()) {
            parts.add("dkim=none");
        } else {
            for (DkimResult d : dkim) {
                StringBuilder s = new StringBuilder("dkim=").append(d.kind().lowerName());
                if (!d.reason().isEmpty()) {
                    s.append(" (").append(comment(d.reason())).append(')');
                }
                domainName(d.domain()).ifPresent(v -> s.append(" header.d=").append(v));
                if (SELECTOR.matcher(d.selector()).matches()) {
                    s.append(" header.s=").append(d.selector());
                }
                if (BASE64.matcher(d.headerB()).matches()) {
                    s.append(" header.b=").append(value(d.headerB()));
                }
                parts.add(s.toString());
            }
        }
        StringBuilder dm = new StringBuilder("dmarc=").append(effectiveDmarc().lowerName());
        if (arcOverride.isPresent()) {
            dm.append(" (failed, overridden by trusted ARC sealer ").append(comment(arcOverride.get().sealer())).append(')');
        } else if (dmarc.kind() == DmarcResult.Kind.FAIL) {
            dm.append(" (p=").append(dmarc.policy().lowerName()).append(')');
        }
        domainName(dmarc.fromDomain()).ifPresent(v -> dm.append(" header.from=").append(v));
        parts.add(dm.toString());
        parts.add("arc=" + arc.kind().lowerName() + (rawChecked ? "" : " (raw message not available)"));
        return String.join("; ", parts);
    }

    /**
     * {@code domain} as a host name in its ASCII form (A-labels, RFC 5890), if it is one: letters, digits and hyphens
     * in labels of at most 63 characters, 253 in all (RFC 1035 §2.3.1, RFC 5321 §4.5.3.1.2). Properties written from
     * the message (header.d, header.from, smtp.mailfrom) are left out when they are not: RFC 8601 §2.3 lets a property
     * be omitted, and anything else from the sender (a From domain {@code evil.example;dmarc=pass}, a d= folded over
     * forty lines) could spell results in our field or make its line longer than RFC 5322 allows.
     */
    static Optional<String> domainName(String domain) {
        String ascii = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (ascii.chars().anyMatch(c -> c > 0x7e)) {
            try {
                ascii = java.net.IDN.toASCII(ascii, java.net.IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException notADomain) {
                return Optional.empty();
            }
        }
        return ascii.length() <= 253 && HOST_NAME.matcher(ascii).matches() ? Optional.of(ascii) : Optional.empty();
    }

    /** A pvalue: a token as is, anything else quoted (RFC 8601 §2.2, RFC 2045 token); {@code v} is printable ASCII. */
    static String value(String v) {
        if (!v.isEmpty() && v.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?=".indexOf(c) < 0)) {
            return v;
        }
        StringBuilder quoted = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' || c == '"') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    /**
     * A comment's text. RFC 8601 parsers skip comments, but transport rules and log searches match substrings of the
     * whole field ("contains dkim=pass header.d=bank.example"), and a reason may hold the sender's text (a key name
     * made of d= and s=): so besides what would end the comment, {@code =}, {@code ;} and {@code "} are dropped, and
     * no result, property or quoted value can be spelled inside our own trusted field.
     */
    private static String comment(String c) {
        StringBuilder s = new StringBuilder();
        for (char ch : c.toCharArray()) {
            if (ch >= 0x20 && ch < 0x7f && "()\\=;\"".indexOf(ch) < 0) {
                s.append(ch);
            }
        }
        return s.length() > 100 ? s.substring(0, 100) : s.toString();
    }
}
