package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * Coverage-guided fuzzing of what reads attachments byte by byte: the whole inspection of one attachment (archives
 * within archives, Office documents, RAR headers, 7z headers, TNEF streams and Outlook messages, type detection),
 * Office documents' relationship parts
 * and fields, XFA forms' scripts,
 * the 7z header reader that decides
 * whether a password may be tried, and the password search in message text. Each must end with findings or nothing,
 * never with another exception, a hang or unbounded memory: a damaged attachment is a finding, not a failed
 * analysis. In the test suite each runs the inputs under {@code ArchiveParsersFuzzTestInputs/} (seeds and what
 * fuzzing found, kept as regression cases); {@code bench/fuzz.sh} fuzzes them (bench/README.md).
 */
class ArchiveParsersFuzzTest {

    private static final FindingCatalogue CATALOGUE = FindingCatalogue.builtIn();

    /** File names and declared types an attachment may come with; the first byte of an input picks one. */
    private static final String[][] NAMED = {
        {"invoice.zip", "application/zip"},
        {"invoice.7z", "application/x-7z-compressed"},
        {"invoice.rar", "application/vnd.rar"},
        {"invoice.tar.gz", "application/gzip"},
        {"invoice.tar", "application/x-tar"},
        {"invoice.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"invoice.xls", "application/vnd.ms-excel"},
        {"invoice.pdf", "application/pdf"},
        {"invoice.rtf", "application/rtf"},
        {"invoice.exe", "application/octet-stream"},
        {"invoice.iso", "application/octet-stream"},
        {"invoice.html", "text/html"},
        {null, "application/octet-stream"},
    };

    /**
     * One attachment, inspected with the default limits and two passwords to try, as {@link AttachmentContentAnalyzer}
     * does (compressed RAR entries are left to bsdtar, libarchive's own fuzzed code, and not unpacked here).
     */
    @FuzzTest(maxDuration = "30s")
    void inspectsAnyAttachment(byte[] input) throws InterruptedException {
        if (input.length == 0) {
            return;
        }
        String[] named = NAMED[(input[0] & 0xff) % NAMED.length];
        ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());
        inspection.unpackRarWith(RarUnpacker.NONE);
        inspection.passwordsFrom(() -> new ArchivePasswords.Candidates(List.of("infected", "password"), null));
        String path = named[0] == null ? "part 2" : named[0];
        inspection.attachment(path, "2", named[0], named[1],
                new ByteArrayInputStream(input, 1, input.length - 1));
        for (Finding f : inspection.findings()) {
            assertThat(CATALOGUE.entry(f.code())).as(f.code()).isPresent();
            assertThat(f.evidence()).isNotNull();
        }
    }

    /**
     * An Office Open XML relationship part, read with the JDK's StAX parser: external relationships or nothing, never an
     * exception, at most {@link OfficeRelationships#MAX_RELATIONSHIPS} (seeded with the relationship parts of
     * SpamAssassin's {@code uridoc.docx} and oletools' {@code sample_with_external_link_to_doc.docx}, see
     * {@code files/README.md}).
     */
    @FuzzTest(maxDuration = "30s")
    void readsAnyRelationshipPart(byte[] part) {
        List<OfficeRelationships.External> found = OfficeRelationships.externals(part);
        assertThat(found).hasSizeLessThanOrEqualTo(OfficeRelationships.MAX_RELATIONSHIPS);
        for (OfficeRelationships.External e : found) {
            if (e.hyperlink()) {
                assertThat(e.remoteContent()).as("a hyperlink is clicked, not loaded").isFalse();
            }
        }
    }

    /**
     * A Word or Excel part searched for DDE ({@link OfficeFields}, StAX): an instruction or nothing, never an exception,
     * within {@link OfficeFields#MAX_INSTRUCTION} characters (seeded with the document part of oletools'
     * {@code dde-test.docx}).
     */
    @FuzzTest(maxDuration = "30s")
    void searchesAnyWordPartForDde(byte[] part) throws java.io.IOException {
        OfficeFields.dde(new ByteArrayInputStream(part)).ifPresent(instruction -> {
            assertThat(instruction.length()).isLessThanOrEqualTo(Math.max(OfficeFields.MAX_INSTRUCTION, part.length));
            assertThat(OfficeFields.isDde(instruction) || instruction.contains("|")).isTrue();
        });
    }

