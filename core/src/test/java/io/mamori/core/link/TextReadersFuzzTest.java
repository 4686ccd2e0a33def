package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.lure.LureText;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Coverage-guided fuzzing of the hand-written readers of message text: {@link TextUrls} must find exactly what its
 * regular expression's {@code find()} finds (it is a faster way to the same answer), {@link LinkAnalyzer#cleaned}
 * must do what the WHATWG URL parser's first step does and nothing more, {@link LureText#fold} must fold ASCII text
 * the same way on its fast path as on its general one, and {@link HtmlText} must read any HTML
 * (our walk of jsoup's tree and the style rules it applies) without an exception, and {@link Redirects} must read
 * the destination of any redirected link without one. In the test suite each runs the
 * inputs under {@code TextReadersFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes them (bench/README.md).
 */
class TextReadersFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void findsTheUrlsTheRegularExpressionFinds(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        List<String> expected = new ArrayList<>();
        Matcher m = TextUrls.PATTERN.matcher(text);
        while (m.find()) {
            expected.add(m.group());
        }
        List<String> found = new ArrayList<>();
        TextUrls urls = new TextUrls(text);
        for (String url = urls.next(); url != null; url = urls.next()) {
            found.add(url);
        }
        assertThat(found).isEqualTo(expected);
    }

    @FuzzTest(maxDuration = "30s")
    void cleansUrlsAsBrowsersDo(FuzzedDataProvider data) {
        String url = data.consumeRemainingAsString();
        String cleaned = LinkAnalyzer.cleaned(url);
        // tabs and line breaks anywhere, then C0 controls and spaces at either end: removed, nothing else changed
        // (of at most the first 4,096 characters left: a longer URL is no real one)
        String stripped = url.replaceAll("[\\t\\n\\r]", "");
        String expected = stripped.substring(0, Math.min(stripped.length(), 4096))
                .replaceAll("\\A[\\x00-\\x20]+|[\\x00-\\x20]+\\z", "");
        assertThat(cleaned).isEqualTo(expected);
    }

    private static final List<String> REDIRECTING_HOSTS = List.of("www.google.com", "www.google.co.jp", "www.youtube.com",
            "l.facebook.com", "l.instagram.com", "vk.com", "www.bing.com", "www.linkedin.com", "adclick.g.doubleclick.net",
            "eur03.safelinks.protection.outlook.com", "clicktime.symantec.com", "urldefense.com",
            "urldefense.proofpoint.com", "abc.r.us-east-2.awstrack.me");

    /**
     * {@link Redirects#of} reads the destination of any link through a redirector, rewriter or tracker without an
     * exception, and what it gives is a web address.
     */
    @FuzzTest(maxDuration = "30s")
    void readsTheDestinationOfAnyRedirectedLink(FuzzedDataProvider data) {
        String host = data.pickValue(REDIRECTING_HOSTS);
        String url = "https://" + host + data.consumeRemainingAsString();
        Redirects.of(host, url).ifPresent(d -> assertThat(d.url()).matches("(?is)https?://.+"));
    }

    /**
     * {@link LureText#fold}'s pass for ASCII text gives what the general pass gives (which a format character, removed
     * by folding, makes it take).
     */
    @FuzzTest(maxDuration = "30s")
    void foldsAsciiAsTheGeneralPassDoes(FuzzedDataProvider data) {
        String ascii = data.consumeRemainingAsAsciiString();
        assertThat(LureText.fold(ascii)).isEqualTo(LureText.fold(ascii + "\u200B"));
    }

    @FuzzTest(maxDuration = "30s")
    void readsAnyHtml(FuzzedDataProvider data) {
        HtmlText.Reading r = HtmlText.read(data.consumeRemainingAsString());
        assertThat(r.visibleLetters()).isNotNegative();
        assertThat(r.hiddenLetters()).isNotNegative();
        assertThat(r.hiddenRuns()).isNotNegative();
        assertThat(r.wordSplits()).isNotNegative();
        assertThat(r.styleWords()).isNotNegative();
    }
}
