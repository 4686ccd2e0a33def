package io.mamori.core.link;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The destination written inside a link that passes through another site first: an open redirector of a well-known
 * site ({@code www.google.com/url?q=…}, Google's AMP viewer, YouTube's, Facebook's, Instagram's, VK's, Bing's and
 * LinkedIn's redirectors, DoubleClick's ad clicks), which phishing uses so that filters and readers see a reputable
 * domain, or a link rewriter or click tracker that a mail system or mailing service put there (Microsoft Defender's
 * Safe Links, Proofpoint's URL Defense, Symantec's click-time protection, Amazon SES's and DoubleClick's click
 * tracking), which hides the destination from the checks the same way; and, on any site, a query parameter that is a
 * web address at a bare public IP address. The link analyzer examines the destination as the link, and reports an open
 * redirector to another site ({@code LINK_OPEN_REDIRECT}).
 *
 * <p>Hand-written: each service writes its destination its own way (a query parameter, a path after a marker, base64),
 * documented or known from their links; no library reads them. Only destinations with a web scheme are taken.
 */
final class Redirects {

    /** A destination, and whether it was written by an open redirector (rather than a rewriter or tracker). */
    record Destination(String url, boolean openRedirector) {
    }

    /** google.com, google.co.jp, google.de … and their www. hosts. */
    private static final Pattern GOOGLE = Pattern.compile("(?:www\\.)?google(?:\\.com?)?(?:\\.[a-z]{2})?");
    private static final Pattern WEB = Pattern.compile("(?i)https?://.+");
    /** The longest URL looked into: the parameters of a redirect are read from this many characters. */
    private static final int MAX_URL = 8192;

    private Redirects() {
    }

    /**
     * The destination of {@code url} when its host ({@code asciiHost}, lower-case ASCII) is a redirector, rewriter or
     * tracker that writes it in the link, or empty.
     */
    static Optional<Destination> of(String asciiHost, String url) {
        if (url == null || url.length() > MAX_URL) {
            return Optional.empty();
        }
        String path = LinkAnalyzer.path(url);
        String query = LinkAnalyzer.query(url);
        String open = null;
        String rewritten = null;
        if (GOOGLE.matcher(asciiHost).matches()) {
            if (path.equals("/url")) {
                open = param(query, "q");
                if (open == null) {
                    open = param(query, "url");
                }
            } else if (path.startsWith("/amp/s/")) {
                open = "https://" + path.substring("/amp/s/".length());
            }
        } else if ((asciiHost.equals("www.youtube.com") || asciiHost.equals("youtube.com")) && path.equals("/redirect")) {
            open = param(query, "q");
        } else if ((asciiHost.equals("l.facebook.com") || asciiHost.equals("lm.facebook.com")) && path.equals("/l.php")) {
            open = param(query, "u");
        } else if (asciiHost.equals("l.instagram.com")) {
            open = param(query, "u");
        } else if ((asciiHost.equals("vk.com") || asciiHost.equals("m.vk.com")) && path.equals("/away.php")) {
            open = param(query, "to");
        } else if ((asciiHost.equals("www.bing.com") || asciiHost.equals("bing.com")) && path.equals("/ck/a")) {
            open = bing(param(query, "u"));
        } else if (asciiHost.equals("www.linkedin.com") && path.equals("/redir/redirect")) {
            open = param(query, "url");
        } else if (asciiHost.endsWith(".doubleclick.net") && path.startsWith("/clk;")) {
            // DoubleClick's click tracking: clk;<ad>;<placement>;<type>?<destination>, the "?" often written %3f
            rewritten = clickDestination(url);
        } else if (asciiHost.equals("adclick.g.doubleclick.net") || asciiHost.equals("ad.doubleclick.net")) {
            open = param(query, "adurl");
        } else if (asciiHost.endsWith(".safelinks.protection.outlook.com")) {
            rewritten = param(query, "url");
        } else if (asciiHost.equals("clicktime.symantec.com")) {
            rewritten = param(query, "u");
        } else if (asciiHost.equals("urldefense.com") && path.startsWith("/v3/__")) {
            // the destination as written, query and all, up to the "__;" that starts Proofpoint's own data
            int start = url.indexOf("/v3/__");
            int end = start < 0 ? -1 : url.indexOf("__;", start + 6);
            rewritten = end < 0 ? null : url.substring(start + 6, end);
        } else if (asciiHost.equals("urldefense.proofpoint.com") && path.equals("/v2/url")) {
            String u = param(query, "u");
            rewritten = u == null ? null : decoded(u.replace('-', '%').replace('_', '/'));
        } else if (asciiHost.endsWith(".awstrack.me") && path.startsWith("/L0/")) {
            int end = path.indexOf('/', 4);
            rewritten = decoded(end < 0 ? path.substring(4) : path.substring(4, end));
        }
        if (open == null && rewritten == null) {
            open = publicAddressIn(query);
        }
        if (open != null && WEB.matcher(open).matches()) {
            return Optional.of(new Destination(open, true));
        }
        if (rewritten != null && WEB.matcher(rewritten).matches()) {
            return Optional.of(new Destination(rewritten, false));
        }
        return Optional.empty();
    }

    /**
     * The first query parameter of a link to any other site that is a web address at a bare public IP address
     * ({@code …?RedirectToDomain&DomainUrl=http://211.…}), or {@code null}: following the link sends the reader there,
     * which is what phishing uses a reputable site's open redirect for, and no click tracker or legitimate redirect
     * sends readers to a bare address on the internet (a company's own systems at private addresses do not count).
     */
    private static String publicAddressIn(String query) {
        // walked in place, not split: most links of a newsletter have a query, and few hold a web address
        int start = 0;
        for (int pairs = 0; start < query.length() && pairs < 64; pairs++) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            int eq = query.indexOf('=', start);
            if (eq > start && eq < end && query.regionMatches(true, eq + 1, "http", 0, 4)) {
                String value = decoded(query.substring(eq + 1, end));
                if (value != null && WEB.matcher(value).matches()) {
                    Optional<String> host = LinkAnalyzer.host(value);
                    if (host.isPresent() && LinkAnalyzer.isIpLiteral(host.get())
                            && LinkAnalyzer.isPublicAddress(host.get())) {
                        return value;
                    }
                }
            }
            start = end + 1;
        }
        return null;
    }

    /** The destination of a DoubleClick click link: what follows its first "?" or "%3f", %-decoded; or {@code null}. */
    private static String clickDestination(String url) {
        for (int i = url.indexOf("/clk;"); i >= 0 && i < url.length(); i++) {
            if (url.charAt(i) == '?') {
                return decoded(url.substring(i + 1));
            }
            if (url.regionMatches(true, i, "%3f", 0, 3)) {
                return decoded(url.substring(i + 3));
            }
        }
        return null;
    }

    /** A query parameter's value, %-decoded, or {@code null}. */
    private static String param(String query, String name) {
        for (String pair : query.split("&", 64)) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).toLowerCase(Locale.ROOT).equals(name)) {
                return decoded(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // a broken escape: no destination read
        }
    }

    /** Bing's click links: "a1" and the destination in base64url. */
    private static String bing(String u) {
        if (u == null || !u.startsWith("a1")) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(u.substring(2).replace('+', '-').replace('/', '_')),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
