package io.mamori.core.verdict;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.owasp.html.Handler;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.HtmlSanitizer;
import org.owasp.html.HtmlStreamEventReceiver;
import org.owasp.html.HtmlStreamRenderer;
import org.owasp.html.PolicyFactory;
import org.owasp.html.TagBalancingHtmlStreamEventReceiver;

/**
 * Disarms HTML while streaming it: rebuilds it from an allow-list of formatting (or renders it as text), with
 * links turned into visible, defanged text and remote images removed.
 *
 * <p><b>Why the OWASP Java HTML Sanitizer and not jsoup's Cleaner.</b> jsoup cleans a parsed document tree, and a
 * tree costs many times the size of its HTML, so a 50 MB part would need gigabytes. The OWASP sanitizer is an
 * event pipeline (lexer → policy → renderer writing to an {@link Appendable}); its lexer takes one string at a
 * time, so the HTML is fed to it in pieces cut between tokens by {@link HtmlChunks}, while one tag balancer and
 * one policy, built once here, keep their state across the pieces. It is also built for exactly this job: an
 * allow-list policy whose output is escaped by construction (nothing that is not an allowed element or attribute
 * can come out as markup, whatever the input), and CSS sanitising that drops {@code url(…)} by default, so no
 * style can load a remote resource.
 *
 * <p>Event flow: lexer (per piece) → {@link Piece} (drops the per-piece document events) → {@link LinksAndImages}
 * (anchors become text plus their defanged target, remote images their alt text, URLs in text defanged) → tag
 * balancer (nesting capped at 256) → OWASP policy → renderer, or → {@link TextRenderer}. Stateless; each call is
 * independent and thread-safe.
 */
final class DisarmedHtml {

    private static final Pattern CID = Pattern.compile("(?i)\\s*cid:\\S+");

    static final String[] FORMATTING = {
        "p", "div", "span", "br", "hr", "b", "i", "u", "s", "strike", "strong", "em", "small", "big", "sub", "sup",
        "font", "center", "blockquote", "pre", "code", "tt", "kbd", "samp", "var", "cite", "q", "abbr", "acronym",
        "address", "dfn", "del", "ins", "mark", "nobr", "wbr", "bdi", "bdo", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
        "colgroup", "col", "img", "section", "article", "header", "footer", "main", "nav", "aside", "figure",
        "figcaption"};

    private static HtmlPolicyBuilder formatting() {
        return new HtmlPolicyBuilder()
                .allowElements(FORMATTING)
                .allowAttributes("title", "dir", "lang", "align").globally()
                .allowStyling()
                .allowAttributes("border", "cellpadding", "cellspacing", "width", "height", "bgcolor", "summary", "valign")
                        .onElements("table")
                .allowAttributes("bgcolor", "valign", "width", "height", "colspan", "rowspan", "nowrap")
                        .onElements("tr", "td", "th", "thead", "tbody", "tfoot")
                .allowAttributes("span", "width").onElements("col", "colgroup")
                .allowAttributes("color", "face", "size").onElements("font")
                .allowAttributes("size", "width", "noshade", "color").onElements("hr")
                .allowAttributes("start", "type").onElements("ol")
                .allowAttributes("type").onElements("ul")
                .allowAttributes("value", "type").onElements("li")
                .allowAttributes("alt", "width", "height", "border").onElements("img")
                // Only images that travel inside the message: a remote image tells the sender the mail was opened.
                .allowAttributes("src").matching(CID).onElements("img");
    }

    /** Links neither kept nor clickable: LinksAndImages has already turned every anchor into text. */
    private static final PolicyFactory WITHOUT_LINKS = formatting().allowUrlProtocols("cid").toFactory();

    /**
     * Absolute web and mail addresses: the sanitizer's protocol list lets relative references through ({@code href="/settings"}
     * would resolve against the webmail that shows the message).
     */
    private static final Pattern WEB_OR_MAIL = Pattern.compile("(?i)\\s*(?:https?:|mailto:)\\S.*", Pattern.DOTALL);

    /** {@code defang_links: false}: web and mail links stay, with rel=noopener noreferrer. */
    private static final PolicyFactory WITH_LINKS = formatting()
            .allowElements("a")
            .allowAttributes("href").matching(WEB_OR_MAIL).onElements("a")
            .allowUrlProtocols("http", "https", "mailto", "cid")
            .requireRelsOnLinks("noopener", "noreferrer")
            .toFactory();

