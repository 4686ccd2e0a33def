package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Coverage-guided fuzzing of disarm (メール無害化) on any HTML, cut into pieces as small as one character: the result,
 * read back by a browser-grade parser (jsoup), holds only the formatting elements and attributes the policy allows; no
 * script, handler, form, frame or remote resource (an image only from a {@code cid:} part, no {@code url(…)} or
 * {@code expression(…)} in a style); with links defanged no anchor and no URL a mail client would linkify in the text,
 * and without, anchors only to web and mail addresses with {@code rel="noopener noreferrer"}. The claim this checks is
 * {@link HtmlChunks}': a cut where the lexer disagrees can lose formatting, never let anything through. In the test
 * suite this runs the inputs under {@code DisarmFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it (bench/README.md).
 */
class DisarmFuzzTest {

    private static final Set<String> ELEMENTS = Set.of(DisarmedHtml.FORMATTING);

    /** The attributes the policy allows on some element (which element is the sanitizer's business). */
    private static final Set<String> ATTRIBUTES = Set.of("title", "dir", "lang", "align", "style", "border",
            "cellpadding", "cellspacing", "width", "height", "bgcolor", "summary", "valign", "colspan", "rowspan",
            "nowrap", "span", "color", "face", "size", "noshade", "start", "type", "value", "alt", "src");

    /** What a mail client's linkifier starts a link at in a text node: a web or FTP scheme, or www., anywhere. */
    private static final Pattern CLICKABLE = Pattern.compile("(?i)(?:https?|ftp)://|www\\.");

    private static final Pattern ACTIVE_STYLE = Pattern.compile("(?i)url\\s*\\(|expression\\s*\\(|@import|javascript:");

    @FuzzTest(maxDuration = "30s")
    void disarmedHtmlHoldsNothingActive(FuzzedDataProvider data) throws IOException {
        int target = data.consumeInt(1, 300);
        boolean defang = data.consumeBoolean();
        String html = data.consumeRemainingAsString();
        StringWriter out = new StringWriter();
        DisarmedHtml.sanitize(new HtmlChunks(new StringReader(html), target, target + 12 + target % 7), out, defang);

        Document doc = Jsoup.parseBodyFragment(out.toString());
        for (Element e : doc.body().getAllElements()) {
            if (e == doc.body()) {
                continue;
            }
            String name = e.normalName();
            if (name.equals("a") && !defang) {
                // an anchor without a target is no link
                if (e.hasAttr("href")) {
                    assertThat(e.attr("href")).as(out.toString()).matches("(?is)(https?|mailto):.+");
                    assertThat(e.attr("rel")).as(out.toString()).contains("noopener").contains("noreferrer");
                }
            } else {
                // jsoup adds the tbody a table needs
                assertThat(ELEMENTS).as(out.toString()).contains(name);
            }
            for (Attribute a : e.attributes()) {
                String key = a.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("a") && !defang && (key.equals("href") || key.equals("rel"))) {
                    continue;
                }
                assertThat(ATTRIBUTES).as(out.toString()).contains(key);
                if (key.equals("src")) {
                    assertThat(a.getValue().strip()).as(out.toString()).startsWithIgnoringCase("cid:");
                }
                if (key.equals("style")) {
                    assertThat(ACTIVE_STYLE.matcher(a.getValue()).find()).as(out.toString()).isFalse();
                }
            }
        }
        if (defang) {
            // per text node: linkifiers do not join text across elements
            for (org.jsoup.nodes.TextNode text : doc.body().select("*").textNodes()) {
                assertThat(CLICKABLE.matcher(text.getWholeText()).find()).as(out.toString()).isFalse();
            }
        }
    }

    /** HTML turned into text (the policy's {@code html_to_text}), links defanged: no URL a client would linkify. */
    @FuzzTest(maxDuration = "30s")
    void disarmedTextHoldsNoClickableUrl(FuzzedDataProvider data) throws IOException {
        String html = data.consumeRemainingAsString();
        StringWriter out = new StringWriter();
        DisarmedHtml.toText(new StringReader(html), out, true);
        assertThat(CLICKABLE.matcher(out.toString()).find()).as(out.toString()).isFalse();
    }
}
