package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttachmentNameAnalyzerTest {

    private final AttachmentNameAnalyzer analyzer = new AttachmentNameAnalyzer();

    private List<Finding> analyze(String fixture) {
        Envelope envelope = new Envelope(Direction.INBOUND, "sender@example.net", List.of("keiri@example.co.jp"),
                "192.0.2.1", "mail.example.net", null, false, Instant.parse("2024-04-01T00:00:00Z"));
        return analyzer.analyze(new AnalysisInput(envelope, Fixtures.parse("attachment/" + fixture)));
    }

    @Test
    void documentExtensionBeforeAnExecutableIsADoubleExtension() {
        assertThat(analyze("double-extension.eml")).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.pdf.exe"));
    }

    @Test
    void spacesPaddingTheFakeExtensionAwayStillCount() {
        assertThat(analyze("padded-double-extension.eml")).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.pdf[40 spaces].exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.pdf[40 spaces].exe"));
    }

    @Test
    void rightToLeftOverrideIsItsOwnFindingAndTheRealExtensionStillCounts() {
        assertThat(analyze("rtlo.eml")).containsExactly(
                Finding.of("ATTACHMENT_NAME_RTLO", "請求書<U+202E>fdp.scr"),
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書<U+202E>fdp.scr"));
    }

    @Test
    void fullWidthExtensionIsReadAsWindowsReadsIt() {
        assertThat(analyze("fullwidth-extension.eml")).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "納品書．ｅｘｅ"));
    }

    @Test
    void diskImagesShortcutsOneNoteScriptsInstallersAndTrailingDotsAreExecutable() {
        assertThat(analyze("executable-types.eml")).extracting(Finding::code, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "document.iso"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "shortcut.LNK"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "notes.one"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "update.ps1"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "setup.msi"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_EXECUTABLE", "invoice.exe. . "));
    }

    @Test
    void aNameIsReadAsWindowsSavesItWithoutAStreamSuffixOrTrailingSeparators() {
        // report.js::$DATA is the file report.js itself on NTFS; unpackers write report.js/ as report.js
        assertThat(AttachmentNameAnalyzer.windowsName("report.js::$DATA")).isEqualTo("report.js");
        assertThat(AttachmentNameAnalyzer.windowsName("report.JS::$data. ")).isEqualTo("report.js");
        assertThat(AttachmentNameAnalyzer.windowsName("invoice.js/")).isEqualTo("invoice.js");
        assertThat(AttachmentNameAnalyzer.windowsName("invoice.js\\ .")).isEqualTo("invoice.js");
        assertThat(AttachmentNameAnalyzer.windowsName("見積書.pdf")).isEqualTo("見積書.pdf");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"exe", "scr", "com", "js", "jse", "vbs", "wsf", "hta", "lnk",
            "iso", "img", "vhd", "msi", "ps1", "bat", "cmd", "one"})
    void everyProgramScriptDiskImageAndOneNoteExtensionIsExecutable(String extension) throws Exception {
        String name = "請求書_2024." + extension;
        String mail = "From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''"
                + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8) + "\r\n\r\nAAAA\r\n--b--\r\n";
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of("a@example.co.jp"), "192.0.2.1", "", null,
                false, Instant.EPOCH);
        try (io.mamori.core.message.ParsedMessage m = new io.mamori.core.message.MessageParser().parse(
                new java.io.ByteArrayInputStream(mail.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
            assertThat(analyzer.analyze(new AnalysisInput(envelope, m))).containsExactly(
                    Finding.of("ATTACHMENT_EXECUTABLE", name));
        }
    }

    @Test
    void ordinaryDocumentsArchivesAndDottedNamesRaiseNothing() {
        assertThat(analyze("benign-names.eml")).isEmpty();
    }

    @Test
    void rawShiftJisExecutableNameFromTheParserFixtureIsCaught() {
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of("a@example.co.jp"), "192.0.2.1", "", null,
                false, Instant.EPOCH);
        List<Finding> findings = analyzer.analyze(new AnalysisInput(envelope,
                Fixtures.parse("japanese/rfc2231-and-raw-file-names.eml")));

        assertThat(findings).containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "納品書.exe"));
    }

    private List<Finding> analyzeAttachment(String partHeader) throws Exception {
        String mail = "From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\n" + partHeader + "\r\n\r\nAAAA\r\n--b--\r\n";
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of("a@example.co.jp"), "192.0.2.1", "", null,
                false, Instant.EPOCH);
        try (io.mamori.core.message.ParsedMessage m = new io.mamori.core.message.MessageParser().parse(
                new java.io.ByteArrayInputStream(mail.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
            return analyzer.analyze(new AnalysisInput(envelope, m));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "Content-Type: application/octet-stream; name=\"report.js\"\r\nContent-Disposition: attachment; filename=\"report.txt\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"report.txt\"; filename=\"report.js\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"report.txt\"\r\n"
                    + "Content-Disposition: attachment; filename=\"report.js\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*0=\"report.js\"; filename*2=\".txt\""})
    void anExecutableNameIsFoundWhicheverOfThePartsNamesItIs(String partHeader) throws Exception {
        assertThat(analyzeAttachment(partHeader)).containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "report.js"));
    }

    @Test
    void aNameIsAlsoJudgedAsCutAtANulCharacter() throws Exception {
        assertThat(analyzeAttachment("Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename*=utf-8''report.js%00.txt")).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "report.js<U+0000>.txt"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"rdp", "searchConnector-ms", "iqy", "slk", "appinstaller",
            "wsb", "appcontent-ms", "udl", "printerexport", "ps1xml", "ps2xml", "psc1", "psc2", "msh", "mde", "accde",
            "ade", "adp", "mda", "hlp", "msu", "shb", "shs", "website", "theme", "themepack", "xla", "xlam", "ppam",
            "wll", "vsto", "htc", "ins", "isp", "mcf", "osd", "xnk", "maf", "mam", "cnt"})
    void outlooksBlockedTypesAndOfficeAddInsAreExecutable(String extension) throws Exception {
        assertThat(analyzeAttachment("Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename=\"file." + extension + "\"")).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "file." + extension));
    }
}
