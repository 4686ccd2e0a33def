package io.mamori.core.impersonation;

import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.text.ConfusableSkeleton;
import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The organisations a policy protects (its internal and partner domains) and the two ways a domain imitates one: a
 * look-alike registrable domain ({@link #lookalike}) and the whole protected domain written inside another
 * organisation's name ({@link #embeddedIn}). Shared by the sender checks of {@link ImpersonationAnalyzer} and the link
 * checks, so that a disguise is judged the same wherever it is written. An organisation is the registrable domain of
 * the Public Suffix List. Immutable and thread-safe.
 */
public final class ProtectedDomains {

    /** Labels shorter than this are never compared for resemblance: short names collide by chance. */
    static final int MIN_LABEL = 5;
    /** Labels at least this long tolerate two edits instead of one. */
    static final int LONG_LABEL = 10;
    /**
     * Same name under another suffix: how lookalikes are often registered, but also how groups spread over
     * countries and how unrelated companies with a common name coexist (example.co.jp and example.org). Alone it
     * stays below TAG even with one other weak finding beside it (a broken MIME structure, a failed signature); with
     * lure wording the BEC_LURE composite counts.
     */
    static final double SAME_NAME_OTHER_SUFFIX = 0.3;
    private static final int MAX_LABEL = 63;

    private final Set<String> organisations;
    private final List<Name> names;

    private ProtectedDomains(Set<String> organisations, List<Name> names) {
        this.organisations = organisations;
        this.names = names;
    }

    /** The organisations of the internal and partner domains of these settings. */
    public static ProtectedDomains of(ImpersonationSettings settings) {
        PublicSuffixList suffixes = PublicSuffixList.builtIn();
        ConfusableSkeleton skeletons = ConfusableSkeleton.builtIn();
        Set<String> organisations = new TreeSet<>();
        for (Set<String> domains : List.of(settings.internalDomains(), settings.protectedPartnerDomains())) {
            domains.forEach(d -> organisation(d, suffixes).ifPresent(organisations::add));
        }
        List<Name> names = organisations.stream().map(o -> Name.of(o, skeletons))
                .filter(n -> n.label().codePointCount(0, n.label().length()) >= MIN_LABEL).toList();
        return new ProtectedDomains(Set.copyOf(organisations), names);
    }

    /** Registrable domains, lower-case ASCII. */
    public Set<String> organisations() {
        return organisations;
    }

    /** Whether there is no protected organisation at all (the usual offline case): nothing can be imitated. */
    public boolean isEmpty() {
        return organisations.isEmpty();
    }

    /** Those whose label is long enough to compare, in domain order. */
    List<Name> names() {
        return names;
    }

    /**
     * How a registrable domain (lower-case ASCII) that is not a protected one resembles one: the same name under
     * another suffix, a small edit distance, the same confusable skeleton, or the protected name with extra words.
     */
    public Optional<Resemblance> lookalike(String organisation) {
        if (names.isEmpty() || organisations.contains(organisation)) {
            return Optional.empty();
        }
        Name candidate = Name.of(organisation, ConfusableSkeleton.builtIn());
        if (candidate.label().codePointCount(0, candidate.label().length()) < MIN_LABEL) {
            return Optional.empty();
        }
        for (Name target : names) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            double multiplier = 1.0;
            String why = null;
            if (candidate.label().equals(target.label())) {
                multiplier = SAME_NAME_OTHER_SUFFIX;
                why = "same name, other suffix";
            } else {
                int distance = editDistance(candidate.label(), target.label());
                int allowed = target.label().length() >= LONG_LABEL ? 2 : 1;
                if (distance <= allowed) {
                    why = "edit distance " + distance;
                } else if (candidate.skeleton().equals(target.skeleton())) {
                    why = "confusable characters";
                } else if (candidate.skeleton().contains(target.skeleton())) {
                    why = "contains " + target.label();
                }
            }
            if (why != null) {
                return Optional.of(new Resemblance(candidate.shown(), target.shown(), why, multiplier));
            }
        }
        return Optional.empty();
    }

    /**
     * The protected organisation written whole inside a domain name (lower-case ASCII) of another organisation,
     * where a reader stops reading: as sub-domain labels ({@code example.co.jp.evil.example}) or glued on with a
     * hyphen ({@code example.co.jp-login.example}). A whole domain with its suffix is never there by chance, so short
     * names count too. The protected organisation's own sub-domains are not: {@code organisation} is the registrable
     * domain of {@code domain}.
     */
    public Optional<String> embeddedIn(String domain, String organisation) {
        if (organisations.contains(organisation)) {
            return Optional.empty();
        }
        for (String target : organisations) {
            for (int at = domain.indexOf(target); at >= 0; at = domain.indexOf(target, at + 1)) {
                int end = at + target.length();
                boolean startsName = at == 0 || domain.charAt(at - 1) == '.' || domain.charAt(at - 1) == '-';
                boolean endsLabel = end < domain.length() && (domain.charAt(end) == '.' || domain.charAt(end) == '-');
                if (startsName && endsLabel) {
                    return Optional.of(target);
                }
            }
        }
        return Optional.empty();
    }

    /** The registrable domain (lower-case ASCII) of a domain name, or the name itself when it has none. */
    static Optional<String> organisation(String domain, PublicSuffixList suffixes) {
        return asciiDomain(domain).map(ascii -> suffixes.registrableDomain(ascii).orElse(ascii));
    }

    /** A domain name in lower-case ASCII (Punycode), without a trailing dot; empty when it is not a usable name. */
    static Optional<String> asciiDomain(String domain) {
        String ascii;
        try {
            ascii = IDN.toASCII(domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain,
                    IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return ascii.isEmpty() || ascii.length() > 253 ? Optional.empty() : Optional.of(ascii);
    }

    /**
     * Optimal string alignment distance (Damerau-Levenshtein where a transposed pair is not edited again), over
     * code points. Hand-written: a dozen lines, and labels are at most 63 characters, so the table stays small.
     */
    static int editDistance(String a, String b) {
        int[] x = a.codePoints().limit(MAX_LABEL).toArray();
        int[] y = b.codePoints().limit(MAX_LABEL).toArray();
        int[][] d = new int[x.length + 1][y.length + 1];
        for (int i = 0; i <= x.length; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= y.length; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= x.length; i++) {
            for (int j = 1; j <= y.length; j++) {
                int cost = x[i - 1] == y[j - 1] ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1]) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[x.length][y.length];
    }

    /**
     * A resemblance to a protected organisation.
     *
     * @param shown      the resembling domain, with its Unicode form in brackets when that differs
     * @param target     the protected domain, shown the same way
     * @param why        how it resembles ("edit distance 1", "confusable characters", …)
     * @param multiplier of the finding's weight: low for the same name under another suffix
     */
    public record Resemblance(String shown, String target, String why, double multiplier) {
    }

    /**
     * A registrable domain split for comparison: its first label decoded from punycode, and how to show it.
     *
     * @param label    the label before the public suffix, Unicode, lower-case
     * @param skeleton the label's confusable skeleton
     * @param shown    the ASCII domain, with its Unicode form in brackets when that differs
     */
    record Name(String label, String skeleton, String shown) {

        static Name of(String asciiOrganisation, ConfusableSkeleton skeletons) {
            String unicode;
            try {
                unicode = IDN.toUnicode(asciiOrganisation, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                unicode = asciiOrganisation;
            }
            int dot = unicode.indexOf('.');
            String label = dot < 0 ? unicode : unicode.substring(0, dot);
            String shown = unicode.equals(asciiOrganisation) ? asciiOrganisation
                    : asciiOrganisation + " (" + unicode + ")";
            return new Name(label, skeletons.skeleton(label), shown);
        }
    }
}
