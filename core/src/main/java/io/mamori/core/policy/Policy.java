package io.mamori.core.policy;

import io.mamori.core.access.AccessRules;
import io.mamori.core.analysis.Action;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.message.Direction;
import io.mamori.core.network.Cidr;
import java.net.IDN;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * @param antivirus    what happens when the antivirus engine does not answer
 * @param protection   partners and people impersonation detection protects
 * @param attachments  handling of encrypted and macro attachments in inbound mail
 *                     ({@link Attachments#DEFAULT} when absent)
 * @param disarm       disarm (メール無害化) of inbound mail ({@link Disarm#DEFAULT} when absent)
 * @param lists        global allow and block lists
 * @param firstContact when a sender domain counts as a first contact
 * @param access       who may use the console from where and when ({@link AccessRules#DEFAULT} when absent)
 * @param analysis     what happens to a message the overloaded gateway could not analyse ({@link Analysis#DEFAULT}
 *                     when absent)
 * @param blocklists   the DNS block lists asked about inbound mail ({@link Blocklists#NONE} when absent)
 * @param sendAs       the addresses besides its own that an authenticated login may send as ({@link SendAs#NONE}
 *                     when absent)
 */
public record Policy(int version, Organisation organisation, Rules inbound, Rules outbound, Tagging tag,
        Antivirus antivirus, Protection protection, Attachments attachments, Disarm disarm, Lists lists,
        FirstContact firstContact, AccessRules access, Analysis analysis, Blocklists blocklists, SendAs sendAs) {

    public Policy {
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(inbound, "inbound");
        Objects.requireNonNull(outbound, "outbound");
        Objects.requireNonNull(tag, "tag");
        attachments = attachments == null ? Attachments.DEFAULT : attachments;
        disarm = disarm == null ? Disarm.DEFAULT : disarm;
        lists = lists == null ? Lists.NONE : lists;
        firstContact = firstContact == null ? FirstContact.DEFAULT : firstContact;
        access = access == null ? AccessRules.DEFAULT : access;
        analysis = analysis == null ? Analysis.DEFAULT : analysis;
        blocklists = blocklists == null ? Blocklists.NONE : blocklists;
        sendAs = sendAs == null ? SendAs.NONE : sendAs;
    }

    /**
     * With the default attachment handling, disarm off, without lists, with the default first-contact settings
     * and the default (unrestricted) console access.
     */
    public Policy(int version, Organisation organisation, Rules inbound, Rules outbound, Tagging tag,
            Antivirus antivirus, Protection protection) {
        this(version, organisation, inbound, outbound, tag, antivirus, protection, Attachments.DEFAULT,
                Disarm.DEFAULT, Lists.NONE, FirstContact.DEFAULT, AccessRules.DEFAULT, Analysis.DEFAULT, Blocklists.NONE,
                SendAs.NONE);
    }

    /** With the default attachment handling and disarm off. */
    public Policy(int version, Organisation organisation, Rules inbound, Rules outbound, Tagging tag,
            Antivirus antivirus, Protection protection, Lists lists, FirstContact firstContact, AccessRules access) {
        this(version, organisation, inbound, outbound, tag, antivirus, protection, Attachments.DEFAULT,
                Disarm.DEFAULT, lists, firstContact, access, Analysis.DEFAULT, Blocklists.NONE, SendAs.NONE);
    }

    /** This policy with another organisation (e.g. a neutral one for evaluating a corpus). */
    public Policy withOrganisation(Organisation other) {
        return new Policy(version, other, inbound, outbound, tag, antivirus, protection, attachments, disarm, lists,
                firstContact, access, analysis, blocklists, sendAs);
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
     * @param ownSenders      networks of the organisation's own systems that send mail in its name to the inbound
     *                        listener (a copier's scan-to-mail, an application server): mail from them is not judged
     *                        by {@code OWN_DOMAIN_UNAUTHENTICATED}; may be empty
     */
    public record Organisation(String name, List<DomainPattern> internalDomains, List<Cidr> ownSenders) {
        public Organisation {
            Objects.requireNonNull(name, "name");
            internalDomains = List.copyOf(internalDomains);
            ownSenders = List.copyOf(ownSenders);
        }

        public Organisation(String name, List<DomainPattern> internalDomains) {
            this(name, internalDomains, List.of());
        }

        /** Whether {@code address} (an IP address as text) is one of {@link #ownSenders}; false for anything else. */
        public boolean isOwnSender(String address) {
            if (ownSenders.isEmpty() || address == null || address.isBlank()) {
                return false;
            }
            java.net.InetAddress ip;
            try {
                ip = Cidr.parse(address.strip()).network(); // a literal only: never a DNS look-up
            } catch (IllegalArgumentException notAnAddress) {
                return false;
            }
            return ownSenders.stream().anyMatch(n -> n.contains(ip));
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
     * @param weights    finding code → the weight the organisation gives it instead of the catalogue's (0 to
     *                   {@value #MAX_WEIGHT}); codes not named keep the catalogue's weight
     */
    public record Rules(Map<Action, Double> thresholds, Map<String, Action> forced, Map<String, Double> weights) {

        /** Highest weight a policy may give a finding: five times the usual reject threshold. */
        public static final double MAX_WEIGHT = 100.0;

        /** Rules that keep every catalogue weight. */
        public Rules(Map<Action, Double> thresholds, Map<String, Action> forced) {
            this(thresholds, forced, Map.of());
        }

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
            for (Map.Entry<String, Double> w : weights.entrySet()) {
                if (!(w.getValue() >= 0.0 && w.getValue() <= MAX_WEIGHT)) {
                    throw new IllegalArgumentException("weight of " + w.getKey() + " must be between 0 and " + MAX_WEIGHT
                            + ": " + w.getValue());
                }
            }
            weights = Map.copyOf(weights);
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
     * What to do with a message that was not wholly analysed because the gateway was overloaded (finding
     * {@code ANALYZER_NOT_RUN}: some analyzer found no thread in time).
     *
     * @param whenBusy TEMPFAIL answers {@code 451 4.3.2} so the sender retries later (nothing is accepted unanalysed;
     *                 as Postfix defers when its content filter cannot take mail); DELIVER accepts it with the finding,
     *                 and the policy's forced action for {@code ANALYZER_NOT_RUN} (TAG by default) applies
     */
    public record Analysis(WhenBusy whenBusy) {

        public enum WhenBusy { TEMPFAIL, DELIVER }

        /** Used when {@code analysis.when_busy} is absent. */
        public static final Analysis DEFAULT = new Analysis(WhenBusy.TEMPFAIL);

        public Analysis {
            Objects.requireNonNull(whenBusy, "whenBusy");
        }
    }

    /**
     * DNS block lists ({@code blocklists}) asked about inbound mail: none unless the policy lists zones, since the
     * public lists' terms differ (Spamhaus answers queries of a commercial site only through its Data Query Service,
     * {@code <key>.zen.dq.spamhaus.net}; queries through a public resolver get an error code, never a listing).
     *
     * @param ipZones     zones that list sending addresses (DNSBL, such as {@code zen.spamhaus.org}), asked for the SMTP
     *                    client's address (RFC 5782 §2.1)
     * @param domainZones zones that list domains (URI block lists, such as {@code dbl.spamhaus.org}), asked for the
     *                    registrable domains of the sender addresses and of the links (RFC 5782 §2.3)
     */
    public record Blocklists(List<String> ipZones, List<String> domainZones) {

        public static final Blocklists NONE = new Blocklists(List.of(), List.of());

        public Blocklists {
            ipZones = List.copyOf(ipZones);
            domainZones = List.copyOf(domainZones);
        }

        public boolean isEmpty() {
            return ipZones.isEmpty() && domainZones.isEmpty();
        }
    }

    /**
     * Who may send as whom through authenticated submission ({@code send_as} in the policy file). A login (the
     * address an app password was issued for) may always send as itself; here it is given more: a shared mailbox, a
     * department's address, the address a copier or an application sends from. Mail whose envelope sender or From
     * names another address gets {@code SEND_AS_NOT_PERMITTED}, and the policy decides (commercial gateways and
     * Microsoft 365 itself enforce such "send as" rights). Addresses are kept lower case, domains in their ASCII form.
     *
     * @param byLogin login → the further addresses it may send as
     */
    public record SendAs(Map<String, Set<String>> byLogin) {

        public static final SendAs NONE = new SendAs(Map.of());

        public SendAs {
            Map<String, Set<String>> copy = new java.util.HashMap<>();
            byLogin.forEach((login, addresses) -> copy.put(normalAddress(login),
                    addresses.stream().map(Policy::normalAddress).collect(java.util.stream.Collectors.toUnmodifiableSet())));
            byLogin = Map.copyOf(copy);
        }

        /** Whether {@code login} may send as {@code address}: its own address, or one given to it here. */
        public boolean permits(String login, String address) {
            String l = normalAddress(login);
            String a = normalAddress(address);
            return l.equals(a) || byLogin.getOrDefault(l, Set.of()).contains(a);
        }
    }

    /**
     * An address as {@link SendAs} compares it: trimmed, lower case, its domain in ASCII (Punycode) form and without a
     * trailing dot; an address whose domain is not a valid name is only lower-cased (it then matches only itself).
     */
    static String normalAddress(String address) {
        String a = address.strip().toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        if (at < 0) {
            return a;
        }
        try {
            return a.substring(0, at + 1) + DomainPattern.toAscii(a.substring(at + 1));
        } catch (IllegalArgumentException e) {
            return a;
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
     * @param aliases   other names the person is known by, e.g. the kana reading {@code ヤマダ タロウ} or
     *                  {@code Taro Yamada}; matched as the name is
     */
    public record Person(String name, List<String> addresses, List<String> aliases) {
        public Person {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
            aliases = List.copyOf(aliases);
        }

        /** A person known by one name. */
        public Person(String name, List<String> addresses) {
            this(name, addresses, List.of());
        }
    }

    // ---- attachments and disarm (inbound mail) ----------------------------------------------------------------

    /**
     * What happens to inbound mail with an attachment that cannot be scanned or inspected, or carries macros
     * ({@code attachments.*} in the policy file). Outbound mail is decided by {@code outbound.forced} alone.
     *
     * @param encrypted           handling of {@code ENCRYPTED_ARCHIVE} (an encrypted attachment no password opened)
     * @param macros              handling of {@code OFFICE_MACRO}, {@code OFFICE_REMOTE_CONTENT} (a document that
     *                            fetches a template or object when opened, which may carry the macros),
     *                            {@code OFFICE_DDE} (a document that starts a program through DDE) and
     *                            {@code PDF_LAUNCH_ACTION} (a PDF that starts a program or opens a file)
     * @param uninspected         handling of {@code ATTACHMENT_NOT_INSPECTED} (content that could not be inspected: a
     *                            damaged archive, compressed RAR entries that could not be unpacked, a file past the
     *                            size limits)
     * @param opened              handling of {@code ENCRYPTED_ARCHIVE_OPENED} (an encrypted attachment opened with a
     *                            password the same message or a separate password mail gave, and inspected); when the
     *                            file does not say, that of {@code encrypted}
     * @param passwordMailMinutes how long after a message quarantined for an encrypted attachment a password mail of the
     *                            same sender to one of its recipients is used to open it (PPAP's パスワード別送); 0 for
     *                            never
     */
    public record Attachments(Handling encrypted, Handling macros, Handling uninspected, Handling opened,
            int passwordMailMinutes) {

        /** Finding code whose handling {@code attachments.encrypted} sets. */
        public static final String ENCRYPTED_CODE = "ENCRYPTED_ARCHIVE";
        /** Finding code whose handling {@code attachments.macros} sets. */
        public static final String MACRO_CODE = "OFFICE_MACRO";
        /** Finding code handled as {@link #MACRO_CODE}: a template or object fetched when the document opens. */
        public static final String REMOTE_CONTENT_CODE = "OFFICE_REMOTE_CONTENT";
        /** Finding code handled as {@link #MACRO_CODE}: a DDE field or link, which starts a program. */
        public static final String DDE_CODE = "OFFICE_DDE";
        /** Finding code handled as {@link #MACRO_CODE}: a PDF's Launch action, which starts a program or opens a file. */
        public static final String PDF_LAUNCH_CODE = "PDF_LAUNCH_ACTION";
        /** The finding codes whose handling {@code attachments.macros} sets: documents that run something. */
        public static final List<String> MACRO_CODES = List.of(MACRO_CODE, REMOTE_CONTENT_CODE, DDE_CODE, PDF_LAUNCH_CODE);
        /** Finding code whose handling {@code attachments.uninspected} sets. */
        public static final String UNINSPECTED_CODE = "ATTACHMENT_NOT_INSPECTED";
        /** Finding code whose handling {@code attachments.opened} sets. */
        public static final String OPENED_CODE = "ENCRYPTED_ARCHIVE_OPENED";
        /** {@code attachments.password_mail_minutes} when the file does not say. */
        public static final int DEFAULT_PASSWORD_MAIL_MINUTES = 30;
        /** The longest {@code attachments.password_mail_minutes} (a day). */
        public static final int MAX_PASSWORD_MAIL_MINUTES = 1440;

        /** Used when the section is absent and {@code inbound.forced} names none of the codes. */
        public static final Attachments DEFAULT = new Attachments(Handling.QUARANTINE, Handling.SCORE, Handling.SCORE);

        /**
         * How one kind of finding is handled.
         * <ul>
         * <li>{@code QUARANTINE}, {@code TAG}: at least that action whenever the finding is present (like
         *     {@code inbound.forced});</li>
         * <li>{@code STRIP}: the parts the finding names are replaced by a notice and the rest is delivered
         *     (when the verdict otherwise delivers, tags or holds); the original is kept quarantined;</li>
         * <li>{@code SCORE}: nothing special; the finding's weight and {@code inbound.forced} decide.</li>
         * </ul>
         */
        public enum Handling { QUARANTINE, TAG, STRIP, SCORE }

        public Attachments {
            Objects.requireNonNull(encrypted, "encrypted");
            Objects.requireNonNull(macros, "macros");
            Objects.requireNonNull(uninspected, "uninspected");
            Objects.requireNonNull(opened, "opened");
            if (passwordMailMinutes < 0 || passwordMailMinutes > MAX_PASSWORD_MAIL_MINUTES) {
                throw new IllegalArgumentException("passwordMailMinutes must be 0 to " + MAX_PASSWORD_MAIL_MINUTES
                        + ": " + passwordMailMinutes);
            }
        }

        /** Opened encrypted attachments handled as unopened ones, password mails looked for 30 minutes. */
        public Attachments(Handling encrypted, Handling macros, Handling uninspected) {
            this(encrypted, macros, uninspected, encrypted, DEFAULT_PASSWORD_MAIL_MINUTES);
        }

        /** Encrypted and macro attachments handled so, content not inspected left to the score. */
        public Attachments(Handling encrypted, Handling macros) {
            this(encrypted, macros, Handling.SCORE);
        }

        /** The handling for a finding code; {@code SCORE} for codes this section does not govern. */
        public Handling handling(String code) {
            return switch (code) {
                case ENCRYPTED_CODE -> encrypted;
                case MACRO_CODE, REMOTE_CONTENT_CODE, DDE_CODE, PDF_LAUNCH_CODE -> macros;
                case UNINSPECTED_CODE -> uninspected;
                case OPENED_CODE -> opened;
                default -> Handling.SCORE;
            };
        }

        /** The minimum action a finding imposes through this section, or {@link Action#DELIVER}. */
        public Action minimum(String code) {
            return switch (handling(code)) {
                case QUARANTINE -> Action.QUARANTINE;
                case TAG -> Action.TAG;
                case STRIP, SCORE -> Action.DELIVER;
            };
        }

        /** The finding codes whose parts are stripped. */
        public Set<String> stripCodes() {
            Set<String> codes = new LinkedHashSet<>();
            if (encrypted == Handling.STRIP) {
                codes.add(ENCRYPTED_CODE);
            }
            if (macros == Handling.STRIP) {
                codes.addAll(MACRO_CODES);
            }
            if (uninspected == Handling.STRIP) {
                codes.add(UNINSPECTED_CODE);
            }
            if (opened == Handling.STRIP) {
                codes.add(OPENED_CODE);
            }
            return Set.copyOf(codes);
        }
    }

    /**
     * Disarm (メール無害化) of inbound mail ({@code disarm.*}): active and remote content removed from HTML,
     * optionally HTML turned into text, links shown but not clickable.
     *
     * @param enabled     whether disarm runs at all
     * @param applyTo     which inbound messages are disarmed
     * @param htmlToText  HTML body parts become text/plain
     * @param defangLinks links become text such as {@code hxxps://example[.]com/} beside the link text
     */
    public record Disarm(boolean enabled, ApplyTo applyTo, boolean htmlToText, boolean defangLinks) {

        /** Used for absent keys: off; when turned on, every external message, HTML kept, links defanged. */
        public static final Disarm DEFAULT = new Disarm(false, ApplyTo.EXTERNAL, false, true);

        /**
         * {@code EXTERNAL}: every message that arrives on the inbound (MX) listener, i.e. from the internet,
         * whatever its From says; {@code TAGGED}: only inbound messages whose verdict is TAG or HOLD.
         */
        public enum ApplyTo { EXTERNAL, TAGGED }

        public Disarm {
            Objects.requireNonNull(applyTo, "applyTo");
        }

        /** Whether an inbound message with this action is disarmed (QUARANTINE keeps the original for analysts). */
        public boolean appliesTo(Action action) {
            if (!enabled || action == Action.QUARANTINE || action == Action.REJECT) {
                return false;
            }
            return applyTo == ApplyTo.EXTERNAL || action != Action.DELIVER;
        }
    }

    /**
     * The global allow and block lists of the policy ({@code lists}).
     *
     * @param entries             the entries written in the policy, in order (source POLICY, ref the key path)
     * @param file                the list file as written ({@code lists.file}; relative to the policy file's
     *                            directory), or empty
     * @param allowNeverOverrides finding codes that keep their weight and forced action when the sender is
     *                            allow-listed ({@code lists.allow.never_overrides})
     */
    public record Lists(List<ListEntry> entries, Optional<String> file, Set<String> allowNeverOverrides) {

        /**
         * What an allow entry never overrides unless the policy says otherwise: an allow list vouches for who
         * sent a message, not for what it carries. Malware, programs and content that could not be inspected keep
         * their weight, as do authentication failures and explicit blocks, and links not all checked against them.
         */
        public static final Set<String> DEFAULT_ALLOW_NEVER_OVERRIDES = Set.of(
                "MALWARE_FOUND", "AV_UNAVAILABLE", "ANALYZER_FAILED", "ANALYZER_NOT_RUN",
                "ATTACHMENT_EXECUTABLE", "ATTACHMENT_EXECUTABLE_CONTENT", "ATTACHMENT_DOUBLE_EXTENSION",
                "ATTACHMENT_NAME_RTLO", "ATTACHMENT_TYPE_MISMATCH", "OFFICE_MACRO", "OFFICE_REMOTE_CONTENT",
                "OFFICE_DDE", "OFFICE_EQUATION_EDITOR", "PDF_LAUNCH_ACTION", "PDF_JAVASCRIPT", "RTF_DISGUISED",
                "HTML_ATTACHMENT_SCRIPT", "HTML_ATTACHMENT_FORM", "HTML_CREDENTIAL_FORM", "GTUBE",
                "ARCHIVE_BOMB", "ARCHIVE_TOO_DEEP", "ENCRYPTED_ARCHIVE", "ENCRYPTED_ARCHIVE_OPENED", "ATTACHMENT_NOT_INSPECTED",
                "MIME_TOO_DEEP", "MIME_TOO_MANY_PARTS", "MIME_HEADER_LIMIT",
                "DMARC_FAIL", "DMARC_REJECT_POLICY_FAIL", "SENDER_BLOCKED", "LINK_BLOCKED", "LINK_CHECK_INCOMPLETE",
                "DOMAIN_BLOCKLISTED");

        /**
         * What an allow entry never overrides whatever {@code never_overrides} says: malware and the failures that leave
         * a message unscanned, programs, explicit blocks and a domain's request to reject what fails DMARC. Writing the
         * key replaces the rest of the defaults, never these (an empty list would otherwise let an allow-listed
         * partner's hijacked mailbox deliver a virus).
         */
        public static final Set<String> ALWAYS_COUNTED = Set.of(
                "MALWARE_FOUND", "AV_UNAVAILABLE", "ANALYZER_FAILED", "ANALYZER_NOT_RUN",
                "ATTACHMENT_EXECUTABLE", "ATTACHMENT_EXECUTABLE_CONTENT", "SENDER_BLOCKED", "LINK_BLOCKED",
                "LINK_CHECK_INCOMPLETE", "DMARC_REJECT_POLICY_FAIL");

        public static final Lists NONE = new Lists(List.of(), Optional.empty(), DEFAULT_ALLOW_NEVER_OVERRIDES);

        /** @param allowNeverOverrides as written; {@link #ALWAYS_COUNTED} is added to it */
        public Lists {
            entries = List.copyOf(entries);
            Objects.requireNonNull(file, "file");
            Set<String> counted = new java.util.HashSet<>(allowNeverOverrides);
            counted.addAll(ALWAYS_COUNTED);
            allowNeverOverrides = Set.copyOf(counted);
        }
    }

    /**
     * When a sender domain is a first contact ({@code first_contact}).
     *
     * @param windowDays   a domain not contacted for this many days counts as new again
     * @param learningDays no first contact is reported until the history is this many days old
     */
    public record FirstContact(int windowDays, int learningDays) {

        public static final FirstContact DEFAULT = new FirstContact(90, 14);

        public FirstContact {
            if (windowDays < 1 || learningDays < 0) {
                throw new IllegalArgumentException("window must be ≥ 1 day and learning ≥ 0 days");
            }
        }

        public Duration window() {
            return Duration.ofDays(windowDays);
        }

        public Duration learning() {
            return Duration.ofDays(learningDays);
        }
    }
}
