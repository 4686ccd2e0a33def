package io.mamori.core.evasion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The style rules matched in one walk over the elements give what one select per selector gave. */
class CssRulesTest {

    private static final String BODY = "<body><div id=main class='a b'><p class=a>one <span class=hide>two</span></p>"
            + "<table><tr><td class=x>3</td><td id=t4 data-k='v w'>4</td></tr></table><ul><li>5</li><li class=b>6"
            + "<a href='https://x.example/'>7</a></li></ul></div><div class=mobile><p>8</p><p lang=en-GB>9</p></div>"
            + "<font color=red>10</font></body>";

    /** Every element's style and media style, with the rules matched each way. */
    private static List<String> styles(Document doc, boolean oneWalk) {
        CssRules rules = CssRules.of(doc, HtmlText.MAX_STYLE_RULES, oneWalk);
        List<String> out = new ArrayList<>();
        for (Element e : doc.getAllElements()) {
            Map<String, String> style = rules.styleOf(e);
            out.add(e.cssSelector() + " " + style + " " + rules.mediaStyleOf(e, style));
        }
        return out;
    }

    private static void assertSameEitherWay(String css) {
        Document doc = Jsoup.parse("<html><head><style>" + css + "</style></head>" + BODY + "</html>");
        List<String> oneWalk = styles(doc, true);
        assertThat(oneWalk).isEqualTo(styles(doc, false));
    }

    @Test
    void selectorsOfEveryKindMatchTheSameElementsWithTheDeclarationsInRuleOrder() {
        String css = "p{display:none} .a{color:transparent;display:none} #main .hide{visibility:hidden}"
                + " div > p{font-size:0} li + li{opacity:0} td ~ td{display:none} [data-k~=w]{display:none}"
                + " td[id^=t]{visibility:hidden;display:none} *{overflow:hidden} .a.b{position:absolute}"
                + " p[lang|=en]{display:none} ul li a{color:rgba(0,0,0,0)} table td.x, li.b{font-size:1px}"
                + " p{display:none;visibility:collapse} html body div{text-indent:-9999px}"
                + " @media screen and (max-width:600px){.mobile{display:block!important} .mobile p{font-size:14px}}"
                + " a:hover{display:none} p::first-line{display:none} div >> p{display:none} [{display:none}"
                + " {display:none} ,p,,{display:none} font{color:transparent}";
        assertSameEitherWay(css);
        Document doc = Jsoup.parse("<html><head><style>" + css + "</style></head>" + BODY + "</html>");
        CssRules rules = CssRules.of(doc, HtmlText.MAX_STYLE_RULES, true);
        // the later of two rules naming an element wins, keys in the order first declared
        Element second = doc.getElementsByAttributeValue("lang", "en-GB").first();
        assertThat(rules.styleOf(second).get("display")).isEqualTo("none");
        assertThat(rules.styleOf(second).get("visibility")).isEqualTo("collapse");
        // td ~ td (display), then td[id^=t] (visibility, display again), then * (overflow), in the style block's order
        assertThat(rules.styleOf(doc.getElementById("t4")).keySet()).startsWith("display", "visibility", "overflow");
        assertThat(rules.mediaStyleOf(doc.getElementsByClass("mobile").first(), Map.of())).containsEntry("display",
                "block"); // !important is dropped
    }

    @Test
    void randomStyleBlocksMatchTheSameEitherWay() {
        String[] parts = {"p", "div", "td", "li", "a", "span", "font", "table", "ul", "*", ".a", ".b", ".x", ".hide",
            ".mobile", "#main", "#t4", "[data-k]", "[lang=en-GB]", "[href*=example]", "[class$=b]"};
        String[] combinators = {" ", " > ", " + ", " ~ ", "", ", "};
        String[] declarations = {"display:none", "visibility:hidden", "font-size:0", "opacity:0", "color:transparent",
            "overflow:hidden;height:0", "position:fixed;top:-900px", "display:block", "font-size:12px"};
        Random random = new Random(20261128);
        for (int round = 0; round < 300; round++) {
            StringBuilder css = new StringBuilder();
            int rules = 1 + random.nextInt(12);
            for (int r = 0; r < rules; r++) {
                boolean media = random.nextInt(5) == 0;
                if (media) {
                    css.append("@media (max-width:600px){");
                }
                int terms = 1 + random.nextInt(3);
                for (int t = 0; t < terms; t++) {
                    if (t > 0) {
                        css.append(combinators[random.nextInt(combinators.length)]);
                    }
                    css.append(parts[random.nextInt(parts.length)]);
                }
                css.append('{');
                int n = 1 + random.nextInt(3);
                for (int d = 0; d < n; d++) {
                    css.append(declarations[random.nextInt(declarations.length)]).append(';');
                }
                css.append('}');
                if (media) {
                    css.append('}');
                }
            }
            assertSameEitherWay(css.toString());
        }
    }

    @Test
    void strayWordsAreThoseOutsideRulesAtRulesAndDeclarations() {
        assertThat(CssRules.strayWords("p { color: red } .a, .b .c, td > span.x { display: none }")).as("selectors").isZero();
        assertThat(CssRules.strayWords("@import url(\"https://fonts.example/css?family=Open+Sans\"); @charset \"utf-8\";"))
                .as("at-rule statements").isZero();
        assertThat(CssRules.strayWords("@media screen and (max-width: 600px) { .m { display: block } }")).isZero();
        assertThat(CssRules.strayWords("<!-- p { margin: 0 } -->")).as("CDO and CDC").isZero();
        assertThat(CssRules.strayWords("p { margin: 0 } font-family: Arial, Helvetica; color: black")).as("declarations")
                .isZero();
        assertThat(CssRules.strayWords("p { margin: 0 } .open { color: red; lantern harbour orchard velvet")).as("inside a block left open")
                .isZero();
        assertThat(CssRules.strayWords("lantern b21c, harbour q7x_pm, orchard")).as("runs of two letters or more").isEqualTo(4);
        assertThat(CssRules.strayWords("p { margin: 0 }\nlantern, harbour; orchard velvet; .x { color: red } maple")).isEqualTo(5);
        assertThat(CssRules.strayWords("日本語の 単語")).as("any script").isEqualTo(2);
        assertThat(CssRules.strayWords("lantern harbour; color: red; orchard velvet")).as("a declaration is its statement only")
                .isEqualTo(4);
    }
}
