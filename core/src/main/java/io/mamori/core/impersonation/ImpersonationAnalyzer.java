package io.mamori.core.impersonation;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.brand.Brands;
import io.mamori.core.link.FreeHosting;
import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.message.Mailbox;
import io.mamori.core.text.ConfusableSkeleton;
import io.mamori.core.text.HostHomographs;
import java.net.IDN;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for a sender pretending to be someone the recipient trusts. It reports {@code LOOKALIKE_DOMAIN} (the From
 * domain's organisation is not a protected one but looks like one: the same confusable skeleton, a small edit
 * distance, or the protected name with extra words; or a protected domain is written whole inside it,
 * {@code example.co.jp.evil.example}; failing the From, the same of a Reply-To or the envelope sender,
 * {@link ProtectedDomains}), {@code DISPLAY_NAME_IMPERSONATION} (the From display name is
 * a protected person's name or alias, or from outside a part of it with an executive's title, but the address is not
 * theirs: {@link #displayName}), {@code REPLY_TO_MISMATCH} (replies go to another
 * organisation than From; with {@code REPLY_TO_FREEMAIL}, weight 0, when that is a free mailbox) and
 * {@code RETURN_PATH_MISMATCH} (the envelope sender is another organisation; common
 * and legitimate with mailing lists and mail services, hence its low catalogue weight). It also reports
 * {@code BRAND_IMPERSONATION} (the display name, or a word of the sender's domain, names a brand from
 * {@link Brands} but the address is not at one of the brand's domains; more when it is a free mailbox) and
 * {@code DISPLAY_NAME_ADDRESS_MISMATCH} (the display name shows an address of another organisation than the real
 * one, {@code "service@paypal.com" <x@elsewhere.example>}) and {@code SERVICE_NAME_ON_FREEMAIL} (a service desk's or
 * a system's name, "Customer Support", on a free mailbox) and {@code SENDER_ON_FREE_HOSTING} (an address on the
 * domain of a service where anyone creates a site or app under the service's name, {@link FreeHosting}) and
 * {@code FROM_NAME_DETACHED} (the From field shows a name apart from its address, {@link Mailbox#detachedName}) and
 * {@code SENDER_DOMAIN_HOMOGRAPH} (the From domain mixes scripts in a label, or is written in Latin look-alikes of
 * another script, {@link HostHomographs}; not when it already is a {@code LOOKALIKE_DOMAIN}). An
 * organisation is the
 * registrable domain of the Public Suffix List. Domain labels shorter than {@value #MIN_LABEL} characters are
 * never compared: short names collide by chance. The settings are read from the supplier once per message, so a
 * policy reload applies to the next message. Thread-safe when the supplier is.
 */
public final class ImpersonationAnalyzer implements Analyzer {

    static final String LOOKALIKE_DOMAIN = "LOOKALIKE_DOMAIN";
    static final String DISPLAY_NAME = "DISPLAY_NAME_IMPERSONATION";
    static final String REPLY_TO = "REPLY_TO_MISMATCH";
    static final String REPLY_TO_FREEMAIL = "REPLY_TO_FREEMAIL";
    static final String RETURN_PATH = "RETURN_PATH_MISMATCH";
    static final String BRAND = "BRAND_IMPERSONATION";
    static final String NAME_ADDRESS = "DISPLAY_NAME_ADDRESS_MISMATCH";
    static final String NAME_ORGANISATION = "DISPLAY_NAME_ORGANISATION_IMPERSONATION";
    static final String SERVICE_NAME_ON_FREEMAIL = "SERVICE_NAME_ON_FREEMAIL";
    static final String SENDER_ON_FREE_HOSTING = "SENDER_ON_FREE_HOSTING";
    static final String FROM_NAME_DETACHED = "FROM_NAME_DETACHED";
    static final String SENDER_DOMAIN_HOMOGRAPH = "SENDER_DOMAIN_HOMOGRAPH";
    /**
     * Display names of a company's service desks and systems. A support desk, a billing or security team, a mail
     * administrator or a notification system writes from its company's domain, never from a free mailbox; on a free
     * mailbox these names are a disguise. Names that small organisations do use on free mailboxes (事務局, 窓口, a
     * shop's own name) are not listed. The English names end at anything but an ASCII letter, digit or {@code _}, so
     * that they count glued to Japanese ({@code Apple Support窓口}), where Java 17's {@code \\b} saw no word end.
     */
    private static final Pattern SERVICE_NAME = Pattern.compile("(?iu)(?<![a-z0-9_])(?:customer (?:service|support|care)|"
            + "(?:technical |tech |it |account |billing |security |client )?support(?: team| center| centre| desk)?|"
            + "help ?desk|service ?desk|security (?:team|department|center|centre)|account(?:s)? (?:team|department)|"
            + "billing (?:team|department)|(?:mail|email|e-mail|system|network) admin(?:istrator)?|administrator|webmaster|"
            + "it (?:department|helpdesk|team)|no-?reply|notifications?|service (?:center|centre)|verification team)(?![a-z0-9_])"
            + "|カスタマーサポート|カスタマーセンター|サポートセンター|サポートデスク|サポート窓口|お客様センター|お客さまセンター"
            + "|ヘルプデスク|システム管理者|メール管理者|セキュリティセンター|セキュリティチーム");
    /** A brand named on a free mailbox: a brand never writes to its customers from one. */
    static final double BRAND_ON_FREEMAIL = 1.5;
    /** A brand named in disguise (look-alike letters, spelt out letter by letter): no one writes an honest name so. */
    static final double BRAND_DISGUISED = 1.5;
    private static final Set<String> PROVIDER_MAILBOXES = Set.of("postmaster", "mailer-daemon", "hostmaster", "abuse");
    /** Replies diverted to a free mailbox. */
    static final double REPLY_TO_FREEMAIL_MULTIPLIER = 1.5;
    /** Mailing lists that rewrite From say so in the display name ("'Taro' via Group"): that is not a disguise. */
    private static final Pattern VIA = Pattern.compile("(?i)(^|\\s)via\\s");

    static final int MIN_LABEL = ProtectedDomains.MIN_LABEL;
    /** A protected name shorter than this must match the display name whole, not as a part of it. */
    static final int MIN_CONTAINED_NAME = 3;
    private static final int MAX_SHOWN_NAME = 64;
    /** Characters people put between the parts of a name: spaces, commas, dots and the Japanese middle dot. */
    private static final Pattern NAME_SEPARATORS = Pattern.compile("[\\s\\p{Z},.・･·]+");
    /**
     * What is left out when names are compared: {@link #NAME_SEPARATORS}, and the other characters that only space a
     * name out on screen (hyphens and dashes, underscores, slashes, vertical bars, the blank braille pattern U+2800
     * that renders as a space): {@code 山田_太郎} and {@code 山田\u2800太郎} read as 山田太郎.
     */
    private static final Pattern SPACING = Pattern.compile("[\\s\\p{Z}\\p{Pd},.・･·_/|\\u2800]+");
    /**
     * Titles a name is written with in mail that borrows an executive's authority ("山田社長", "社長 山田", "CEO Yamada"),
     * compared as {@link #compactText} writes them. Longer titles first is not needed: a name is compared whole.
     */
    private static final List<String> TITLES = List.of("代表取締役社長", "代表取締役", "取締役社長", "社長", "副社長", "会長",
            "代表", "専務取締役", "常務取締役", "専務", "常務", "取締役", "執行役員", "役員", "理事長", "頭取", "本部長", "部長",
            "ceo", "cfo", "coo", "cto", "president", "chairman", "chairwoman", "chair", "director", "managingdirector");

    private final Supplier<ImpersonationSettings> settings;
    private final PublicSuffixList suffixes = PublicSuffixList.builtIn();
    private final ConfusableSkeleton skeletons = ConfusableSkeleton.builtIn();
    private final Brands brands = Brands.builtIn();
    /** Racing threads may both prepare the same settings; either result is correct. */
    private volatile Protected prepared;

    /** @param settings the protected domains and people, asked once per message (policy reloads apply) */
    public ImpersonationAnalyzer(Supplier<ImpersonationSettings> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "impersonation";
    }

    @Override
    public Set<String> codes() {
        return new LinkedHashSet<>(List.of(LOOKALIKE_DOMAIN, DISPLAY_NAME, REPLY_TO, REPLY_TO_FREEMAIL, RETURN_PATH, BRAND,
                NAME_ADDRESS, NAME_ORGANISATION, SERVICE_NAME_ON_FREEMAIL, SENDER_ON_FREE_HOSTING, FROM_NAME_DETACHED,
                SENDER_DOMAIN_HOMOGRAPH));
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        Optional<String> fromField = input.message().header("From");
        Optional<Mailbox> maybeFrom = fromField.flatMap(Mailbox::sender);
        if (maybeFrom.isEmpty()) {
            return List.of();
        }
        ImpersonationSettings current = Objects.requireNonNull(settings.get(), "impersonation settings");
        Mailbox from = maybeFrom.get();
        Optional<String> fromOrganisation = from.domain().flatMap(this::organisation);
        List<Finding> findings = new ArrayList<>();
        fromField.flatMap(Mailbox::detachedName).ifPresent(name -> findings.add(
                Finding.of(FROM_NAME_DETACHED, "name=" + shown(name) + " address=" + from.address())));
        ProtectedDomains targets = protectedFor(current).domains();
        Optional<Finding> lookalike = lookalike("from", from.domain(), targets);
        lookalike.ifPresent(findings::add);
        if (lookalike.isEmpty()) {
            // the same disguise is one fact: a homograph of a protected domain is already LOOKALIKE_DOMAIN
            from.domain().flatMap(ImpersonationAnalyzer::homograph).ifPresent(findings::add);
            // replies and bounces sent to a look-alike of our own or a partner's domain, behind a From that may
            // be genuine-looking: reported once, as the From's would be
            replyToLookalike(input, targets)
                    .or(() -> lookalike("mail-from", Mailbox.domainOf(input.envelope().mailFrom()), targets))
                    .ifPresent(findings::add);
        }
        displayName(from, fromOrganisation, current).ifPresent(findings::add);
        if (fromOrganisation.isPresent() && !targets.organisations().contains(fromOrganisation.get())) {
            Optional<Finding> brand = brand(input, from, fromOrganisation.get());
            Optional<Finding> address = addressInName(from, fromOrganisation.get());
            brand.ifPresent(findings::add);
            address.ifPresent(findings::add);
            if (brand.isEmpty() && address.isEmpty()) {
                // the same display name is one fact: reported once, by the most specific finding
                Optional<Finding> organisation = organisationInName(from, fromOrganisation.get(), current);
                organisation.ifPresent(findings::add);
                if (organisation.isEmpty()) {
                    serviceNameOnFreemail(from).ifPresent(findings::add);
                }
            }
        }
        // an address on a hosting service's domain, which anyone gets with a project there (Firebase's
        // noreply@<project>.firebaseapp.com): a company writes from its own domain
        from.domain().map(d -> d.toLowerCase(Locale.ROOT)).flatMap(d -> FreeHosting.shipped().domainAbove(d)
                .map(service -> Finding.of(SENDER_ON_FREE_HOSTING, "from=" + d + " (" + service + ")")))
                .ifPresent(findings::add);
        if (fromOrganisation.isPresent()) {
            String org = fromOrganisation.get();
            findings.addAll(replyTo(input, org));
            Mailbox.domainOf(input.envelope().mailFrom()).flatMap(this::organisation)
                    .filter(envelopeOrg -> !envelopeOrg.equals(org))
                    .ifPresent(envelopeOrg -> findings.add(
                            Finding.of(RETURN_PATH, "from=" + org + " mail-from=" + envelopeOrg)));
        }
        return findings;
    }

    /** A brand's name in the display name (or among the domain's words) on an address that is not the brand's. */
    private Optional<Finding> brand(AnalysisInput input, Mailbox from, String fromOrganisation) {
        String domain = from.domain().orElse("");
        boolean freemail = brands.isFreemail(domain);
        // an address of another organisation written in the display name is DISPLAY_NAME_ADDRESS_MISMATCH's business
        Optional<Brands.Named> named = brands.namedByFrom(input);
        if (named.isPresent()) {
            Brands.Brand b = named.get().brand();
            boolean disguised = named.get().disguised();
            boolean owned = b.owns(fromOrganisation);
            // postmaster@ and the like belong to the provider itself (RFC 5321 §4.5.1, RFC 2142), never to a user
            // of its free mailboxes: Microsoft's own delivery reports come from postmaster@outlook.com
            if (owned && (!freemail || PROVIDER_MAILBOXES.contains(localPart(from.address())))) {
                return Optional.empty();
            }
            // a brand's own free mailbox service (an outlook.com user calling himself Microsoft) counts once
            // a name in disguise (look-alike letters, spelt out) is never a partner's honest mention of the brand
            double multiplier = disguised ? BRAND_DISGUISED : freemail && !owned ? BRAND_ON_FREEMAIL : 1.0;
            return Optional.of(new Finding(BRAND, multiplier, "name=" + shown(from.displayName()) + " from=" + domain
                    + " brand=" + b.name() + (disguised ? " (disguised name)" : "") + (freemail ? " (free mailbox)" : "")));
        }
        // the words of the registrable name only: paypal-secure.example, not a host someone named apple.example.com
        String registrableLabel = fromOrganisation.contains(".") ? fromOrganisation.substring(0, fromOrganisation.indexOf('.'))
                : fromOrganisation;
        return brands.inDomainName(registrableLabel).filter(b -> !b.owns(fromOrganisation))
                .map(b -> Finding.of(BRAND, "from=" + domain + " brand=" + b.name() + " (brand name in the domain)"));
    }

    /** A service desk's or a system's name ("Customer Support", "Mail Administrator") on a free mailbox. */
    private Optional<Finding> serviceNameOnFreemail(Mailbox from) {
        String domain = from.domain().orElse("");
        String name = from.displayName();
        // postmaster@ and the like are the provider's own service mailboxes (RFC 2142): its bounces come from there
        if (name.isEmpty() || !brands.isFreemail(domain) || VIA.matcher(name).find()
                || PROVIDER_MAILBOXES.contains(localPart(from.address()))) {
            return Optional.empty();
        }
        Matcher m = SERVICE_NAME.matcher(Normalizer.normalize(name, Normalizer.Form.NFKC));
        return m.find() ? Optional.of(Finding.of(SERVICE_NAME_ON_FREEMAIL, "name=" + shown(name) + " from=" + domain
                + " shows " + m.group().strip())) : Optional.empty();
    }

    /**
     * Our own or a protected partner's domain, or its name, in the display name of mail from outside it: "example.co.jp
     * IT Support", "mamori-shoji 経理部", the pretext of mailbox-quota and password-expiry phishing aimed at a
     * company's own staff.
     */
    private Optional<Finding> organisationInName(Mailbox from, String fromOrganisation, ImpersonationSettings current) {
        String name = from.displayName();
        if (name.isEmpty() || VIA.matcher(name).find()) {
            return Optional.empty();
        }
        String folded = Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        Protected targets = protectedFor(current);
        for (String organisation : targets.domains().organisations()) {
            if (containsWord(folded, organisation)) {
                return Optional.of(Finding.of(NAME_ORGANISATION, "name=" + shown(name) + " from=" + fromOrganisation
                        + " shows " + organisation));
            }
        }
        String senderLabel = ProtectedDomains.Name.of(fromOrganisation, skeletons).label();
        for (ProtectedDomains.Name target : targets.domains().names()) {
            // a sender whose own name is the same word ("Example" from example.com, when we are example.co.jp) names
            // itself; that coincidence is LOOKALIKE_DOMAIN's (same name, other suffix)
            if (target.label().equals(senderLabel)) {
                continue;
            }
            if (target.label().chars().allMatch(c -> c < 0x80) && containsWord(folded, target.label())) {
                return Optional.of(Finding.of(NAME_ORGANISATION, "name=" + shown(name) + " from=" + fromOrganisation
                        + " shows " + target.label()));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code word} occurs in {@code text} as a name of its own: no letter, digit, dot, hyphen or {@code @} on
     * either side, so that it is not a piece of some other domain or address.
     */
    private static boolean containsWord(String text, String word) {
        for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
            int end = at + word.length();
            boolean before = at > 0 && partOfName(text.charAt(at - 1));
            boolean after = end < text.length() && partOfName(text.charAt(end));
            if (!before && !after) {
                return true;
            }
        }
        return false;
    }

    private static boolean partOfName(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '@';
    }

    /** An address shown in the display name whose organisation is not the sender's. */
    private Optional<Finding> addressInName(Mailbox from, String fromOrganisation) {
        String name = from.displayName();
        if (name.indexOf('@') < 0 || VIA.matcher(name).find()) {
            return Optional.empty();
        }
        Matcher m = Brands.ADDRESS_IN_NAME.matcher(Normalizer.normalize(name, Normalizer.Form.NFKC));
        while (m.find()) {
            Optional<String> shownOrg = organisation(m.group(1));
            if (shownOrg.isPresent() && !shownOrg.get().equals(fromOrganisation)) {
                return Optional.of(Finding.of(NAME_ADDRESS, "name shows " + shownOrg.get() + ", from=" + fromOrganisation));
            }
        }
        return Optional.empty();
    }

    private static String localPart(String address) {
        int at = address.lastIndexOf('@');
        return (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
    }

    private static String shown(String name) {
        return name.length() > MAX_SHOWN_NAME ? name.substring(0, MAX_SHOWN_NAME) + "…" : name;
    }

    /**
     * {@code REPLY_TO_MISMATCH} when replies go to another organisation, and beside it {@code REPLY_TO_FREEMAIL}
     * (weight 0) when that address is a free mailbox: a fact that composites combine with scam wording, since a
     * mailing list or a mail service diverts replies to its own domain, never to a free mailbox.
     */
    private List<Finding> replyTo(AnalysisInput input, String fromOrganisation) {
        for (String value : input.message().headers("Reply-To")) {
            for (Mailbox mailbox : Mailbox.parseList(value)) {
                Optional<String> org = mailbox.domain().flatMap(this::organisation);
                if (org.isPresent() && !org.get().equals(fromOrganisation)) {
                    // Replies diverted to a free mailbox are how advance-fee and BEC fraud collect answers;
                    // mailing lists and services divert them to their own domains instead.
                    boolean freemail = mailbox.domain().filter(brands::isFreemail).isPresent();
                    String evidence = "from=" + fromOrganisation + " reply-to=" + org.get();
                    Finding mismatch = new Finding(REPLY_TO, freemail ? REPLY_TO_FREEMAIL_MULTIPLIER : 1.0,
                            evidence + (freemail ? " (free mailbox)" : ""));
                    return freemail ? List.of(mismatch, Finding.of(REPLY_TO_FREEMAIL, evidence)) : List.of(mismatch);
                }
            }
        }
        return List.of();
    }

    /**
     * {@code LOOKALIKE_DOMAIN} for a domain ({@code role}: from, reply-to, mail-from) that imitates a protected
     * organisation: written inside the domain whole ({@code example.co.jp.evil.example}, which reads as ours up to
     * where most readers stop), or a look-alike registrable domain.
     */
    private Optional<Finding> lookalike(String role, Optional<String> domain, ProtectedDomains targets) {
        Optional<String> ascii = domain.flatMap(ProtectedDomains::asciiDomain);
        if (ascii.isEmpty()) {
            return Optional.empty();
        }
        String organisation = suffixes.registrableDomain(ascii.get()).orElse(ascii.get());
        return targets.embeddedIn(ascii.get(), organisation)
                .map(target -> Finding.of(LOOKALIKE_DOMAIN, role + "=" + ascii.get() + " looks like " + target
                        + " (" + target + " inside the domain)"))
                .or(() -> targets.lookalike(organisation)
                        // the same name under another suffix is a weak sign even in From; behind another From it is
                        // most often an unrelated company's list or bounce address (REPLY_TO_MISMATCH says enough)
                        .filter(r -> role.equals("from") || r.multiplier() >= 1.0)
                        .map(r -> new Finding(LOOKALIKE_DOMAIN, r.multiplier(),
                                role + "=" + r.shown() + " looks like " + r.target() + " (" + r.why() + ")")));
    }

    private Optional<Finding> replyToLookalike(AnalysisInput input, ProtectedDomains targets) {
        for (String value : input.message().headers("Reply-To")) {
            for (Mailbox mailbox : Mailbox.parseList(value)) {
                Optional<Finding> found = lookalike("reply-to", mailbox.domain(), targets);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** The protected names of these settings, prepared once per settings object rather than once per message. */
    private Protected protectedFor(ImpersonationSettings current) {
        Protected cached = prepared;
        if (cached != null && cached.source() == current) {
            return cached;
        }
        Protected fresh = new Protected(current, ProtectedDomains.of(current), current.people().stream()
                .map(ImpersonationAnalyzer::namesOf).toList(), current.internalDomains().stream()
                .map(this::organisation).flatMap(Optional::stream).collect(java.util.stream.Collectors.toUnmodifiableSet()));
        prepared = fresh;
        return fresh;
    }

    /**
     * {@code DISPLAY_NAME_IMPERSONATION}: a protected person's name or one of their aliases in the display name of an
     * address not theirs (the display name as its forms, {@link #nameForms}, or holding one whole when it has three
     * characters or more); or, on an address outside our own organisations, a part of the name with an executive's
     * title and nothing else ({@code 山田社長}, {@code 社長 山田}, {@code President Suzuki}), which is how BEC mail signs
     * for the president, while a colleague of the same family name inside the company may well be {@code 山田部長}.
     * Evidence names the person when the name shown is an alias or a titled part.
     */
    private Optional<Finding> displayName(Mailbox from, Optional<String> fromOrganisation, ImpersonationSettings current) {
        String shown = from.displayName();
        if (shown.isEmpty() || current.people().isEmpty()) {
            return Optional.empty();
        }
        Protected targets = protectedFor(current);
        String compact = compactName(shown);
        boolean outside = fromOrganisation.filter(targets.internal()::contains).isEmpty();
        String name = shown.length() > MAX_SHOWN_NAME ? shown.substring(0, MAX_SHOWN_NAME) + "…" : shown;
        String evidence = "name=" + name + " address=" + from.address();
        for (Names person : targets.people()) {
            if (person.person().addresses().contains(from.address())) {
                continue;
            }
            for (Names.Written written : person.names()) {
                for (String form : written.forms()) {
                    boolean contained = written.containable() && compact.contains(form);
                    if (!form.isEmpty() && (compact.equals(form) || contained)) {
                        return Optional.of(Finding.of(DISPLAY_NAME, evidence + (written.alias()
                                ? " (alias of " + person.person().displayName() + ")" : "")));
                    }
                }
            }
            if (outside && person.titled().contains(compact)) {
                return Optional.of(Finding.of(DISPLAY_NAME, evidence + " (" + person.person().displayName()
                        + " with a title)"));
            }
        }
        return Optional.empty();
    }

    /**
     * One protected person's names as compared: the display name and each alias ({@link Names.Written}), and the parts
     * of each, and each whole, with a title before or after ({@link #TITLES}; {@code 社長の山田} too).
     */
    private static Names namesOf(ProtectedPerson person) {
        List<Names.Written> names = new ArrayList<>();
        Set<String> titled = new java.util.HashSet<>();
        List<String> all = new ArrayList<>();
        all.add(person.displayName());
        all.addAll(person.aliases());
        for (int i = 0; i < all.size(); i++) {
            String written = compactText(all.get(i));
            // the length as the name is written: a skeleton may be longer (m is rn, 今 is three Hangul letters)
            names.add(new Names.Written(nameForms(all.get(i)), written.codePointCount(0, written.length())
                    >= MIN_CONTAINED_NAME, i > 0));
            Set<String> parts = new LinkedHashSet<>();
            parts.add(written);
            for (String part : NAME_SEPARATORS.split(Normalizer.normalize(all.get(i), Normalizer.Form.NFKC).strip())) {
                String p = compactText(part);
                // a single Latin letter is an initial, no name; a single kanji is a family name (林)
                if (!p.isEmpty() && !(p.codePointCount(0, p.length()) < 2 && p.chars().allMatch(c -> c < 0x80))) {
                    parts.add(p);
                }
            }
            for (String part : parts) {
                for (String title : TITLES) {
                    titled.add(ConfusableSkeleton.builtIn().skeleton(part + title));
                    titled.add(ConfusableSkeleton.builtIn().skeleton(title + part));
                    titled.add(ConfusableSkeleton.builtIn().skeleton(title + "の" + part));
                }
            }
        }
        return new Names(person, List.copyOf(names), Set.copyOf(titled));
    }

    /**
     * A protected person's names, prepared once per settings.
     *
     * @param person the person
     * @param names  the display name and the aliases, as compared
     * @param titled the parts of each name and each whole with a title, as {@link #compactName} writes them
     */
    private record Names(ProtectedPerson person, List<Written> names, Set<String> titled) {
        /**
         * @param forms       {@link #nameForms} of the name
         * @param containable whether a display name holding a form counts (three characters or more as written)
         * @param alias       whether the name is an alias
         */
        record Written(Set<String> forms, boolean containable, boolean alias) {
        }
    }

    /** The name as written and, for a two-part name, the parts swapped (山田 太郎 / Taro Yamada either way round). */
    static Set<String> nameForms(String displayName) {
        String normalised = Normalizer.normalize(displayName, Normalizer.Form.NFKC).strip();
        Set<String> forms = new LinkedHashSet<>();
        forms.add(compactName(normalised));
        String[] parts = NAME_SEPARATORS.split(normalised);
        if (parts.length == 2) {
            forms.add(compactName(parts[1] + parts[0]));
        }
        return forms;
    }

    /**
     * NFKC (full-width to half-width), separators removed, case folded, then the confusable skeleton: a mail client
     * shows {@code 山\u200B田太郎} and {@code Tаro} with a Cyrillic а as the protected name itself, so the name is
     * compared as it looks. The skeleton drops the default-ignorable code points (zero-width characters, soft hyphen,
     * Hangul filler, variation selectors, tag characters) and reads look-alikes of every script by one prototype.
     */
    static String compactName(String name) {
        return ConfusableSkeleton.builtIn().skeleton(compactText(name));
    }

    /**
     * NFKC, marks a reader passes over dropped ({@link #withoutMarks}), spacing removed ({@link #SPACING}), case folded:
     * the name as written, before its skeleton. A spacing dakuten or handakuten (U+309B, U+309C) is read as the
     * combining one first, so that it voices the kana before it.
     */
    private static String compactText(String name) {
        // the spacing voicing marks ゛ ゜ after a kana read as its dakuten (ヤマタ゛ is ヤマダ on screen); NFKC would make
        // them a space and a mark that combines with nothing
        String nfkc = withoutMarks(Normalizer.normalize(name.replace('\u309B', '\u3099').replace('\u309C', '\u309A'),
                Normalizer.Form.NFKC));
        return SPACING.matcher(nfkc).replaceAll("").toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    /**
     * {@code text} (NFKC) without its combining marks (Unicode categories Mn and Me): accents ({@code Tarō} reads as
     * Taro to someone who knows the name), and marks put where they combine with nothing ({@code 山田\u0301},
     * {@code 田\u3099}: a dakuten on a kanji), which the eye passes over. The voicing marks of kana are kept: ダ is
     * not タ, and a decomposed {@code タ\u3099} is ダ as NFC composes it. The same instance when there is no mark.
     */
    static String withoutMarks(String text) {
        String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
        boolean marks = false;
        for (int i = 0; i < nfd.length() && !marks; i++) {
            int type = Character.getType(nfd.charAt(i));
            marks = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK;
        }
        if (!marks) {
            return text;
        }
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int c = nfd.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            boolean kanaVoicing = (c == 0x3099 || c == 0x309A) && out.length() > 0 && isKana(out.charAt(out.length() - 1));
            if ((type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK) || kanaVoicing) {
                out.appendCodePoint(c);
            }
        }
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }

    private static boolean isKana(char c) {
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HIRAGANA || script == Character.UnicodeScript.KATAKANA;
    }

    /**
     * A From domain written to pass for another ({@link HostHomographs}): letters of several scripts in one label
     * (×2, TAG on its own: no one registers such a name to write from honestly), or a label all of Latin look-alikes of
     * another script (×1). Evidence: the ASCII domain and its Unicode form, as {@code LINK_PUNYCODE} shows a link's.
     */
    private static Optional<Finding> homograph(String domain) {
        Optional<String> ascii = ProtectedDomains.asciiDomain(domain);
        if (ascii.isEmpty() || !(ascii.get().startsWith("xn--") || ascii.get().contains(".xn--"))) {
            return Optional.empty(); // every label plain ASCII: nothing to pass for anything
        }
        String unicode;
        try {
            unicode = IDN.toUnicode(ascii.get(), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return HostHomographs.of(unicode).map(kind -> new Finding(SENDER_DOMAIN_HOMOGRAPH,
                kind == HostHomographs.Kind.MIXED_SCRIPTS ? 2.0 : 1.0, "from=" + ascii.get() + " (" + unicode + ")"));
    }

    /** The registrable domain (lower-case ASCII) of a domain name, or the name itself when it has none. */
    private Optional<String> organisation(String domain) {
        return ProtectedDomains.asciiDomain(domain).map(ascii -> suffixes.registrableDomain(ascii).orElse(ascii));
    }

    /**
     * The protected organisations of one settings object.
     *
     * @param source   the settings they were prepared from (compared by identity)
     * @param domains  their organisations and names
     * @param people   the protected people's names as compared
     * @param internal the registrable domains of our own domains
     */
    private record Protected(ImpersonationSettings source, ProtectedDomains domains, List<Names> people,
            Set<String> internal) {
    }
}
