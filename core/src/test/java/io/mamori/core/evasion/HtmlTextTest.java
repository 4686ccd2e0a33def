package io.mamori.core.evasion;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.evasion.HtmlText.Technique;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HtmlTextTest {

    private static String words(String html) {
        return HtmlText.visible(html).replaceAll("\\s+", " ").strip();
    }

    @Test
    void scriptsStylesCommentsAndTheHeadAreNoTextAndCharacterReferencesAreDecoded() {
        assertThat(words("<html><head><title>T</title><style>p{color:red}</style><SCRIPT type=x>var urgent=1;</SCRIPT>"
                + "</head><body><!-- hidden comment --><p>Verify&nbsp;your <b>account</b> &amp; pay&#x21;</p></body></html>"))
                .isEqualTo("Verify\u00a0your account & pay!");
        assertThat(words("no tags < here")).isEqualTo("no tags < here");
    }

    @Test
    void blockElementsSeparateWordsAndInlineTagsDoNot() {
        assertThat(words("<p>pass<b>wo</b><i>rd</i></p><p>next</p><div>line<br>break</div><table><tr><td>a</td><td>b"
                + "</td></tr></table>")).isEqualTo("password next line break a b");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<span style='display:none'>|DISPLAY_NONE",
        "<span style='visibility: hidden'>|VISIBILITY_HIDDEN",
        "<span hidden>|HIDDEN_ATTRIBUTE",
        "<span style='font-size:0'>|ZERO_FONT",
        "<span style='font-size:1px'>|ZERO_FONT",
        "<span style='font:bold 0/0 arial'>|ZERO_FONT",
        "<span style='opacity:0.0'>|ZERO_OPACITY",
        "<div style='max-height:0;overflow:hidden'>|ZERO_SIZE",
        "<div style='width:0px; overflow: hidden'>|ZERO_SIZE",
        "<div style='text-indent:-9999px'>|OFF_SCREEN",
        "<div style='position:absolute;left:-5000px'>|OFF_SCREEN",
        "<span style='color:transparent'>|TRANSPARENT_COLOUR",
        "<span style='color:rgba(0,0,0,0)'>|TRANSPARENT_COLOUR",
        "<span style='color:#FEFEFE'>|BACKGROUND_COLOUR",
        "<font color='white'>|BACKGROUND_COLOUR",
    })
    void eachWayOfHidingTextIsRecognised(String open, String technique) {
        String close = "</" + open.substring(1, open.indexOf(open.contains(" ") ? ' ' : '>')) + ">";
        HtmlText.Reading r = HtmlText.read("<body bgcolor='#ffffff'><p>Shown words here</p>" + open + "secret"
                + close + "</body>");
        assertThat(r.visible().strip()).isEqualTo("Shown words here");
        assertThat(r.hiddenLetters()).isEqualTo(6);
        assertThat(r.hiddenRuns()).isEqualTo(1);
        assertThat(r.byTechnique()).isEqualTo(Map.of(Technique.valueOf(technique), 6));
    }

    @Test
    void hiddenTextInsideAWordIsCountedAsASplitAndLeftOutOfTheWord() {
        HtmlText.Reading r = HtmlText.read("<p>pass<span style=display:none>x9</span>word and "
                + "<span style=display:none>alone</span> here</p>");
        assertThat(r.visible().replaceAll("\\s+", " ").strip()).isEqualTo("password and here");
        assertThat(r.wordSplits()).isEqualTo(1);
        assertThat(r.hiddenRuns()).isEqualTo(2);
        assertThat(r.hiddenLetters()).isEqualTo(7);
        assertThat(HtmlText.read("<span>pass<div style=display:none>x</div>word</span>").wordSplits())
                .as("a hidden block makes no line break").isEqualTo(1);
    }

    @Test
    void aChildCannotShowWhatDisplayNoneHidesButCanUndoAZeroFontOrVisibility() {
        HtmlText.Reading r = HtmlText.read("<div style='display:none'><p style='display:block'>gone</p></div>"
                + "<div style='font-size:0'><span style='font-size:14px'>one</span></div>"
                + "<div style='visibility:hidden'><span style='visibility:visible'>two</span></div>");
        assertThat(r.visible().replaceAll("\\s+", " ").strip()).isEqualTo("one two");
        assertThat(r.byTechnique()).isEqualTo(Map.of(Technique.DISPLAY_NONE, 4));
    }

    @Test
    void contentAMediaRuleShowsIsVisibleAndPlainClassRulesHide() {
        HtmlText.Reading r = HtmlText.read("<style>.m{display:none} .h{display:none} a:hover{display:none}"
                + " @media (max-width:600px){ .m{display:block !important; max-height:none !important} }</style>"
                + "<div class='m' style='display:none;max-height:0;overflow:hidden'>mobile</div>"
                + "<div class='h'>classhidden</div><a href='#' class='x'>link</a>");
        assertThat(r.visible().replaceAll("\\s+", " ").strip()).isEqualTo("mobile link");
        assertThat(r.byTechnique()).isEqualTo(Map.of(Technique.DISPLAY_NONE, 11));
    }

    @Test
    void whiteTextOnAColouredButtonOrAPictureAndALinkInsideWhiteTextAreVisible() {
        HtmlText.Reading r = HtmlText.read("<table bgcolor='#ffffff'><tr>"
                + "<td bgcolor='#2563eb' style='color:#ffffff'>Button</td>"
                + "<td style='background:#ffffff url(hero.jpg) no-repeat; color:#ffffff'>Hero</td>"
                + "<td style='color:#fff'><a href='https://example.com/'>Link</a></td>"
                + "<td style='background-color:transparent'><span style='color:#ffffff'>Ghost</span></td>"
                + "</tr></table>");
        assertThat(r.visible().replaceAll("\\s+", " ").strip()).isEqualTo("Button Hero Link");
        assertThat(r.byTechnique()).isEqualTo(Map.of(Technique.BACKGROUND_COLOUR, 5));
    }

    @Test
    void whiteTextOnAPageThatDeclaresNoBackgroundIsHiddenButNotWhenAStyleSheetSetsBackgrounds() {
        // hash-buster salt as spam writes it: near-white words on a page with no background of its own (white)
        HtmlText.Reading plain = HtmlText.read("<html><body><font color='#FFFFFF'>9bbf38a544f990e7</font><br>"
                + "<a href='https://example.com/'>Offer</a><p style='color:#fffffb'>in 1927 Portalmix</p></body></html>");
        assertThat(plain.visible().replaceAll("\\s+", " ").strip()).isEqualTo("Offer");
        assertThat(plain.byTechnique()).isEqualTo(Map.of(Technique.BACKGROUND_COLOUR, 31));
        // a dark page, given on the body or on the html element around it, shows the same words
        assertThat(words("<body bgcolor='#000000'><font color='#FFFFFF'>shown</font></body>")).isEqualTo("shown");
        assertThat(words("<html style='background-color:#111'><body><p style='color:#fff'>dark</p></body></html>"))
                .isEqualTo("dark");
        // a newsletter whose style sheet gives its boxes their colours: where a class rule applies is not worked out
        // for backgrounds, so the page's colour is not assumed
        assertThat(words("<style>.hero{background:#003366;padding:8px}</style><div class='hero'>"
                + "<h1 style='color:#ffffff'>Spring sale</h1></div>")).isEqualTo("Spring sale");
    }

    @Test
    void colourValuesParseInTheirCommonForms() {
        assertThat(Colours.parse("#FFF")).isEqualTo(new Colours.Rgba(255, 255, 255, 1.0));
        assertThat(Colours.parse("ffffff")).isEqualTo(new Colours.Rgba(255, 255, 255, 1.0));
        assertThat(Colours.parse("rgb(100%, 0%, 0%)")).isEqualTo(new Colours.Rgba(255, 0, 0, 1.0));
        assertThat(Colours.parse("rgba(1, 2, 3, 0)").transparent()).isTrue();
        assertThat(Colours.parse("var(--brand)")).isNull();
        assertThat(Colours.firstColourIn("url(x.png) #0a0a0a no-repeat")).isEqualTo("#0a0a0a");
    }

    @Test
    void malformedStylesAndSelectorsAreIgnoredNotFatal() {
        HtmlText.Reading r = HtmlText.read("<style>}}{{ .a[ {display:none} @media {{ ;;: </style>"
                + "<p style='display:;font-size:abc;color:#zzz;opacity:x'>still shown</p>");
        assertThat(r.visible().strip()).isEqualTo("still shown");
        assertThat(r.hiddenLetters()).isZero();
    }

    @Test
    void aRubysReadingsAreReadAfterItsLineAndItsFallbackParenthesesNotAtAll() {
        assertThat(words("<p>お客様の<ruby>パ<rt>q</rt>ス<rt>z</rt>ワ<rt>k</rt>ー<rt>j</rt>ド<rt>v</rt></ruby>の"
                + "<ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>です</p><p>次</p>"))
                .isEqualTo("お客様のパスワードの漢字です qzkjv かんじ 次");
        HtmlText.Reading r = HtmlText.read("<ruby>東京<rt>とうきょう</rt></ruby>");
        assertThat(r.visible().strip()).isEqualTo("東京 とうきょう");
        assertThat(r.visibleLetters()).isEqualTo(7);
        // a hidden ruby stays hidden, readings and all
        assertThat(words("<p>a<span style='display:none'><ruby>b<rt>c</rt></ruby></span>d</p>")).isEqualTo("ad");
    }

    @Test
    void theReadableTextHasTheAltTextOfRemoteAndMissingPicturesButTheVisibleTextHasNot() {
        HtmlText.Reading r = HtmlText.read("<p>Dear user,<img src='https://cdn.example/a.png' alt='account suspended'>"
                + "<img alt='no source'><img src='cid:logo' alt='embedded'><img src='DATA:image/png;base64,AAAA' alt='inline'>"
                + "<img src='https://t.example/o.gif' width='1' height='1' alt='pixel'>"
                + "<img src='https://cdn.example/b.png' style='display:none' alt='hidden'>"
                + "<span hidden><img src='https://cdn.example/c.png' alt='hidden too'></span><img src='https://x.example/d.png'>"
                + "thanks</p>");
        assertThat(r.visible().replaceAll("\\s+", " ").strip()).isEqualTo("Dear user, thanks");
        assertThat(r.readable().replaceAll("\\s+", " ").strip()).isEqualTo("Dear user, account suspended no source thanks");
        assertThat(r.visibleLetters()).isEqualTo(14);
        // nothing to add: the same text
        HtmlText.Reading plain = HtmlText.read("<p>Hello <img src='cid:x' alt='logo'></p>");
        assertThat(plain.readable()).isSameAs(plain.visible());
    }

    @Test
    void aBdoRightToLeftIsReadableAsTheOverrideItIs() {
        HtmlText.Reading r = HtmlText.read("<p>Your <bdo dir='RTL'>tnuocca</bdo> is locked</p>");
        assertThat(r.visible().strip()).isEqualTo("Your tnuocca is locked");
        assertThat(r.readable().strip()).isEqualTo("Your \u202Etnuocca\u202C is locked");
        // the same override in an inline style; a right-to-left direction alone turns no Latin letters around
        assertThat(HtmlText.read("<p>Your <span style='Direction: RTL; unicode-bidi: bidi-override'>tnuocca</span> is"
                + " <span style='direction:rtl'>locked</span></p>").readable().strip())
                .isEqualTo("Your \u202Etnuocca\u202C is locked");
    }
}
