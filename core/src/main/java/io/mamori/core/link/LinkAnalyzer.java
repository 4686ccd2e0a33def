package io.mamori.core.link;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.brand.Brands;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.evasion.Invisibles;
import io.mamori.core.impersonation.ImpersonationSettings;
import io.mamori.core.impersonation.ProtectedDomains;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.CalendarText;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.text.HostHomographs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Examines the links of a message: {@code a[href]}, {@code area[href]} and {@code form[action]} of HTML parts
 * (parsed by jsoup, never rendered), the destination of a {@code <meta http-equiv="refresh">}
 * ({@link MessageLinks#refreshTarget}), {@code img[src]} for IP-literal hosts only, and URLs in plain text. It
 * reports {@code LINK_TEXT_MISMATCH} (the anchor text shows one registrable domain, the href goes to another),
 * {@code LINK_IP_LITERAL}, {@code LINK_PUNYCODE} (xn-- or non-ASCII host; double multiplier when a label mixes
 * scripts, the homograph trick), {@code LINK_SHORTENER}, {@code LINK_DANGEROUS_SCHEME} ({@code javascript:},
 * {@code vbscript:}, {@code data:}, file shares, search-ms, ms-msdt and the Office URI schemes, whose nested
 * document address is examined as a link too), {@code HTML_CREDENTIAL_FORM} (a password input, or a form posting to another
 * organisation than the From domain), {@code LINK_SUSPICIOUS_TLD}, {@code LINK_LOOKALIKE_DOMAIN} (a host imitating our
 * own or a partner's domain, {@link ProtectedDomains}), and {@code LINK_ACTION_ELSEWHERE} (weight 0: a
 * form, or a link whose text asks to sign in, verify, pay, view or click, leads to another organisation than the
 * From domain's and the claimed brand's; it only counts in composites with lure wording). The links of QR codes in
 * pictures, of PDF attachments and of Office documents ({@link EmbeddedLinks}) go through the same checks and add
 * {@code LINK_QR_CODE}, {@code LINK_QR_CODE_DISGUISED}, {@code LINK_IN_PDF} and {@code LINK_IN_DOCUMENT} (see
 * {@code scanEmbedded}). Each code appears at most once, its
 * evidence listing the distinct hosts (up to {@value #MAX_EVIDENCE_ITEMS}), so that many links never add up to a
 * high score by count alone: a newsletter with many links is normal. Work is bounded: at most
 * {@value #MAX_LINKS} links, {@value #MAX_HTML_CHARS} characters of HTML per part and {@value #MAX_TEXT_CHARS}
 * characters of plain text are examined. Immutable and thread-safe.
 */
public final class LinkAnalyzer implements Analyzer {

    static final String TEXT_MISMATCH = "LINK_TEXT_MISMATCH";
    static final String IP_LITERAL = "LINK_IP_LITERAL";
    /** {@code LINK_IP_LITERAL} for a button or sign-in link to an address on the internet: TAG on its own. */
    private static final double IP_BUTTON = 2.0;
    static final String PUNYCODE = "LINK_PUNYCODE";
    static final String SHORTENER = "LINK_SHORTENER";
    static final String DANGEROUS_SCHEME = "LINK_DANGEROUS_SCHEME";
    static final String CREDENTIAL_FORM = "HTML_CREDENTIAL_FORM";
    static final String SUSPICIOUS_TLD = "LINK_SUSPICIOUS_TLD";
    static final String DECEPTIVE_HOST = "LINK_DECEPTIVE_HOST";
    static final String OBFUSCATED = "LINK_OBFUSCATED";
    static final String FREE_HOSTING = "LINK_FREE_HOSTING";
    static final String STORAGE_PAGE = "LINK_STORAGE_PAGE";
    static final String OPEN_REDIRECT = "LINK_OPEN_REDIRECT";
    static final String LOOKALIKE = "LINK_LOOKALIKE_DOMAIN";
    /** Redirectors, rewriters and trackers followed one inside another at most (a Safe Link to a Google redirect). */
    private static final int MAX_REDIRECTS = 3;
    static final String BRAND_MISMATCH = "LINK_BRAND_MISMATCH";
    static final String SENDER_MISMATCH = "LINK_SENDER_MISMATCH";
    static final String UNUSUAL_PORT = "LINK_UNUSUAL_PORT";
    static final String IMAGE_ONLY = "HTML_IMAGE_ONLY";
    static final String ACTION_ELSEWHERE = "LINK_ACTION_ELSEWHERE";
    static final String QR_CODE = "LINK_QR_CODE";
    static final String QR_CODE_DISGUISED = "LINK_QR_CODE_DISGUISED";
    static final String IN_PDF = "LINK_IN_PDF";
    static final String IN_DOCUMENT = "LINK_IN_DOCUMENT";
    private static final List<String> CODES = List.of(TEXT_MISMATCH, IP_LITERAL, PUNYCODE, SHORTENER,
            DANGEROUS_SCHEME, CREDENTIAL_FORM, SUSPICIOUS_TLD, DECEPTIVE_HOST, OBFUSCATED, FREE_HOSTING, STORAGE_PAGE,
            OPEN_REDIRECT, BRAND_MISMATCH, SENDER_MISMATCH, UNUSUAL_PORT, IMAGE_ONLY, ACTION_ELSEWHERE, QR_CODE, QR_CODE_DISGUISED,
            IN_PDF, IN_DOCUMENT, LOOKALIKE);
    /** The codes that say a link's destination itself is suspect, whatever the text around it. */
    private static final Set<String> SUSPECT_DESTINATION = Set.of(IP_LITERAL, PUNYCODE, SHORTENER, DANGEROUS_SCHEME,
            SUSPICIOUS_TLD, DECEPTIVE_HOST, OBFUSCATED, FREE_HOSTING, STORAGE_PAGE, OPEN_REDIRECT, BRAND_MISMATCH,
            UNUSUAL_PORT, LOOKALIKE);
    /** Multiplier of LINK_QR_CODE for a code leading to the sender's own organisation (tickets, invoices). */
    static final double QR_OWN_SITE = 0.4;
    /** Multiplier of LINK_QR_CODE for a code leading to a suspect destination. */
    static final double QR_SUSPECT = 1.5;
    /** Fewer visible characters than this beside images and a link: the message is a picture of its text. */
    static final int IMAGE_ONLY_MAX_TEXT = 30;

    static final int MAX_LINKS = 500;
    static final int MAX_HTML_CHARS = 1_000_000;
    static final int MAX_TEXT_CHARS = 200_000;
    static final int MAX_EVIDENCE_ITEMS = 5;

    /**
     * Schemes no mail links to honestly. Script and inline documents; and the ways Windows opens something from a
     * remote share or runs a program without a browser in between: file shares (file, smb, webdav and UNC paths,
     * which also hand the reader's NTLM credentials to the share), Explorer's search over a remote share (search-ms,
     * search: the "open this folder" lure that shows a shortcut as a document), the support diagnostic tool (ms-msdt,
     * CVE-2022-30190), the app installer (ms-appinstaller) and the Office URI schemes, which open a remote document in
     * Word or Excel past the browser's download warnings.
     */
    private static final Set<String> DANGEROUS_SCHEMES = Set.of("javascript", "vbscript", "data", "file", "smb",
            "webdav", "search-ms", "search", "ms-msdt", "ms-appinstaller", "ms-officecmd", "ms-word", "ms-excel",
            "ms-powerpoint", "ms-visio", "ms-access", "ms-project", "ms-publisher", "ms-spd", "ms-infopath");
    /** A style that shows typed characters as dots, as a password field does. */
    private static final Pattern MASKED = Pattern.compile("(?i)-webkit-text-security\\s*:\\s*(?:disc|circle|square)");
    /** A field's name, label or autofill hint for a password (pw, passwd, current-password, パスワード, 暗証番号). */
    private static final Pattern PASSWORD_NAME = Pattern.compile("(?i)(?<![a-z])(?:pass(?:word|wd|wort|code)?|pwd?|"
            + "(?:current|new)-password)(?![a-z])|パスワード|暗証番号");
    /** Dot-separated ASCII labels where some dot is an ideographic full stop. */
    private static final Pattern IDEOGRAPHIC_DOTTED_NAME = Pattern.compile(
            "[a-z0-9-]+(?:[.\u3002][a-z0-9-]+)*\u3002[a-z0-9-]+(?:[.\u3002][a-z0-9-]+)*");
    /** What a UNC path ({@code \\host\share}) is reported as: Windows opens it as a file share. */
    private static final String UNC = "unc";
    /** A remote host after {@code //} or {@code \\} in a file-share or search location (before user info or a port). */
    private static final Pattern SHARE_HOST = Pattern.compile("(?:\\\\\\\\|//)([^\\\\/@:?#|\\s]{2,})");
    private static final Set<String> WEB_SCHEMES = Set.of("http", "https", "ftp");
    /** A domain name shown in anchor text (ASCII after NFKC, so full-width ｐａｙｐａｌ．ｃｏｍ counts too). */
    private static final Pattern SHOWN_DOMAIN = Pattern.compile(
            "(?<![a-z0-9-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}))(?![a-z0-9-])");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("^[0-9a-fx.]+$");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("^(?:[0-9]+|0x[0-9a-f]*)$");
    private static final Pattern FROM_ADDRESS_DOMAIN = Pattern.compile("@([^\\s<>@,;\"()\\[\\]]+)\\s*>?\\s*$");

    /**
     * Link text that asks the reader to act on an account; phishing puts its own address behind exactly these
     * words, while a brand's own mail sends them to the brand's domains. The English words not inside an ASCII word
     * rather than between word boundaries: Japanese link text glues them to kana ({@code Loginはこちら}), which Java
     * 17's {@code \\b} counts as word characters.
     */
    private static final Pattern ACCOUNT_ACTION = Pattern.compile("(?i)(?<![a-z0-9_])(?:verify|confirm|update|log ?in|sign ?in|"
            + "unlock|restore|reactivate|re-activate|activate|validate|prove|secure (?:your|my) account|access (?:your|my) account|"
            + "review (?:your|my) account|resolve)(?![a-z0-9_])|ログイン|サインイン|本人確認|確認する|確認はこちら|更新する|更新はこちら|認証|手続き");
    /**
     * A mailing's own housekeeping links ("update your preferences", "manage your subscription"): their words ask to
     * update, but a newsletter sends them to its mailing service, so they do not make the sender's own site a disguise.
     */
    private static final Pattern MAILING_HOUSEKEEPING = Pattern.compile("(?i)(?<![a-z0-9_])(?:preferences?|subscriptions?|"
            + "unsubscribe|opt[ -]?out|mailing list|email settings|e-mail settings)(?![a-z0-9_])|配信設定|配信停止|配信解除");
    /**
     * Generic calls to click, which a brand's own mail points at the brand's own domains. The Japanese ones without a
     * word boundary after them: Japanese runs on without spaces ({@code こちらをクリックしてください}, {@code こちらから}),
     * and Java 17's {@code \\b} counts kana as word characters, so it never held there. こちら begins nothing else in
     * link text; ここ only before a particle of direction or the end ({@code ここの天気} is no call to click).
     */
    private static final Pattern CLICK_HERE = Pattern.compile("(?i)^\\W*(?:click\\s+(?:here|below|the\\s+link|this\\s+link)|here)\\b"
            + "|^\\W*(?:こちら|ここ(?:[をからへで]|$|\\P{L}))|\\bclick here\\b");
    /**
     * Link text that starts like a button asking to act on something the message offers: view or download a shared
     * document, pay, claim, track or reschedule, listen to a voicemail; in Japanese and English, and the account
     * buttons of the Portuguese, Spanish, German, French, Dutch and Italian lures that {@code lure-phrases.tsv}
     * knows. With {@link #ACCOUNT_ACTION} and {@link #CLICK_HERE} it makes {@code LINK_ACTION_ELSEWHERE}.
     */
    private static final Pattern CALL_TO_ACTION = Pattern.compile("(?iu)^\\W*(?:view|open|download|review|pay|claim|"
            + "redeem|track|reschedule|listen|access|accept|sign|get started|continue|proceed|"
            + "acessar|acesse|verificar|verifique|confirmar|confirme|atualizar|atualize|regularizar|"
            + "acceder|accede|actualizar|actualice|"
            + "(?:jetzt\\s+)?(?:bestätigen|verifizieren|anmelden|aktualisieren)|"
            + "vérifier|confirmer|accéder|mettre à jour|"
            + "(?:nu\\s+)?(?:bevestigen|verifiëren|inloggen|bijwerken)|accedi|verifica|conferma|aggiorna)\\b|"
            + "^\\W*(?:詳細|表示|開く|ダウンロード|お支払い|支払う|受け取る|受取|再配達|確認|申請|手続)");
    /** Public suffixes under which the sites that phishing imitates usually are. */
    private static final Set<String> COMMON_SUFFIXES = Set.of("com", "net", "org", "edu", "gov", "info", "biz",
            "jp", "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "lg.jp", "us", "uk", "co.uk", "org.uk", "ac.uk",
            "de", "fr", "it", "es", "nl", "ca", "au", "com.au", "br", "com.br", "cn", "com.cn", "kr", "co.kr", "in",
            "co.in", "ru", "com.tw", "com.hk", "sg", "com.sg");
    /** A domain name as a path segment ("evil.example/www.paypal.com/..."). */
    private static final Pattern PATH_DOMAIN = Pattern.compile(
            "(?i)^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,8}[a-z]{2,63}$");

    private final PublicSuffixList suffixes;
    private final Set<String> shorteners;
    private final Set<String> suspiciousTlds;
    private final FreeHosting freeHosting;
    private final Brands brands;
    private final Supplier<ImpersonationSettings> protection;
    /** Racing threads may both prepare the same settings; either result is correct. */
    private volatile Prepared prepared;

    /**
     * With the shipped Public Suffix List, shortener, suspicious TLD, free hosting and brand lists, and no protected
     * organisations.
     */
    public LinkAnalyzer() {
        this(ImpersonationSettings::none);
    }

    /**
     * @param protection our own and our partners' domains, whose look-alikes in links are
     *                   {@code LINK_LOOKALIKE_DOMAIN}; asked once per message (policy reloads apply)
     */
    public LinkAnalyzer(Supplier<ImpersonationSettings> protection) {
        this.protection = java.util.Objects.requireNonNull(protection, "protection");
        this.suffixes = PublicSuffixList.builtIn();
        this.shorteners = loadList("shorteners.txt");
        this.suspiciousTlds = loadList("suspicious-tlds.txt");
        this.freeHosting = FreeHosting.shipped();
        this.brands = Brands.builtIn();
    }

    @Override
    public String name() {
        return "links";
    }

    @Override
    public Set<String> codes() {
        return new LinkedHashSet<>(CODES);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        Scan scan = new Scan(fromDomain(input.message()), suffixes);
        scan.protectedDomains = protectedDomains();
        scan.fromOrganisation = scan.fromDomain.map(this::organisation);
        scan.claimedBrand = claimedBrand(input, scan.fromDomain);
        for (MimePart part : input.message().parts()) {
            if (scan.exhausted()) {
                break;
            }
            // a meeting request or an attached .ics: the client shows its description and links as the message (a
            // text body merely named .ics is read as the text it is)
            java.util.Optional<CalendarText> calendar = CalendarText.of(part);
            if (calendar.isPresent()) {
                scanText(calendar.get().links(), scan);
                continue;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            if ("text/html".equals(part.contentType())) {
                scanHtml(input, part.text(), scan);
            } else if ("text/plain".equals(part.contentType())) {
                scanText(part.text(), scan);
            }
        }
        if (!scan.exhausted()) {
            scanEmbedded(input, scan);
        }
        return scan.findings();
    }

    /**
     * The links of QR codes and PDF attachments ({@link EmbeddedLinks}) go through the same checks as the links of
     * the text; what they add is where they were. A QR code is how a link gets past every filter that reads text
     * (and onto a phone, away from the company's protection): {@code LINK_QR_CODE} for any web address in one,
     * weighted down when it leads to the sender's own organisation and up when its destination is suspect; a code in
     * a picture inside an attached document or archive names where it is ({@code evil.example (invoice.pdf, page 1)},
     * {@code evil.example (scan.zip!/code.png)}); a code drawn in the body with block characters or table cells
     * instead of a picture, or split across two pictures, adds {@code LINK_QR_CODE_DISGUISED} (made to pass QR readers
     * that look at one picture at a time; weighted down, as the code is, when it leads to the sender's own
     * organisation). A PDF link is ordinary (an invoice names its company's site):
     * {@code LINK_IN_PDF} only when its destination is suspect, or when the PDF is little more than a button leading
     * to another organisation than the sender's; a PDF inside an archive is named ({@code evil.example
     * (invoice.zip!/invoice.pdf)}). A hyperlink of an Office document is ordinary too: {@code LINK_IN_DOCUMENT} only
     * when its destination is suspect, or when the document is a Word document of fewer words than a PDF button and
     * the link leads to another organisation than the sender's, with the document ({@code 198.51.100.7 (report.docx)}).
     */
    private void scanEmbedded(AnalysisInput input, Scan scan) {
        ParsedMessage message = input.message();
        boolean qr = false;
        for (EmbeddedLinks.Link link : EmbeddedLinks.of(input)) {
            if (scan.exhausted()) {
                break;
            }
            String url = cleaned(link.url());
            if (url.regionMatches(true, 0, "www.", 0, 4)) {
                url = "http://" + url;
            }
            int suspectBefore = scan.suspectAdds;
            examine(url, null, scan);
            boolean suspect = scan.suspectAdds > suspectBefore;
            String s = scheme(url);
            Optional<String> host = WEB_SCHEMES.contains(s) ? host(url) : Optional.empty();
            String shown = host.orElse(DANGEROUS_SCHEMES.contains(s) ? dangerousEvidence(s, url) : null);
            if (shown == null) {
                continue;
            }
            boolean ownSite = host.isPresent() && sameOrganisation(host.get(), scan);
            if (link.source() == EmbeddedLinks.Source.QR_CODE || link.source() == EmbeddedLinks.Source.DISGUISED_QR_CODE) {
                qr = true;
                String placed = link.place().isEmpty() ? shown : shown + " (" + link.place() + ")";
                scan.add(QR_CODE, suspect ? QR_SUSPECT : ownSite ? QR_OWN_SITE : 1.0, placed);
                if (link.source() == EmbeddedLinks.Source.DISGUISED_QR_CODE) {
                    scan.add(QR_CODE_DISGUISED, ownSite ? QR_OWN_SITE : 1.0, placed);
                }
            } else if (suspect || (link.buttonLike() && !ownSite)) {
                scan.add(link.source() == EmbeddedLinks.Source.DOCUMENT ? IN_DOCUMENT : IN_PDF, 1.0,
                        link.place().isEmpty() ? shown : shown + " (" + link.place() + ")");
            }
        }
        if (qr && scan.evidence.get(IMAGE_ONLY).isEmpty()) {
            int visible = visibleBodyText(message);
            if (visible < IMAGE_ONLY_MAX_TEXT) {
                scan.add(IMAGE_ONLY, 1.0, visible + " characters of text, a QR code");
            }
        }
    }

    /** The most visible characters of any one text or HTML body (alternatives say the same thing twice). */
    private static int visibleBodyText(ParsedMessage message) {
        int most = 0;
        for (MimePart part : message.parts()) {
            if (part.attachment() || part.text() == null) {
                continue;
            }
            String text = part.text();
            if ("text/html".equals(part.contentType())) {
                text = Jsoup.parse(text.length() > MAX_HTML_CHARS ? text.substring(0, MAX_HTML_CHARS) : text).text();
            } else if (!"text/plain".equals(part.contentType())) {
                continue;
            }
            most = Math.max(most, (int) text.codePoints().filter(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c)).count());
        }
        return most;
    }

    private void scanHtml(AnalysisInput input, String html, Scan scan) {
        // The same tree as the visible-text reading of the evasion and lure analyzers: parsed once per message, by
        // whichever of them comes first.
        Document doc = HtmlText.document(input, html);
        HtmlText.Reading reading = HtmlText.read(input, html);
        // one walk over the elements, in document order, instead of one CSS query per kind
        boolean passwordOutsideForm = false;
        Optional<java.net.URL> base = UrlHosts.base(doc);
        int images = 0;
        int links = 0;
        for (Element e : doc.getAllElements()) {
            if (scan.exhausted()) {
                return;
            }
            switch (e.normalName()) {
                case "a", "area" -> {
                    // an SVG link in older markup has only xlink:href, which browsers follow all the same
                    String href = e.hasAttr("href") ? e.attr("href") : e.hasAttr("xlink:href") ? e.attr("xlink:href") : null;
                    if (href != null) {
                        links++;
                        examine(UrlHosts.resolved(href, base), e.normalName().equals("a") ? e.text() : null, scan);
                    }
                }
                case "form" -> examineForm(e, base, scan);
                // a page that sends the browser on by itself (an HTML part opened in a browser): its destination is
                // judged as a link's, though no one clicks it
                case "meta" -> MessageLinks.refreshTarget(e).ifPresent(url -> examine(UrlHosts.resolved(url, base), null, scan));
                case "input" -> passwordOutsideForm |= isPassword(e) && e.closest("form") == null;
                case "img" -> {
                    images++;
                    if (e.hasAttr("src")) {
                        scan.count();
                        host(e.attr("src")).filter(LinkAnalyzer::isIpLiteral).ifPresent(h -> scan.add(IP_LITERAL, 1.0, h));
                    }
                }
                default -> { }
            }
        }
        if (passwordOutsideForm) {
            scan.add(CREDENTIAL_FORM, 1.0, "password input");
        }
        if (images > 0 && links > 0) {
            // the words are in a picture, out of reach of text analysis (image spam, QR-code phishing)
            // what the reader sees: text hidden by styles and invisible padding would otherwise fake a text body
            int visible = (int) reading.visible().codePoints()
                    .filter(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c) && !Invisibles.isInvisible(c)).count();
            if (visible < IMAGE_ONLY_MAX_TEXT) {
                scan.add(IMAGE_ONLY, 1.0, visible + " characters of text, " + images + " image(s), " + links + " link(s)");
            }
        }
    }

    /**
     * A password input, or a text input dressed as one: masked by {@code -webkit-text-security} (a type=password
     * that filters looking for type=password miss) or named, labelled or autofilled as a password.
     */
    private static boolean isPassword(Element input) {
        String type = input.attr("type").strip().toLowerCase(Locale.ROOT);
        if (type.equals("password")) {
            return true;
        }
        if (!type.isEmpty() && !type.equals("text") && !type.equals("tel") && !type.equals("number")) {
            return false;
        }
        if (MASKED.matcher(input.attr("style")).find()) {
            return true;
        }
        for (String attribute : List.of("name", "id", "autocomplete", "placeholder", "aria-label")) {
            if (PASSWORD_NAME.matcher(Normalizer.normalize(input.attr(attribute), Normalizer.Form.NFKC)).find()) {
                return true;
            }
        }
        return false;
    }

    private void scanText(String text, Scan scan) {
        TextUrls urls = new TextUrls(text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text);
        for (String found = urls.next(); found != null && !scan.exhausted(); found = urls.next()) {
            String url = TextUrls.withoutTrailingPunctuation(found);
            examine(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url, null, scan);
        }
    }

    /**
     * A form and where it sends what is typed: its action, or the {@code formaction} of a button or input of it, which
     * overrides the action for the submission that button makes (a form posting to our own site with a "Log in"
     * button posting elsewhere). The destination judged is the first that leaves the sender's organisation.
     */
    private void examineForm(Element form, Optional<java.net.URL> base, Scan scan) {
        List<String> actions = new ArrayList<>();
        actions.add(UrlHosts.resolved(form.attr("action").strip(), base));
        for (Element submit : form.select("button[formaction], input[formaction]")) {
            actions.add(UrlHosts.resolved(submit.attr("formaction").strip(), base));
        }
        String action = actions.get(0);
        for (String candidate : actions) {
            if (!candidate.isEmpty()) {
                examine(candidate, null, true, scan);
                boolean elsewhere = host(candidate).filter(h -> !sameOrganisation(h, scan)).isPresent();
                if (host(action).isEmpty() || (elsewhere && host(action).filter(h -> !sameOrganisation(h, scan)).isEmpty())) {
                    action = candidate;
                }
            }
        }
        Optional<String> actionHost = host(action);
        String where = actionHost.orElse("none");
        if (form.getElementsByTag("input").stream().anyMatch(LinkAnalyzer::isPassword)) {
            // every place the password can go: the button that posts it elsewhere hides behind the form's own action
            actions.stream().map(LinkAnalyzer::host).flatMap(Optional::stream).distinct().forEach(h ->
                    scan.add(CREDENTIAL_FORM, 1.0, "password action=" + h));
            if (actionHost.isEmpty()) {
                scan.add(CREDENTIAL_FORM, 1.0, "password action=none");
            }
        } else if (actionHost.isPresent() && !sameOrganisation(actionHost.get(), scan)
                && !trackedToSender(action, actionHost.get(), scan)) {
            scan.add(CREDENTIAL_FORM, 1.0, "action=" + where + " from=" + scan.fromDomain.orElse("none"));
        }
    }

    /**
     * Whether a form's action is a link rewriter's or click tracker's ({@link Redirects}, not an open redirector) whose
     * destination is the sender's own site: a newsletter's search box sent through its ad server's click tracking.
     */
    private boolean trackedToSender(String action, String actionHost, Scan scan) {
        String ascii = scan.ascii(actionHost);
        return ascii != null && Redirects.of(ascii, action).filter(d -> !d.openRedirector())
                .flatMap(d -> host(cleaned(d.url()))).filter(h -> sameOrganisation(h, scan)).isPresent();
    }

    private boolean sameOrganisation(String host, Scan scan) {
        return scan.fromDomain.isPresent() && scan.organisation(host).equals(scan.organisation(scan.fromDomain.get()));
    }

    private void examine(String rawUrl, String anchorText, Scan scan) {
        examine(rawUrl, anchorText, false, scan);
    }

    private void examine(String rawUrl, String anchorText, boolean formAction, Scan scan) {
        examine(rawUrl, anchorText, formAction, scan, 0);
    }

    /** {@code depth}: how many redirectors, rewriters or trackers the link passed through to here ({@link Redirects}). */
    private void examine(String rawUrl, String anchorText, boolean formAction, Scan scan, int depth) {
        if (depth == 0) {
            scan.count(); // a destination followed is the same link
        }
        String url = cleaned(rawUrl);
        scan.currentUrl = url;
        String s = url.startsWith("\\\\") ? UNC : scheme(url);
        if (DANGEROUS_SCHEMES.contains(s) || s.equals(UNC)) {
            scan.add(DANGEROUS_SCHEME, 1.0, dangerousEvidence(s, url));
            // the document an Office URI opens ("ms-word:ofe|u|https://evil.example/a.docx") is a link too
            nestedUrl(s, url).filter(nested -> depth < MAX_REDIRECTS)
                    .ifPresent(nested -> examine(nested, anchorText, formAction, scan, depth + 1));
            return;
        }
        if (!(WEB_SCHEMES.contains(s) || (s.isEmpty() && url.startsWith("//")))) {
            return;
        }
        Optional<String> maybeHost = host(url);
        if (maybeHost.isEmpty()) {
            return;
        }
        String written = maybeHost.get();
        // browsers decode %-escapes in a host name: "%70aypal.com" is paypal.com, written to slip past filters
        String host = UrlHosts.percentDecoded(written);
        if (!host.equals(written)) {
            scan.add(OBFUSCATED, 1.0, "encoded host " + shortened(written) + " = " + host);
        }
        boolean ip = isIpLiteral(host);
        if (!ip) {
            judgeHostName(host, scan);
            if (depth < MAX_REDIRECTS && throughRedirect(url, host, anchorText, formAction, scan, depth)) {
                // the destination was examined as the link; the domain written in the redirector's link is that
                // destination, reported by LINK_OPEN_REDIRECT rather than as a deceptive host as well
                return;
            }
            deceptiveHost(url, host, scan);
        }
        // the anchor text in NFKC once, for the shown domain and for its words
        String normalized = anchorText == null ? null : Normalizer.normalize(anchorText, Normalizer.Form.NFKC);
        Optional<String> shown = normalized == null ? Optional.empty() : shownDomain(normalized);
        String target = ip ? host : scan.organisation(host);
        shown.filter(d -> !d.equals(target)).ifPresent(d -> scan.add(TEXT_MISMATCH, 1.0, "shown=" + d + " href=" + target));
        userInfo(url).ifPresent(info -> scan.add(DECEPTIVE_HOST, 1.0, "user info " + shortened(info) + " before host " + target));
        port(url).filter(p -> p != 80 && p != 443).ifPresent(p -> scan.add(UNUSUAL_PORT, 1.0, host + ":" + p));
        String text = normalized == null ? "" : normalized.strip();
        boolean accountAction = ACCOUNT_ACTION.matcher(text).find();
        // asked for at most once, by the first of the two tests below that needs it
        Boolean click = null;
        boolean ownSite = scan.fromOrganisation.filter(target::equals).isPresent();
        boolean brandsOwn = scan.claimedBrand.filter(b -> b.owns(target)).isPresent();
        boolean actionElsewhere = !ownSite && !brandsOwn && (formAction || (anchorText != null && (accountAction
                || (click = CLICK_HERE.matcher(text).find()) || CALL_TO_ACTION.matcher(text).find())));
        if (ip) {
            // No service asks its users to sign in, verify or open a document at a bare address on the internet;
            // an intranet's systems (private addresses) do, and a picture or a plain link at an address is weaker.
            boolean buttonOnTheInternet = actionElsewhere && isPublicAddress(host);
            scan.add(IP_LITERAL, buttonOnTheInternet ? IP_BUTTON : 1.0, buttonOnTheInternet ? host + " (button)" : host);
        }
        if (actionElsewhere) {
            // weight 0 alone (a newsletter's "update your preferences" goes to its mailing service); it counts in
            // composites with lure wording, where "act on this, over there" is the lure's whole point
            scan.evidencePrefix.put(ACTION_ELSEWHERE, "sender=" + scan.fromOrganisation.orElse("none") + " href=");
            scan.add(ACTION_ELSEWHERE, 1.0, target);
        }
        if (scan.claimedBrand.isPresent()) {
            Brands.Brand brand = scan.claimedBrand.get();
            if (brand.owns(target) || ownSite) {
                return;
            }
            boolean showsBrand = shown.filter(brand::owns).isPresent();
            if (click == null) {
                click = CLICK_HERE.matcher(text).find();
            }
            boolean brandInUrl = !ip && brands.inDomainName(host).filter(brand::equals).isPresent();
            if (ip || formAction || showsBrand || accountAction || click || brandInUrl) {
                scan.evidencePrefix.put(BRAND_MISMATCH, "brand=" + brand.name() + " href=");
                scan.add(BRAND_MISMATCH, 1.0, target);
            }
        } else if (scan.fromOrganisation.isPresent()) {
            // The message links to its sender's own site (dressing itself as the sender) and sends the reader
            // to sign in or verify somewhere else: decided once all links are seen (Scan.findings).
            if (ownSite) {
                scan.linksToSender = true;
            } else if (ip || formAction || (accountAction && !MAILING_HOUSEKEEPING.matcher(text).find())) {
                scan.senderMismatch.add(target);
            }
        }
    }

    /**
     * A link through a redirector, rewriter or tracker that writes its destination in the link ({@link Redirects}):
     * the destination is examined as the link, with the same text, and an open redirector of another organisation
     * than the destination's is {@code LINK_OPEN_REDIRECT} ({@code www.google.com to evil.example}). The sender's own
     * redirector, or its brand's, is not followed (Google's notifications link through google.com/url), unless it leads
     * to a bare public IP address. Whether it was one.
     */
    private boolean throughRedirect(String url, String host, String anchorText, boolean formAction, Scan scan,
            int depth) {
        String ascii = scan.ascii(host);
        Optional<Redirects.Destination> through = ascii == null ? Optional.empty() : Redirects.of(ascii, url);
        if (through.isEmpty()) {
            return false;
        }
        Optional<String> destinationHost = host(cleaned(through.get().url()));
        String via = scan.organisation(host);
        if (destinationHost.isEmpty()) {
            return false;
        }
        // no sender sends its readers through its own redirector to a bare address on the internet: that one is
        // followed even on the sender's (or its brand's) site, which a spoofed sender names as its own
        boolean toBareAddress = isIpLiteral(destinationHost.get()) && isPublicAddress(destinationHost.get());
        if (through.get().openRedirector() && !toBareAddress && sendersOwn(via, scan)) {
            return false;
        }
        String to = isIpLiteral(destinationHost.get()) ? destinationHost.get() : scan.organisation(destinationHost.get());
        if (through.get().openRedirector() && !to.equals(via)) {
            scan.add(OPEN_REDIRECT, 1.0, host + " to " + to);
        }
        examine(through.get().url(), anchorText, formAction, scan, depth + 1);
        return true;
    }

    /**
     * Whether a redirector's organisation is the sender's: the same domain, or domains of one brand (Facebook's
     * notifications come from facebookmail.com and link through l.facebook.com).
     */
    private boolean sendersOwn(String via, Scan scan) {
        if (scan.fromOrganisation.isEmpty()) {
            return false;
        }
        String from = scan.fromOrganisation.get();
        return from.equals(via) || brands.owner(via).filter(b -> b.owns(from)).isPresent();
    }

    /**
     * Where {@code ^([a-zA-Z][a-zA-Z0-9+.-]*):} matches: the index after the scheme's colon, or 0 when the URL has no
     * scheme. By hand: the pattern ran up to five times for every link of a message. Its one run cannot hold the
     * colon, so the first character that is not a scheme character decides.
     */
    static int schemeEnd(String url) {
        if (url.isEmpty() || !isAsciiLetter(url.charAt(0))) {
            return 0;
        }
        for (int i = 1; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ':') {
                return i + 1;
            }
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '.' && c != '-') {
                return 0;
            }
        }
        return 0;
    }

    /** The scheme of a URL in lower case, or empty: group 1 of that pattern. */
    private static String scheme(String url) {
        int end = schemeEnd(url);
        return end == 0 ? "" : url.substring(0, end - 1).toLowerCase(Locale.ROOT);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The explicit port of a URL's authority, if any. */
    static Optional<Integer> port(String url) {
        String authority = authority(url);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.lastIndexOf(':');
        if (colon < 0 || authority.endsWith("]") || colon == authority.length() - 1) {
            return Optional.empty();
        }
        String digits = authority.substring(colon + 1);
        if (digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(digits));
    }

    /**
     * Another organisation's domain written where a reader looks for the site: in the sub-domain labels
     * ({@code www.paypal.com.evil.example}) or as the first path segment ({@code evil.example/www.paypal.com/}).
     */
    private void deceptiveHost(String url, String host, Scan scan) {
        String ascii = scan.ascii(host);
        if (ascii == null) {
            return;
        }
        Optional<String> registrable = scan.registrable(ascii);
        if (registrable.isEmpty()) {
            return;
        }
        String reg = registrable.get();
        if (ascii.length() > reg.length()) {
            String[] labels = ascii.substring(0, ascii.length() - reg.length() - 1).split("\\.");
            for (int end = labels.length; end >= 2; end--) {
                for (int start = end - 2; start >= 0; start--) {
                    String candidate = String.join(".", java.util.Arrays.asList(labels).subList(start, end));
                    if (looksLikeASite(candidate) && suffixes.registrableDomain(candidate).filter(candidate::equals).isPresent()) {
                        scan.add(DECEPTIVE_HOST, 1.0, candidate + " inside " + ascii);
                        return;
                    }
                }
            }
        }
        for (String segment : leadingPathSegments(url, 3)) {
            if (!PATH_DOMAIN.matcher(segment).matches() || !suffixes.hasKnownTld(segment)) {
                continue;
            }
            String lower = segment.toLowerCase(Locale.ROOT);
            if (!looksLikeASite(lower)) {
                continue;
            }
            Optional<String> inPath = suffixes.registrableDomain(lower);
            // "www." or three labels make it a site name rather than a file name such as report.zip
            boolean siteName = lower.startsWith("www.") || lower.chars().filter(c -> c == '.').count() >= 2
                    || inPath.flatMap(brands::owner).isPresent();
            if (siteName && inPath.isPresent() && !inPath.get().equals(reg)) {
                scan.add(DECEPTIVE_HOST, 1.0, reg + "/…/" + lower);
                return;
            }
        }
    }

    /**
     * Whether a domain name embedded in another URL reads as a site people know: a brand's domain, or one under the
     * top-level domains sites are commonly at. Many newer TLDs are ordinary words ({@code tech.support},
     * {@code foo.bar}) that host names contain by chance.
     */
    private boolean looksLikeASite(String domain) {
        Optional<String> registrable = suffixes.registrableDomain(domain);
        if (registrable.isEmpty()) {
            return false;
        }
        if (brands.owner(registrable.get()).isPresent()) {
            return true;
        }
        String suffix = registrable.get().substring(registrable.get().indexOf('.') + 1);
        return COMMON_SUFFIXES.contains(suffix);
    }

    /** Where a URL's authority starts: after the scheme and the slashes (or back-slashes, as browsers read them). */
    static int authorityStart(String url) {
        int i = schemeEnd(url);
        while (i < url.length() && (url.charAt(i) == '/' || url.charAt(i) == '\\')) {
            i++;
        }
        return i;
    }

    /** Where the authority that starts at {@code start} ends: at the path, query or fragment, or the URL's end. */
    private static int authorityEnd(String url, int start) {
        int i = start;
        while (i < url.length() && "/\\?#".indexOf(url.charAt(i)) < 0) {
            i++;
        }
        return i;
    }

    /** A URL's authority: user information, host and port, as browsers delimit it. */
    private static String authority(String url) {
        int start = authorityStart(url);
        return url.substring(start, authorityEnd(url, start));
    }

    /**
     * Where a URL's path starts: after the scheme, the slashes and the authority; the URL's length when it has no
     * path, query or fragment.
     */
    private static int pathStart(String url) {
        return authorityEnd(url, authorityStart(url));
    }

    /** A URL's path (before any query or fragment), back-slashes read as slashes as browsers do; empty if none. */
    static String path(String url) {
        int i = pathStart(url);
        int end = i;
        while (end < url.length() && "?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(i, end).replace('\\', '/');
    }

    /** A URL's query, without "?" and the fragment; empty if none. */
    static String query(String url) {
        int start = pathStart(url);
        int q = url.indexOf('?', start);
        if (q < 0) {
            return "";
        }
        int hash = url.indexOf('#', q);
        return url.substring(q + 1, hash < 0 ? url.length() : hash);
    }

    /** The first {@code max} segments of a URL's path (before any query or fragment). */
    private static List<String> leadingPathSegments(String url, int max) {
        int i = pathStart(url);
        List<String> segments = new ArrayList<>(max);
        while (segments.size() < max && i < url.length() && (url.charAt(i) == '/' || url.charAt(i) == '\\')) {
            int end = i + 1;
            while (end < url.length() && "/\\?#".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            if (end > i + 1) {
                segments.add(url.substring(i + 1, end));
            }
            i = end;
        }
        return segments;
    }

    /** User information before the host ({@code http://www.paypal.com@evil.example/}) when it looks like a site. */
    private static Optional<String> userInfo(String url) {
        String authority = authority(url);
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        String info = authority.substring(0, at);
        return info.indexOf('.') > 0 ? Optional.of(info) : Optional.empty();
    }

    private static String shortened(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /**
     * The brand a message presents itself as: named in the From display name, owning the From domain, or named
     * among the From domain's words.
     */
    private Optional<Brands.Brand> claimedBrand(AnalysisInput input, Optional<String> fromDomain) {
        Optional<Mailbox> from = input.message().header("From").flatMap(Mailbox::sender);
        Optional<String> fromOrganisation = fromDomain.map(this::organisation);
        if (from.isPresent()) {
            // an address in the display name claims its own organisation's brand ("service@paypal.com" <x@...>);
            // the sender's own address there ("taro@gmail.com") claims nothing
            String name = Normalizer.normalize(from.get().displayName(), Normalizer.Form.NFKC);
            Matcher addresses = Brands.ADDRESS_IN_NAME.matcher(name);
            while (addresses.find()) {
                String shownOrganisation = organisation(addresses.group(1).toLowerCase(Locale.ROOT));
                if (fromOrganisation.filter(shownOrganisation::equals).isEmpty()) {
                    Optional<Brands.Brand> owner = brands.owner(shownOrganisation);
                    if (owner.isPresent()) {
                        return owner;
                    }
                }
            }
            // plainly or in disguise (PayPaI, N e t f l i x), as the impersonation check reads it
            Optional<Brands.Brand> named = brands.namedByFrom(input).map(Brands.Named::brand);
            if (named.isPresent()) {
                return named;
            }
        }
        return fromDomain.flatMap(d -> {
            Optional<Brands.Brand> owner = brands.owner(organisation(d));
            return owner.isPresent() ? owner : brands.inDomainName(d);
        });
    }

    /** The protected organisations of the settings in force, prepared once per settings object. */
    private ProtectedDomains protectedDomains() {
        ImpersonationSettings current = java.util.Objects.requireNonNull(protection.get(), "protection settings");
        Prepared cached = prepared;
        if (cached == null || cached.source() != current) {
            cached = new Prepared(current, ProtectedDomains.of(current));
            prepared = cached;
        }
        return cached.domains();
    }

    private record Prepared(ImpersonationSettings source, ProtectedDomains domains) {
    }

    private void judgeHostName(String host, Scan scan) {
        String ascii = scan.ascii(host);
        if (ascii == null) {
            return;
        }
        lookalike(ascii, scan);
        boolean international = !ascii.equals(host) || ascii.startsWith("xn--") || ascii.contains(".xn--");
        if (international) {
            // An internationalised name is ordinary (日本語.jp); a homograph is what deceives: letters of several
            // scripts in one label, or a label written only with Latin look-alikes of another script.
            String unicode = IDN.toUnicode(ascii, IDN.ALLOW_UNASSIGNED);
            HostHomographs.of(unicode).ifPresent(kind -> scan.add(PUNYCODE,
                    kind == HostHomographs.Kind.MIXED_SCRIPTS ? 2.0 : 1.0, ascii + " (" + unicode + ")"));
        }
        if (freeHosting.serves(ascii, scan.currentUrl)) {
            scan.add(FREE_HOSTING, 1.0, ascii);
            // a web page kept in a storage bucket (storage is free hosting): where phishing kits are put, not where
            // companies publish
            CloudStorage.page(ascii, scan.currentUrl)
                    .ifPresent(page -> scan.add(STORAGE_PAGE, 1.0, ascii + ": " + page));
        }
        Optional<String> registrable = scan.registrable(ascii);
        if (shorteners.contains(ascii) || registrable.filter(shorteners::contains).isPresent()) {
            scan.add(SHORTENER, 1.0, ascii);
        }
        String tld = ascii.substring(ascii.lastIndexOf('.') + 1);
        if (suspiciousTlds.contains(tld)) {
            scan.add(SUSPICIOUS_TLD, 1.0, ascii);
        }
    }

    /**
     * A link to a site that imitates our own or a partner's domain ({@link ProtectedDomains}): the protected domain
     * written inside the host ({@code example.co.jp-login.example}) or a look-alike registrable domain
     * ({@code examp1e.co.jp}); the fake sign-in page a lure about our own systems leads to. The same name under
     * another suffix is not: companies link to their group's sites abroad (example.co.jp to example.com).
     */
    private void lookalike(String ascii, Scan scan) {
        if (scan.protectedDomains.isEmpty()) {
            return;
        }
        String organisation = scan.registrable(ascii).orElse(ascii);
        scan.protectedDomains.embeddedIn(ascii, organisation)
                .map(target -> ascii + " looks like " + target + " (" + target + " inside the host)")
                .or(() -> scan.protectedDomains.lookalike(organisation).filter(r -> r.multiplier() >= 1.0)
                        .map(r -> r.shown() + " looks like " + r.target() + " (" + r.why() + ")"))
                .ifPresent(evidence -> scan.add(LOOKALIKE, 1.0, evidence));
    }

    /** The registrable domain of a host, or the host itself where there is none (IP literals, bare suffixes). */
    private String organisation(String host) {
        String ascii = PublicSuffixList.ascii(host);
        if (ascii == null) {
            return host;
        }
        return suffixes.registrableDomain(ascii).orElse(ascii);
    }

    /**
     * A host name written with ideographic full stops ({@code www.example。co。jp}, NFKC has made U+FF61 one) as the
     * reader and IDNA read it, with dots. Only in a name that also has an ASCII dot or starts with www: between two
     * words of a Japanese sentence a 。 ends the sentence.
     */
    private static String ideographicDots(String text) {
        if (text.indexOf('\u3002') < 0) {
            return text;
        }
        Matcher m = IDEOGRAPHIC_DOTTED_NAME.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String name = m.group();
            boolean host = name.indexOf('.') >= 0 || name.startsWith("www\u3002");
            m.appendReplacement(out, Matcher.quoteReplacement(host ? name.replace('\u3002', '.') : name));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The registrable domain an anchor text (already in NFKC) shows, if any. */
    private Optional<String> shownDomain(String normalizedAnchorText) {
        String text = ideographicDots(normalizedAnchorText.toLowerCase(Locale.ROOT));
        Matcher m = SHOWN_DOMAIN.matcher(text);
        while (m.find()) {
            String candidate = m.group(1);
            if (suffixes.hasKnownTld(candidate)) {
                Optional<String> registrable = suffixes.registrableDomain(candidate);
                if (registrable.isPresent()) {
                    return registrable;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Browsers drop ASCII tabs and line breaks anywhere in a URL and leading or trailing controls and spaces
     * (WHATWG URL standard, "basic URL parser"), so {@code java\tscript:} is still {@code javascript:}.
     */
    static String cleaned(String url) {
        if (alreadyClean(url)) {
            return url; // most URLs: no copy (this runs several times for every link)
        }
        StringBuilder out = new StringBuilder(Math.min(url.length(), 4096));
        for (int i = 0; i < url.length() && out.length() < 4096; i++) {
            char c = url.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        int start = 0;
        int end = out.length();
        while (start < end && out.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && out.charAt(end - 1) <= ' ') {
            end--;
        }
        return out.substring(start, end);
    }

    /** Whether {@link #cleaned} would return the URL as it is: short enough, no tab or line break, trimmed. */
    private static boolean alreadyClean(String url) {
        int n = url.length();
        if (n > 4096 || (n > 0 && (url.charAt(0) <= ' ' || url.charAt(n - 1) <= ' '))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = url.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    /** The host of an absolute or scheme-relative URL, lower-case, without user info, port or trailing dot. */
    static Optional<String> host(String rawUrl) {
        String url = cleaned(rawUrl);
        if (schemeEnd(url) == 0 && !url.startsWith("//")) {
            return Optional.empty();
        }
        // Browsers read back-slashes as slashes and accept any number of them after a web scheme.
        String authority = authority(url);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        String host;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            host = close < 0 ? authority : authority.substring(0, close + 1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    /**
     * Whether an IP-literal host is an address on the internet: not loopback, link-local or a private range (RFC 1918,
     * RFC 4193; IPv4 ones also written as IPv4-mapped IPv6), where a company's own systems are. Forms browsers read but
     * people do not write (hexadecimal, octal, one number) are taken as on the internet: they are written to hide the
     * address.
     */
    static boolean isPublicAddress(String host) {
        if (host.startsWith("[")) {
            String v6 = host.substring(1, host.length() - (host.endsWith("]") ? 1 : 0)).toLowerCase(Locale.ROOT);
            if (v6.startsWith("::ffff:") && v6.indexOf('.') > 0) {
                return isPublicAddress(v6.substring("::ffff:".length())); // an IPv4 address written as IPv6
            }
            return !(v6.matches("[0:]*:0*1") || v6.startsWith("fe8") || v6.startsWith("fe9") || v6.startsWith("fea")
                    || v6.startsWith("feb") || v6.startsWith("fc") || v6.startsWith("fd"));
        }
        String[] parts = host.split("\\.", -1);
        int[] octets = new int[4];
        if (parts.length != 4) {
            return true;
        }
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("0|[1-9][0-9]{0,2}")) {
                return true;
            }
            octets[i] = Integer.parseInt(parts[i]);
        }
        int a = octets[0];
        int b = octets[1];
        return !(a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)
                || (a == 169 && b == 254));
    }

    /**
     * An IPv6 literal, or a host whose last label is a number: browsers then read the whole host as an IPv4
     * address, also in the integer, octal and hex forms ({@code http://3232235777/}) used to hide one.
     */
    static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        if (!DOTTED_NUMBERS.matcher(host).matches()) {
            return false;
        }
        String last = host.substring(host.lastIndexOf('.') + 1);
        return NUMERIC_LABEL.matcher(last).matches();
    }

    private static String dangerousEvidence(String scheme, String url) {
        if (scheme.equals(UNC) || !Set.of("javascript", "vbscript", "data").contains(scheme)) {
            // where the share or document is: the search location is %-encoded in search-ms links
            Matcher m = SHARE_HOST.matcher(UrlHosts.percentDecoded(url));
            String where = m.find() ? " " + m.group(1).toLowerCase(Locale.ROOT) : "";
            return (scheme.equals(UNC) ? "UNC path" : scheme + ":") + where;
        }
        if (!scheme.equals("data")) {
            return scheme + ":";
        }
        String rest = url.substring(5);
        int end = 0;
        while (end < rest.length() && end < 40 && ";,".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        return "data:" + rest.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /**
     * The web address an Office URI opens: after its command ({@code ofe|u|}, {@code ofv|u|}, {@code nft|u|}) or
     * straight after the scheme.
     */
    private static Optional<String> nestedUrl(String scheme, String url) {
        if (!scheme.startsWith("ms-") || url.length() <= scheme.length() + 1) {
            return Optional.empty();
        }
        String rest = url.substring(scheme.length() + 1);
        int command = rest.lastIndexOf("|u|");
        String nested = command >= 0 ? rest.substring(command + 3) : rest;
        return WEB_SCHEMES.contains(scheme(nested)) ? Optional.of(nested) : Optional.empty();
    }

    private static Optional<String> fromDomain(ParsedMessage message) {
        return message.header("From").map(v -> {
            Matcher m = FROM_ADDRESS_DOMAIN.matcher(v.strip());
            return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
        });
    }

    static Set<String> loadList(String resource) {
        Set<String> entries = new HashSet<>();
        try (InputStream in = LinkAnalyzer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                String entry = line.strip().toLowerCase(Locale.ROOT);
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    entries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return Set.copyOf(entries);
    }

    /** What one analysis collected: distinct evidence per code, the highest multiplier, and the link budget. */
    private static final class Scan {
        /** Stands for "no ASCII form" in the memo (a map cannot hold null); compared by identity. */
        private static final String NOT_A_HOST_NAME = new String("(not a host name)");

        private final Optional<String> fromDomain;
        private Optional<String> fromOrganisation = Optional.empty();
        private Optional<Brands.Brand> claimedBrand = Optional.empty();
        private ProtectedDomains protectedDomains;
        /** The URL being examined, for checks that need its path. */
        private String currentUrl;
        private final Map<String, Set<String>> evidence = new LinkedHashMap<>();
        private final Map<String, Double> multipliers = new LinkedHashMap<>();
        private final Map<String, String> evidencePrefix = new LinkedHashMap<>();
        /** Whether some link goes to the From organisation's own site. */
        private boolean linksToSender;
        /** Hosts of sign-in links, forms and IP links that leave the From organisation. */
        private final Set<String> senderMismatch = new LinkedHashSet<>();
        private int links;
        /** How many times a {@link #SUSPECT_DESTINATION} code was added, to tell which link raised one. */
        private int suspectAdds;

        /**
         * Host names in ASCII and their registrable domains, memoised for this message only (a newsletter links to
         * the same few hosts dozens of times, and each look-up converts the name with IDNA and walks the suffix
         * list); pure functions of the name, so a memo cannot change a result. Bounded by {@link #MAX_LINKS}.
         */
        private final PublicSuffixList suffixes;
        private final Map<String, String> asciiNames = new HashMap<>();
        private final Map<String, Optional<String>> registrableDomains = new HashMap<>();
        private final Map<String, String> organisations = new HashMap<>();

        Scan(Optional<String> fromDomain, PublicSuffixList suffixes) {
            this.fromDomain = fromDomain;
            this.suffixes = suffixes;
            for (String code : CODES) {
                evidence.put(code, new LinkedHashSet<>());
            }
        }

        void count() {
            links++;
        }

        /** {@link PublicSuffixList#ascii}, memoised. */
        String ascii(String host) {
            String ascii = asciiNames.computeIfAbsent(host, h -> {
                String a = PublicSuffixList.ascii(h);
                return a == null ? NOT_A_HOST_NAME : a;
            });
            return ascii == NOT_A_HOST_NAME ? null : ascii;
        }

        /** {@link PublicSuffixList#registrableDomain}, memoised. */
        Optional<String> registrable(String name) {
            return registrableDomains.computeIfAbsent(name, suffixes::registrableDomain);
        }

        /** The registrable domain of a host, or the host itself where there is none (see LinkAnalyzer's). */
        String organisation(String host) {
            return organisations.computeIfAbsent(host, h -> {
                String ascii = ascii(h);
                return ascii == null ? h : registrable(ascii).orElse(ascii);
            });
        }

        boolean exhausted() {
            return links >= MAX_LINKS || Thread.currentThread().isInterrupted();
        }

        void add(String code, double multiplier, String item) {
            if (SUSPECT_DESTINATION.contains(code)) {
                suspectAdds++;
            }
            evidence.get(code).add(item);
            multipliers.merge(code, multiplier, Math::max);
        }

        List<Finding> findings() {
            if (linksToSender && !senderMismatch.isEmpty()) {
                evidencePrefix.put(SENDER_MISMATCH, "sender=" + fromOrganisation.orElse("") + " href=");
                senderMismatch.forEach(h -> add(SENDER_MISMATCH, 1.0, h));
            }
            List<Finding> findings = new ArrayList<>();
            for (Map.Entry<String, Set<String>> e : evidence.entrySet()) {
                List<String> items = List.copyOf(e.getValue());
                if (items.isEmpty()) {
                    continue;
                }
                String shown = String.join("; ", items.subList(0, Math.min(items.size(), MAX_EVIDENCE_ITEMS)));
                if (items.size() > MAX_EVIDENCE_ITEMS) {
                    shown += "; +" + (items.size() - MAX_EVIDENCE_ITEMS) + " more";
                }
                findings.add(new Finding(e.getKey(), multipliers.get(e.getKey()),
                        evidencePrefix.getOrDefault(e.getKey(), "") + shown));
            }
            return findings;
        }
    }
}
