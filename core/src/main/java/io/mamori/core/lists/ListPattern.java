package io.mamori.core.lists;

import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.link.UrlHosts;
import java.net.IDN;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The value of a list entry, parsed and normalised once: an address ({@code taro@partner.co.jp}), a domain
 * ({@code partner.co.jp}, which also covers its sub-domains) or, for link entries, a URL
 * ({@code https://bit.ly/3abc}: that host, paths starting with that path). Immutable.
 */
public sealed interface ListPattern {

    /** Longest value accepted; a URL prefix longer than this is not something an operator types. */
    int MAX_LENGTH = 2048;

    /** The normalised value, as shown in lists and evidence. */
    String text();

    /**
     * An e-mail address, local part and domain in lower case, the domain in ASCII (Punycode). Local parts are
     * case-sensitive in theory (RFC 5321 §2.4) but no mail system a company deals with treats them so.
     */
    record Address(String address) implements ListPattern {
        public Address {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String text() {
            return address;
        }
    }

    /**
     * A domain in lower-case ASCII. It matches itself and every sub-domain, so {@code partner.co.jp} covers the
     * whole registrable domain (mail.partner.co.jp, news.partner.co.jp). A public suffix ({@code co.jp}) is
     * refused when parsing: it would match every organisation under it.
     */
    record Domain(String domain) implements ListPattern {
        public Domain {
            Objects.requireNonNull(domain, "domain");
        }

        @Override
        public String text() {
            return domain;
        }

        /** Whether a lower-case ASCII host is this domain or one of its sub-domains. */
        public boolean covers(String asciiHost) {
            return asciiHost.equals(domain) || asciiHost.endsWith("." + domain);
        }
    }

    /**
     * A link destination: exact host (lower-case ASCII, or an IP address in the one spelling of
     * {@link UrlHosts#of}) and a path prefix (with query, if one was written). The scheme is not compared:
     * {@code http} and {@code https} lead to the same place.
     */
    record Url(String host, String path) implements ListPattern {
        public Url {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String text() {
            return "https://" + host + path;
        }

        /**
         * Whether a link to {@code asciiHost} with {@code pathAndQuery} (starting with {@code /}, or empty) is
         * under this URL. The prefix must end at a boundary, so {@code /abc} matches {@code /abc}, {@code /abc/x}
         * and {@code /abc?x} but not {@code /abcd}.
         */
        public boolean covers(String asciiHost, String pathAndQuery) {
            if (!asciiHost.equals(host)) {
                return false;
            }
            String p = pathAndQuery.isEmpty() ? "/" : pathAndQuery;
            String prefix = path.isEmpty() ? "/" : path;
            if (prefix.equals("/")) {
                return true;
            }
            if (!p.startsWith(prefix)) {
                return false;
            }
            if (p.length() == prefix.length() || prefix.endsWith("/")) {
                return true;
            }
            char next = p.charAt(prefix.length());
            return next == '/' || next == '?' || next == '#';
        }
    }

    /**
     * Parses a value as typed in the policy, the list file, the CLI or the REST API.
     *
     * @param target what the entry is matched against: SENDER takes an address or a domain, LINK a domain or an
     *               {@code http(s)://} URL
     * @throws InvalidListEntry with the reason in English and Japanese, e.g. {@code 'co.jp' is a public suffix …}
     */
    static ListPattern parse(ListTarget target, String raw) {
        Objects.requireNonNull(target, "target");
        if (raw == null || raw.strip().isEmpty()) {
            throw new InvalidListEntry("empty value", "値が空です");
        }
        String value = raw.strip();
        if (value.length() > MAX_LENGTH) {
            throw new InvalidListEntry("longer than " + MAX_LENGTH + " characters", MAX_LENGTH + " 文字を超えています");
        }
        if (value.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidListEntry("'" + shown(value) + "' contains spaces or control characters",
                    "'" + shown(value) + "' に空白または制御文字が含まれています");
        }
        if (value.contains("://")) {
            if (target != ListTarget.LINK) {
                throw new InvalidListEntry("'" + shown(value) + "' is a URL; URLs go on link entries",
                        "'" + shown(value) + "' は URL です。URL はリンク (link) の項目にしてください");
            }
            return url(value);
        }
        if (value.contains("@")) {
            if (target != ListTarget.SENDER) {
                throw new InvalidListEntry("'" + shown(value) + "' is an address; addresses go on sender entries",
                        "'" + shown(value) + "' はメールアドレスです。アドレスは送信者 (sender) の項目にしてください");
            }
            return address(value);
        }
        return new Domain(registrableOrBelow(value));
    }

    private static Address address(String value) {
        int at = value.lastIndexOf('@');
        String local = value.substring(0, at);
        if (local.isEmpty() || local.length() > 64 || local.contains("@") || local.contains("<") || local.contains(">")) {
            throw new InvalidListEntry("'" + shown(value) + "' is not an e-mail address",
                    "'" + shown(value) + "' はメールアドレスではありません");
        }
        String domain = ascii(value.substring(at + 1), value);
        return new Address(local.toLowerCase(Locale.ROOT) + "@" + domain);
    }

    private static Url url(String value) {
        int sep = value.indexOf("://");
        String scheme = value.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidListEntry("'" + shown(value) + "': only http and https URLs can be listed",
                    "'" + shown(value) + "': 登録できる URL は http と https だけです");
        }
        String rest = value.substring(sep + 3);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        String name;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new InvalidListEntry("'" + shown(value) + "' has an unterminated IPv6 address",
                        "'" + shown(value) + "' の IPv6 アドレスが ] で閉じられていません");
            }
            name = authority.substring(0, close + 1).toLowerCase(Locale.ROOT);
        } else {
            int colon = authority.indexOf(':');
            name = colon < 0 ? authority : authority.substring(0, colon);
            if (name.isEmpty()) {
                throw new InvalidListEntry("'" + shown(value) + "' has no host", "'" + shown(value) + "' にホスト名がありません");
            }
        }
        // the host in the one spelling links are matched in (UrlHosts.of), so an address listed as 192.0.2.1 matches
        // a link to 3221225985 or [::ffff:192.0.2.1], and one listed in such a spelling matches a link to 192.0.2.1
        String host;
        if (UrlHosts.isIpAddress(name.toLowerCase(Locale.ROOT))) {
            host = UrlHosts.of(name.toLowerCase(Locale.ROOT)).orElseThrow(() -> new InvalidListEntry(
                    "'" + shown(value) + "' has an invalid IP address", "'" + shown(value) + "' の IP アドレスが正しくありません"));
        } else {
            host = ascii(UrlHosts.percentDecoded(name), value);
        }
        String path = rest.substring(end);
        int fragment = path.indexOf('#');
        if (fragment >= 0) {
            path = path.substring(0, fragment);
        }
        if (path.startsWith("?")) {
            path = "/" + path;
        }
        return new Url(host, path);
    }

    /** A domain that is at least a registrable domain (a public suffix alone would cover whole countries). */
    private static String registrableOrBelow(String value) {
        if (value.startsWith("*.")) {
            throw new InvalidListEntry("'" + shown(value) + "': write the domain without '*.'; an entry covers its sub-domains",
                    "'" + shown(value) + "': ドメインは '*.' を付けずに書いてください（登録したドメインのサブドメインも対象になります）");
        }
        String domain = ascii(value, value);
        if (PublicSuffixList.builtIn().registrableDomain(domain).isEmpty()) {
            throw new InvalidListEntry("'" + shown(value) + "' is a public suffix; it would match every domain under it",
                    "'" + shown(value) + "' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます");
        }
        return domain;
    }

    /**
     * Lower-case ASCII form of a domain (IDNA2003, which also folds full-width letters and {@code 。}); one
     * trailing dot is dropped.
     */
    private static String ascii(String domain, String whole) {
        String d = domain.endsWith(".") || domain.endsWith("。") ? domain.substring(0, domain.length() - 1) : domain;
        String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidListEntry("'" + shown(whole) + "' is not a valid domain name",
                    "'" + shown(whole) + "' は正しいドメイン名ではありません");
        }
        String[] labels = ascii.split("\\.", -1);
        if (ascii.isEmpty() || ascii.length() > 253 || labels.length < 2) {
            throw new InvalidListEntry("'" + shown(whole) + "' is not a valid domain name (needs at least two labels)",
                    "'" + shown(whole) + "' は正しいドメイン名ではありません（ドットで区切られたラベルが 2 つ以上必要です）");
        }
        for (String label : labels) {
            if (label.isEmpty()) {
                throw new InvalidListEntry("'" + shown(whole) + "' is not a valid domain name (empty label)",
                        "'" + shown(whole) + "' は正しいドメイン名ではありません（空のラベルがあります）");
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw new InvalidListEntry("'" + shown(whole) + "' is an IP address, not a domain; list a URL for a link to an IP address",
                    "'" + shown(whole) + "' は IP アドレスで、ドメインではありません。IP アドレスへのリンクは URL で登録してください");
        }
        return ascii;
    }

    /**
     * The lower-case ASCII form of an address's domain, for comparing a sender with entries; empty when it has none
     * or it is an address literal such as {@code [192.0.2.1]}. Read leniently, unlike an entry: a label that is no
     * host name ({@code news_1}, {@code -x}, one over 63 characters) is still a label of the DNS and of mail, and
     * a sender's domain that failed the strict reading matched no entry, so a block of {@code spam.example} let
     * {@code offers@news_1.spam.example} through. IDNA without the STD3 rules, and where even that refuses the name,
     * the name lower-cased: it can only match an entry it ends with.
     */
    static Optional<String> asciiDomainOf(String address) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? address : address.substring(at + 1);
        if (domain.endsWith(".") || domain.endsWith("。")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.startsWith("[")) {
            return Optional.empty();
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException notIdna) {
            ascii = domain;
        }
        return Optional.of(ascii.toLowerCase(Locale.ROOT));
    }

    /** Values echoed in errors are shortened and stripped of controls, so an error line stays one line. */
    private static String shown(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
