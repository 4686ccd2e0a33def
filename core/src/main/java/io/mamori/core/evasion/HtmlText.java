package io.mamori.core.evasion;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.MessageMemo;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * The text of an HTML body as a reader sees it, and the text it hides from the reader ("hidden text salting": words
 * or junk a filter reads but a mail client never shows). jsoup builds the tree (never rendered, no script, no network);
 * one walk over the body then sorts each text node into visible or hidden by the styles that hide content in mail
 * clients: {@code display:none}, {@code visibility:hidden}, a font size of (about) zero, {@code opacity:0}, a zero
 * height or width with {@code overflow:hidden}, text pushed far off-screen, the {@code hidden} attribute, a transparent
 * text colour, and a text colour within a few shades of the background colour declared on the element or an ancestor,
 * or of the white page a client shows when nothing declares a background ({@link CssRules#declaresBackgrounds}).
 * Styles come from {@code style} attributes, {@code bgcolor}/{@code color} attributes and the plain (not
 * {@code @media}) rules of {@code <style>} elements that can hide text, applied with jsoup's selector engine; content a
 * {@code @media} rule shows again (the "mobile-only" blocks of responsive newsletters) counts as visible. Words are separated as a browser separates them:
 * block and table elements and line breaks break words, inline tags do not ({@code pass<b>word</b>} reads
 * "password"). The base text of rubies is read as the line it is on screen and their readings ({@code rt}), the small
 * line above it, after it, at the next block boundary ({@code お客様の<ruby>パ<rt>x</rt>ス<rt>y</rt></ruby>です} reads
 * "お客様のパスです xy"); the fallback parentheses ({@code rp}) that a client showing ruby never shows are left out.
 *
 * <p>Besides the visible text, {@link Reading#readable()} is the text as a reader may read it, for the words of lures:
 * the alt text of each shown picture that is not embedded in the message (a client that blocks remote pictures, as
 * most do by default for unknown senders, and a picture without a source show the alt text where the picture would
 * be; a {@code cid:} or {@code data:} picture is shown itself, and a picture of 1 pixel or less shows nothing), and
 * {@code <bdo dir="rtl">} and an inline {@code unicode-bidi: bidi-override; direction: rtl} written as the right-to-left
 * override they are (U+202E … U+202C), which the lure reading puts in the order shown. Text that CSS generates
 * ({@code ::before { content: "…" }}) is not read: Outlook for Windows (Word's renderer) and Gmail, where the mail of
 * the companies this gateway serves is read, do not show it, and reading it would mean matching every pseudo-element
 * rule against the tree.
 *
 * <p>Bounded: at most {@value #MAX_HTML_CHARS} characters of HTML are parsed, {@value #MAX_TEXT_CHARS} characters of
 * visible text kept, {@value #MAX_STYLE_RULES} style rules applied. Given the {@link AnalysisInput}, trees and
 * readings are kept in the message's memo ({@link AnalysisInput#memo()}) by the part's text, so that the analyzers
 * reading the same part (links, evasion, lure wording, content classifier) build its tree once; without one (training
 * the content model, tools) each call parses anew. Thread-safe.
 */
public final class HtmlText {

    static final int MAX_HTML_CHARS = 1_000_000;
    static final int MAX_TEXT_CHARS = 400_000;
    static final int MAX_STYLE_RULES = 200;

    /** How a piece of text was hidden, in evidence order. */
    public enum Technique {
        DISPLAY_NONE("display:none"),
        VISIBILITY_HIDDEN("visibility:hidden"),
        HIDDEN_ATTRIBUTE("hidden attribute"),
        ZERO_FONT("font-size:0"),
        ZERO_OPACITY("opacity:0"),
        ZERO_SIZE("zero size"),
        OFF_SCREEN("off-screen"),
        TRANSPARENT_COLOUR("transparent colour"),
        BACKGROUND_COLOUR("colour of the background");

        private final String label;

        Technique(String label) {
            this.label = label;
        }

        /** A short name for evidence, e.g. {@code display:none}. */
        public String label() {
            return label;
        }
    }

    /**
     * What one HTML part shows and hides. Letters are code points that are letters or digits (spaces, punctuation and
     * invisible padding such as {@code &zwnj;&nbsp;} do not count).
     *
     * @param visible        the visible text, words in reading order (whitespace as written; block boundaries as a space)
     * @param readable       the visible text with the alt text of remote or missing pictures in their place and
     *                       right-to-left overrides ({@code <bdo dir="rtl">}, the inline style) as U+202E … U+202C:
     *                       what a reader whose client blocks remote pictures reads (the same instance as
     *                       {@code visible} when the two do not differ)
     * @param visibleLetters letters of the visible text
     * @param hiddenLetters  letters of the hidden text
     * @param hiddenRuns     places where hidden text with letters sits (consecutive hidden text nodes are one place)
     * @param wordSplits     hidden runs sitting inside a word: a visible letter right before and right after them
     * @param byTechnique    hidden letters by the technique that hid them
     * @param styleWords     words written in the {@code <style>} elements outside any rule (word salad for filters)
     * @param gridTables     tables (outside elements that show no text) that could be a picture drawn with coloured
     *                       cells: at least {@value #GRID_MIN_ROWS} rows of their own and four cells a row (a row
     *                       of a QR code has at least four runs of modules, each a cell with {@code colspan} at
     *                       least), nine in ten or more of them empty (no text but spaces or invisible characters, at
     *                       most one element)
     */
    public record Reading(String visible, String readable, int visibleLetters, int hiddenLetters, int hiddenRuns,
            int wordSplits, Map<Technique, Integer> byTechnique, int styleWords, int gridTables) {
        public Reading {
            Objects.requireNonNull(visible, "visible");
            Objects.requireNonNull(readable, "readable");
            EnumMap<Technique, Integer> copy = new EnumMap<>(Technique.class);
            copy.putAll(byTechnique);
            byTechnique = Collections.unmodifiableMap(copy);
        }
    }

    /** Rows and empty cells a table needs at least to count in {@link Reading#gridTables()} (the smallest QR code's). */
    static final int GRID_MIN_ROWS = DrawnPictures.MIN_SIDE;
    static final int GRID_MIN_CELLS = 4 * GRID_MIN_ROWS;

    /**
     * Whether a table of {@code rows} rows of its own and {@code cells} cells, {@code emptyCells} of them empty
     * ({@link #emptyCell}), could be a picture drawn with coloured cells ({@link Reading#gridTables()}; the tables
     * {@link DrawnPictures} reads).
     */
    static boolean mayBeGrid(int rows, int cells, int emptyCells) {
        return rows >= GRID_MIN_ROWS && emptyCells >= Math.max(GRID_MIN_CELLS, 4L * rows)
                && emptyCells * 10L >= cells * 9L;
    }

    /** No text but spaces (no-break spaces too) and invisible characters, and at most one element inside. */
    static boolean emptyCell(Element cell) {
        int elements = 0;
        for (int i = 0; i < cell.childNodeSize(); i++) {
            Node child = cell.childNode(i);
            if (child instanceof Element && ++elements > 1) {
                return false;
            }
            if (child instanceof TextNode t && !blank(t.getWholeText())) {
                return false;
            }
        }
        return true;
    }

    /** Only spaces, no-break spaces, control and format (invisible) characters. */
    private static boolean blank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && c != 0xa0 && Character.getType(c) != Character.FORMAT) {
                return false;
            }
        }
        return true;
    }

    /**
     * Elements whose content is not shown text. {@code rp} holds the parentheses a client that cannot show ruby shows
     * around its readings; the clients that show ruby do not show them.
     */
    private static final Set<String> SKIPPED = Set.of("script", "style", "template", "head", "title", "noscript",
            "object", "svg", "math", "select", "textarea", "iframe", "rp");
    /** Elements whose boundaries separate words when rendered (block, list and table elements, line breaks, images). */
    private static final Set<String> BREAKS = Set.of("address", "article", "aside", "blockquote", "br", "button",
            "caption", "center", "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure",
            "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "input", "li", "main", "menu",
            "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul");

    /** The trees and readings of a message's HTML parts, in its memo. */
    private static final MessageMemo.Key<Readings> READINGS = MessageMemo.Key.of("HTML readings");

    /**
     * The trees and readings of one message's HTML parts by the part's text: the analyzers of one message run in
     * parallel and read the same part, so the first to ask parses it (links, evasion, lure wording or the content
     * classifier, whichever comes first) and the others wait for that tree. Each part has a lock of its own, so that
     * two parts are parsed in parallel; this map's lock is held only for the look-up.
     */
    private static final class Readings {
        private final Map<String, Memo> parts = new HashMap<>();
        private int parses;

        Memo of(String html) {
            synchronized (parts) {
                return parts.computeIfAbsent(Objects.requireNonNull(html, "html"), k -> new Memo(this));
            }
        }

        Document parse(String html) {
            synchronized (parts) {
                parses++;
            }
            return HtmlText.parse(html);
        }

        int parses() {
            synchronized (parts) {
                return parses;
            }
        }
    }

    /**
     * One part's tree and reading, each built once. The tree goes to one caller only (the link analyzer), after the
     * reading was built from it under this lock, so that no two threads ever read the same tree at once (jsoup's trees
     * are not thread-safe), and the memo lets go of it then: a large tree is not kept beyond the analysis that needs
     * it. A reading cut short by the analysis budget (interruption) is not kept: a later reader builds it whole.
     */
    private static final class Memo {
        private final Readings readings;
        private Document document;
        private boolean documentTaken;
        private Reading reading;

        Memo(Readings readings) {
            this.readings = readings;
        }

        synchronized Reading get(String html) {
            if (reading == null) {
                Document d = document != null ? document : readings.parse(html);
                Reading r = walk(d);
                if (!documentTaken) {
                    document = d;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return r; // cut short by the analysis budget: not kept, a later reader builds it whole
                }
                reading = r;
            }
            return reading;
        }

        synchronized Document document(String html) {
            Document d = document != null ? document : readings.parse(html);
            document = null;
            documentTaken = true;
            if (reading == null) {
                Reading r = walk(d);
                if (!Thread.currentThread().isInterrupted()) {
                    reading = r;
                }
            }
            return d;
        }
    }

    private HtmlText() {
    }

    /** The visible text of an HTML part: hidden text left out. Parses anew. */
    public static String visible(String html) {
        return read(html).visible();
    }

    /** As {@link #visible(String)}, for a part of the input's message: shared with its other analyzers. */
    public static String visible(AnalysisInput input, String html) {
        return read(input, html).visible();
    }

    /** Reads an HTML part: its visible text and what it hides. Parses anew (no message to share it with). */
    public static Reading read(String html) {
        return walk(parse(html));
    }

    /** Reads an HTML part of the input's message, parsed once for all its analyzers. */
    public static Reading read(AnalysisInput input, String html) {
        return readings(input).of(html).get(html);
    }

    /**
     * The tree of an HTML part of the input's message ({@link #parse}) for the one caller that walks it (the link
     * analyzer), shared with {@link #read(AnalysisInput, String)}: the part is parsed once per message for the link
     * analyzer and the readings of the evasion and lure analyzers. The reading is built from the tree before it is
     * returned, and the tree is not handed out again (a second call parses anew); the caller only reads it, never
     * changes it.
     */
    public static Document document(AnalysisInput input, String html) {
        return readings(input).of(html).document(html);
    }

    /** How many times HTML parts of the input's message were parsed here: for tests. */
    static int parses(AnalysisInput input) {
        return readings(input).parses();
    }

    private static Readings readings(AnalysisInput input) {
        return input.memo().computeIfAbsent(READINGS, Readings::new);
    }

    /** The tree {@link #read} builds: jsoup's parse of at most the first {@value #MAX_HTML_CHARS} characters. */
    public static Document parse(String html) {
        return Jsoup.parse(html.length() > MAX_HTML_CHARS ? html.substring(0, MAX_HTML_CHARS) : html);
    }

    private static Reading walk(Document doc) {
        CssRules rules = CssRules.of(doc, MAX_STYLE_RULES);
        Element root = doc.body() != null ? doc.body() : doc;
        // the page: mail clients show a message on white unless it declares another background, and SpamAssassin's
        // HTML reader assumes the same (its low-contrast rules compare text with #ffffff when none is given); a style
        // element that sets backgrounds may set the page's or a box's, and the html element outside the body its own,
        // which are then not known (the body's own is read as the walk enters it)
        Element html = root.parent();
        boolean unknownPage = rules.declaresBackgrounds() || (html != null && (html.hasAttr("bgcolor")
                || html.hasAttr("background") || CssRules.mentionsBackground(html.attr("style"))));
        Walk walk = new Walk(rules, unknownPage ? null : Colours.PAGE);
        NodeTraversor.filter(walk, root);
        walk.endLine();
        String visible = walk.text.toString();
        return new Reading(visible, walk.readable == null ? visible : walk.readable.toString(), walk.visibleLetters,
                walk.hiddenLetters, walk.hiddenRuns, walk.wordSplits, walk.byTechnique, rules.strayWords(), walk.gridTables);
    }

    /**
     * Code points of {@code s} that are letters or digits. Over one char array rather than {@code codePointAt}:
     * most text of real mail is not Latin-1, and the C1-compiled code of a short {@code eval} checks the index of
     * every {@code charAt} of such a string (a large share of the walk). A surrogate without its pair counts as
     * itself (no letter), as {@code codePointAt} reads it.
     */
    static int letters(String s) {
        char[] chars = s.toCharArray();
        int n = 0;
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                // ASCII letters and digits are exactly what Character.isLetterOrDigit accepts below 0x80
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                    n++;
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
                if (Character.isLetterOrDigit(Character.toCodePoint(c, chars[i + 1]))) {
                    n++;
                }
                i++;
            } else if (Character.isLetterOrDigit(c)) {
                n++;
            }
        }
        return n;
    }

    /** What an element passes on to its content. */
    private record Frame(Technique gone, boolean visibilityHidden, boolean zeroFont, Colours.Rgba colour,
            Colours.Rgba background) {
    }

    /** One walk over the body; not thread-safe (one per reading). */
    private static final class Walk implements NodeFilter {
        private final CssRules rules;
        private final Deque<Frame> frames = new ArrayDeque<>();
        private final StringBuilder text = new StringBuilder();
        /** {@link Reading#readable()}: null until it first differs from {@link #text}, then kept beside it. */
        private StringBuilder readable;
        /** Rubies the walk is in. */
        private int rubies;
        /** Depth of {@code rt} and {@code rtc} elements inside a ruby the walk is in. */
        private int inReadings;
        /** The readings of rubies since the last block boundary: read as the line above the base, after it. */
        private final StringBuilder readings = new StringBuilder();
        private final Map<Technique, Integer> byTechnique = new EnumMap<>(Technique.class);
        /**
         * The elements that pushed a frame, innermost first: head and tail calls nest, and an element skipped whole
         * pushes nothing, so the element whose tail comes is on top if it pushed one (a stack rather than a map).
         */
        private final Deque<Element> pushed = new ArrayDeque<>();
        private int visibleLetters;
        private int hiddenLetters;
        private int hiddenRuns;
        private int wordSplits;
        private int gridTables;
        /** Rows, cells and empty cells of the tables the walk is in, innermost last. */
        private final Deque<int[]> tables = new ArrayDeque<>();
        /** The last visible character was a letter, with no word break since. */
        private boolean afterLetter;
        /** Letters of the hidden run under way (0: none under way). */
        private int runLetters;
        /** {@link #afterLetter} when the hidden run under way began. */
        private boolean runAfterLetter;
        private int nodes;

        /** {@code page}: the background behind the body, {@code null} when not known. */
        Walk(CssRules rules, Colours.Rgba page) {
            this.rules = rules;
            frames.push(new Frame(null, false, false, null, page));
        }

        @Override
        public FilterResult head(Node node, int depth) {
            if ((++nodes & 0xFF) == 0 && Thread.currentThread().isInterrupted()) {
                return FilterResult.STOP;
            }
            if (node instanceof TextNode t) {
                onText(t.getWholeText());
                return FilterResult.CONTINUE;
            }
            if (!(node instanceof Element e)) {
                return FilterResult.CONTINUE;
            }
            String name = e.normalName();
            if (SKIPPED.contains(name)) {
                return FilterResult.SKIP_ENTIRELY;
            }
            countGrid(e, name);
            Frame parent = frames.peek();
            Frame frame = frame(e, parent);
            if (frame != parent) {
                frames.push(frame);
                pushed.push(e);
            }
            if (BREAKS.contains(name)) {
                wordBreak(frame);
            }
            switch (name) {
                case "ruby" -> rubies++;
                case "rt", "rtc" -> inReadings += rubies > 0 ? 1 : 0;
                case "img" -> {
                    if (hiddenBy(frame) == null && altShown(e)) {
                        appendReadable(e.attr("alt")); // between the word breaks of the picture
                    }
                }
                default -> { }
            }
            if (rightToLeftOverride(e)) {
                appendReadable("\u202E");
            }
            return FilterResult.CONTINUE;
        }

        /**
         * Whether the element turns its text around as U+202E does: {@code <bdo dir="rtl">}, or the inline style
         * {@code unicode-bidi: bidi-override} (or {@code isolate-override}) with {@code direction: rtl}. Asked at the
         * element's head and tail alike; the style is parsed only when the attribute names an override.
         */
        private boolean rightToLeftOverride(Element e) {
            if (e.normalName().equals("bdo")) {
                return e.attr("dir").strip().equalsIgnoreCase("rtl");
            }
            String inline = e.attr("style");
            if (!mentionsOverride(inline)) {
                return false;
            }
            Map<String, String> style = Css.declarations(inline);
            String bidi = style.getOrDefault("unicode-bidi", "").strip().toLowerCase(java.util.Locale.ROOT);
            return (bidi.equals("bidi-override") || bidi.equals("isolate-override"))
                    && style.getOrDefault("direction", "").strip().equalsIgnoreCase("rtl");
        }

        /** Whether a style attribute holds "override" in any case: no copy of the many styles that do not. */
        private static boolean mentionsOverride(String style) {
            for (int i = style.indexOf('-'); i >= 0; i = style.indexOf('-', i + 1)) {
                // bidi-override and isolate-override: the word follows a hyphen
                if (style.regionMatches(true, i + 1, "override", 0, 8)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether a client that blocks remote pictures shows {@code img}'s alt text: it has some, and its picture is
         * not in the message ({@code cid:}, {@code data:}: shown as the picture it is) nor a pixel or less (a tracking
         * pixel's box shows nothing).
         */
        private static boolean altShown(Element img) {
            if (img.attr("alt").isBlank()) {
                return false;
            }
            String src = img.attr("src").strip();
            if (src.regionMatches(true, 0, "cid:", 0, 4) || src.regionMatches(true, 0, "data:", 0, 5)) {
                return false;
            }
            for (String side : new String[] {"width", "height"}) {
                Double px = Css.lengthPx(img.attr(side));
                if (px != null && px <= 1.0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public FilterResult tail(Node node, int depth) {
            if (node instanceof Element e) {
                if (e.normalName().equals("table") && !tables.isEmpty()) {
                    endGrid();
                }
                switch (e.normalName()) {
                    case "rt", "rtc" -> inReadings -= inReadings > 0 && rubies > 0 ? 1 : 0;
                    case "ruby" -> {
                        if (rubies > 0) {
                            rubies--;
                            readings.append(' ');
                        }
                    }
                    default -> { }
                }
                if (rightToLeftOverride(e)) {
                    appendReadable("\u202C");
                }
                if (BREAKS.contains(e.normalName())) {
                    wordBreak(frames.peek());
                }
                if (pushed.peek() == e) {
                    pushed.pop();
                    frames.pop();
                }
            }
            return FilterResult.CONTINUE;
        }

        private void countGrid(Element e, String name) {
            if (name.equals("table")) {
                tables.push(new int[3]);
                return;
            }
            int[] table = tables.peek();
            if (table == null) {
                return;
            }
            if (name.equals("tr")) {
                table[0]++;
            } else if (name.equals("td") || name.equals("th")) {
                table[1]++;
                if (emptyCell(e)) {
                    table[2]++;
                }
            }
        }

        private void endGrid() {
            int[] table = tables.pop();
            if (mayBeGrid(table[0], table[1], table[2])) {
                gridTables++;
            }
        }

        /** A break of the text, unless the element has no box at all (not displayed), and so breaks no line. */
        private void wordBreak(Frame at) {
            if (at.gone() == Technique.DISPLAY_NONE || at.gone() == Technique.HIDDEN_ATTRIBUTE) {
                return;
            }
            afterLetter = false;
            runLetters = 0;
            if (readings.isEmpty()) {
                appendVisible(" ");
            } else {
                endLine();
            }
        }

        /** The readings of the rubies of the line that ends here, after it: never inside the words of their base. */
        void endLine() {
            if (!readings.isEmpty()) {
                String line = readings.toString();
                readings.setLength(0);
                if (!line.isBlank()) {
                    afterLetter = false;
                    appendVisible(" ");
                    appendVisible(line);
                    appendVisible(" ");
                }
            }
        }

        private void onText(String s) {
            if (s.isEmpty()) {
                return;
            }
            Technique hidden = hiddenBy(frames.peek());
            int letters = letters(s);
            if (hidden != null) {
                if (letters > 0) {
                    if (runLetters == 0) {
                        hiddenRuns++;
                        runAfterLetter = afterLetter;
                    }
                    runLetters += letters;
                    hiddenLetters += letters;
                    byTechnique.merge(hidden, letters, Integer::sum);
                }
                return;
            }
            if (inReadings > 0) {
                // a ruby's reading: read after the line of its base (endLine), not between the base's letters
                visibleLetters += letters;
                if (readings.length() < MAX_TEXT_CHARS) {
                    readings.append(s);
                }
                return;
            }
            int first = s.codePointAt(0);
            if (runLetters > 0 && runAfterLetter && afterLetter && Character.isLetterOrDigit(first)) {
                wordSplits++;
            }
            runLetters = 0;
            visibleLetters += letters;
            int last = s.codePointBefore(s.length());
            afterLetter = Character.isLetterOrDigit(last);
            appendVisible(s);
        }

        private void appendVisible(String s) {
            int room = MAX_TEXT_CHARS - text.length();
            if (room > 0) {
                text.append(s, 0, Math.min(room, s.length()));
            }
            if (readable != null) {
                room = MAX_TEXT_CHARS - readable.length();
                if (room > 0) {
                    readable.append(s, 0, Math.min(room, s.length()));
                }
            }
        }

        /** Text of {@link Reading#readable()} alone: from here on it differs from the visible text. */
        private void appendReadable(String s) {
            if (readable == null) {
                readable = new StringBuilder(text.length() + s.length() + 64).append(text);
            }
            int room = MAX_TEXT_CHARS - readable.length();
            if (room > 0) {
                readable.append(s, 0, Math.min(room, s.length()));
            }
        }

        private Frame frame(Element e, Frame parent) {
            Map<String, String> style = rules.styleOf(e);
            if (style.isEmpty() && e.normalName().equals("a") && parent.colour() != null) {
                return new Frame(parent.gone(), parent.visibilityHidden(), parent.zeroFont(), null, parent.background());
            }
            Map<String, String> media = rules.mediaStyleOf(e, style);
            if (media != null) {
                // content some screen shows (a responsive mail's mobile version) is not hidden from the reader
                Frame onThatScreen = frame(e, parent, media);
                if (hiddenBy(onThatScreen) == null) {
                    return onThatScreen;
                }
            }
            return frame(e, parent, style);
        }

        private Frame frame(Element e, Frame parent, Map<String, String> style) {
            boolean attributes = e.hasAttr("hidden") || e.hasAttr("bgcolor") || e.hasAttr("background")
                    || (e.normalName().equals("font") && e.hasAttr("color"));
            if (style.isEmpty() && !attributes) {
                return parent;
            }
            Technique gone = parent.gone() != null ? parent.gone() : gone(e, style);
            boolean visibilityHidden = parent.visibilityHidden();
            String visibility = style.get("visibility");
            if (visibility != null) {
                visibilityHidden = visibility.equals("hidden") || visibility.equals("collapse");
            }
            boolean zeroFont = parent.zeroFont();
            Double fontPx = Css.fontSizePx(style.get("font-size"));
            if (fontPx == null && style.containsKey("font")) {
                fontPx = Css.fontSizePx(Css.firstSizeIn(style.get("font")));
            }
            if (fontPx != null) {
                zeroFont = fontPx <= 1.0;
            }
            // a link has its own colour (blue) unless its style gives one: it does not inherit the text colour
            Colours.Rgba colour = e.normalName().equals("a") && e.hasAttr("href") ? null : parent.colour();
            String colourValue = style.containsKey("color") ? style.get("color")
                    : e.normalName().equals("font") && e.hasAttr("color") ? e.attr("color") : null;
            if (colourValue != null && !Colours.inherits(colourValue)) {
                colour = Colours.parse(colourValue);
            }
            Colours.Rgba background = parent.background();
            String bg = style.containsKey("background-color") ? style.get("background-color")
                    : style.containsKey("background") ? Colours.firstColourIn(style.get("background"))
                    : e.hasAttr("bgcolor") ? e.attr("bgcolor") : null;
            boolean image = e.hasAttr("background") || Css.hasImage(style.get("background"))
                    || Css.hasImage(style.get("background-image"));
            if ((bg != null && !Colours.inherits(bg)) || image) {
                // text over a picture may be any colour: the background is unknown then
                Colours.Rgba declared = image ? null : Colours.parse(bg);
                // a transparent background shows the one behind it
                background = declared != null && declared.transparent() ? parent.background() : declared;
            }
            return new Frame(gone, visibilityHidden, zeroFont, colour, background);
        }

        private Technique gone(Element e, Map<String, String> style) {
            if (e.hasAttr("hidden")) {
                return Technique.HIDDEN_ATTRIBUTE;
            }
            if ("none".equals(style.get("display"))) {
                return Technique.DISPLAY_NONE;
            }
            Double opacity = Css.number(style.get("opacity"));
            if (opacity != null && opacity <= 0.05) {
                return Technique.ZERO_OPACITY;
            }
            if ("hidden".equals(style.get("overflow")) || "clip".equals(style.get("overflow"))) {
                for (String p : new String[] {"height", "max-height", "width", "max-width"}) {
                    Double v = Css.lengthPx(style.get(p));
                    if (v != null && v <= 1.0) {
                        return Technique.ZERO_SIZE;
                    }
                }
            }
            Double indent = Css.lengthPx(style.get("text-indent"));
            if (indent != null && indent <= -500) {
                return Technique.OFF_SCREEN;
            }
            String position = style.get("position");
            if ("absolute".equals(position) || "fixed".equals(position)) {
                for (String p : new String[] {"left", "top", "margin-left", "margin-top"}) {
                    Double v = Css.lengthPx(style.get(p));
                    if (v != null && v <= -500) {
                        return Technique.OFF_SCREEN;
                    }
                }
            }
            return null;
        }

        private static Technique hiddenBy(Frame f) {
            if (f.gone() != null) {
                return f.gone();
            }
            if (f.visibilityHidden()) {
                return Technique.VISIBILITY_HIDDEN;
            }
            if (f.zeroFont()) {
                return Technique.ZERO_FONT;
            }
            if (f.colour() != null && f.colour().transparent()) {
                return Technique.TRANSPARENT_COLOUR;
            }
            if (f.colour() != null && f.background() != null && !f.background().transparent()
                    && f.colour().closeTo(f.background())) {
                return Technique.BACKGROUND_COLOUR;
            }
            return null;
        }
    }
}
