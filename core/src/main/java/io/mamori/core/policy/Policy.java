package io.mamori.core.policy;

import io.mamori.core.access.AccessRules;
import io.mamori.core.analysis.Action;
import io.mamori.core.message.Direction;
import java.net.IDN;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The organisation's mail policy as read from {@code policy.yaml} (schema: {@code docs/policy.md}). Immutable
 * and thread-safe; obtain one from {@link PolicyLoader}, which validates everything the compact constructors
 * here only assert.
 *
 * @param version      schema version, currently always 1
 * @param organisation who the gateway protects
 * @param inbound      rules for mail arriving on the MX listener
 * @param outbound     rules for mail leaving through the smart-host listener
 * @param tag          how the TAG action marks a message
 * @param access       who may use the console from where and when ({@link AccessRules#DEFAULT} when absent)
 */
public record Policy(int version, Organisation organisation, Rules inbound, Rules outbound, Tagging tag,
        Antivirus antivirus, Protection protection, AccessRules access) {

    public Policy {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(inbound, "inbound");
        Objects.requireNonNull(outbound, "outbound");
        Objects.requireNonNull(tag, "tag");
    }

    /** The rules for one direction. */
    public Rules rules(Direction direction) {
        return switch (direction) {
            case INBOUND -> inbound;
            case OUTBOUND -> outbound;
        };
    }

    /**
     * Whether a domain or an address ({@code local@domain}; only the part after the last {@code @} counts)
     * belongs to the organisation. Case-insensitive; Unicode domains are compared in their ASCII (Punycode)
     * form; a trailing dot is ignored; address literals such as {@code [192.0.2.1]} are never internal.
     */
    public boolean isInternal(String domainOrAddress) {
        if (domainOrAddress == null) {
            return false;
        }
        String domain = domainOrAddress.substring(domainOrAddress.lastIndexOf('@') + 1).strip();
        if (domain.endsWith(">")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        String ascii;
        try {
            ascii = DomainPattern.toAscii(domain);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return organisation.internalDomains().stream().anyMatch(p -> p.matches(ascii));
    }

    /**
     * @param name            display name of the organisation, e.g. {@code 株式会社サンプル}
     * @param internalDomains the domains the inbound listener accepts mail for; never empty
     */
    public record Organisation(String name, List<DomainPattern> internalDomains) {
        public Organisation {
            Objects.requireNonNull(name, "name");
            internalDomains = List.copyOf(internalDomains);
        }
    }

    /**
     * One entry of {@code organisation.internal_domains}.
     *
     * @param domain     lower-case ASCII (Punycode) domain without trailing dot
     * @param subdomains {@code true} for {@code *.domain}: matches every sub-domain at any depth, but not
     *                   {@code domain} itself
     */
    public record DomainPattern(String domain, boolean subdomains) {

        public DomainPattern {
            Objects.requireNonNull(domain, "domain");
        }

        /** Whether a lower-case ASCII domain falls under this pattern. */
        public boolean matches(String asciiDomain) {
            return subdomains ? asciiDomain.endsWith("." + domain) : asciiDomain.equals(domain);
        }

        @Override
        public String toString() {
            return subdomains ? "*." + domain : domain;
        }

        /**
         * Lower-case ASCII form of a host name, with one trailing dot removed. IDNA2003 (what
         * {@link IDN} implements) also folds full-width letters and the ideographic full stop {@code 。},
         * which Japanese input methods produce.
         *
         * @throws IllegalArgumentException with a short reason if it is not a valid host name
         */
        static String toAscii(String domain) {
            String d = domain.endsWith(".") || domain.endsWith("。") ? domain.substring(0, domain.length() - 1) : domain;
            if (d.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            String ascii;
            try {
                ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                String reason = e.getMessage() == null ? "invalid" : e.getMessage();
                throw new IllegalArgumentException(reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1));
            }
            if (ascii.length() > 253) {
                throw new IllegalArgumentException("longer than 253 characters");
            }
            String[] labels = ascii.split("\\.", -1);
            if (labels.length < 2) {
                throw new IllegalArgumentException("needs at least two labels");
            }
            if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("top-level label is all digits (IP addresses are not domains)");
            }
            return ascii;
        }
    }

    /**
     * Score thresholds and forced minimum actions for one direction.
     *
     * @param thresholds score at or above which a message gets at least the action; never contains
     *                   {@link Action#DELIVER}; non-decreasing in action order; a missing action is never
     *                   reached by score
     * @param forced     finding code → minimum action whenever that finding is present
     */
    public record Rules(Map<Action, Double> thresholds, Map<String, Action> forced) {

        public Rules {
            EnumMap<Action, Double> copy = new EnumMap<>(Action.class);
            copy.putAll(thresholds);
            if (copy.containsKey(Action.DELIVER)) {
                throw new IllegalArgumentException("DELIVER has no threshold");
            }
            double previous = Double.NEGATIVE_INFINITY;
            for (double t : copy.values()) {
                if (t < previous) {
                    throw new IllegalArgumentException("thresholds must be non-decreasing in action order: " + copy);
                }
                previous = t;
            }
            thresholds = Map.copyOf(copy);
            forced = Map.copyOf(forced);
        }

        /** The most severe action whose threshold the score reaches, or DELIVER. */
        public Action actionForScore(double score) {
            Action result = Action.DELIVER;
            for (Map.Entry<Action, Double> e : thresholds.entrySet()) {
                if (score >= e.getValue()) {
                    result = result.atLeast(e.getKey());
                }
            }
            return result;
        }
    }

    /**
     * @param subjectPrefix prepended (with one space) to the subject of a tagged message; may be empty
     */
    public record Tagging(String subjectPrefix) {

        /** Used when {@code tag.subject_prefix} is absent. */
        public static final String DEFAULT_SUBJECT_PREFIX = "[要注意]";

        public Tagging {
            Objects.requireNonNull(subjectPrefix, "subjectPrefix");
        }
    }

    /**
     * What to do with a message when the antivirus engine is configured but does not answer (finding
     * {@code AV_UNAVAILABLE}).
     *
     * @param whenUnavailable TEMPFAIL answers {@code 451 4.7.1} so the sender retries later (nothing is accepted
     *                        unscanned); DELIVER accepts it with the finding, and the policy's forced action for
     *                        {@code AV_UNAVAILABLE} (TAG by default) applies
     */
    public record Antivirus(WhenUnavailable whenUnavailable) {

        public enum WhenUnavailable { TEMPFAIL, DELIVER }

        /** Used when {@code antivirus.when_unavailable} is absent. */
        public static final Antivirus DEFAULT = new Antivirus(WhenUnavailable.TEMPFAIL);

        public Antivirus {
            Objects.requireNonNull(whenUnavailable, "whenUnavailable");
        }
    }

    /**
     * Who and what impersonation detection protects besides the internal domains.
     *
     * @param partnerDomains domains of partners whose lookalikes are suspicious (ASCII, lower case)
     * @param people         executives and others whose display name on mail from another address is suspicious
     */
    public record Protection(List<DomainPattern> partnerDomains, List<Person> people) {

        public static final Protection NONE = new Protection(List.of(), List.of());

        public Protection {
            partnerDomains = List.copyOf(partnerDomains);
            people = List.copyOf(people);
        }
    }

    /**
     * @param name      display name as people write it, e.g. {@code 山田 太郎}
     * @param addresses every real address of the person (lower case)
     */
    public record Person(String name, List<String> addresses) {
        public Person {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
        }
    }
}
