package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.MessageParser;
import io.mamori.core.verdict.TagRewriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TAG warning a tagged HTML message shows, rendered by a real Chromium: a stylesheet in the message must not hide
 * it. (In this package for {@link ConsoleBrowser}, the project's one browser harness.)
 */
class WarningBoxRenderingTest {

    private static final List<FindingCatalogue.Entry> REASONS = FindingCatalogue.builtIn().reasons(List.of(
            Finding.of("ATTACHMENT_EXECUTABLE", "x.exe"), Finding.of("LURE_CREDENTIAL", "password")));

    private static ConsoleBrowser chrome;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBrowser() throws Exception {
        chrome = new ConsoleBrowser("file://");
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
    }

    /** Per paragraph of the warning: its size, what the browser computed for it, and what is drawn at its centre. */
    private static final String INSPECT = """
            const box = [...document.querySelectorAll('div')].find(d => d.textContent.startsWith('【要注意】'));
            if (!box) return [];
            return [...box.querySelectorAll('p')].map(p => {
              const r = p.getBoundingClientRect();
              const s = getComputedStyle(p);
              const top = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
              let opacity = 1, effects = [];
              for (let e = p; e; e = e.parentElement) {
                const c = getComputedStyle(e);
                opacity *= Number(c.opacity);
                for (const k of ['filter', 'transform', 'clipPath']) if (c[k] !== 'none') effects.push(e.tagName + ' ' + k + ' ' + c[k]);
              }
              return {text: p.innerText, chainOpacity: opacity, effects: effects, width: r.width, height: r.height, left: r.left, top: r.top,
                      opacity: s.opacity, visibility: s.visibility, color: s.color, fill: s.webkitTextFillColor,
                      fontSize: s.fontSize, onTop: top !== null && p.contains(top)};
            });
            """;

    @ParameterizedTest
    @ValueSource(strings = {
            "div{display:none!important}",
            "p,strong,ul,li{display:none!important}",
            "*{font-size:0!important;line-height:0!important}",
            "div,p{color:transparent!important;-webkit-text-fill-color:transparent!important}",
            "body>div:first-child{position:absolute!important;left:-10000px!important}",
            "div{height:0!important;overflow:hidden!important}",
            "div,p{opacity:0!important}",
            "div{transform:scale(0)!important}",
            "div,p{translate:-10000px 0!important;scale:0!important}",
            "div{margin-left:-10000px!important;left:-10000px!important}",
            "@layer attack{div,p{visibility:hidden!important}}",
            "div{clip-path:inset(50%)!important}",
            "p{text-indent:-9999px!important;overflow:hidden!important}",
            "div{filter:opacity(0)!important}",
            "#cover{position:absolute;top:0;left:0;width:100%;height:600px;background:#fff;z-index:1000}",
    })
    void aStylesheetInTheMessageCannotHideTheWarning(String css) throws Exception {
        String html = "<html><head><style>" + css + "</style></head><body><div id=\"cover\"></div>"
                + "<p>Your mailbox is full. Sign in to keep your mail.</p></body></html>";
        byte[] raw = ("From: it@sender.test\r\nSubject: Mailbox\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream tagged = new ByteArrayOutputStream();
        new TagRewriter(temp).rewrite(new ByteArrayInputStream(raw), tagged, "[要注意]", REASONS);
        String taggedHtml;
        try (var parsed = new MessageParser().parse(new ByteArrayInputStream(tagged.toByteArray()))) {
            taggedHtml = parsed.parts().get(0).text();
        }
        Path page = Files.writeString(temp.resolve("tagged.html"), taggedHtml, StandardCharsets.UTF_8);

        chrome.open(page.toAbsolutePath().toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> paragraphs = (List<Map<String, Object>>) chrome.driver.executeScript(INSPECT);

        assertThat(paragraphs).as("the warning's four paragraphs").hasSize(4);
        assertThat(paragraphs.get(0).get("text")).asString().startsWith("【要注意】");
        for (Map<String, Object> p : paragraphs) {
            assertThat(((Number) p.get("width")).doubleValue()).as("width of %s", p).isGreaterThan(200);
            assertThat(((Number) p.get("height")).doubleValue()).as("height of %s", p).isGreaterThan(10);
            assertThat(((Number) p.get("left")).doubleValue()).as("left of %s", p).isBetween(0.0, 100.0);
            assertThat(((Number) p.get("top")).doubleValue()).as("top of %s", p).isBetween(0.0, 400.0);
            assertThat(p.get("opacity")).as("opacity of %s", p).isEqualTo("1");
            assertThat(((Number) p.get("chainOpacity")).doubleValue()).as("opacity with its ancestors' of %s", p).isEqualTo(1.0);
            assertThat((List<?>) p.get("effects")).as("filters, transforms and clips on %s or above", p).isEmpty();
            assertThat(p.get("visibility")).as("visibility of %s", p).isEqualTo("visible");
            assertThat(p.get("color")).as("colour of %s", p).isEqualTo("rgb(0, 0, 0)");
            assertThat(p.get("fill")).as("text fill of %s", p).isEqualTo("rgb(0, 0, 0)");
            assertThat(p.get("fontSize")).as("font size of %s", p).isEqualTo("14px");
            assertThat(p.get("onTop")).as("nothing drawn over %s", p).isEqualTo(true);
        }
    }
}
