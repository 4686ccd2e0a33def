package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class DisarmedHtmlTest {

    static String sanitize(String html, boolean defang) throws IOException {
        StringWriter out = new StringWriter();
        DisarmedHtml.sanitize(new StringReader(html), out, defang);
        return out.toString();
    }

    static String text(String html, boolean defang) throws IOException {
        StringWriter out = new StringWriter();
        DisarmedHtml.toText(new StringReader(html), out, defang);
        return out.toString();
    }

    /** Active or remote content anywhere in a sanitized document, as a browser would parse it. */
    static List<String> activeContent(String html) {
        Document doc = Jsoup.parse(html);
        List<String> found = new ArrayList<>();
        for (Element e : doc.select("script, style, form, input, button, select, textarea, iframe, frame, object, embed,"
                + " applet, link, base, meta[http-equiv], meta[content], svg, math, video, audio, source")) {
            found.add("<" + e.tagName() + ">");
        }
        for (Element e : doc.getAllElements()) {
            for (Attribute a : e.attributes()) {
                String name = a.getKey().toLowerCase(java.util.Locale.ROOT);
                String value = a.getValue().toLowerCase(java.util.Locale.ROOT).strip();
                if (name.startsWith("on") || name.equals("href") || name.equals("action") || name.equals("formaction")
                        || name.equals("background") || name.equals("srcset") || name.equals("data")
                        || (name.equals("src") && !value.startsWith("cid:")) || value.contains("url(")
                        || value.contains("javascript:")) {
                    found.add(e.tagName() + "@" + name + "=" + a.getValue());
                }
            }
        }
        return found;
    }

    @Test
    void scriptsHandlersFormsFramesAndRemoteImagesAreRemovedAndTheirTextStaysReadable() throws Exception {
        String html = "<html><head><title>t</title><script>alert(1)</script><style>p{color:red}</style>"
                + "<meta http-equiv=refresh content='0;url=http://evil.example/'><base href='http://evil.example/'></head>"
                + "<body onload='steal()' background='http://evil.example/bg.png'><p onclick=\"x()\" style=\"color:red;"
                + "background:url(http://evil.example/t.png)\">Hello <b>world</b></p>"
                + "<form action='http://evil.example/post'><label>Password</label><input type=password name=pw>"
                + "<button formaction='http://evil.example/x'>Sign in</button></form>"
                + "<iframe src='http://evil.example/f'>frame text</iframe><object data='x.swf'></object><embed src='y.swf'>"
                + "<img src='http://evil.example/pixel.gif' alt='Logo'><img src='cid:part1@example' alt='inline'>"
                + "<svg onload=alert(1)><circle/></svg><a href='javascript:alert(1)'>click</a></body></html>";

        String out = sanitize(html, true);

        assertThat(activeContent(out)).isEmpty();
        assertThat(out).contains("<p style=\"color:red\">Hello <b>world</b></p>")
                .contains("Password").contains("Sign in").contains("[Logo]")
                .contains("<img src=\"cid:part1&#64;example\" alt=\"inline\" />")
                .contains("click [javascript:…]")
                .doesNotContain("alert").doesNotContain("frame text").doesNotContain("evil.example");
    }

    @Test
    void linksBecomeTheirTextFollowedByTheDefangedTarget() throws Exception {
        String out = sanitize("<p>Log in <a href=\"http://xxlplan.ovh.net/~vizoso/ee\" onclick=\"x()\">"
                + "https://signin.ebay.com/ws/eBayISAPI.dll?SignIn</a> now; see <a href='https://example.com/'>"
                + "https://example.com</a>.</p>", true);

        // The spans the anchors became have no attributes, so the sanitizer leaves out their tags; the text then is one
        // text node, defanged as a whole (the full stop after the last URL goes with it, as URL characters do)
        assertThat(out).isEqualTo("<p>Log in hxxps://signin[.]ebay[.]com/ws/eBayISAPI[.]dll?SignIn"
                + " [hxxp://xxlplan[.]ovh[.]net/~vizoso/ee] now; see hxxps://example[.]com[.]</p>");
    }

    @Test
    void withoutDefangingWebLinksStayClickableWithNoopenerAndOthersGo() throws Exception {
        String out = sanitize("<a href='https://example.com/a' target=_top onmouseover=x()>A</a>"
                + "<a href='javascript:alert(1)'>B</a><a href='mailto:x@example.com'>C</a>"
                + "<a href='/settings/forwarding?to=x'>D</a><a href='//evil.example/'>E</a>", false);

        assertThat(out).contains("href=\"https://example.com/a\"").contains("rel=\"noopener noreferrer\"")
                .contains("href=\"mailto:x&#64;example.com\"").doesNotContain("javascript").doesNotContain("onmouseover")
                .contains("B");
        // relative references would resolve against the webmail showing the message: they go, their text stays
        assertThat(out).doesNotContain("settings").doesNotContain("evil").contains("D", "E");
    }

    @Test
    void deepNestingIsCappedAndWhatFollowsItIsKept() throws Exception {
        String html = "<div>".repeat(20_000) + "deep" + "</div>".repeat(20_000) + "<p>after</p>";

        String out = sanitize(html, true);

        // The sanitizer's tag balancer stops at 256 open elements and drops what is nested deeper.
        assertThat(Jsoup.parse(out).select("div")).hasSizeLessThanOrEqualTo(256);
        assertThat(out).doesNotContain("deep").contains("<p>after</p>");
    }

    @Test
    void htmlBecomesTextWithParagraphsListsAndLinkTargets() throws Exception {
        String out = text("<html><head><title>Title</title><style>p{}</style></head><body><h1>お知らせ</h1>"
                + "<p>First&nbsp;paragraph\n  continues.</p><ul><li>one</li><li>two</li></ul>"
                + "<table><tr><td>a</td><td>b</td></tr></table><p>Line<br>break <a href='https://x.example/p'>here</a></p>"
                + "<script>var hidden = 1;</script><pre>  keep\n   spacing</pre></body></html>", true);

        assertThat(out).isEqualTo("お知らせ\r\n\r\nFirst paragraph continues.\r\n\r\n・one\r\n・two\r\na b\r\n\r\n"
                + "Line\r\nbreak here [hxxps://x[.]example/p]\r\n\r\n  keep\r\n   spacing\r\n");
    }

    /** Inline elements cut a URL into text events that the text joins again: it is defanged as the reader sees it. */
    @Test
    void aUrlCutByInlineElementsIsDefangedInTheText() throws Exception {
        String out = text("<p>Sign in: ht<b></b>tps://evil.example/login or w<i>ww.</i>evil.example</p>", true);

        assertThat(out).isEqualTo("Sign in: hxxps://evil[.]example/login or www[.]evil[.]example\r\n");
        assertThat(text("<p>ht<b></b>tps://evil.example/login</p>", false)).isEqualTo("https://evil.example/login\r\n");
    }

    /**
     * An element the sanitizer drops joins the text on either side into one text node of the result, which a mail
     * client linkifies whole: a URL cut by one ({@code htt<xyz></xyz>ps://…}) is defanged as the result shows it. Kept
     * elements ({@code <b>}) keep separate text nodes, which linkifiers do not join.
     */
    @Test
    void aUrlCutByADroppedElementIsDefangedAsTheResultJoinsIt() throws Exception {
        String out = sanitize("<p>Sign in: htt<xyz></xyz>ps://evil.example/login or ww<blink>w.</blink>evil.example/x"
                + " <span>ok</span></p>", true);

        assertThat(Jsoup.parseBodyFragment(out).text())
                .isEqualTo("Sign in: hxxps://evil[.]example/login or www[.]evil[.]example/x ok");
    }

    /**
     * Cutting HTML into pieces of about 256 characters gives the same result as sanitizing it whole, on every HTML
     * body part of a corpus ({@link CorpusFiles}: the module's real test messages, or ../shared/corpus's over a
     * thousand through {@code bench/corpus-robustness.sh}; many of them broken on purpose by phishers), so the
     * piecewise streaming changes nothing but memory use.
     */
    @Test
    void smallPiecesGiveTheSameResultAsOnePieceOnRealHtml() throws Exception {
        int documents = 0;
        for (String html : corpusHtml()) {
            StringWriter whole = new StringWriter();
            DisarmedHtml.sanitize(new HtmlChunks(new StringReader(html), 1 << 24, 1 << 25), whole, true);
            StringWriter pieces = new StringWriter();
            DisarmedHtml.sanitize(new HtmlChunks(new StringReader(html), 256, 1 << 20), pieces, true);
            assertThat(pieces.toString()).as("document %d", documents).isEqualTo(whole.toString());
            documents++;
        }
        assertThat(documents).isGreaterThan(CorpusFiles.expectedMessages() / 2);
    }

    /** The decoded text/html parts of the corpus's messages, as our parser reads them. */
    private static List<String> corpusHtml() throws IOException {
        List<String> result = new ArrayList<>();
        for (Path f : CorpusFiles.files()) {
            if (f.toString().endsWith(".eml")) {
                ParsedMessage m;
                try (InputStream in = Files.newInputStream(f)) {
                    m = new MessageParser().parse(in);
                }
                m.close();
                m.parts().stream().filter(p -> p.contentType().equals("text/html") && p.text() != null)
                        .forEach(p -> result.add(p.text()));
            }
        }
        return result;
    }
}
