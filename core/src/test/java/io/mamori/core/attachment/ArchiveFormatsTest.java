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
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.lzma.LZMACompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive and compression formats besides zip, 7z and RAR that Windows' tools, 7-Zip or LhaPlus open: what they
 * hold is checked like a zip's files, and one that cannot be opened is said to be uninspected, never passed in silence.
 */
class ArchiveFormatsTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false, Instant.parse("2025-04-01T00:00:00Z"));

    private static final byte[] SCRIPT = ascii("var s = new ActiveXObject(\"WScript.Shell\"); s.Run(\"calc\");\n");

    @TempDir
    Path temp;

    // ---- gzip ----------------------------------------------------------------------------------------------

    @Test
    void aScriptCompressedWithGzipIsJudgedByTheNameGunzipGivesIt() throws Exception {
        assertThat(analyze("invoice.js.gz", gzip(null, ascii("hello\n"))))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "invoice.js.gz!/invoice.js"));
    }

    @Test
    void theNameStoredInAGzipHeaderIsJudgedToo() throws Exception {
        assertThat(analyze("docs.gz", gzip("invoice.js", ascii("hello\n"))))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "docs.gz!/invoice.js"));
        assertThat(analyze("invoice.js.gz", gzip("invoice.txt", ascii("hello\n"))))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "invoice.js.gz!/invoice.js"));
    }

    @Test
    void everyMemberOfAGzipFileIsRead() throws Exception {
        byte[] tar = tar("readme.txt", ascii("hello"), "invoice.js", SCRIPT);
        // the first member ends inside the tar's second header: the script is only in the second member
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        members.write(gzip(null, java.util.Arrays.copyOf(tar, 1024)));
        members.write(gzip(null, java.util.Arrays.copyOfRange(tar, 1024, tar.length)));

        assertThat(analyze("docs.tar.gz", members.toByteArray()))
                .contains(Finding.of("ATTACHMENT_EXECUTABLE", "docs.tar.gz!/docs.tar!/invoice.js"));
    }

    @Test
    void aProgramSplitAcrossGzipMembersIsJudgedAsTheOneFileGunzipWrites() throws Exception {
        byte[] program = pe();
        // "M" in the first member, "Z" and the PE header in the second: gunzip writes them out as one file
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        members.write(gzip(null, java.util.Arrays.copyOf(program, 1)));
        members.write(gzip(null, new byte[0]));
        members.write(gzip(null, java.util.Arrays.copyOfRange(program, 1, program.length)));

        assertThat(analyze("scan.gz", members.toByteArray())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.gz!/scan: Windows executable (PE)"));
    }

    @Test
    void bytesAfterTheLastGzipMemberDoNotHideTheProgramGunzipWritesOut() throws Exception {
        // gunzip writes the program and warns "trailing garbage ignored"; 7-Zip extracts it and reports the data after
        byte[] garbage = concat(gzip(null, pe()), ascii("garbage!garbage!"));

        assertThat(analyze("scan.gz", garbage)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.gz!/scan: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "scan.gz: 16 bytes after the compressed data, not inspected"));
    }

    @Test
    void zerosAfterTheLastGzipMemberArePassedOverAsGunzipDoes() throws Exception {
        // tape padding: gunzip ignores it without a word
        byte[] padded = concat(gzip(null, pe()), new byte[512]);

        assertThat(analyze("scan.gz", padded)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.gz!/scan: Windows executable (PE)"));
    }

    @Test
    void aGzipMemberWhoseChecksumFailsIsJudgedByTheBytesToolsWroteOutBeforeSayingSo() throws Exception {
        byte[] gz = gzip(null, pe());
        gz[gz.length - 8] ^= 0x55; // the member's CRC-32: gunzip -c and 7-Zip write the data, then report the error

        assertThat(analyze("scan.gz", gz)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "scan.gz!/scan: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "scan.gz: damaged archive (IOException)"));
    }

    // ---- the other compressors -----------------------------------------------------------------------------

    @Test
    void aProgramCompressedWithBzip2XzLzmaOrZstandardIsFoundInside() throws Exception {
        assertThat(analyze("invoice.bz2", compressed(BZip2CompressorOutputStream::new, pe())))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.bz2!/invoice: Windows executable (PE)"));
        assertThat(analyze("invoice.xz", compressed(XZCompressorOutputStream::new, pe())))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.xz!/invoice: Windows executable (PE)"));
        assertThat(analyze("invoice.lzma", compressed(LZMACompressorOutputStream::new, pe())))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.lzma!/invoice: Windows executable (PE)"));
        assertThat(analyze("invoice.zst", zstd(pe())))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "invoice.zst!/invoice: Windows executable (PE)"));
    }

    @Test
    void theFileInsideACompressedFileIsJudgedByTheNameItUnpacksTo() throws Exception {
        assertThat(analyze("invoice.exe.bz2", compressed(BZip2CompressorOutputStream::new, ascii("hello\n"))))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "invoice.exe.bz2!/invoice.exe"));
        assertThat(analyze("invoice.js.Z", unixCompress(ascii("hello\n"))))
                .containsExactly(Finding.of("ATTACHMENT_EXECUTABLE", "invoice.js.Z!/invoice.js"));
    }

    @Test
    void aTarCompressedWithBzip2OrXzIsOpened() throws Exception {
        byte[] tar = tar("invoice.js", SCRIPT);

        assertThat(analyze("docs.tar.bz2", compressed(BZip2CompressorOutputStream::new, tar)))
                .contains(Finding.of("ATTACHMENT_EXECUTABLE", "docs.tar.bz2!/docs.tar!/invoice.js"));
        assertThat(analyze("docs.txz", compressed(XZCompressorOutputStream::new, tar)))
                .contains(Finding.of("ATTACHMENT_EXECUTABLE", "docs.txz!/docs.tar!/invoice.js"));
    }

    @Test
    void aDamagedCompressedFileIsNotInspected() throws Exception {
        byte[] bz2 = compressed(BZip2CompressorOutputStream::new, pe());
        byte[] damaged = java.util.Arrays.copyOf(bz2, 20);

        assertThat(analyze("invoice.bz2", damaged)).extracting(Finding::code).containsExactly("ATTACHMENT_NOT_INSPECTED");
    }

    @Test
    void zerosCompressedWithXzAreABombByTheirRatio() throws Exception {
        byte[] xz = compressed(XZCompressorOutputStream::new, new byte[8 * 1024 * 1024]);

        assertThat(analyze("zeros.xz", xz))
                .containsExactly(Finding.of("ARCHIVE_BOMB", "zeros.xz!/zeros: expands more than 100×"));
    }

    // ---- tar, cpio, ar -------------------------------------------------------------------------------------

    @Test
    void aRegularFileUnderAFolderNameInATarIsJudgedByItsNameWithoutTheSlash() throws Exception {
        // GNU tar, bsdtar and 7-Zip make a folder of it and skip its data; no archiver writes one
        byte[] tar = tar("invoice.jsX", pe(), "readme.txt", ascii("hello"));
        tar[10] = '/';
        checksum(tar, 0);

        assertThat(analyze("docs.tar", tar)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.tar!/invoice.js/"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.tar!/invoice.js/: Windows executable (PE)"));
    }

    @Test
    void aFileUnderAFolderNameInA7zArchiveIsJudgedByItsNameWithoutTheSlash() throws Exception {
        // 7z marks folders by their empty stream, not by their name: an entry with data is a file whatever its name
        org.apache.commons.compress.utils.SeekableInMemoryByteChannel channel =
                new org.apache.commons.compress.utils.SeekableInMemoryByteChannel();
        try (org.apache.commons.compress.archivers.sevenz.SevenZOutputFile out =
                new org.apache.commons.compress.archivers.sevenz.SevenZOutputFile(channel)) {
            org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry e =
                    new org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry();
            e.setName("invoice.js/");
            out.putArchiveEntry(e);
            out.write(pe());
            out.closeArchiveEntry();
        }
        byte[] sevenZip = java.util.Arrays.copyOf(channel.array(), (int) channel.size());

        assertThat(analyze("docs.7z", sevenZip)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.7z!/invoice.js/"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.7z!/invoice.js/: Windows executable (PE)"));
    }

    @Test
    void aFolderNamedLikeAScriptInATarIsNoFinding() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.putArchiveEntry(new TarArchiveEntry("chart.js/"));
            tar.closeArchiveEntry();
        }
        byte[] oldStyle = tar("chart.jsX", new byte[0]);
        oldStyle[8] = '/';
        checksum(oldStyle, 0);

        assertThat(analyze("chart.tar", out.toByteArray())).isEmpty();
        assertThat(analyze("chart.tar", oldStyle)).isEmpty();
    }

    @Test
    void anOldTarWithoutTheUstarMagicIsOpenedByItsHeaderChecksum() throws Exception {
        byte[] tar = tar("invoice.exe", pe());
        java.util.Arrays.fill(tar, 257, 265, (byte) 0);
        java.util.Arrays.fill(tar, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(checksum, 0, tar, 148, 8);

        assertThat(analyze("docs.tar", tar)).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.tar!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.tar!/invoice.exe: Windows executable (PE)"));
    }

    @Test
    void theFilesOfCpioAndArArchivesAreInspected() throws Exception {
        ByteArrayOutputStream cpio = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream out = new CpioArchiveOutputStream(cpio)) {
            CpioArchiveEntry e = new CpioArchiveEntry("invoice.exe", pe().length);
            e.setMode(CpioArchiveEntry.C_ISREG | 0644);
            out.putArchiveEntry(e);
            out.write(pe());
            out.closeArchiveEntry();
        }
        ByteArrayOutputStream ar = new ByteArrayOutputStream();
        try (ArArchiveOutputStream out = new ArArchiveOutputStream(ar)) {
            out.putArchiveEntry(new ArArchiveEntry("invoice.js", SCRIPT.length));
            out.write(SCRIPT);
            out.closeArchiveEntry();
        }

        assertThat(analyze("docs.cpio", cpio.toByteArray())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.cpio!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.cpio!/invoice.exe: Windows executable (PE)"));
        assertThat(analyze("docs.ar", ar.toByteArray()))
                .contains(Finding.of("ATTACHMENT_EXECUTABLE", "docs.ar!/invoice.js"));
    }

    // ---- archives Mamori cannot open -----------------------------------------------------------------------

    @Test
    void anLzhArchiveIsNotInspectedUnderItsOwnNameAndADisguisedOneIsAMismatchToo() throws Exception {
        assertThat(analyze("docs.lzh", lzh())).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "docs.lzh: LZH archive, not opened"));
        assertThat(analyze("docs.zip", lzh())).extracting(Finding::code, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_TYPE_MISMATCH", "docs.zip: named .zip, content is application/x-lharc"),
                org.assertj.core.groups.Tuple.tuple("ATTACHMENT_NOT_INSPECTED", "docs.zip: LZH archive, not opened"));
    }

    @Test
    void xarAndCabinetArchivesAreNotInspected() throws Exception {
        byte[] xar = new byte[64];
        System.arraycopy(ascii("xar!"), 0, xar, 0, 4);
        byte[] cab = new byte[64];
        System.arraycopy(ascii("MSCF"), 0, cab, 0, 4);

        assertThat(analyze("docs.xar", xar)).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "docs.xar: XAR archive, not opened"));
        assertThat(analyze("docs.cab", cab)).containsExactly(
                Finding.of("ATTACHMENT_NOT_INSPECTED", "docs.cab: CAB archive, not opened"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private List<Finding> analyze(String name, byte[] content) throws Exception {
        String raw = "From: sender@example.net\r\nTo: keiri@example.co.jp\r\nSubject: files\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nご確認ください。\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"" + name + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(content) + "\r\n--b--\r\n";
        try (ParsedMessage m = new MessageParser(ParseLimits.defaults(), temp)
                .parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)))) {
            return new AttachmentContentAnalyzer().analyze(new AnalysisInput(ENVELOPE, m));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
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

    private static byte[] gzip(String storedName, byte[] content) throws IOException {
        GzipParameters parameters = new GzipParameters();
        if (storedName != null) {
            parameters.setFileName(storedName);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out, parameters)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    private interface Compressor {
        OutputStream over(OutputStream out) throws IOException;
    }

    private static byte[] compressed(Compressor compressor, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = compressor.over(out)) {
            c.write(content);
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] content) {
        io.airlift.compress.zstd.ZstdCompressor zstd = new io.airlift.compress.zstd.ZstdCompressor();
        byte[] packed = new byte[zstd.maxCompressedLength(content.length)];
        int length = zstd.compress(content, 0, content.length, packed, 0, packed.length);
        return java.util.Arrays.copyOf(packed, length);
    }

    /**
     * compress(1)'s format without compressing: the header (block mode, 16 bits at most), then each byte as a 9-bit
     * code, least significant bit first; short enough that the decoder's table never outgrows 9-bit codes.
     */
    private static byte[] unixCompress(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x1F);
        out.write(0x9D);
        out.write(0x90);
        long bits = 0;
        int count = 0;
        for (byte b : content) {
            bits |= (long) (b & 0xff) << count;
            count += 9;
            while (count >= 8) {
                out.write((int) (bits & 0xff));
                bits >>>= 8;
                count -= 8;
            }
        }
        if (count > 0) {
            out.write((int) bits);
        }
        return out.toByteArray();
    }

    private static byte[] tar(Object... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = (byte[]) namesAndContents[i + 1];
                TarArchiveEntry e = new TarArchiveEntry((String) namesAndContents[i]);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** Writes the checksum of the tar header at {@code at} again, after a change to it. */
    private static void checksum(byte[] tar, int at) {
        java.util.Arrays.fill(tar, at + 148, at + 156, (byte) ' ');
        long sum = 0;
        for (int i = at; i < at + 512; i++) {
            sum += tar[i] & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, tar, at + 148, 8);
    }

    /** The start of an LZH archive as LHa writes it: a level-0 header of a stored (-lh0-) file. */
    private static byte[] lzh() {
        byte[] name = ascii("invoice.exe");
        byte[] content = pe();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int headerSize = 22 + name.length;
        out.write(headerSize);
        out.write(0); // checksum, not checked by the signature
        out.writeBytes(ascii("-lh0-"));
        out.writeBytes(new byte[] {0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x20, 0});
        out.write(name.length);
        out.writeBytes(name);
        out.writeBytes(new byte[] {0, 0});
        out.writeBytes(content);
        out.write(0);
        return out.toByteArray();
    }
}
