package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.poi.hsmf.MAPIMessage;
import org.apache.poi.hsmf.datatypes.AttachmentChunks;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two containers Outlook and Exchange put attachments in, TNEF (winmail.dat) and Outlook message files (.msg):
 * what they carry is inspected like the entries of an archive, names and content, within the same limits, and one that
 * cannot be read is said to be uninspected. TNEF against MimeKit's samples ({@code files/mimekit/tnef}, see
 * {@code files/README.md}) and streams {@link TnefWriter} writes; .msg files written by {@link OutlookMessageWriter},
 * since no sample is at hand.
 */
class OutlookContainersTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2025-04-01T00:00:00Z"));
    private static final String TNEF = "application/ms-tnef";
    private static final byte[] SCRIPT = ascii("var s = new ActiveXObject(\"WScript.Shell\"); s.Run(\"calc\");\n");

    @TempDir
    Path temp;

    // ---- TNEF: MimeKit's samples ---------------------------------------------------------------------------

    static Stream<String> samples() {
        return Stream.of("MAPI_ATTACH_DATA_OBJ", "MAPI_OBJECT", "attachments", "body", "christmas", "data-before-name",
                "garbage-at-end", "long-filename", "missing-filenames", "multi-name-property", "multi-value-attribute",
                "one-file", "panic", "rtf", "triples", "two-files", "unicode-mapi-attr-name", "unicode-mapi-attr",
                "winmail");
    }

    /**
     * MimeKit's test of each sample: every name its {@code .list} gives is the name of an attachment read from the
     * stream ({@code body.rtf} and {@code body.html} are MimeKit's conversions of the message body, not attachments).
     * Each sample is read to its end, but {@code panic.tnef}, whose attachments come before text that is no TNEF.
     */
    @ParameterizedTest
    @MethodSource("samples")
    void everyAttachmentMimeKitListsIsReadFromItsSample(String sample) throws IOException {
        List<String> listed = new String(resource("mimekit/tnef/" + sample + ".list"), StandardCharsets.UTF_8)
                .lines().filter(n -> !n.isBlank() && !n.equals("body.rtf") && !n.equals("body.html")).toList();
        MapiAttachments.Tnef tnef = new MapiAttachments.Tnef(resource("mimekit/tnef/" + sample + ".tnef"), 1000);
        List<String> names = new ArrayList<>();
        for (MapiAttachments.Attached a; (a = tnef.next()) != null; ) {
            names.addAll(a.names());
            assertThat(a.unreadable()).as(sample).isNull();
        }

        assertThat(names).as(sample).containsAll(listed);
        assertThat(tnef.damage()).as(sample).isEqualTo(sample.equals("panic") ? "unknown attribute level 75" : null);
    }

    @Test
    void everyNameAndTheContentOfEachAttachmentAreRead() throws IOException {
        // the long name first, then the 8.3 name; an attachment carried as a MAPI property (PR_ATTACH_DATA_OBJ) too
        assertThat(attached("unicode-mapi-attr-name")).containsExactly(
                "[spaconsole2.cfg, spacon~1.cfg] 8387", "[image001.png] 3815", "[image002.png] 3573", "[image003.png] 3792");
        assertThat(attached("MAPI_ATTACH_DATA_OBJ")).containsExactly("[VIA_Nytt_1402.doc, VI205A~1.DOC] 61952",
                "[VIA_Nytt_1402.pdf, VIANYT~1.PDF] 213685", "[VIA_Nytt_14021.htm, VIANYT~1.HTM] 68919");
        // attached messages: Outlook's placeholder text as attAttachData, the message (a TNEF stream) after its IID
        assertThat(attached("christmas")).containsExactly("[kitten-playing-with-a-christmas-tree.jpg, KITTEN~1.JPG] 375081",
                "[Untitled Attachment] 89 6508", "[Untitled Attachment] 89 385301");
        // the attachments before the damage
        assertThat(attached("panic")).containsExactly("[image001.jpg] 11250", "[image002.jpg] 9583", "[image003.png] 7147");
    }

    @Test
    void aProgramNamedInASampleIsAnExecutableAttachment() throws Exception {
        assertThat(analyze("winmail.dat", TNEF, resource("mimekit/tnef/data-before-name.tnef")))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/AUTOEXEC.BAT"));
    }

    @Test
    void theSamplesWithoutProgramsRaiseNothing() throws Exception {
        for (String sample : List.of("attachments", "two-files", "unicode-mapi-attr-name", "MAPI_ATTACH_DATA_OBJ",
                "christmas", "winmail", "missing-filenames", "garbage-at-end")) {
            assertThat(analyze("winmail.dat", TNEF, resource("mimekit/tnef/" + sample + ".tnef"))).as(sample).isEmpty();
        }
    }

    @Test
    void aDamagedSampleIsNotInspectedAfterItsAttachmentsBeforeTheDamage() throws Exception {
        assertThat(analyze("winmail.dat", TNEF, resource("mimekit/tnef/panic.tnef"))).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "winmail.dat: damaged TNEF (unknown attribute level 75)"));
    }

    // ---- TNEF: what the samples lack -----------------------------------------------------------------------

    @Test
    void aProgramInsideWinmailDatIsFoundByEveryNameAndByItsContent() throws Exception {
        byte[] tnef = new TnefWriter().attach("INVOIC~1.EXE", "invoice.pdf.exe", pe()).bytes();

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/invoice.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "winmail.dat!/invoice.pdf.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/INVOIC~1.EXE"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/invoice.pdf.exe: Windows executable (PE)"));
    }

    @Test
    void aProgramUnderAHarmlessNameInsideWinmailDatIsADisguisedType() throws Exception {
        byte[] tnef = new TnefWriter().attach("invoice.pdf", pe()).bytes();

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/invoice.pdf: Windows executable (PE)"),
                new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0,
                        "winmail.dat!/invoice.pdf: named .pdf, content is application/x-msdownload"));
    }

    @Test
    void archivesDocumentsAndStreamsInsideWinmailDatAreInspectedAsArchiveEntries() throws Exception {
        byte[] inner = new TnefWriter().attach("run.js", SCRIPT).bytes();
        byte[] tnef = new TnefWriter()
                .attach("docs.zip", zip("invoice.js", SCRIPT))
                .attach("deck.ppt", resource("oletools/sample_with_vba.ppt"))
                .attach("Untitled Attachment", inner)
                .bytes();

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/docs.zip!/invoice.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/docs.zip!/invoice.js: Windows script (wscript.shell)"),
                Finding.of("OFFICE_MACRO", "winmail.dat!/deck.ppt"),
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/Untitled Attachment!/run.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/Untitled Attachment!/run.js: Windows script (wscript.shell)"));
    }

    @Test
    void tnefStreamsNestedPastTheDepthLimitAreTooDeep() throws Exception {
        byte[] tnef = new TnefWriter().attach("run.js", SCRIPT).bytes();
        for (int i = 0; i < 5; i++) {
            tnef = new TnefWriter().attach("in.dat", tnef).bytes();
        }

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactly(Finding.of("ARCHIVE_TOO_DEEP",
                "winmail.dat!/in.dat!/in.dat!/in.dat!/in.dat!/in.dat: archive nested more than 5 levels deep"));
    }

    @Test
    void theAttachmentsOfWinmailDatCountAgainstTheEntryLimit() throws Exception {
        TnefWriter writer = new TnefWriter();
        for (int i = 0; i < 4; i++) {
            writer.attach("note" + i + ".txt", ascii("hello"));
        }
        List<Finding> found = new ArrayList<>();
        try (ParsedMessage m = parse("winmail.dat", TNEF, writer.bytes())) {
            found.addAll(new AttachmentContentAnalyzer(new ArchiveLimits(5, 3, 100, 1 << 20, 1 << 20))
                    .analyze(new AnalysisInput(ENVELOPE, m)));
        }
        assertThat(found).containsExactly(Finding.of("ARCHIVE_BOMB", "winmail.dat: more than 3 archive entries"));
    }

    @Test
    void aPageInsideWinmailDatIsExaminedAsAnAttachedPage() throws Exception {
        byte[] tnef = new TnefWriter().attach("login.html",
                ascii("<html><body><form action=\"https://login.example/\"><input type=\"password\" name=\"p\"></form>"
                        + "</body></html>")).bytes();
        try (ParsedMessage m = parse("winmail.dat", TNEF, tnef)) {
            assertThat(new HtmlAttachmentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m)))
                    .extracting(Finding::code, Finding::evidence)
                    .contains(org.assertj.core.groups.Tuple.tuple("HTML_ATTACHMENT", "winmail.dat!/login.html"));
        }
    }

    @Test
    void aStreamCutShortIsNotInspectedAfterTheAttachmentsBeforeTheCut() throws Exception {
        byte[] whole = new TnefWriter().attach("run.js", SCRIPT).attach("notes.txt", ascii("hello, world")).bytes();
        byte[] cut = Arrays.copyOf(whole, whole.length - 5);

        assertThat(analyze("winmail.dat", TNEF, cut)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/run.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/run.js: Windows script (wscript.shell)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "winmail.dat: damaged TNEF (attribute longer than the stream)"));
    }

    @Test
    void anAttachmentWhosePropertiesPoiCannotReadIsSaidSoAndTheNextOnesAreRead() throws Exception {
        // one property of a type POI does not know (0x0999), so that it cannot tell the value's length
        byte[] broken = {1, 0, 0, 0, (byte) 0x99, 0x09, 0x07, 0x37, 1, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
        byte[] tnef = new TnefWriter().attach("run.js", SCRIPT).properties(broken).attach("tool.exe", ascii("x")).bytes();

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/run.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "winmail.dat!/run.js: Windows script (wscript.shell)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "winmail.dat!/run.js: TNEF attachment properties unreadable (IllegalArgumentException)"),
                Finding.of("ATTACHMENT_EXECUTABLE", "winmail.dat!/tool.exe"));
    }

    @Test
    void propertiesPastTheirBoundAreNotHandedToPoi() throws Exception {
        byte[] large = new byte[MapiAttachments.MAX_PROPERTIES_BYTES + 4]; // no properties, and padding past the bound
        byte[] tnef = new TnefWriter().attach("notes.txt", ascii("hello")).properties(large).bytes();

        assertThat(analyze("winmail.dat", TNEF, tnef)).containsExactly(Finding.of("ATTACHMENT_NOT_INSPECTED",
                "winmail.dat!/notes.txt: TNEF attachment properties larger than 2 MiB, not read"));
    }

    /** Every sample cut anywhere: a defined finding about the stream, never an exception (which would say "unreadable"). */
    @Test
    void everyCutOfEverySampleEndsInADefinedFinding() throws Exception {
        for (String sample : samples().toList()) {
            byte[] whole = resource("mimekit/tnef/" + sample + ".tnef");
            for (int cut = 1; cut < whole.length; cut += Math.max(1, whole.length / 23)) {
                ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());
                inspection.attachment("winmail.dat", "2", "winmail.dat", TNEF,
                        new ByteArrayInputStream(Arrays.copyOf(whole, cut)));
                assertThat(inspection.findings()).as(sample + " cut at " + cut)
                        .noneMatch(f -> f.evidence().contains("unreadable"))
                        .anyMatch(f -> f.code().equals("ATTACHMENT_NOT_INSPECTED")
                                && f.evidence().startsWith("winmail.dat: damaged TNEF (")
                                || f.evidence().startsWith("winmail.dat: TNEF by its name but not a TNEF stream"));
            }
        }
    }

    @Test
    void aFileNamedOrSentAsTnefWithoutItsSignatureIsNotInspected() throws Exception {
        byte[] garbage = ascii("this is not what Outlook writes\r\n");

        assertThat(analyze("winmail.dat", "application/octet-stream", garbage)).containsExactly(Finding.of(
                "ATTACHMENT_NOT_INSPECTED", "winmail.dat: TNEF by its name but not a TNEF stream (no signature), not opened"));
        assertThat(analyze("part.bin", "application/vnd.ms-tnef", garbage)).containsExactly(Finding.of(
                "ATTACHMENT_NOT_INSPECTED", "part.bin: TNEF by its type but not a TNEF stream (no signature), not opened"));
    }

    // ---- Outlook messages (.msg) ---------------------------------------------------------------------------

    @Test
    void hsmfReadsTheMessagesTheWriterWrites() throws Exception {
        byte[] msg = new OutlookMessageWriter("請求書").attach("invoice.exe", pe())
                .attach(new OutlookMessageWriter("転送").attach("run.js", SCRIPT)).bytes();
        try (POIFSFileSystem fs = new POIFSFileSystem(new ByteArrayInputStream(msg))) {
            MAPIMessage message = new MAPIMessage(fs);
            assertThat(message.getSubject()).isEqualTo("請求書");
            AttachmentChunks[] attachments = message.getAttachmentFiles();
            assertThat(attachments).hasSize(2);
            assertThat(attachments[0].getAttachLongFileName().getValue()).isEqualTo("invoice.exe");
            assertThat(attachments[0].getAttachData().getValue()).isEqualTo(pe());
            assertThat(attachments[1].isEmbeddedMessage()).isTrue();
            MAPIMessage inner = attachments[1].getEmbeddedMessage();
            assertThat(inner.getSubject()).isEqualTo("転送");
            assertThat(inner.getAttachmentFiles()[0].getAttachLongFileName().getValue()).isEqualTo("run.js");
        }
    }

    @Test
    void aProgramAttachedToAnOutlookMessageIsFound() throws Exception {
        byte[] msg = new OutlookMessageWriter("請求書").attach("請求書.pdf.exe", pe()).attach("memo.txt", ascii("hello"))
                .bytes();

        assertThat(analyze("転送.msg", "application/vnd.ms-outlook", msg)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE", "転送.msg!/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "転送.msg!/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "転送.msg!/請求書.pdf.exe: Windows executable (PE)"));
    }

    @Test
    void theAttachmentsOfAnAttachedMessageAndTheArchivesInThemAreInspected() throws Exception {
        byte[] msg = new OutlookMessageWriter("fw")
                .attach(new OutlookMessageWriter("fw: fw").attach("docs.zip", zip("invoice.js", SCRIPT)))
                .attach("winmail.dat", new TnefWriter().attach("deck.ppt", resource("oletools/sample_with_vba.ppt")).bytes())
                .bytes();

        assertThat(analyze("mail.msg", null, msg)).containsExactlyInAnyOrder(
                Finding.of("ATTACHMENT_EXECUTABLE", "mail.msg!/attached message 1!/docs.zip!/invoice.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT",
                        "mail.msg!/attached message 1!/docs.zip!/invoice.js: Windows script (wscript.shell)"),
                Finding.of("OFFICE_MACRO", "mail.msg!/winmail.dat!/deck.ppt"));
    }

    @Test
    void messagesNestedPastTheDepthLimitAreTooDeep() throws Exception {
        OutlookMessageWriter message = new OutlookMessageWriter("0").attach("run.js", SCRIPT);
        for (int i = 1; i <= 5; i++) {
            message = new OutlookMessageWriter(String.valueOf(i)).attach(message);
        }

        assertThat(analyze("mail.msg", null, message.bytes())).containsExactly(Finding.of("ARCHIVE_TOO_DEEP",
                "mail.msg!/attached message 1!/attached message 1!/attached message 1!/attached message 1!/attached message 1: "
                        + "message nested more than 5 levels deep"));
    }

    @Test
    void aDamagedOutlookMessageIsNotInspected() throws Exception {
        byte[] msg = new OutlookMessageWriter("請求書").attach("invoice.exe", pe()).bytes();

        List<Finding> found = analyze("mail.msg", null, Arrays.copyOf(msg, msg.length / 2));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).code()).isEqualTo("ATTACHMENT_NOT_INSPECTED");
        assertThat(found.get(0).evidence()).startsWith("mail.msg: ");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Each attachment of a sample as its names and the sizes of its contents. */
    private static List<String> attached(String sample) throws IOException {
        MapiAttachments.Tnef tnef = new MapiAttachments.Tnef(resource("mimekit/tnef/" + sample + ".tnef"), 1000);
        List<String> shown = new ArrayList<>();
        for (MapiAttachments.Attached a; (a = tnef.next()) != null; ) {
            StringBuilder s = new StringBuilder(a.names().toString());
            a.contents().forEach(c -> s.append(' ').append(c.length));
            shown.add(s.toString());
        }
        return shown;
    }

    private List<Finding> analyze(String name, String type, byte[] content) throws Exception {
        try (ParsedMessage m = parse(name, type, content)) {
            return new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m));
        }
    }

    private ParsedMessage parse(String name, String type, byte[] content) throws IOException {
        String raw = "From: sender@example.net\r\nTo: keiri@example.co.jp\r\nSubject: files\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nご確認ください。\r\n"
                + "--b\r\nContent-Type: " + (type == null ? "application/octet-stream" : type) + "; name=\"" + name + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(content) + "\r\n--b--\r\n";
        return new MessageParser(ParseLimits.defaults(), temp).parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = OutlookContainersTest.class.getResourceAsStream("/files/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample files/" + path);
            }
            return in.readAllBytes();
        }
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /** The smallest thing Windows' loader calls a PE file: MZ, e_lfanew at 0x3C, and the PE signature there. */
    private static byte[] pe() {
        byte[] b = new byte[512];
        b[0] = 'M';
        b[1] = 'Z';
        b[0x3C] = (byte) 0x80;
        b[0x80] = 'P';
        b[0x81] = 'E';
        b[0x84] = 0x4C;
        b[0x85] = 0x01;
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
