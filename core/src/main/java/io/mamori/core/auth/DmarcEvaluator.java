package io.mamori.core.auth;

import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.DmarcResult.Kind;
import io.mamori.core.auth.DmarcResult.Policy;
import io.mamori.core.link.PublicSuffixList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DMARC evaluation: identifier alignment and policy of RFC 7489, with policy discovery and the
 * organizational domain found by the DNS tree walk of RFC 9989 (DMARCbis), so {@code psd=} and {@code np=} work;
 * for alignment the organizational domain is never above the registrable domain of the Public Suffix List
 * ({@link #organizationalDomain(String)} says why).
 *
 * <p>A DNS temporary error never makes DMARC fail (RFC 7489 §6.6.2): where a missing answer could change
 * the outcome, the result is {@code temperror}. Stateless and thread-safe; pass a per-message caching
 * resolver, since the tree walks of the From, DKIM and SPF domains overlap.
 */
final class DmarcEvaluator {

    private static final int MAX_WALK_LABELS = 8;

    private final DnsResolver dns;

    DmarcEvaluator(DnsResolver dns) {
        this.dns = dns;
    }

    /** A DMARC record found by the tree walk. */
    private record Found(String domain, Map<String, String> tags) {
    }

    private static final class TempError extends Exception {
        TempError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Sends the first question {@link #evaluate} will ask for {@code fromDomain} (its DMARC record, RFC 7489 §6.1)
     * without waiting; through a per-message cache, {@link #evaluate} then finds it.
     */
    static void askAhead(DnsResolver dns, String fromDomain) {
        // every question of the From domain's tree walk, not only its own record: the walk asks them all, and an
        // answer still missing when the evaluation's DNS time is up would make the result a temperror
        for (String name : walkNames(TableDnsResolver.normal(fromDomain))) {
            dns.lookupAsync(recordName(name), Type.TXT);
        }
    }

    /** The domains whose DMARC records the walk from {@code domain} asks for, nearest first (RFC 9989 §4.10). */
    private static List<String> walkNames(String domain) {
        String[] labels = domain.split("\\.");
        List<String> names = new ArrayList<>();
        names.add(domain);
        int start = labels.length > MAX_WALK_LABELS ? labels.length - (MAX_WALK_LABELS - 1) : 1;
        for (int i = start; i < labels.length; i++) {
            names.add(String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length)));
        }
        return names;
    }

    /** Where the DMARC record of {@code domain} (normalised) is. */
    private static String recordName(String domain) {
        return "_dmarc." + domain;
    }

    DmarcResult evaluate(String fromDomain, SpfResult spf, List<DkimResult> dkim) {
        String from = TableDnsResolver.normal(fromDomain);
        try {
            List<Found> walk = walk(from);
            Found policyRecord = walk.isEmpty() ? null : walk.get(0);
            if (policyRecord == null) {
                return new DmarcResult(Kind.NONE, from, "", Policy.NONE, "no DMARC record");
            }
            Map<String, String> t = policyRecord.tags;
            boolean strictSpf = "s".equals(t.get("aspf"));
            boolean strictDkim = "s".equals(t.get("adkim"));
            // RFC 7489 §3.1: an identifier is aligned only if it is the From domain or, relaxed, has the same
            // organisational domain, which is then the From's or under it. Anything else is decided without a
            // question to the DNS: a time-out in a tree that is not the From's own (the sender's name server, slow on
            // purpose) must not turn the From owner's p=reject into a temperror (RFC 7489 §6.6.2 is about answers
            // that could change the outcome, and these cannot).
            String organisation = organizationalDomain(from, walk);
            boolean tempError = false;
            for (DkimResult d : dkim) {
                if (d.kind() != DkimResult.Kind.PASS && d.kind() != DkimResult.Kind.TEMPERROR) {
                    continue;
                }
                Alignment a = alignment(from, organisation, d.domain(), strictDkim);
                if (d.kind() == DkimResult.Kind.PASS && a == Alignment.ALIGNED) {
                    return new DmarcResult(Kind.PASS, from, policyRecord.domain, Policy.NONE, "dkim d=" + d.domain() + " aligned");
                }
                tempError |= a != Alignment.NOT_ALIGNED;
            }
            if (spf != null && (spf.kind() == SpfResult.Kind.PASS || spf.kind() == SpfResult.Kind.TEMPERROR)) {
                Alignment a = alignment(from, organisation, spf.domain(), strictSpf);
                if (spf.kind() == SpfResult.Kind.PASS && a == Alignment.ALIGNED) {
                    return new DmarcResult(Kind.PASS, from, policyRecord.domain, Policy.NONE, "spf " + spf.domain() + " aligned");
                }
                tempError |= a != Alignment.NOT_ALIGNED;
            }
            if (tempError) {
                return new DmarcResult(Kind.TEMPERROR, from, policyRecord.domain, Policy.NONE,
                        "no aligned pass, and SPF or DKIM of a domain that could be aligned had a temporary DNS error");
            }
            Policy policy = policy(from, policyRecord);
            return new DmarcResult(Kind.FAIL, from, policyRecord.domain, policy, "no aligned SPF or DKIM pass");
        } catch (TempError e) {
            return new DmarcResult(Kind.TEMPERROR, from, "", Policy.NONE, e.getMessage());
        }
    }

    private Policy policy(String from, Found record) throws TempError {
        Map<String, String> t = record.tags;
        Policy p = parsePolicy(t.get("p"));
        if (p == null) {
            p = Policy.NONE; // RFC 7489 §6.6.3: an invalid p= with a usable record is treated as none
        }
        if (!record.domain.equals(from)) {
            Policy sp = parsePolicy(t.get("sp"));
            Policy np = parsePolicy(t.get("np"));
            if (np != null && !exists(from)) {
                p = np;
            } else if (sp != null) {
                p = sp;
            }
        }
        if ("y".equals(t.get("t"))) {
            p = p.lower(); // RFC 9989 testing mode: one step milder
        }
        String pct = t.get("pct");
        if (pct != null && pct.matches("\\d{1,3}") && Integer.parseInt(pct) < 100) {
            // RFC 7489 §6.6.4 samples; a gateway that cannot honour "this share of messages" fairly
            // applies the next milder policy to all, the way RFC 9989 maps pct<100 to t=y
            p = p.lower();
        }
        return p;
    }

    private static Policy parsePolicy(String v) {
        if (v == null) {
            return null;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> Policy.NONE;
            case "quarantine" -> Policy.QUARANTINE;
            case "reject" -> Policy.REJECT;
            default -> null;
        };
    }

    /** RFC 9989 np=: a domain exists if it has any of A, AAAA or MX, or answers NODATA. */
    private boolean exists(String domain) throws TempError {
        for (Type type : new Type[] {Type.A, Type.AAAA, Type.MX}) {
            DnsAnswer a = dns.lookup(domain, type);
            if (a instanceof DnsAnswer.TempFail f) {
                throw new TempError("existence of " + domain + ": " + f.reason());
            }
            if (a instanceof DnsAnswer.Records || (a instanceof DnsAnswer.NoRecords n && !n.nxdomain())) {
                return true;
            }
        }
        return false;
    }

    /** Whether an identifier is aligned with the From domain, or could be but a temporary DNS error left it open. */
    private enum Alignment {
        ALIGNED, NOT_ALIGNED, UNKNOWN
    }

    /**
     * The alignment of {@code other} with {@code from}, whose organisational domain is {@code organisation}. Only an
     * identifier at or under {@code organisation} is looked up at all; a temporary error in its tree walk leaves it
     * {@link Alignment#UNKNOWN}, never aligned or not (RFC 7489 §6.6.2): that tree is the From owner's, not the sender's.
     */
    private Alignment alignment(String from, String organisation, String other, boolean strict) {
        String o = TableDnsResolver.normal(other);
        if (o.equals(from)) {
            return Alignment.ALIGNED;
        }
        if (strict || !(o.equals(organisation) || o.endsWith("." + organisation))) {
            return Alignment.NOT_ALIGNED;
        }
        try {
            return organizationalDomain(o).equals(organisation) ? Alignment.ALIGNED : Alignment.NOT_ALIGNED;
        } catch (TempError e) {
            return Alignment.UNKNOWN;
        }
    }

    /**
     * The DMARC records on the way from {@code domain} towards the root, nearest first (RFC 9989 §4.10):
     * the domain itself, then, skipping to at most {@value #MAX_WALK_LABELS} labels, each parent.
     * A temporary error ends the walk with {@link TempError}, for a parent as for the domain itself: a walk that
     * stopped quietly at a parent would decide without that answer (RFC 7489 §6.6.2), missing a policy published
     * higher up (a From domain without a record of its own would get none) or finding an organisational domain
     * below the real one (a genuine subdomain signature would fail). The caller says what the error means: for the
     * From domain, temperror; for an identifier under its organisational domain, alignment unknown. Since the
     * trees of other domains are never walked ({@link #alignment}), a sender's slow name server cannot reach here.
     */
    private List<Found> walk(String domain) throws TempError {
        List<Found> found = new ArrayList<>();
        List<String> names = walkNames(domain);
        for (int i = 0; i < names.size(); i++) {
            DnsAnswer a = dns.lookup(recordName(names.get(i)), Type.TXT);
            if (a instanceof DnsAnswer.TempFail f) {
                throw new TempError("DMARC record of " + names.get(i) + ": " + f.reason());
            }
            if (a instanceof DnsAnswer.Records r) {
                List<Map<String, String>> valid = new ArrayList<>();
                for (String txt : r.values()) {
                    Map<String, String> tags = parse(txt);
                    if (tags != null) {
                        valid.add(tags);
                    }
                }
                if (valid.size() == 1) {
                    found.add(new Found(names.get(i), valid.get(0)));
                }
            }
        }
        return found;
    }

    /**
     * The organizational domain by the RFC 9989 §4.10.2 tree walk, never above the registrable domain of the Public
     * Suffix List.
     */
    String organizationalDomain(String domain) throws TempError {
        String d = TableDnsResolver.normal(domain);
        return organizationalDomain(d, walk(d));
    }

    /**
     * The organizational domain of {@code d} (normalised) from the records of its tree walk: the more specific of the
     * walk's answer and the registrable domain by the Public Suffix List (RFC 7489 §3.2's way). A pure tree walk takes
     * the highest record without {@code psd=y} as the organisation, so a hosting provider that publishes a record of
     * its own for the suffix its customers get names under ({@code _dmarc.sakura.ne.jp}, no {@code psd=y}) made every
     * two customers aligned: a spoofer's {@code attacker.sakura.ne.jp} passed for {@code victim.sakura.ne.jp}. The
     * list knows such suffixes (its private section); the walk still decides below the registrable domain
     * ({@code psd=n} departments, {@code psd=y} suffixes the list does not know).
     */
    private static String organizationalDomain(String d, List<Found> records) {
        String[] labels = d.split("\\.");
        String byWalk = treeWalk(d, labels, records);
        int registrable = PublicSuffixList.builtIn().registrableDomain(d).map(r -> r.split("\\.").length)
                .orElse(labels.length); // d is a public suffix itself: nothing above it is its organisation
        int depth = Math.min(Math.max(registrable, byWalk.split("\\.").length), labels.length);
        return String.join(".", java.util.Arrays.copyOfRange(labels, labels.length - depth, labels.length));
    }

    private static String treeWalk(String d, String[] labels, List<Found> records) {
        String last = null;
        for (Found f : records) {
            String psd = f.tags.get("psd");
            if ("n".equals(psd)) {
                return f.domain;
            }
            if ("y".equals(psd)) {
                if (f.domain.equals(d)) {
                    return d;
                }
                int depth = f.domain.split("\\.").length + 1;
                return String.join(".", java.util.Arrays.copyOfRange(labels, labels.length - depth, labels.length));
            }
            last = f.domain;
        }
        return last != null ? last : d;
    }

    /** A DMARC record's tags, or {@code null} if it is not one (RFC 7489 §6.3: starts with v=DMARC1). */
    static Map<String, String> parse(String txt) {
        Map<String, String> tags;
        try {
            tags = DkimSignatures.tags(txt);
        } catch (DkimSignatures.Malformed e) {
            return null;
        }
        if (tags.isEmpty() || !"DMARC1".equals(tags.get("v")) || !tags.keySet().iterator().next().equals("v")) {
            return null;
        }
        java.util.Map<String, String> lower = new java.util.LinkedHashMap<>();
        tags.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), k.equals("v") ? v : v.toLowerCase(Locale.ROOT)));
        return lower;
    }
}
