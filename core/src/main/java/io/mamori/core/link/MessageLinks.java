package io.mamori.core.link;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.message.CalendarText;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The web links of a message, for checks that only need where links lead (such as the block list): {@code a[href]},
 * {@code area[href]} and {@code form[action]} of HTML parts (jsoup, never rendered) and {@code http(s)://} or
 * {@code www.} URLs in plain text, and the web links of QR codes in pictures and of PDF attachments
 * ({@link EmbeddedLinks}); not other attachments. Hosts are those the browser opens ({@link UrlHosts#of}),
 * one spelling per destination. Bounded like
 * {@link LinkAnalyzer}: at most {@code max} distinct links, {@value #MAX_HTML_CHARS} characters of HTML per part,
 * {@value #MAX_TEXT_CHARS} of text. Stateless and thread-safe.
 */
public final class MessageLinks {

    static final int MAX_HTML_CHARS = 1_000_000;
    static final int MAX_TEXT_CHARS = 200_000;

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");

    /**
     * One link destination.
     *
     * @param host         the host the browser opens ({@link UrlHosts#of}): lower-case ASCII, or an IP address in its
     *                     canonical form ({@code [2001:db8::1]}, {@code 192.0.2.1})
     * @param pathAndQuery path and query as written, starting with {@code /}; empty for none; no fragment
     */
    public record Link(String host, String pathAndQuery) {
        public Link {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        }
    }

    private MessageLinks() {
    }

    /** Links collected per message at most: what any caller may ask for. */
    public static final int MAX_LINKS = 500;
    private static final io.mamori.core.analysis.MessageMemo.Key<List<Link>> LINKS =
            io.mamori.core.analysis.MessageMemo.Key.of("web links of the message");

    /**
     * The distinct web links of the message's text and HTML parts, in order of appearance, at most {@code max} (and at
     * most {@value #MAX_LINKS}); then those of its pictures and PDFs, found once per input ({@link EmbeddedLinks#of})
     * for this and the link analyzer. Collected once per message for every analyzer that asks (the block list and the
     * DNS block lists), each taking the first {@code max}, which are the links a collection of {@code max} would hold.
     */
    public static List<Link> of(AnalysisInput input, int max) {
        List<Link> all = input.memo().computeIfAbsent(LINKS, () -> collect(input, MAX_LINKS));
        return all.size() <= max ? all : all.subList(0, max);
    }

    private static List<Link> collect(AnalysisInput input, int max) {
        ParsedMessage message = input.message();
        Set<Link> links = new LinkedHashSet<>();
        for (MimePart part : message.parts()) {
            if (links.size() >= max || Thread.currentThread().isInterrupted()) {
                break;
            }
            java.util.Optional<CalendarText> calendar = CalendarText.of(part);
            if (calendar.isPresent()) {
                textLinks(calendar.get().links(), max, links);
                continue;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            if ("text/html".equals(part.contentType())) {
                String html = part.text();
                Document doc = Jsoup.parse(html.length() > MAX_HTML_CHARS ? html.substring(0, MAX_HTML_CHARS) : html);
                for (Element e : doc.select("a[href], area[href], form[action]")) {
                    if (links.size() >= max) {
                        break;
                    }
                    parse(e.is("form") ? e.attr("action") : e.attr("href"), links);
                }
            } else if ("text/plain".equals(part.contentType())) {
                textLinks(part.text(), max, links);
            }
        }
        if (links.size() < max && !Thread.currentThread().isInterrupted()) {
            for (EmbeddedLinks.Link link : EmbeddedLinks.of(input)) {
                if (links.size() >= max) {
                    break;
                }
                String url = link.url();
                parse(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url, links);
            }
        }
        return List.copyOf(links);
    }

    /** The web links of plain text, up to {@code max} links in all. */
    private static void textLinks(String text, int max, Set<Link> links) {
        TextUrls urls = new TextUrls(text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text);
        for (String found = urls.next(); found != null && links.size() < max; found = urls.next()) {
            String url = TextUrls.withoutTrailingPunctuation(found);
            parse(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url, links);
        }
    }

    private static void parse(String rawUrl, Set<Link> out) {
        String url = LinkAnalyzer.cleaned(rawUrl);
        Matcher scheme = SCHEME.matcher(url);
        String s = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
        if (!(s.equals("http") || s.equals("https") || (s.isEmpty() && url.startsWith("//")))) {
            return;
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
            return;
        }
        String rest = url.substring(end).replace('\\', '/');
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        if (rest.startsWith("?")) {
            rest = "/" + rest;
        }
        out.add(new Link(host, rest));
    }
}
