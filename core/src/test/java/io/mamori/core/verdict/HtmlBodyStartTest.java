package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HtmlBodyStartTest {

    private static final String MARK = "<div id=\"mamori-mark\">warning</div>";

    /**
     * jsoup follows the WHATWG tree builder, so it is the judge: wherever the scanner points, a div inserted
     * there must come out as the first element of the rendered body, not in a comment, an attribute, the title
     * or a style sheet, and the text around it must be kept as it was.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<html><head><!-- <body> --></head><body><p>Hello</p></body></html>",
            "<html><head><title><body></title></head><body><p>Hello</p></body></html>",
            "<html><body title=\">\"><p>Hello</p></body></html>",
            "<html><head><style>body>div:first-child{display:none!important}</style></head><body><p>Hello</p></body></html>",
            "<html><head><TITLE>a</title x=\"</title><body>\"><body><p>Hello</p></body></html>",
            "<html><body =\"><!--\"> --><p>Hello</p></body></html>",
            "<html><head><!--><body><p>Hello</p></body></html>",
            "<html><head><!---><body><p>Hello</p></body></html>",
            "<html><head><!-- x --!><body><p>Hello</p></body></html>",
            "<html><head><![CDATA[ > <!-- ]]> <body> --></head><body><p>Hello</p></body></html>",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" \"x>\"><html><head></head><body><p>Hello</p></body></html>",
            "<html><head><script>var s = '<body>';</script></head><body><p>Hello</p></body></html>",
            "<html><head><script><!-- <script></script><body> --></script></head><body><p>Hello</p></body></html>",
            "<html><head><noscript><!-- </noscript> --></noscript></head><body><p>Hello</p></body></html>",
            "<html><head><textarea><body></textarea></head><body><p>Hello</p></body></html>",
            "<html><head></head><div style=\"display:none\"><body><p>Hello</p></body></html>",
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><p>Hello</p></html>",
            "<p>Hello</p>",
            "Hello <b>there</b>",
            "<html><head><title>never closed <body><p>Hello</p>",
            "<html><head><!-- never closed <body><p>Hello</p>",
            "<html><body title=\"never closed><p>Hello</p>",
            "<html><head><xmp><body></xmp><body><p>Hello</p></body></html>",
            "<html><head><iframe><body></iframe><body><p>Hello</p></body></html>",
            "<html><head><plaintext><body><p>Hello</p>",
            "<svg><![CDATA[<body>]]></svg><body><p>Hello</p>",
    })
    void theWarningBecomesTheFirstThingInTheRenderedBody(String html) {
        int at = HtmlBodyStart.insertionPoint(html);
        String tagged = html.substring(0, at) + MARK + html.substring(at);

        Document rendered = Jsoup.parse(tagged);

        assertThat(rendered.body().child(0).id()).as(tagged).isEqualTo("mamori-mark");
        assertThat(rendered.select("#mamori-mark")).as(tagged).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<html><head><!-- <body> --></head><body class=\"x\">",
            "<html><head><title><body></title></head><BODY>",
            "<html><body title=\">\">",
            "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<meta charset=\"utf-8\">\r\n</head>\r\n<body\r\n bgcolor=white>",
    })
    void theWarningGoesRightAfterTheRealBodyStartTag(String head) {
        assertThat(HtmlBodyStart.insertionPoint(head + "<p>Hello</p></body></html>")).isEqualTo(head.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<!DOCTYPE html><html><head><title>t</title></head>|<div>Hello</div>",
            "<!DOCTYPE html><html><head>|<noscript><p>x</p></noscript></head><body>Hello",
            "<!DOCTYPE html>|Hello",
    })
    void withoutABodyTagTheWarningGoesWhereTheBodyStartsAndTheDoctypeStaysFirst(String marked) {
        String html = marked.replace("|", "");

        assertThat(HtmlBodyStart.insertionPoint(html)).isEqualTo(marked.indexOf('|'));
    }

    @Test
    void manyCommentsBeforeTheBodyCostOnePass() {
        // 20,000 comments and no "--!>" anywhere: a scanner that searched the rest of the text for each comment's ending
        // would read it 20,000 times over; one pass reads each character a few times
        String html = "<!---->".repeat(20_000) + "<body><p>x</p>";
        CountedReads text = new CountedReads(html);

        assertThat(HtmlBodyStart.insertionPoint(text)).isEqualTo(html.indexOf("<p>"));
        assertThat(text.reads).as("characters read").isLessThan(4L * html.length());
    }

    @Test
    void manyScriptsAndStylesBeforeTheBodyCostOnePass() {
        String html = "<script>var a = 1;</script><style>p{}</style><title>t</title>".repeat(5_000) + "<body><p>x</p>";
        CountedReads text = new CountedReads(html);

        assertThat(HtmlBodyStart.insertionPoint(text)).isEqualTo(html.indexOf("<p>"));
        assertThat(text.reads).as("characters read").isLessThan(4L * html.length());
    }

    /** A text that counts how many characters are read from it: the work a scan does, without a clock. */
    private static final class CountedReads implements CharSequence {
        private final String text;
        long reads;

        CountedReads(String text) {
            this.text = text;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            reads++;
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            reads += end - start;
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
