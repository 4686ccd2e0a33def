package io.mamori.core.evasion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Evaluator;
import org.jsoup.select.Selector;

/**
 * The style rules of a document's {@code <style>} elements that matter for hidden text (properties that can hide
 * content or give it a colour), applied to its elements with jsoup's selector engine; rules inside {@code @media} and
 * {@code @supports} are kept apart, as the style of a screen they apply to. Rules are read in order, later ones overriding earlier
 * ones; specificity is not ranked and selectors with pseudo-classes ({@code :hover}) are left out, since they do not
 * describe what a reader first sees. The rule reader is hand-written (no CSS parser among the dependencies) and only
 * splits preludes from blocks. Bounded: {@value #MAX_CSS_CHARS} characters of style text, a fixed number of rules.
 * One per document; not thread-safe.
 */
final class CssRules {

    static final int MAX_CSS_CHARS = 200_000;
    private static final int MAX_NESTING = 3;

    /** Properties whose value can hide text or give it a colour. */
    private static final Set<String> HIDING = Set.of("display", "visibility", "font-size", "font", "opacity",
            "overflow", "height", "max-height", "width", "max-width", "text-indent", "position", "left", "top",
            "margin-left", "margin-top", "color", "background", "background-color", "background-image");

    private static final Pattern BACKGROUND = Pattern.compile("background", Pattern.CASE_INSENSITIVE | Pattern.LITERAL);

    private record Rule(String selectors, Map<String, String> declarations, boolean media) {
    }

    /**
     * Whether jsoup runs queries in its default mode (the system property {@code jsoup.queryMode} unset or
     * "legacy"), in which {@link #applyInOneWalk} gives what one select per selector gives; in another mode its
     * selects filter differently, and each selector is selected on its own.
     */
    private static final boolean LEGACY_QUERIES = "legacy".equalsIgnoreCase(System.getProperty("jsoup.queryMode", "legacy"));

    private final Map<Element, Map<String, String>> fromRules;
    private final Map<Element, Map<String, String>> fromMediaRules;
    private final Map<String, Map<String, String>> inlineStyles = new HashMap<>();
    private final int strayWords;
    private final boolean backgrounds;

    private CssRules(Map<Element, Map<String, String>> fromRules, Map<Element, Map<String, String>> fromMediaRules,
            int strayWords, boolean backgrounds) {
        this.fromRules = fromRules;
        this.fromMediaRules = fromMediaRules;
        this.strayWords = strayWords;
        this.backgrounds = backgrounds;
    }

    /**
     * Whether the style elements set a background anywhere. Only rules that can hide text are applied to elements
     * (selecting is the costly part), so a background given by a class rule ({@code .content {background: #036}}) is
     * not known where it applies; the page's colour is then unknown too.
     */
    boolean declaresBackgrounds() {
        return backgrounds;
    }

    /** Words written in the style elements outside any rule or at-rule ({@link #strayWords(String)}). */
    int strayWords() {
        return strayWords;
    }

