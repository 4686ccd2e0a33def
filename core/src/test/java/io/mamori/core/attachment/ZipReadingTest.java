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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zips read as Windows' Explorer, 7-Zip and Python read them, from the central directory at the end, and not only front
 * to back as a stream reader does: each way of hiding a file from one reader behind what another shows is found.
 */
class ZipReadingTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false, Instant.parse("2025-04-01T00:00:00Z"));

    private static final byte[] TEXT = ascii("Please find the invoice attached.\n");

    @TempDir
    Path temp;

    @Test
    void aZipAfterOtherBytesIsFoundByItsEndRecordAndItsFilesAreInspected() throws Exception {
        byte[] junk = new byte[3000];
        new java.util.Random(3).nextBytes(junk);
        junk[0] = 0x11; // nothing a signature could take it for

        assertThat(analyze("docs.zip", concat(junk, zip("invoice.exe", pe())))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "docs.zip: zip that tools read differently (data before the archive)"));
    }

    @Test
    void aZipOfSixHundredFilesIsNoBombThoughItHoldsTwiceAsManyHeaders() throws Exception {
        // a local and a central header per entry: 600 entries are 1,200 headers, under the limit of 1,000 entries
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < 600; i++) {
                zip.putNextEntry(new ZipEntry("photos/" + i + ".txt"));
                zip.write(TEXT);
                zip.closeEntry();
            }
        }

        assertThat(analyze("photos.zip", out.toByteArray())).extracting(Finding::code).doesNotContain("ARCHIVE_BOMB");
    }

    @Test
    void aFalseEndRecordBetweenEntriesDoesNotHideTheEntriesAfterIt() throws Exception {
        Stored zip = new Stored().add("readme.txt", TEXT).gap(endRecord()).add("invoice.exe", pe());

        // a stream reader stops at the false record (and finds the archive damaged); Explorer lists both files
        assertThat(analyze("docs.zip", zip.bytes())).contains(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "docs.zip: zip that tools read differently (more than one end of central directory)"));
    }

    @Test
    void aSecondZipAfterABenignOneIsInspected() throws Exception {
        byte[] both = concat(zip("readme.txt", TEXT), zip("invoice.exe", pe()));

        List<Finding> findings = analyze("docs.zip", both);

        assertThat(findings).contains(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.exe: Windows executable (PE)"));
        assertThat(findings).filteredOn(f -> f.code().equals("ATTACHMENT_NOT_INSPECTED")).singleElement()
                .extracting(Finding::evidence).asString().startsWith("docs.zip: zip that tools read differently (")
                .contains("data before the archive");
    }

    @Test
    void aCentralDirectoryNamingAnEntryOtherwiseThanItsLocalHeaderIsJudgedByBothNames() throws Exception {
        Stored zip = new Stored().add("invoice.txt", "invoice.jse", null, ascii("WScript.Echo(1);\n"));

        assertThat(analyze("docs.zip", zip.bytes())).contains(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.jse"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "docs.zip: zip that tools read differently (local name invoice.txt, central name invoice.jse)"));
    }

    @Test
    void theNameInAUnicodePathFieldIsJudgedAs7ZipShowsIt() throws Exception {
        Stored zip = new Stored().add("invoice.txt", "invoice.txt", "invoice.js", TEXT);

        assertThat(analyze("docs.zip", zip.bytes())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.js"));
    }

    @Test
    void aZipTooLargeToHoldIsReadFrontToBackAndSaidNotToBeComparedWithItsCentralDirectory() throws Exception {
        byte[] random = new byte[1536 * 1024];
        new java.util.Random(5).nextBytes(random);
        AttachmentContentAnalyzer small = new AttachmentContentAnalyzer(
                new ArchiveLimits(5, 1000, 100, 200L * 1024 * 1024, 1024 * 1024));

        assertThat(analyze(small, "big.zip", zip("invoice.exe", concat(pe(), random)))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "big.zip!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "big.zip!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "big.zip: larger than 1 MiB, its central directory not compared with its entries"));
    }

    @Test
    void aFileUnderAFolderNameIsJudgedByItsNameWithoutTheSlash() throws Exception {
        // 7-Zip and bsdtar make a folder invoice.js of it and drop the data; a reader taking it as a file writes
        // invoice.js: no archiver writes data under a folder's name
        Stored zip = new Stored().add("invoice.js/", pe());

        assertThat(analyze("docs.zip", zip.bytes())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.js/"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.js/: Windows executable (PE)"));
    }

    @Test
    void aFileUnderAFolderNameIsFoundByItsDataWhenItsHeaderDeclaresNoSize() throws Exception {
        // deflated with a data descriptor: the local header says nothing of its size, the data says it all
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("invoice.js/"));
            zip.write(pe());
            zip.closeEntry();
        }

        assertThat(analyze("docs.zip", out.toByteArray())).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.js/"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.js/: Windows executable (PE)"));
    }

    @Test
    void aFileUnderAFolderNameOnlyTheCentralDirectoryGivesIsJudged() throws Exception {
        Stored zip = new Stored().add("readme.txt", "invoice.js/", null, pe());

        assertThat(analyze("docs.zip", zip.bytes())).contains(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/invoice.js/"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/invoice.js/: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "docs.zip: zip that tools read differently (local name readme.txt, central name invoice.js/)"));
    }

    @Test
    void aFolderNamedLikeAScriptIsNoFinding() throws Exception {
        // Java's writer gives a folder two bytes of deflate data that expand to nothing
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("chart.js/"));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("chart.js/readme.txt"));
            zip.write(TEXT);
            zip.closeEntry();
        }
        Stored stored = new Stored().add("chart.js/", new byte[0]).add("chart.js/readme.txt", TEXT);

        assertThat(analyze("chart.zip", out.toByteArray())).isEmpty();
        assertThat(analyze("chart.zip", stored.bytes())).isEmpty();
    }

    @Test
    void anEncryptedFolderNamedLikeAScriptIsNoFileThoughItHasEncryptionBytes() throws Exception {
        // ZipCrypto gives every entry, an empty folder too, a 12-byte header of its own: no data
        byte[] zip = new Stored().add("chart.js/", new byte[12]).bytes();
        int central = zip.length - 22 - (46 + 9);
        zip[6] = 1; // encrypted
        zip[central + 8] = 1;
        java.util.Arrays.fill(zip, 22, 26, (byte) 0); // uncompressed size 0, compressed 12
        java.util.Arrays.fill(zip, central + 24, central + 28, (byte) 0);

        assertThat(analyze("chart.zip", zip)).extracting(Finding::code).doesNotContain("ATTACHMENT_EXECUTABLE");
    }

    @Test
    void aZipAfterFortyMebibytesOfOtherDataIsFoundFromTheTailWithoutHoldingTheFile() throws Exception {
        // larger than the 32 MiB a file may be held in memory: before, it was not searched at all
        long filler = 40L * 1024 * 1024;
        byte[] zip = zip("invoice.exe", pe());
        int[] opened = {0};
        ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        inspection.attachment("data.bin", "2", "data.bin", "application/octet-stream", new Filled(filler, zip), () -> {
            opened[0]++;
            return new Filled(filler, zip);
        });
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(inspection.findings()).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "data.bin!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "data.bin!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "data.bin: zip that tools read differently (data before the archive)"));
        assertThat(opened[0]).as("the archive is in the tail: nothing read again").isZero();
        // the tail (1 MiB, copied once in order) and the archive's inspection, not the 40 MiB file
        assertThat(allocated).isLessThan(8L * 1024 * 1024);
    }

    @Test
    void aZipAfterOtherDataLargerThanTheTailIsReadAgainFromWhereItStarts() throws Exception {
        long filler = 40L * 1024 * 1024;
        byte[] random = new byte[2 * 1024 * 1024];
        new java.util.Random(7).nextBytes(random);
        byte[] zip = zip("invoice.exe", concat(pe(), random));
        int[] opened = {0};
        ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        inspection.attachment("data.bin", "2", "data.bin", "application/octet-stream", new Filled(filler, zip), () -> {
            opened[0]++;
            return new Filled(filler, zip);
        });
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(inspection.findings()).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "data.bin!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "data.bin!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "data.bin: zip that tools read differently (data before the archive)"));
        assertThat(opened[0]).isEqualTo(1);
        // the tail and the 2 MiB archive from where its end record says it starts, not the 42 MiB file
        assertThat(allocated).isLessThan(16L * 1024 * 1024);
    }

    @Test
    void anAttachmentWithoutAZipCostsItsTailNotItsSize() throws Exception {
        // 20 MiB of unknown data: held whole before, to be searched for an end record it does not have
        long size = 20L * 1024 * 1024;
        int[] opened = {0};
        ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        inspection.attachment("data.bin", "2", "data.bin", "application/octet-stream", new Filled(size, new byte[0]),
                () -> {
                    opened[0]++;
                    return new Filled(size, new byte[0]);
                });
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(inspection.findings()).isEmpty();
        assertThat(opened[0]).isZero();
        assertThat(allocated).isLessThan(4L * 1024 * 1024);
    }

    @Test
    void anAttachmentThatMayBeHeldIsReadAgainWholeWhenItsTailHoldsAnEndRecord() throws Exception {
        // 3 MiB of other data, then a zip: read again and carved as any zip held in memory
        long filler = 3L * 1024 * 1024;
        byte[] zip = zip("invoice.exe", pe());
        int[] opened = {0};
        ContentInspection inspection = new ContentInspection(ArchiveLimits.defaults());

        inspection.attachment("data.bin", "2", "data.bin", "application/octet-stream", new Filled(filler, zip), () -> {
            opened[0]++;
            return new Filled(filler, zip);
        });

        assertThat(inspection.findings()).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "data.bin!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "data.bin!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED", "data.bin: zip that tools read differently (data before the archive)"));
        assertThat(opened[0]).isEqualTo(1);
    }

    @Test
    void aFileWithoutAnEndRecordStreamsPastKeepingOnlyItsTail() throws Exception {
        ZipLayout.Tail tail = ZipLayout.Tail.of(new Filled(40L * 1024 * 1024, ascii("the end")));

        assertThat(tail.length()).isEqualTo(40L * 1024 * 1024 + 7);
        assertThat(tail.held()).isEqualTo(ZipLayout.Tail.WINDOW);
        byte[] kept = tail.bytes();
        assertThat(kept).hasSize(ZipLayout.Tail.WINDOW);
        assertThat(new String(kept, kept.length - 7, 7, StandardCharsets.US_ASCII)).isEqualTo("the end");
        assertThat(ZipLayout.end(kept)).isEqualTo(-1);
        assertThat(ZipLayout.Tail.of(new ByteArrayInputStream(TEXT)).bytes()).isEqualTo(TEXT);
    }

    @Test
    void aZipAfterOtherDataInsideAnArchiveIsFoundInTheTail() throws Exception {
        byte[] filler = new byte[2 * 1024 * 1024];
        new java.util.Random(11).nextBytes(filler);
        filler[0] = 0x11;
        byte[] inner = concat(filler, zip("invoice.exe", pe()));

        assertThat(analyze("docs.zip", zip("data.bin", inner))).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "docs.zip!/data.bin!/invoice.exe"),
                Finding.of("ATTACHMENT_EXECUTABLE_CONTENT", "docs.zip!/data.bin!/invoice.exe: Windows executable (PE)"),
                Finding.of("ATTACHMENT_NOT_INSPECTED",
                        "docs.zip!/data.bin: zip that tools read differently (data before the archive)"));
    }

    @Test
    void aZipAfterOtherDataInsideAnArchiveTooLargeForTheTailIsSaidNotToBeOpened() throws Exception {
        // it cannot be read again without decompressing the outer archive a second time
        byte[] filler = new byte[2 * 1024 * 1024];
        new java.util.Random(11).nextBytes(filler);
        filler[0] = 0x11;
        byte[] random = new byte[1536 * 1024];
        new java.util.Random(13).nextBytes(random);
        byte[] inner = concat(filler, zip("invoice.exe", concat(pe(), random)));

        assertThat(analyze("docs.zip", zip("data.bin", inner))).containsExactly(Finding.of("ATTACHMENT_NOT_INSPECTED",
                "docs.zip!/data.bin: zip after other data, larger than 1 MiB inside an archive, not opened"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private List<Finding> analyze(String name, byte[] content) throws Exception {
        return analyze(new AttachmentContentAnalyzer(), name, content);
    }

    private List<Finding> analyze(AttachmentContentAnalyzer analyzer, String name, byte[] content) throws Exception {
        String raw = "From: sender@example.net\r\nTo: keiri@example.co.jp\r\nSubject: files\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nご確認ください。\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"" + name + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(content) + "\r\n--b--\r\n";
        try (ParsedMessage m = new MessageParser(ParseLimits.defaults(), temp)
                .parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)))) {
            return analyzer.analyze(new AnalysisInput(ENVELOPE, m));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
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

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /**
     * {@code filler} bytes of pseudo-random data (none of them a zip's signature's first byte, so that no header is
     * carved from them) and then {@code tail}, made while read: the test holds neither.
     */
    private static final class Filled extends java.io.InputStream {
        private final long filler;
        private final byte[] tail;
        private long pos;
        private int seed = 0x2545F491;

        Filled(long filler, byte[] tail) {
            this.filler = filler;
            this.tail = tail;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= filler + tail.length) {
                return -1;
            }
            int n = (int) Math.min(len, filler + tail.length - pos);
            for (int i = 0; i < n; i++, pos++) {
                if (pos < filler) {
                    seed ^= seed << 13;
                    seed ^= seed >>> 17;
                    seed ^= seed << 5;
                    byte v = (byte) seed;
                    b[off + i] = pos == 0 ? 0x11 : v == 'P' ? 0 : v;
                } else {
                    b[off + i] = tail[(int) (pos - filler)];
                }
            }
            return n;
        }
    }

    /** An empty end of central directory record, as a decoy. */
    private static byte[] endRecord() {
        byte[] b = new byte[22];
        b[0] = 'P';
        b[1] = 'K';
        b[2] = 5;
        b[3] = 6;
        return b;
    }

    /**
     * A zip of stored entries written field by field (APPNOTE 4.3), so that its local and central headers can say
     * different things and bytes can lie between its records, as no zip library would write them.
     */
    private static final class Stored {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final ByteArrayOutputStream central = new ByteArrayOutputStream();
        private final List<Integer> offsets = new ArrayList<>();

        Stored add(String name, byte[] content) {
            return add(name, name, null, content);
        }

        /** An entry named {@code localName} in its local header and {@code centralName} in the central directory. */
        Stored add(String localName, String centralName, String unicodePath, byte[] content) {
            CRC32 crc = new CRC32();
            crc.update(content);
            byte[] extra = unicodePath == null ? new byte[0] : unicodePathField(localName, unicodePath);
            int offset = body.size();
            offsets.add(offset);
            byte[] local = ascii(localName);
            int32(body, 0x04034b50);
            int16(body, 20);
            int16(body, 0);
            int16(body, 0);
            int16(body, 0);
            int16(body, 0x21);
            int32(body, (int) crc.getValue());
            int32(body, content.length);
            int32(body, content.length);
            int16(body, local.length);
            int16(body, extra.length);
            body.writeBytes(local);
            body.writeBytes(extra);
            body.writeBytes(content);
            byte[] name = ascii(centralName);
            int32(central, 0x02014b50);
            int16(central, 20);
            int16(central, 20);
            int16(central, 0);
            int16(central, 0);
            int16(central, 0);
            int16(central, 0x21);
            int32(central, (int) crc.getValue());
            int32(central, content.length);
            int32(central, content.length);
            int16(central, name.length);
            int16(central, extra.length);
            int16(central, 0);
            int16(central, 0);
            int16(central, 0);
            int32(central, 0);
            int32(central, offset);
            central.writeBytes(name);
            central.writeBytes(extra);
            return this;
        }

        Stored gap(byte[] bytes) {
            body.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(body.toByteArray());
            out.writeBytes(central.toByteArray());
            int32(out, 0x06054b50);
            int16(out, 0);
            int16(out, 0);
            int16(out, offsets.size());
            int16(out, offsets.size());
            int32(out, central.size());
            int32(out, body.size());
            int16(out, 0);
            return out.toByteArray();
        }

        /** Info-ZIP's Unicode Path field (0x7075): version 1, the CRC-32 of the raw name, the name in UTF-8. */
        private static byte[] unicodePathField(String rawName, String unicode) {
            byte[] utf8 = unicode.getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(ascii(rawName));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int16(b, 0x7075);
            int16(b, 5 + utf8.length);
            b.write(1);
            int32(b, (int) crc.getValue());
            b.writeBytes(utf8);
            return b.toByteArray();
        }

        private static void int16(ByteArrayOutputStream out, int v) {
            out.write(v & 0xff);
            out.write(v >>> 8 & 0xff);
        }

        private static void int32(ByteArrayOutputStream out, int v) {
            int16(out, v & 0xffff);
            int16(out, v >>> 16);
        }
    }
}