    private static final HtmlSanitizer.Policy NEVER_CALLED = new HtmlSanitizer.Policy() {
        @Override public void openDocument() { }
        @Override public void closeDocument() { }
        @Override public void openTag(String elementName, List<String> attrs) { }
        @Override public void closeTag(String elementName) { }
        @Override public void text(String text) { }
    };

    private DisarmedHtml() {
    }

    /** Writes {@code in}, sanitized, to {@code out} as an HTML fragment (no html, head or body elements). */
    static void sanitize(Reader in, Writer out, boolean defangLinks) throws IOException {
        sanitize(new HtmlChunks(in), out, defangLinks);
    }

    /** As {@link #sanitize(Reader, Writer, boolean)}, with the pieces coming from {@code chunks}. */
    static void sanitize(HtmlChunks chunks, Writer out, boolean defangLinks) throws IOException {
        IOException[] failure = new IOException[1];
        // The renderer closes a Closeable output when the document ends; the caller owns the writer, so it gets
        // an Appendable that is not one.
        Appendable target = new Appendable() {
            @Override
            public Appendable append(CharSequence csq) throws IOException {
                out.append(csq);
                return this;
            }

            @Override
            public Appendable append(CharSequence csq, int start, int end) throws IOException {
                out.append(csq, start, end);
                return this;
            }

            @Override
            public Appendable append(char c) throws IOException {
                out.append(c);
                return this;
            }
        };
        HtmlStreamRenderer renderer = HtmlStreamRenderer.create(target, e -> failure[0] = e, Handler.DO_NOTHING);
        // URLs are defanged in the text nodes of the result, as a mail client's linkifier reads them: an element the
        // policy drops joins the text on either side ("htt<xyz></xyz>ps://…"), which defanging the input's text events
        // one by one missed
        HtmlSanitizer.Policy policy = (defangLinks ? WITHOUT_LINKS : WITH_LINKS)
                .apply(defangLinks ? new DefangedTextNodes(renderer) : renderer);
        run(chunks, new LinksAndImages(balanced(policy), defangLinks, !defangLinks), failure);
    }

    /** Writes the text of {@code in} to {@code out}: paragraphs and lines kept, links as {@code text [target]}. */
    static void toText(Reader in, Writer out, boolean defangLinks) throws IOException {
        IOException[] failure = new IOException[1];
        // defanged as written, not only per text event: inline elements cut a page's text into events ("ht<b></b>tp://…")
        // that the text joins again, and a mail client linkifies the joined text
        Writer target = defangLinks ? LinkDefanger.defanging(out) : out;
        TextRenderer text = new TextRenderer(target, failure);
        run(new HtmlChunks(in), new LinksAndImages(balanced(text), defangLinks, false), failure);
        if (defangLinks) {
            target.close();
        }
    }

    private static HtmlStreamEventReceiver balanced(HtmlStreamEventReceiver sink) {
        TagBalancingHtmlStreamEventReceiver balancer = new TagBalancingHtmlStreamEventReceiver(sink);
        balancer.setNestingLimit(256);
        return balancer;
    }