    /**
     * An RTF file's OLE objects ({@link RtfObjects}): at most {@link RtfObjects#MAX_OBJECTS}, each's data within the
     * bound given, never an exception (seeded with oletools' obfuscated Equation Editor exploit {@code issue_251.rtf}).
     */
    @FuzzTest(maxDuration = "30s")
    void readsAnyRtfObjects(byte[] rtf) {
        List<RtfObjects.RtfObject> objects = RtfObjects.of(rtf, 64 * 1024);
        assertThat(objects).hasSizeLessThanOrEqualTo(RtfObjects.MAX_OBJECTS);
        for (RtfObjects.RtfObject o : objects) {
            if (o.nativeData() != null) {
                assertThat(o.nativeData().length).isLessThanOrEqualTo(Math.min(64 * 1024, rtf.length));
                String url = RtfObjects.linkedUrl(o.nativeData());
                assertThat(url == null || url.length() <= o.nativeData().length / 2).isTrue();
            }
        }
    }

    /** An RTF file's template ({@link RtfTemplate}): a target within its bound or nothing, never an exception. */
    @FuzzTest(maxDuration = "30s")
    void readsAnyRtfTemplate(byte[] rtf) {
        RtfTemplate.of(rtf).ifPresent(target -> assertThat(target).isNotBlank()
                .hasSizeLessThanOrEqualTo(RtfTemplate.MAX_TARGET));
    }

    /**
     * The packets of a PDF's XFA form ({@link XfaScripts}, StAX): the name of an event that runs unasked or nothing,
     * never an exception (seeded with a LiveCycle-style template whose docReady event runs JavaScript).
     */
    @FuzzTest(maxDuration = "30s")
    void readsAnyXfaForm(byte[] xfa) {
        String activity = XfaScripts.firstUnasked(new ByteArrayInputStream(xfa));
        if (activity != null) {
            assertThat(activity).isIn("initialize", "ready", "docReady", "docClose", "preSave", "postSave", "prePrint",
                    "postPrint");
        }
    }

    /** A 7z header: a cost to try passwords with, or empty; nothing else. */
    @FuzzTest(maxDuration = "30s")
    void readsAny7zHeader(FuzzedDataProvider data) {
        byte[] rest = data.consumeRemainingAsBytes();
        byte[] archive = new byte[6 + rest.length];
        System.arraycopy(new byte[] {'7', 'z', (byte) 0xBC, (byte) 0xAF, 0x27, 0x1C}, 0, archive, 0, 6);
        System.arraycopy(rest, 0, archive, 6, rest.length);
        SevenZipKeys.of(archive).ifPresent(cost -> {
            assertThat(cost.encryptedFolders()).isNotNegative();
            assertThat(cost.maxCyclesPower()).isNotNegative();
        });
    }

    /**
     * The quick scan that spares most mail the folding and the regular expression may say yes to text without a
     * password word, never no to text with one.
     */
    @FuzzTest(maxDuration = "30s")
    void thePasswordPrefilterMissesNoPasswordWord(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        if (ArchivePasswords.WORD.matcher(java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC)).find()) {
            assertThat(ArchivePasswords.mayNameAPassword(text)).as(text).isTrue();
        }
    }

    /** The password search: at most eight candidates, each 4 to 32 printable ASCII characters, none repeated. */
    @FuzzTest(maxDuration = "30s")
    void findsPasswordCandidatesInAnyText(FuzzedDataProvider data) {
        List<String> found = ArchivePasswords.candidates(data.consumeRemainingAsString());
        assertThat(found).hasSizeLessThanOrEqualTo(ArchivePasswords.MAX_CANDIDATES).doesNotHaveDuplicates();
        for (String c : found) {
            assertThat(c).matches("[!-~]{4,32}");
        }
    }
}
