package io.mamori.core.link;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.message.CalendarText;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

/**
 * The web links of a message, for checks that only need where links lead (the block list, the DNS block lists):
 * {@code a[href]}, {@code area[href]} and {@code form[action]} of HTML parts, attached HTML pages among them (jsoup,
 * never rendered), and the page a {@code <meta http-equiv="refresh">} sends the browser to ({@link Origin#META_REFRESH}:
 * an attached page opened in a browser goes there by itself, unclicked), {@code http(s)://} or {@code www.} URLs in plain text and calendar invitations, and the web links
 * of QR codes in pictures and of PDF and Office attachments ({@link EmbeddedLinks}); not other attachments. Hosts
 * are those the browser opens ({@link UrlHosts#of}), one spelling per destination. Of a text or HTML part at most
 * {@value #MAX_PART_CHARS} characters are read, and at most what the parser kept of it ({@link MimePart#textComplete}):
 * {@link #walk} says what it could not read. Stateless and thread-safe.
 */
public final class MessageLinks {

    /**
     * Characters of one text or HTML part read at most: the text the parser keeps of a part by default (1 MiB,
     * {@code ParseLimits.defaults()}), so with the shipped limits only the parser cuts a part; a parser set to keep
     * more does not make jsoup build a tree of any size.
     */
    static final int MAX_PART_CHARS = 1 << 20;

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");

    /** How the reader gets to a link's destination. */
    public enum Origin {
        /** A link, form, address in the text or link of a picture or document: the reader opens it. */
        LINK(""),
        /** A {@code <meta http-equiv="refresh">} of an HTML part: the browser goes there by itself. */
        META_REFRESH("meta refresh");

        private final String shown;

        Origin(String shown) {
            this.shown = shown;
        }

        /** How evidence names the origin ({@code meta refresh}); empty for an ordinary link. */
        public String shown() {
            return shown;
        }
    }

    /**
     * One link destination.
     *
     * @param host         the host the browser opens ({@link UrlHosts#of}): lower-case ASCII, or an IP address in its
     *                     canonical form ({@code [2001:db8::1]}, {@code 192.0.2.1})
     * @param pathAndQuery path and query as written, starting with {@code /}; empty for none; no fragment
     * @param origin       how the reader gets there
     */
    public record Link(String host, String pathAndQuery, Origin origin) {
        public Link {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(pathAndQuery, "pathAndQuery");
            Objects.requireNonNull(origin, "origin");
        }

        /** An ordinary link ({@link Origin#LINK}). */
        public Link(String host, String pathAndQuery) {
            this(host, pathAndQuery, Origin.LINK);
        }
    }

    private MessageLinks() {
    }

    /** Links collected per message at most by {@link #of}: what any caller of it may ask for. */
    public static final int MAX_LINKS = 500;
    private static final io.mamori.core.analysis.MessageMemo.Key<List<Link>> LINKS =
            io.mamori.core.analysis.MessageMemo.Key.of("web links of the message");

    /**
     * The first {@code max} (at most {@value #MAX_LINKS}) distinct web links of the message in the order of
     * {@link #walk}, for checks that ask something of each link and must stop somewhere (a DNS query per domain).
     * Collected once per message for every analyzer that asks, each taking the first {@code max}, which are the links a
     * collection of {@code max} would hold. A check that must see every link (a set look-up) walks them instead.
     */
    public static List<Link> of(AnalysisInput input, int max) {
        List<Link> all = input.memo().computeIfAbsent(LINKS, () -> {
            Set<Link> links = new LinkedHashSet<>();
            walk(input, link -> {
                links.add(link);
                return links.size() < MAX_LINKS;
            });
            return List.copyOf(links);
        });
        return all.size() <= max ? all : all.subList(0, max);
    }

