package io.mamori.console.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The safe rendering of a message: HTML reduced to text, remote content counted and never kept, links as text. */
class SafeMessageTest {

    private static SafeMessage read(String message) throws Exception {
        return SafeMessage.read(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anHtmlBodyBecomesTextWithoutScriptsStylesOrElements() throws Exception {
        SafeMessage m = read("""
                From: "Boss <script>" <boss@partner.example>\r
                Subject: =?UTF-8?B?6KuL5rGC5pu4?=\r
                MIME-Version: 1.0\r
                Content-Type: text/html; charset=utf-8\r
                \r
                <html><head><style>p{color:red}</style><title>t</title></head><body>
                <p>ご確認ください<br>明日まで</p><script>alert(1)</script>
                <img src="https://tracker.example/p.gif"><div style="background:url(https://x.example/a.png)">x</div>
                <a href="https://phish.example/login">ログイン</a> &amp; &lt;b&gt;
                <iframe src="https://evil.example/"></iframe></body></html>\r
                """);
        assertThat(m.bodyFromHtml()).isTrue();
        assertThat(m.body()).contains("ご確認ください\n明日まで").contains("ログイン").contains("& <b>")
                .doesNotContain("alert").doesNotContain("color:red").doesNotContain("<p>").doesNotContain("<img");
        assertThat(m.remoteContentBlocked()).isEqualTo(3);
        assertThat(m.links()).containsExactly("https://phish.example/login");
        assertThat(m.header("subject")).isEqualTo("請求書");
        assertThat(m.header("From")).isEqualTo("\"Boss <script>\" <boss@partner.example>");
        assertThat(m.attachments()).isEmpty();
    }

    @Test
    void thePlainTextPartIsPreferredAndAttachmentsAreListedByName() throws Exception {
        SafeMessage m = read("""
                Subject: both\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="o"\r
                \r
                --o\r
                Content-Type: multipart/alternative; boundary="a"\r
                \r
                --a\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                plain text wins\r
                --a\r
                Content-Type: text/html; charset=utf-8\r
                \r
                <p>html loses <a href="https://x.example/">x</a></p>\r
                --a--\r
                --o\r
                Content-Type: application/pdf\r
                Content-Disposition: attachment; filename="=?UTF-8?B?6KaL56mN5pu4LnBkZg==?="\r
                Content-Transfer-Encoding: base64\r
                \r
                JVBERi0xLjQK\r
                --o--\r
                """);
        assertThat(m.bodyFromHtml()).isFalse();
        assertThat(m.body()).contains("plain text wins").doesNotContain("html loses");
        assertThat(m.links()).containsExactly("https://x.example/");
        assertThat(m.attachments()).singleElement().satisfies(a -> {
            assertThat(a.filename()).isEqualTo("見積書.pdf");
            assertThat(a.contentType()).isEqualTo("application/pdf");
            assertThat(a.size()).isEqualTo(9);
        });
    }

    @Test
    void invisibleCharactersInHeadersLinksAndAttachmentNamesAreWrittenOut() throws Exception {
        SafeMessage m = read("From: =?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(
                "Pay\u200Bpal <x@evil.example>".getBytes(StandardCharsets.UTF_8)) + "?=\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<a href=\"https://bank.example\u202E/moc.live\">x</a>\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;"
                + " filename*=UTF-8''Rechnung_%E2%80%AEfdp.exe\r\n\r\nMZ\r\n--b--\r\n");

        assertThat(m.header("From")).isEqualTo("Pay<U+200B>pal <x@evil.example>");
        assertThat(m.links()).containsExactly("https://bank.example<U+202E>/moc.live");
        assertThat(m.attachments()).extracting(SafeMessage.Attachment::filename).containsExactly("Rechnung_<U+202E>fdp.exe");
    }

    @Test
    void aLongBodyIsCutAndSaysSo() throws Exception {
        SafeMessage m = read("Subject: long\r\n\r\n" + "a".repeat(SafeMessage.MAX_BODY + 10) + "\r\n");
        assertThat(m.truncated()).isTrue();
        assertThat(m.body()).hasSize(SafeMessage.MAX_BODY);
    }
}
