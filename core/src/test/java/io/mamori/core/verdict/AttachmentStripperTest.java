package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentStripperTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "a@example.net", List.of("b@example.co.jp"),
            "192.0.2.1", "x", null, false, Instant.EPOCH);

    @TempDir
    Path temp;

    private static ParsedMessage parse(byte[] raw) throws Exception {
        return new MessageParser().parse(new ByteArrayInputStream(raw));
    }

    @Test
    void theEncryptedZipOfTheSpamAssassinFixtureIsReplacedByABilingualNoticeAndTheRestIsKept() throws Exception {
        byte[] raw = Fixtures.bytes("attachment-content/spamassassin-zippwmacro.eml");
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        Set<String> paths;
        List<Finding> findings;
        try (ParsedMessage m = parse(raw)) {
            findings = new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m));
            paths = AttachmentContentAnalyzer.partsNamedBy(m, findings, Set.of("ENCRYPTED_ARCHIVE"));
        }
        assertThat(paths).containsExactly("2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        List<AttachmentStripper.Removed> removed = new AttachmentStripper(temp).strip(new ByteArrayInputStream(raw), out,
                paths, catalogue.reasons(findings));

        assertThat(removed).containsExactly(new AttachmentStripper.Removed("2", "macro.zip"));
        try (ParsedMessage stripped = parse(out.toByteArray())) {
            assertThat(stripped.parts()).extracting(MimePart::contentType).containsExactly("text/plain", "text/plain");
            assertThat(stripped.attachments()).isEmpty();
            String notice = stripped.parts().get(1).text();
            assertThat(notice).contains("添付ファイル「macro.zip」は安全のため削除されました",
                    "パスワード付き（暗号化された）ファイルが添付されており", "The attachment \"macro.zip\" was removed",
                    "An attachment is password-protected");
            try (ParsedMessage original = parse(raw)) {
                assertThat(stripped.parts().get(0).text()).isEqualTo(original.parts().get(0).text());
                assertThat(stripped.headers()).isEqualTo(original.headers());
            }
            assertThat(new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, stripped))).isEmpty();
        }
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("UEsDB");
    }

    @Test
    void aFileNameCannotWriteTheSendersWordsIntoTheGatewaysNotice() throws Exception {
        // RFC 2231: "invoice.pdf」は検査済みです。再送: https://evil.example/dl" CR LF CR LF, a right-to-left override, "fdp.exe"
        String raw = "From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;"
                + " filename*=utf-8''invoice.pdf%E3%80%8D%E3%81%AF%E6%A4%9C%E6%9F%BB%E6%B8%88%E3%81%BF%E3%81%A7%E3%81%99%E3%80%82"
                + "%E5%86%8D%E9%80%81%3A%20https%3A%2F%2Fevil.example%2Fdl%0D%0A%0D%0A%E2%80%AEfdp.exe\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b\r\nContent-Type: application/zip; name=\"old-mailer.zip\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b--\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        List<AttachmentStripper.Removed> removed = new AttachmentStripper(temp).strip(
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)), out, Set.of("2", "3"),
                FindingCatalogue.builtIn().reasons(List.of(Finding.of("ENCRYPTED_ARCHIVE", "x"))));

        assertThat(removed).extracting(AttachmentStripper.Removed::path).containsExactly("2", "3");
        try (ParsedMessage stripped = parse(out.toByteArray())) {
            String notice = stripped.parts().get(1).text();
            String firstLine = notice.lines().findFirst().orElseThrow();
            assertThat(firstLine).as("the whole name on the notice's own line").contains("<U+000D><U+000A>")
                    .contains("<U+202E>fdp.exe」は安全のため削除されました").doesNotContain("https://").contains("evil[.]example");
            assertThat(notice).doesNotContain("\u202e").doesNotContain("https://evil.example");
            // a name given only as Content-Type's name parameter is the file's name too
            assertThat(stripped.parts().get(2).text()).contains("添付ファイル「old-mailer.zip」");
        }
    }

    @Test
    void partsInsideAnEmbeddedMessageAreNumberedAsTheParserNumbersThem() throws Exception {
        byte[] raw = ("Subject: fwd\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
                + "--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
                + "--o\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
                + "--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
                + "--i\r\nContent-Type: application/zip; name=a.zip\r\nContent-Disposition: attachment; filename=a.zip\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n--i--\r\n"
                + "\r\n--o--\r\n").getBytes(StandardCharsets.US_ASCII);
        try (ParsedMessage m = parse(raw)) {
            assertThat(m.attachments()).extracting(MimePart::path).containsExactly("2.2");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        List<AttachmentStripper.Removed> removed = new AttachmentStripper(temp).strip(new ByteArrayInputStream(raw), out,
                Set.of("2.2"), List.of());

        assertThat(removed).containsExactly(new AttachmentStripper.Removed("2.2", "a.zip"));
        try (ParsedMessage stripped = parse(out.toByteArray())) {
            assertThat(stripped.parts()).extracting(MimePart::path).containsExactly("1", "2.1", "2.2");
            assertThat(stripped.attachments()).isEmpty();
            assertThat(stripped.parts().get(1).text()).isEqualTo("inner text");
        }
    }

    @Test
    void ofTwoAttachmentsWithTheSameNameOnlyTheEncryptedOneIsNamedAndStripped() throws Exception {
        byte[] encrypted;
        try (var in = AttachmentStripperTest.class.getResourceAsStream("/files/zip4j/strong_encrypted.zip")) {
            encrypted = in.readAllBytes();
        }
        ByteArrayOutputStream plainZip = new ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(plainZip)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write("hello".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder();
        byte[] raw = ("From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee both\r\n"
                + "--b\r\nContent-Type: application/zip; name=report.zip\r\nContent-Disposition: attachment; filename=report.zip\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + b64.encodeToString(plainZip.toByteArray()) + "\r\n"
                + "--b\r\nContent-Type: application/zip; name=report.zip\r\nContent-Disposition: attachment; filename=report.zip\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + b64.encodeToString(encrypted) + "\r\n--b--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Finding> findings;
        Set<String> paths;
        try (ParsedMessage m = parse(raw)) {
            findings = new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m));
            paths = AttachmentContentAnalyzer.partsNamedBy(m, findings, Set.of("ENCRYPTED_ARCHIVE"));
        }
        assertThat(findings).contains(Finding.of("ENCRYPTED_ARCHIVE", "report.zip (part 3)"));
        assertThat(paths).containsExactly("3");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        MessageRewriter.Result result = new MessageRewriter(temp).rewrite(new ByteArrayInputStream(raw), out,
                MessageRewriter.Plan.NONE.stripping(paths, FindingCatalogue.builtIn().reasons(findings), "01QUARANTINEDCOPY"));

        assertThat(result.removed()).containsExactly(new AttachmentStripper.Removed("3", "report.zip"));
        try (ParsedMessage stripped = parse(out.toByteArray())) {
            assertThat(stripped.attachments()).extracting(MimePart::path).containsExactly("2");
            assertThat(stripped.parts().get(2).text())
                    .contains("元のメールは隔離して保管されています（ID: 01QUARANTINEDCOPY）")
                    .contains("The original message is kept in quarantine (ID: 01QUARANTINEDCOPY)");
        }
    }

    /** {@code attachments.macros: strip} uses the same path: the macro workbook goes, the text stays. */
    @Test
    void anOfficeDocumentWithMacrosCanBeStrippedTheSameWay() throws Exception {
        byte[] raw = Fixtures.bytes("attachment-content/spamassassin-macro.eml");
        List<Finding> findings;
        Set<String> paths;
        try (ParsedMessage m = parse(raw)) {
            findings = new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m));
            paths = AttachmentContentAnalyzer.partsNamedBy(m, findings, Set.of("OFFICE_MACRO"));
        }
        assertThat(findings).extracting(Finding::code).contains("OFFICE_MACRO");
        assertThat(paths).containsExactly("2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new MessageRewriter(temp).rewrite(new ByteArrayInputStream(raw), out, MessageRewriter.Plan.NONE.stripping(paths,
                FindingCatalogue.builtIn().reasons(findings.stream().filter(f -> f.code().equals("OFFICE_MACRO")).toList()),
                null));

        try (ParsedMessage stripped = parse(out.toByteArray())) {
            assertThat(stripped.attachments()).isEmpty();
            assertThat(stripped.parts().get(1).text()).contains("添付ファイル「macro.xlsm」は安全のため削除されました")
                    .contains("マクロ付きの Office 文書");
            assertThat(new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, stripped)))
                    .extracting(Finding::code).doesNotContain("OFFICE_MACRO");
        }
    }

    /** An executable name the reader's client would show instead of the parser's choice still names its part. */
    @Test
    void aPartIsNamedByAFindingAboutAnyOfItsNames() throws Exception {
        byte[] raw = ("From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
                + "Content-Type: application/octet-stream; name=\"report.js\"\r\n"
                + "Content-Disposition: attachment; filename=\"report.txt\"\r\n\r\nAAAA\r\n--b--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (ParsedMessage m = parse(raw)) {
            List<Finding> findings = new io.mamori.core.attachment.AttachmentNameAnalyzer()
                    .analyze(new AnalysisInput(ENVELOPE, m));

            assertThat(AttachmentContentAnalyzer.partsNamedBy(m, findings, Set.of("ATTACHMENT_EXECUTABLE")))
                    .containsExactly("2");
        }
    }
}