    private static void run(HtmlChunks chunks, HtmlStreamEventReceiver head, IOException[] failure) throws IOException {
        Piece piece = new Piece(head);
        head.openDocument();
        for (String chunk; (chunk = chunks.next()) != null; ) {
            HtmlSanitizer.sanitize(chunk, NEVER_CALLED, sink -> piece);
            if (failure[0] != null) {
                throw failure[0];
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("disarm interrupted");
            }
        }
        head.closeDocument();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Hands one piece's events on, without the open/close document events every piece brings. */
    private record Piece(HtmlStreamEventReceiver next) implements HtmlStreamEventReceiver {
        @Override public void openDocument() { }
        @Override public void closeDocument() { }
        @Override public void openTag(String elementName, List<String> attrs) { next.openTag(elementName, attrs); }
        @Override public void closeTag(String elementName) { next.closeTag(elementName); }
        @Override public void text(String text) { next.text(text); }
    }

    /**
     * Defangs the URLs of each text node of the result whole ({@link LinkDefanger.HeldText}): the text between two tags
     * the policy writes, however many text events it came in.
     */
    private static final class DefangedTextNodes implements HtmlStreamEventReceiver {
        private final HtmlStreamEventReceiver next;
        private final LinkDefanger.HeldText held = new LinkDefanger.HeldText();

        DefangedTextNodes(HtmlStreamEventReceiver next) {
            this.next = next;
        }

        @Override
        public void openDocument() {
            next.openDocument();
        }

        @Override
        public void closeDocument() {
            endTextNode();
            next.closeDocument();
        }

        @Override
        public void openTag(String name, List<String> attrs) {
            endTextNode();
            next.openTag(name, attrs);
        }

        @Override
        public void closeTag(String name) {
            endTextNode();
            next.closeTag(name);
        }

        @Override
        public void text(String text) {
            String ready = held.add(text, 0, text.length());
            if (ready != null) {
                next.text(ready);
            }
        }

        private void endTextNode() {
            String rest = held.rest();
            if (!rest.isEmpty()) {
                next.text(rest);
            }
        }
    }

    /**
     * Anchors become their text followed by {@code " [target]"} (defanged when asked), unless {@code keepLinks};
     * images that are not {@code cid:} parts of the message become their alt text. URLs in text are defanged after
     * the policy ({@link DefangedTextNodes}, or the text's writer for {@link #toText}), which join the pieces a text
     * comes in, so a URL split between two of them is still found whole.
     */
    static final class LinksAndImages implements HtmlStreamEventReceiver {
        private static final int MAX_ANCHOR_TEXT = 2048;

        private final HtmlStreamEventReceiver next;
        private final boolean defang;
        private final boolean keepLinks;
        private final Deque<Anchor> anchors = new ArrayDeque<>();

        private static final class Anchor {
            final String href;
            final StringBuilder text = new StringBuilder();

            Anchor(String href) {
                this.href = href;
            }
        }

        LinksAndImages(HtmlStreamEventReceiver next, boolean defang, boolean keepLinks) {
            this.next = next;
            this.defang = defang;
            this.keepLinks = keepLinks;
        }

        @Override
        public void openDocument() {
            next.openDocument();
        }

        @Override
        public void closeDocument() {
            while (!anchors.isEmpty()) {
                closeAnchor();
            }
            next.closeDocument();
        }

        @Override
        public void openTag(String name, List<String> attrs) {
            switch (name) {
                case "a" -> {
                    if (keepLinks) {
                        next.openTag(name, attrs);
                    } else {
                        anchors.push(new Anchor(attribute(attrs, "href")));
                        next.openTag("span", List.of());
                    }
                }
                case "img", "image" -> {
                    String src = attribute(attrs, "src");
                    if (src != null && CID.matcher(src).matches()) {
                        next.openTag("img", attrs);
                    } else {
                        String alt = attribute(attrs, "alt");
                        if (alt != null && !alt.isBlank()) {
                            text("[" + alt.strip() + "]");
                        }
                    }
                }
                default -> next.openTag(name, attrs);
            }
        }

        @Override
        public void closeTag(String name) {
            if (name.equals("a") && !keepLinks) {
                if (!anchors.isEmpty()) {
                    closeAnchor();
                }
                return;
            }
            next.closeTag(name);
        }

        @Override
        public void text(String text) {
            next.text(text);
            Anchor open = anchors.peek();
            if (open != null && open.text.length() < MAX_ANCHOR_TEXT) {
                open.text.append(text, 0, Math.min(text.length(), MAX_ANCHOR_TEXT - open.text.length()));
            }
        }

        private void closeAnchor() {
            Anchor a = anchors.pop();
            if (a.href != null && !showsItsTarget(a.text.toString(), a.href)) {
                String shown = LinkDefanger.shown(a.href, defang);
                if (shown != null) {
                    next.text(" [" + shown + "]");
                }
            }
            next.closeTag("span");
        }

        /** The link text already is the target (then repeating it in brackets only adds noise). */
        private static boolean showsItsTarget(String text, String href) {
            String t = text.strip();
            String h = href.strip();
            return t.equalsIgnoreCase(h) || (t + "/").equalsIgnoreCase(h) || ("mailto:" + t).equalsIgnoreCase(h);
        }

        private static String attribute(List<String> attrs, String name) {
            for (int i = 0; i + 1 < attrs.size(); i += 2) {
                if (attrs.get(i).equals(name)) {
                    return attrs.get(i + 1);
                }
            }
            return null;
        }
    }

    /**
     * Renders balanced HTML events as plain text: block elements start new lines, paragraphs and headings are
     * separated by a blank line, list items get a bullet, table cells a tab, runs of white space collapse outside
     * {@code <pre>}, and the content of script, style and similar elements is dropped. Lines end with CRLF.
     */
    static final class TextRenderer implements HtmlStreamEventReceiver {
        private static final Set<String> SKIPPED = Set.of("script", "style", "title", "head", "noscript", "template",
                "iframe", "object", "embed", "frame", "frameset", "noframes", "noembed", "svg", "math", "select");
        private static final Set<String> BLOCK = Set.of("div", "table", "tr", "ul", "ol", "dl", "dt", "dd", "center",
                "form", "fieldset", "section", "article", "header", "footer", "main", "nav", "aside", "figure",
                "figcaption", "caption", "address", "tbody", "thead", "tfoot", "legend");
        private static final Set<String> PARAGRAPH = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre");

        private final Writer out;
        private final IOException[] failure;
        private int skipped;
        private int preformatted;
        /** Line breaks owed before the next text: 0, 1 (new line) or 2 (blank line). */
        private int breaks;
        private boolean lineStarted;
        private boolean anyText;
        private boolean spaceOwed;

        TextRenderer(Writer out, IOException[] failure) {
            this.out = out;
            this.failure = failure;
        }

        @Override
        public void openDocument() {
        }

        @Override
        public void closeDocument() {
            write("\r\n");
        }

        @Override
        public void openTag(String name, List<String> attrs) {
            String n = name.toLowerCase(Locale.ROOT);
            if (SKIPPED.contains(n)) {
                skipped++;
                return;
            }
            if (skipped > 0) {
                return;
            }
            switch (n) {
                case "br" -> {
                    write("\r\n");
                    lineStarted = false;
                    spaceOwed = false;
                }
                case "hr" -> {
                    owe(1);
                    emit("----------------------------------------");
                    owe(1);
                }
                case "li" -> {
                    owe(1);
                    emit("・");
                }
                case "td", "th" -> spaceOwed = lineStarted;
                case "img" -> {
                    String alt = LinksAndImages.attribute(attrs, "alt");
                    if (alt != null && !alt.isBlank()) {
                        emit("[" + alt.strip() + "]");
                    }
                }
                case "pre" -> {
                    owe(2);
                    preformatted++;
                }
                default -> {
                    if (PARAGRAPH.contains(n)) {
                        owe(2);
                    } else if (BLOCK.contains(n)) {
                        owe(1);
                    }
                }
            }
        }

        @Override
        public void closeTag(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (SKIPPED.contains(n)) {
                skipped = Math.max(0, skipped - 1);
                return;
            }
            if (skipped > 0) {
                return;
            }
            if (n.equals("pre")) {
                preformatted = Math.max(0, preformatted - 1);
            }
            if (PARAGRAPH.contains(n)) {
                owe(2);
            } else if (BLOCK.contains(n) || n.equals("li")) {
                owe(1);
            }
        }

        @Override
        public void text(String text) {
            if (skipped > 0 || text.isEmpty()) {
                return;
            }
            if (preformatted > 0) {
                String[] lines = text.split("\r\n|\r|\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    if (i > 0) {
                        write("\r\n");
                        lineStarted = false;
                        breaks = 0;
                    }
                    if (!lines[i].isEmpty()) {
                        emit(lines[i]);
                    }
                }
                return;
            }
            StringBuilder word = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c) || c == '\u00a0') {
                    if (word.length() > 0) {
                        emit(word.toString());
                        word.setLength(0);
                    }
                    spaceOwed = lineStarted;
                } else {
                    word.append(c);
                }
            }
            if (word.length() > 0) {
                emit(word.toString());
            }
        }

        private void owe(int n) {
            if (anyText) {
                breaks = Math.max(breaks, n);
            }
            spaceOwed = false;
        }

        private void emit(String s) {
            if (breaks > 0) {
                write(lineStarted ? (breaks == 2 ? "\r\n\r\n" : "\r\n") : (breaks == 2 ? "\r\n" : ""));
                lineStarted = false;
                breaks = 0;
                spaceOwed = false;
            }
            if (spaceOwed && lineStarted) {
                write(" ");
            }
            spaceOwed = false;
            write(s);
            lineStarted = true;
            anyText = true;
        }

        private void write(String s) {
            if (failure[0] != null) {
                return;
            }
            try {
                out.write(s);
            } catch (IOException e) {
                failure[0] = e;
            }
        }
    }
}