    /**
     * Words of {@code css} (without comments) that belong to no rule, no at-rule and no declaration: a stylesheet is
     * selectors, blocks and at-rules, and its browser shows none of it, so words written between them are there for
     * something that reads the HTML as text, a content filter (the "hash-buster" word salad of phishing kits, meant
     * to look like ordinary mail to a statistical filter). Counted are runs of two or more letters in the pieces at
     * the top level that precede no block: the text after the last rule, and statements ended by {@code ;} that are
     * neither at-rules nor declarations (no {@code :}). A rule's selector, however long, is not counted, nor anything
     * after a block left open.
     */
    static int strayWords(String css) {
        int words = 0;
        int depth = 0;
        int start = 0;
        int n = css.length();
        for (int i = 0; i < n; i++) {
            char c = css.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth > 0 && --depth == 0) {
                    start = i + 1;
                }
            } else if (c == ';' && depth == 0) {
                words += statementWords(css, start, i);
                start = i + 1;
            }
        }
        return depth == 0 ? words + statementWords(css, start, n) : words;
    }

    /** The words of a top-level statement that is neither an at-rule nor a declaration (see {@link #strayWords}). */
    private static int statementWords(String css, int from, int to) {
        int begin = from;
        while (begin < to && Character.isWhitespace(css.charAt(begin))) {
            begin++;
        }
        if (begin == to || css.charAt(begin) == '@') {
            return 0;
        }
        int words = 0;
        int run = 0;
        for (int i = begin; i < to; i++) {
            char c = css.charAt(i);
            if (c == ':') {
                return 0; // a declaration (within this statement only: one pass over the sheet in all)
            }
            if (Character.isLetter(c)) {
                if (++run == 2) {
                    words++;
                }
            } else {
                run = 0;
            }
        }
        return words;
    }

    /** The rules of the document's style elements, at most {@code maxRules} of them applied. */
    static CssRules of(Document doc, int maxRules) {
        return of(doc, maxRules, LEGACY_QUERIES);
    }

    /** {@link #of(Document, int)}, the elements matched in one walk or by one select per selector (as before). */
    static CssRules of(Document doc, int maxRules, boolean oneWalk) {
        return of(doc, maxRules, oneWalk, CssRules::hides, CssRules::shows);
    }

    /**
     * The rules of the document's style elements that give elements a background ({@code background},
     * {@code background-color}), at most {@code maxRules} of them applied; rules inside {@code @media} are left out
     * (for {@link DrawnPictures}, which reads the colours of table cells).
     */
    static CssRules backgrounds(Document doc, int maxRules) {
        return of(doc, maxRules, LEGACY_QUERIES,
                d -> d.containsKey("background") || d.containsKey("background-color"), d -> false);
    }

    /**
     * The rules whose declarations (of the properties read here) {@code plain} accepts, and the {@code @media} rules
     * {@code media} accepts.
     */
    private static CssRules of(Document doc, int maxRules, boolean oneWalk, Predicate<Map<String, String>> plain,
            Predicate<Map<String, String>> media) {
        StringBuilder css = new StringBuilder();
        int stray = 0;
        for (Element style : doc.getElementsByTag("style")) {
            if (css.length() >= MAX_CSS_CHARS) {
                break;
            }
            String data = style.data();
            css.append(data).append('\n');
            // each element on its own: one element's words are not the selector of the next one's first rule
            stray += strayWords(withoutComments(data.length() > MAX_CSS_CHARS ? data.substring(0, MAX_CSS_CHARS) : data));
        }
        Map<Element, Map<String, String>> fromRules = new IdentityHashMap<>();
        Map<Element, Map<String, String>> fromMedia = new IdentityHashMap<>();
        if (css.isEmpty()) {
            return new CssRules(fromRules, fromMedia, stray, false);
        }
        boolean backgrounds = mentionsBackground(css);
        List<Rule> rules = new ArrayList<>();
        read(withoutComments(css.length() > MAX_CSS_CHARS ? css.substring(0, MAX_CSS_CHARS) : css.toString()),
                false, 0, rules, maxRules, plain, media);
        List<Evaluator> evaluators = new ArrayList<>();
        List<Rule> owners = new ArrayList<>();
        for (Rule rule : rules) {
            for (String selector : rule.selectors().split(",")) {
                Evaluator evaluator = evaluator(selector.strip());
                if (evaluator != null) {
                    evaluators.add(evaluator);
                    owners.add(rule);
                }
            }
        }
        if (oneWalk) {
            applyInOneWalk(doc, evaluators, owners, fromRules, fromMedia);
        } else {
            for (int i = 0; i < evaluators.size(); i++) {
                apply(owners.get(i), select(doc, evaluators.get(i)), fromRules, fromMedia);
            }
        }
        return new CssRules(fromRules, fromMedia, stray, backgrounds);
    }

    /** Whether style text names a background property anywhere (in any letter case, as CSS allows). */
    static boolean mentionsBackground(CharSequence css) {
        return BACKGROUND.matcher(css).find();
    }

    private static void apply(Rule rule, List<Element> matched, Map<Element, Map<String, String>> fromRules,
            Map<Element, Map<String, String>> fromMedia) {
        for (Element e : matched) {
            (rule.media() ? fromMedia : fromRules).computeIfAbsent(e, k -> new LinkedHashMap<>())
                    .putAll(rule.declarations());
        }
    }

    /**
     * What {@code Selector.select(evaluator, doc)} for each selector in turn gives, in one walk over the elements:
     * jsoup's selector engine walks the whole tree once per selector (a stream over all elements each time), and a
     * newsletter's style block has dozens of selectors. In jsoup's default ("legacy") query mode that select is
     * exactly the document's elements, in document order, for which {@link Evaluator#matches} holds with the
     * document as root; each element then takes the declarations of its matching rules in rule order, as before. A
     * selector whose evaluation throws matches nothing, as when {@link #select} caught the exception.
     */
    private static void applyInOneWalk(Document doc, List<Evaluator> evaluators, List<Rule> owners,
            Map<Element, Map<String, String>> fromRules, Map<Element, Map<String, String>> fromMedia) {
        // arrays rather than list look-ups in the inner loop (C1 code checks the index of every get)
        Evaluator[] evaluator = evaluators.toArray(new Evaluator[0]);
        int n = evaluator.length;
        boolean[] failed = new boolean[n];
        List<Element> elements = new ArrayList<>();
        List<int[]> matches = new ArrayList<>();
        int[] scratch = new int[n];
        for (Element e : doc.getAllElements()) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (failed[i]) {
                    continue;
                }
                try {
                    if (evaluator[i].matches(doc, e)) {
                        scratch[count++] = i;
                    }
                } catch (RuntimeException ex) {
                    failed[i] = true;
                }
            }
            if (count > 0) {
                elements.add(e);
                matches.add(java.util.Arrays.copyOf(scratch, count));
            }
        }
        for (int k = 0; k < elements.size(); k++) {
            Element e = elements.get(k);
            for (int i : matches.get(k)) {
                if (!failed[i]) {
                    Rule rule = owners.get(i);
                    (rule.media() ? fromMedia : fromRules).computeIfAbsent(e, x -> new LinkedHashMap<>())
                            .putAll(rule.declarations());
                }
            }
        }
        for (Evaluator each : evaluator) {
            // Element.is resets the evaluator before and after it matches: combinators keep a per-thread memo of the
            // elements they matched, which the selector engine clears after each select and is let go of here
            try {
                doc.is(each);
            } catch (RuntimeException ex) {
                // nothing to release
            }
        }
    }

    /** The element's declarations: matching rules first, its {@code style} attribute over them. */
    Map<String, String> styleOf(Element e) {
        Map<String, String> rules = fromRules.get(e);
        String inline = e.attr("style");
        if (rules == null) {
            return inline.isEmpty() ? Map.of() : inline(inline);
        }
        Map<String, String> merged = new LinkedHashMap<>(rules);
        merged.putAll(inline(inline));
        return merged;
    }

    /**
     * The declarations of a {@code style} attribute, read once per distinct attribute in the document (newsletters
     * repeat the same few styles on hundreds of elements); unmodifiable, since the same map goes to every element.
     */
    private Map<String, String> inline(String style) {
        return inlineStyles.computeIfAbsent(style, s -> Collections.unmodifiableMap(Css.declarations(s)));
    }

    /**
     * The element's declarations on a screen where its {@code @media} rules apply (they go over its style), or null
     * when no such rule names it. Responsive mail hides its mobile version inline and shows it with such a rule.
     */
    Map<String, String> mediaStyleOf(Element e, Map<String, String> style) {
        Map<String, String> media = fromMediaRules.get(e);
        if (media == null) {
            return null;
        }
        Map<String, String> merged = new LinkedHashMap<>(style);
        merged.putAll(media);
        return merged;
    }

    /** The selector parsed by jsoup, or null for one left out (pseudo-classes) or one jsoup does not understand. */
    private static Evaluator evaluator(String selector) {
        if (selector.isEmpty() || selector.indexOf(':') >= 0 || selector.startsWith("@")) {
            return null;
        }
        try {
            return Selector.evaluatorOf(selector);
        } catch (RuntimeException e) {
            // a selector jsoup does not understand describes nothing we can apply
            return null;
        }
    }

    private static Elements select(Document doc, Evaluator evaluator) {
        try {
            return Selector.select(evaluator, doc);
        } catch (RuntimeException e) {
            return new Elements();
        }
    }

    /** Reads the rules of {@code css} that matter into {@code out}. */
    private static void read(String css, boolean media, int nesting, List<Rule> out, int max,
            Predicate<Map<String, String>> plainWanted, Predicate<Map<String, String>> mediaWanted) {
        int i = 0;
        int n = css.length();
        while (i < n && out.size() < max) {
            int open = css.indexOf('{', i);
            if (open < 0) {
                return;
            }
            int close = matching(css, open);
            String prelude = css.substring(i, open);
            int statement = prelude.lastIndexOf(';');
            prelude = (statement >= 0 ? prelude.substring(statement + 1) : prelude).strip();
            String block = css.substring(open + 1, Math.min(close, n));
            if (prelude.startsWith("@")) {
                String at = prelude.toLowerCase(Locale.ROOT);
                if ((at.startsWith("@media") || at.startsWith("@supports")) && nesting < MAX_NESTING) {
                    read(block, true, nesting + 1, out, max, plainWanted, mediaWanted);
                }
            } else if (!prelude.isEmpty()) {
                Map<String, String> declarations = Css.declarations(block);
                declarations.keySet().retainAll(HIDING);
                // only the rules wanted are applied (for hidden text: those that can hide it, or on some screen show
                // it): selecting is the costly part
                if (media ? mediaWanted.test(declarations) : plainWanted.test(declarations)) {
                    out.add(new Rule(prelude, declarations, media));
                }
            }
            i = close + 1;
        }
    }

    /** Whether plain declarations can hide text (the same tests as {@link HtmlText}'s, before inheritance). */
    private static boolean hides(Map<String, String> d) {
        String visibility = d.get("visibility");
        Double font = Css.fontSizePx(d.containsKey("font-size") ? d.get("font-size") : Css.firstSizeIn(d.get("font")));
        Double opacity = Css.number(d.get("opacity"));
        Double indent = Css.lengthPx(d.get("text-indent"));
        Colours.Rgba colour = d.containsKey("color") ? Colours.parse(d.get("color")) : null;
        return "none".equals(d.get("display")) || "hidden".equals(visibility) || "collapse".equals(visibility)
                || (font != null && font <= 1.0) || (opacity != null && opacity <= 0.05)
                || "hidden".equals(d.get("overflow")) || "clip".equals(d.get("overflow"))
                || (indent != null && indent <= -500) || "absolute".equals(d.get("position"))
                || "fixed".equals(d.get("position")) || (colour != null && colour.transparent());
    }

    /** Whether {@code @media} declarations can show what inline styles hide (the responsive "mobile only" block). */
    private static boolean shows(Map<String, String> d) {
        String display = d.get("display");
        Double font = Css.fontSizePx(d.get("font-size"));
        Double opacity = Css.number(d.get("opacity"));
        if ((display != null && !display.equals("none")) || "visible".equals(d.get("visibility"))
                || "visible".equals(d.get("overflow")) || (font != null && font > 1) || (opacity != null && opacity > 0.05)) {
            return true;
        }
        for (String p : new String[] {"max-height", "height"}) {
            String v = d.get(p);
            Double px = Css.lengthPx(v);
            if (v != null && (v.equals("none") || v.equals("auto") || v.endsWith("%") || (px != null && px > 1))) {
                return true;
            }
        }
        return false;
    }

    /** The index of the brace closing the block opened at {@code open}, or the text's length. */
    private static int matching(String css, int open) {
        int depth = 0;
        for (int i = open; i < css.length(); i++) {
            char c = css.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return css.length();
    }

    private static String withoutComments(String css) {
        StringBuilder out = new StringBuilder(css.length());
        int i = 0;
        while (i < css.length()) {
            int start = css.indexOf("/*", i);
            if (start < 0) {
                out.append(css, i, css.length());
                break;
            }
            out.append(css, i, start);
            int end = css.indexOf("*/", start + 2);
            i = end < 0 ? css.length() : end + 2;
        }
        return out.toString();
    }
}
