package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TagRewriterTest {

    private static final List<FindingCatalogue.Entry> REASONS = FindingCatalogue.builtIn().reasons(List.of(
            Finding.of("ATTACHMENT_EXECUTABLE", "x.exe"), Finding.of("MIME_MALFORMED", "part 1")));

    @TempDir
    Path temp;

    private byte[] rewrite(byte[] raw, String prefix, List<FindingCatalogue.Entry> reasons) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TagRewriter(temp).rewrite(new ByteArrayInputStream(raw), out, prefix, reasons);
        return out.toByteArray();
    }

    private static ParsedMessage parse(byte[] raw) throws IOException {
        return new MessageParser().parse(new ByteArrayInputStream(raw));
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void japaneseMessageGetsPrefixedSubjectAndAWarningAboveTheOriginalText() throws IOException {
        byte[] raw = Fixtures.bytes("tag/iso2022jp-plain.eml");

        byte[] tagged = rewrite(raw, "[要注意]", REASONS);
        ParsedMessage m = parse(tagged);

        assertThat(m.subject()).isEqualTo("[要注意] 元の件名");
        assertThat(m.defects()).isEmpty();
        MimePart body = m.parts().get(0);
        assertThat(body.charset()).isEqualTo("utf-8");
        assertThat(body.text()).startsWith("【要注意】このメールは Mamori の検査で注意が必要と判定されました。\r\n"
                + "・開くとプログラムが実行される種類のファイルが添付されています\r\n"
                + "・メールの構造（MIME）が壊れています。検査を逃れるための細工の可能性があります\r\n"
                + "[Caution] Mamori's inspection flagged this message.\r\n"
                + "- An attached file is of a type that runs a program when opened\r\n");
        assertThat(body.text()).endsWith("本日の会議資料です。①をご確認ください。\r\nよろしくお願いします。\r\n");
    }

    @Test
    void headersOtherThanSubjectStayByteIdenticalAndTheSubjectIsEncodedAsUtf8B() throws IOException {
        byte[] raw = Fixtures.bytes("tag/iso2022jp-plain.eml");
        String original = ascii(raw);
        String headerBlock = original.substring(0, original.indexOf("\r\n\r\n") + 2);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        for (String field : headerBlock.split("\r\n(?![ \t])")) {
            if (field.startsWith("Subject:")) {
                assertThat(tagged).doesNotContain(field);
            } else if (!field.startsWith("Content-")) {
                assertThat(tagged).contains(field);
            }
        }
        assertThat(tagged).contains("Subject: =?UTF-8?B?");
        assertThat(tagged.indexOf("Subject:")).isGreaterThan(tagged.indexOf("To: keiri@example.co.jp"));
        assertThat(tagged.indexOf("Subject:")).isLessThan(tagged.indexOf("Date: Mon, 1 Apr 2024"));
        assertThat(tagged.lines().filter(l -> l.startsWith("Subject:") || l.startsWith(" ")))
                .isNotEmpty().allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(78));
    }

    @Test
    void taggingTwiceDoesNotDoubleThePrefix() throws IOException {
        byte[] once = rewrite(Fixtures.bytes("tag/iso2022jp-plain.eml"), "[要注意]", REASONS);
        byte[] twice = rewrite(once, "[要注意]", REASONS);

        assertThat(parse(twice).subject()).isEqualTo("[要注意] 元の件名");
    }

    @Test
    void aContentTypeParameterWithoutValueDoesNotStopTheRewrite() throws IOException {
        byte[] raw = "Subject: Verify\r\nContent-Type: text/html;iso-8859-1\r\n\r\n<p>ebay</p>\r\n"
                .getBytes(StandardCharsets.US_ASCII);

        ParsedMessage m = parse(rewrite(raw, "[要注意]", REASONS));

        assertThat(m.subject()).isEqualTo("[要注意] Verify");
        assertThat(m.parts().get(0).text()).startsWith("<div ").endsWith("<p>ebay</p>\r\n");
    }

    @Test
    void asciiPrefixOnAnAsciiSubjectStaysUnencoded() throws IOException {
        String tagged = ascii(rewrite(Fixtures.bytes("tag/alternative-with-attachments.eml"), "[SUSPICIOUS]", REASONS));

        assertThat(tagged).contains("Subject: [SUSPICIOUS] Invoice April\r\n");
    }

    @Test
    void multipartAlternativeGetsTheWarningInBothPartsAndHtmlIsEscaped() throws IOException {
        List<FindingCatalogue.Entry> reasons = List.of(
                new FindingCatalogue.Entry("X", 1.0, "危険な<b>添付</b>", "Dangerous <b>attachment</b> & more"));

        ParsedMessage m = parse(rewrite(Fixtures.bytes("tag/alternative-with-attachments.eml"), "[要注意]", reasons));

        assertThat(m.subject()).isEqualTo("[要注意] Invoice April");
        MimePart plain = m.parts().get(0);
        MimePart html = m.parts().get(1);
        assertThat(plain.path()).isEqualTo("1.1");
        assertThat(plain.text()).startsWith("【要注意】").contains("・危険な<b>添付</b>\r\n")
                .endsWith("ご請求書をお送りします。");
        assertThat(html.path()).isEqualTo("1.2");
        assertThat(html.text()).startsWith("<html><head><meta charset=\"utf-8\"></head><BODY class=\"x\"><div ")
                .contains(">・危険な&lt;b&gt;添付&lt;/b&gt;</p>", ">- Dangerous &lt;b&gt;attachment&lt;/b&gt; &amp; more</p>")
                .endsWith("</div>\r\n<p>ご請求書をお送りします。</p></BODY></html>");
        assertThat(m.parts()).extracting(MimePart::charset).startsWith("utf-8", "utf-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<html><head><!-- <body> --></head><body>",
            "<html><head><title><body></title></head><body>",
            "<html><body title=\">\">",
    })
    void theHtmlWarningFollowsTheRealBodyTagNotOneInACommentTitleOrAttribute(String head) throws IOException {
        String html = head + "<p>Hello</p></body></html>";
        byte[] raw = ("Subject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n")
                .getBytes(StandardCharsets.UTF_8);

        String tagged = parse(rewrite(raw, "[要注意]", REASONS)).parts().get(0).text();

        assertThat(tagged).startsWith(head + "<div style=\"display:block!important;")
                .endsWith("</div>\r\n<p>Hello</p></body></html>\r\n");
        Element first = Jsoup.parse(tagged).body().child(0);
        assertThat(first.tagName()).isEqualTo("div");
        assertThat(first.text()).startsWith("【要注意】");
    }

    @Test
    void everyAlternativeGetsTheWarningSoTheLastOneAClientShowsHasItToo() throws IOException {
        byte[] raw = ("Subject: hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n"
                + "--B\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
                + "--B\r\nContent-Type: text/html\r\n\r\n<p>decoy</p>\r\n"
                + "--B\r\nContent-Type: text/html\r\n\r\n<p>REAL</p>\r\n--B--\r\n").getBytes(StandardCharsets.US_ASCII);

        List<MimePart> parts = parse(rewrite(raw, "[要注意]", REASONS)).parts();

        assertThat(parts).extracting(MimePart::text).hasSize(3).allSatisfy(t -> assertThat(t).contains("【要注意】"));
        assertThat(parts.get(2).text()).startsWith("<div ").endsWith("</div>\r\n<p>REAL</p>");
    }

    @Test
    void attachmentsInlineImagesPreambleAndEpilogueAreUnchanged() throws IOException {
        byte[] raw = Fixtures.bytes("tag/alternative-with-attachments.eml");
        String original = ascii(raw);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        String pdfPart = original.substring(original.indexOf("Content-Type: application/pdf"),
                original.indexOf("--outer-1", original.indexOf("Content-Type: application/pdf")));
        String notesPart = original.substring(original.indexOf("Content-Type: text/plain; charset=us-ascii; name"),
                original.indexOf("--outer-1", original.indexOf("name=\"notes.txt\"")));
        String imagePart = original.substring(original.indexOf("Content-Type: image/png"),
                original.indexOf("--outer-1--"));
        assertThat(tagged).contains(pdfPart, notesPart, imagePart);
        assertThat(tagged).startsWith("From: partner@example.net\r\n")
                .contains("\r\n\r\nThis is a multi-part message in MIME format.\r\n--outer-1\r\n")
                .endsWith("--outer-1--\r\nepilogue text\r\n");
        assertThat(decodedBase64After(tagged, "filename=\"invoice.pdf\"")).isEqualTo(decodedBase64After(original, "filename=\"invoice.pdf\""));
        byte[] expectedPdf = new byte[256 * 40];
        for (int i = 0; i < expectedPdf.length; i++) {
            expectedPdf[i] = (byte) i;
        }
        assertThat(decodedBase64After(tagged, "filename=\"invoice.pdf\"")).isEqualTo(expectedPdf);
    }

    @Test
    void bigAttachmentsPassThroughEncryptedTemporaryFilesThatAreDeletedAfterwards() throws IOException {
        byte[] payload = new byte[3 * 1024 * 1024];
        new java.util.Random(42).nextBytes(payload);
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(payload);
        byte[] raw = ("From: a@example.net\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n"
                + "--q\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
                + "--q\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=data.bin\r\n\r\n" + base64 + "\r\n--q--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new TagRewriter(temp).rewrite(new SequenceCheckingStream(raw, temp), out, "[要注意]", REASONS);

        assertThat(decodedBase64After(ascii(out.toByteArray()), "filename=data.bin")).isEqualTo(payload);
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).isEmpty();
        }
    }

    /** Reads like the input but checks, once half is read, that no clear text of it is on disk. */
    private static final class SequenceCheckingStream extends ByteArrayInputStream {
        private final Path dir;
        private final byte[] probe;
        private boolean checked;

        SequenceCheckingStream(byte[] raw, Path dir) {
            super(raw);
            this.dir = dir;
            int at = raw.length / 2;
            this.probe = Arrays.copyOfRange(raw, at, at + 64);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            if (!checked && pos > buf.length * 3 / 4) {
                checked = true;
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        assertThat(ascii(Files.readAllBytes(f))).doesNotContain(ascii(probe));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return super.read(b, off, len);
        }
    }

    private static byte[] decodedBase64After(String message, String marker) {
        int start = message.indexOf("\r\n\r\n", message.indexOf(marker)) + 4;
        int end = message.indexOf("\r\n--", start);
        return Base64.getMimeDecoder().decode(message.substring(start, end));
    }

    private static byte[] crlf(byte[] lf) {
        return ascii(lf).replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void signedMessageGetsTheWarningBesideItsSignedPartWhichStillVerifies() throws Exception {
        // a real S/MIME message (Thunderbird); CRLF as SMTP carries it
        byte[] raw = crlf(Fixtures.bytes("tag/mimekit-thunderbird-smime-signed.eml"));
        String original = ascii(raw);
        String signedEntity = original.substring(original.indexOf("Content-Type: multipart/signed"));

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        ParsedMessage m = parse(tagged.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m.subject()).isEqualTo("[要注意] This is a test of signing with S/MIME");
        assertThat(m.header("Content-Type").orElseThrow()).startsWith("multipart/mixed");
        assertThat(m.parts().get(0).text()).startsWith("【要注意】").contains("[Caution]");
        assertThat(m.parts().get(1).text()).as("the signed text itself is untouched")
                .startsWith("This message is being generated and signed by Thunderbird");
        String boundary = tagged.substring(tagged.indexOf("boundary=") + 9).split("\r\n")[0].replace("\"", "");
        int second = tagged.indexOf("--" + boundary + "\r\n", tagged.indexOf("--" + boundary + "\r\n") + 1);
        String secondPart = tagged.substring(second + boundary.length() + 4, tagged.lastIndexOf("\r\n--" + boundary + "--"));
        assertThat(secondPart).isEqualTo(signedEntity);
        Path part = Files.writeString(temp.resolve("signed-part.eml"), secondPart, StandardCharsets.ISO_8859_1);
        Process openssl = new ProcessBuilder("openssl", "smime", "-verify", "-noverify", "-in", part.toString(),
                "-out", temp.resolve("content").toString()).redirectErrorStream(true).start();
        String said = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor()).as("openssl: %s", said).isZero();
        assertThat(said).contains("Verification successful");
    }

    @Test
    void attachmentOnlyMixedMessageGetsTheWarningAsItsFirstPart() throws IOException {
        String pdf = Base64.getMimeEncoder().encodeToString("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        String attachment = "Content-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n\r\n" + pdf + "\r\n";
        byte[] raw = ("From: a@sender.test\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\npreamble\r\n--B\r\n" + attachment + "--B--\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        ParsedMessage m = parse(tagged.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m.parts()).hasSize(2);
        assertThat(m.parts().get(0).contentType()).isEqualTo("text/plain");
        assertThat(m.parts().get(0).attachment()).isFalse();
        assertThat(m.parts().get(0).text()).startsWith("【要注意】").contains("[Caution]");
        assertThat(m.parts().get(1).filename()).isEqualTo("invoice.pdf");
        assertThat(tagged).contains("preamble\r\n--B\r\n").contains("--B\r\n" + attachment + "--B--");
    }

    @Test
    void singlePartAttachmentMessageIsWrappedWithTheWarningFirst() throws IOException {
        String html = Base64.getMimeEncoder().encodeToString("<form action=\"https://login.example.test\">".getBytes(StandardCharsets.US_ASCII));
        byte[] raw = ("From: a@sender.test\r\nSubject: fax\r\nContent-Type: text/html; name=\"fax.html\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"fax.html\"\r\n"
                + "X-Other: kept\r\n\r\n" + html + "\r\n").getBytes(StandardCharsets.US_ASCII);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        ParsedMessage m = parse(tagged.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m.subject()).isEqualTo("[要注意] fax");
        assertThat(m.header("MIME-Version")).hasValue("1.0");
        assertThat(m.header("Content-Type").orElseThrow()).startsWith("multipart/mixed");
        assertThat(m.header("X-Other")).hasValue("kept");
        assertThat(m.parts()).extracting(MimePart::contentType).containsExactly("text/plain", "text/html");
        assertThat(m.parts().get(0).text()).startsWith("【要注意】");
        assertThat(m.parts().get(1).filename()).isEqualTo("fax.html");
        assertThat(tagged).contains("Content-Type: text/html; name=\"fax.html\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"fax.html\"\r\n\r\n" + html + "\r\n");
    }

    @Test
    void theHtmlsOwnCharsetDeclarationFollowsItsReEncodingToUtf8() throws IOException {
        String html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"
                + "<META CHARSET='shift_jis'><title>ご請求</title></head><body><p>ご請求書をお送りします。</p>"
                + "<p>charset=Shift_JIS in the text stays</p></body></html>";
        byte[] raw = ("Subject: invoice\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=Shift_JIS\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(html.getBytes(java.nio.charset.Charset.forName("Shift_JIS"))) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        MimePart part = parse(rewrite(raw, "[要注意]", REASONS)).parts().get(0);

        assertThat(part.charset()).isEqualTo("utf-8");
        assertThat(part.text()).startsWith("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                + "<META CHARSET='utf-8'><title>ご請求</title></head><body><div ")
                .endsWith("<p>charset=Shift_JIS in the text stays</p></body></html>");
        // a reader that goes by the HTML alone (no MIME label) now decodes it right
        org.jsoup.nodes.Document asClientSees = Jsoup.parse(new ByteArrayInputStream(part.text().getBytes(StandardCharsets.UTF_8)), null, "");
        assertThat(asClientSees.body().text()).contains("ご請求書をお送りします。");
    }

    @Test
    void aBigHtmlPartGetsTheWarningAfterItsBodyTagAndUtf8InItsMeta() throws IOException {
        String head = "<!DOCTYPE html><html><head><meta charset=\"iso-8859-1\"><title>t</title></head><body class=\"x\">";
        String tail = "<p>the end</p></body></html>";
        StringBuilder html = new StringBuilder(head);
        while (html.length() < TextParts.IN_MEMORY_TEXT_LIMIT + 100_000) {
            html.append("<p>Newsletter line with caf\u00e9 and more text to fill the part.</p>\r\n");
        }
        html.append(tail);
        byte[] raw = ("Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + html + "\r\n").getBytes(StandardCharsets.ISO_8859_1);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        String body = tagged.substring(tagged.indexOf("\r\n\r\n") + 4);
        String text = new String(Base64.getMimeDecoder().decode(body.strip()), StandardCharsets.UTF_8);
        assertThat(text).startsWith("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body class=\"x\">"
                + "<div style=\"display:block!important;")
                .contains("【要注意】", "caf\u00e9")
                .endsWith(tail + "\r\n");
        assertThat(text.length()).isGreaterThan(html.length());
    }

    @Test
    void aBigUnlabelledShiftJisPartKeepsItsTextWhenTagged() throws IOException {
        String line = "お客様各位　今月のご請求書を送付いたします。ｶﾀｶﾅも含みます。\r\n";
        StringBuilder text = new StringBuilder();
        while (text.length() < TextParts.IN_MEMORY_TEXT_LIMIT * 2 / 3) {
            text.append(line);
        }
        byte[] raw = ("Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text).getBytes(java.nio.charset.Charset.forName("windows-31j"));
        assertThat(raw.length).as("over the size decoded at once").isGreaterThan(TextParts.IN_MEMORY_TEXT_LIMIT + 1000);

        String tagged = ascii(rewrite(raw, "[要注意]", REASONS));

        String body = tagged.substring(tagged.indexOf("\r\n\r\n") + 4);
        String decoded = new String(Base64.getMimeDecoder().decode(body.strip()), StandardCharsets.UTF_8);
        assertThat(decoded).startsWith("【要注意】").endsWith(text.toString()).doesNotContain("\uFFFD");
    }
}