    /**
     * Gives every web link of the message to {@code visitor}, as often as it is written, in order of appearance: those
     * of the text, HTML and calendar parts, then those of pictures and documents ({@link EmbeddedLinks#of}, found once
     * per input for this and the link analyzer), until the visitor returns false.
     *
     * @return what could not be read, one short description per part (empty when every link was given, or the visitor
     *         stopped): a part the parser kept only the beginning of, or longer than {@value #MAX_PART_CHARS}
     *         characters, a calendar longer than {@link CalendarText#MAX_BYTES} bytes, or the rest of a message whose
     *         analysis was interrupted
     */
    public static List<String> walk(AnalysisInput input, Predicate<Link> visitor) {
        ParsedMessage message = input.message();
        List<String> unread = new ArrayList<>();
        for (MimePart part : message.parts()) {
            if (Thread.currentThread().isInterrupted()) {
                unread.add("part " + part.path() + " and after: the analysis was interrupted");
                return unread;
            }
            java.util.Optional<CalendarText> calendar = CalendarText.of(part);
            if (calendar.isPresent()) {
                if (part.content().length() > CalendarText.MAX_BYTES || !part.content().complete()) {
                    unread.add(shown(part) + ": calendar read to " + CalendarText.MAX_BYTES + " bytes");
                }
                if (!textLinks(calendar.get().links(), visitor)) {
                    return List.of();
                }
                continue;
            }
            boolean html = "text/html".equals(part.contentType());
            // an attached HTML page opens in the browser, its links as clickable as the body's; a text file's are not
            if (part.text() == null || (part.attachment() && !html)) {
                continue;
            }
            String text = part.text();
            if (!part.textComplete()) {
                unread.add(shown(part) + ": the parser kept " + text.length() + " characters of " + part.size() + " bytes");
            }
            if (text.length() > MAX_PART_CHARS) {
                unread.add(shown(part) + ": read to " + MAX_PART_CHARS + " of " + text.length() + " characters");
                text = text.substring(0, MAX_PART_CHARS);
            }
            if (html) {
                org.jsoup.nodes.Document doc = Jsoup.parse(text);
                Optional<java.net.URL> base = UrlHosts.base(doc);
                for (Element e : doc.select("a[href], area[href], form[action], meta[http-equiv]")) {
                    Link link;
                    if (e.is("meta")) {
                        link = refreshTarget(e).map(url -> parse(UrlHosts.resolved(url, base)))
                                .map(l -> new Link(l.host(), l.pathAndQuery(), Origin.META_REFRESH)).orElse(null);
                    } else {
                        link = parse(UrlHosts.resolved(e.is("form") ? e.attr("action") : e.attr("href"), base));
                    }
                    if (link != null && !visitor.test(link)) {
                        return List.of();
                    }
                }
            } else if ("text/plain".equals(part.contentType()) && !textLinks(text, visitor)) {
                return List.of();
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            unread.add("pictures and documents: the analysis was interrupted");
            return unread;
        }
        for (EmbeddedLinks.Link embedded : EmbeddedLinks.of(input)) {
            String url = embedded.url();
            Link link = parse(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url);
            if (link != null && !visitor.test(link)) {
                return List.of();
            }
        }
        return unread;
    }

    /**
     * Where a {@code <meta http-equiv="refresh">} sends the browser, as written (unresolved); empty for any other
     * element, or a refresh of the page itself. Read as browsers read {@code content}, by the HTML standard's "shared
     * declarative refresh steps": a time of digits and dots, then {@code ;} or {@code ,} or white space, then the URL,
     * after an optional {@code url=} (any case, spaces around {@code =}) and in optional quotes. Browsers also accept
     * {@code 0;https://evil.example/} without {@code url=}, so that is read too.
     */
    static Optional<String> refreshTarget(Element meta) {
        if (!meta.normalName().equals("meta") || !meta.attr("http-equiv").strip().equalsIgnoreCase("refresh")) {
            return Optional.empty();
        }
        String c = meta.attr("content");
        int n = c.length();
        int i = skipSpace(c, 0);
        int time = i;
        while (i < n && ((c.charAt(i) >= '0' && c.charAt(i) <= '9') || c.charAt(i) == '.')) {
            i++;
        }
        if (i == time) {
            return Optional.empty(); // no time: browsers ignore the element
        }
        if (i < n && !isSpace(c.charAt(i)) && c.charAt(i) != ';' && c.charAt(i) != ',') {
            return Optional.empty();
        }
        i = skipSpace(c, i);
        if (i < n && (c.charAt(i) == ';' || c.charAt(i) == ',')) {
            i = skipSpace(c, i + 1);
        }
        if (c.regionMatches(true, i, "url", 0, 3)) {
            int j = skipSpace(c, i + 3);
            if (j < n && c.charAt(j) == '=') {
                i = skipSpace(c, j + 1);
            }
        }
        if (i < n && (c.charAt(i) == '"' || c.charAt(i) == '\'')) {
            char quote = c.charAt(i);
            int end = c.indexOf(quote, i + 1);
            c = c.substring(i + 1, end < 0 ? n : end);
        } else {
            c = c.substring(i);
        }
        c = c.strip();
        return c.isEmpty() ? Optional.empty() : Optional.of(c);
    }

    private static int skipSpace(String s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** ASCII white space as the HTML standard counts it: tab, line feed, form feed, carriage return, space. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }

    /** A part as evidence names it: its position, type and file name. */
    private static String shown(MimePart part) {
        return "part " + part.path() + " " + part.contentType() + (part.filename() == null ? "" : " " + part.filename());
    }

    /** The web links of plain text to the visitor; whether it asked for more. */
    private static boolean textLinks(String text, Predicate<Link> visitor) {
        TextUrls urls = new TextUrls(text);
        for (String found = urls.next(); found != null; found = urls.next()) {
            String url = TextUrls.withoutTrailingPunctuation(found);
            Link link = parse(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url);
            if (link != null && !visitor.test(link)) {
                return false;
            }
        }
        return true;
    }

    /** The destination of a web link, or null for a link that is not one or whose host no browser accepts. */
    private static Link parse(String rawUrl) {
        String url = LinkAnalyzer.cleaned(rawUrl);
        Matcher scheme = SCHEME.matcher(url);
        String s = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
        if (!(s.equals("http") || s.equals("https") || (s.isEmpty() && url.startsWith("//")))) {
            return null;
        }
        int i = s.isEmpty() ? 0 : scheme.end();
        // Browsers read back-slashes as slashes and accept any number of them after a web scheme.
        while (i < url.length() && (url.charAt(i) == '/' || url.charAt(i) == '\\')) {
            i++;
        }
        int end = i;
        while (end < url.length() && "/\\?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        // the host the browser opens, in one spelling, so an entry matches it however the link writes it
        String host = LinkAnalyzer.host(url).flatMap(UrlHosts::of).orElse(null);
        if (host == null) {
            return null;
        }
        String rest = url.substring(end).replace('\\', '/');
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        if (rest.startsWith("?")) {
            rest = "/" + rest;
        }
        return new Link(host, rest);
    }
}
