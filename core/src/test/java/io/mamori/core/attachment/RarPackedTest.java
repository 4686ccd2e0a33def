package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.attachment.RarWriter.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAR 5 entries that {@link RarWriter} really compresses (kind PACKED): bsdtar (libarchive, which decompresses RAR)
 * extracts each one byte for byte, so the archives are fit to test code that hands RAR archives to bsdtar, and
 * {@link RarEntries} lists them as compressed with their sizes.
 */
class RarPackedTest {

    @TempDir
    Path dir;

    private static final byte[] NOTE = "Dear customer, the invoice is attached.\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What bsdtar writes to standard output; fails with bsdtar's messages if it exits with an error. */
    private byte[] bsdtar(byte[] archive, String... args) throws Exception {
        Path file = Files.write(dir.resolve("a" + System.nanoTime() + ".rar"), archive);
        Path errors = dir.resolve("errors" + System.nanoTime() + ".txt");
        List<String> command = new ArrayList<>(List.of("bsdtar"));
        command.addAll(List.of(args));
        command.add(2, file.toString()); // right after the first option, which names the archive (-xOf, -tf, -xf)
        Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bsdtar %s: %s", command, Files.readString(errors)).isZero();
        return output;
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("invoice.txt"));
            zip.write("Invoice 2026-11: 1,200 EUR, payable to the account below.\n".repeat(40)
                    .getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void bsdtarExtractsEachPackedEntryByteForByte() throws Exception {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        contents.put("one.bin", new byte[] {(byte) 0xE9});
        contents.put("note.txt", NOTE);
        contents.put("請求書の写し.txt", "請求書を添付いたします。ご確認ください。\n".getBytes(StandardCharsets.UTF_8));
        contents.put("random.bin", random(300 * 1024, 20261128));
        contents.put("invoice.zip", zip());
        // either side of the first and second step in which libarchive hands out decoded bytes (64 KiB + 1)
        contents.put("step-1.bin", random(65_536, 1));
        contents.put("step+1.bin", random(65_538, 2));
        contents.put("second-step+1.bin", random(2 * 65_537 + 1, 3));
        for (Map.Entry<String, byte[]> c : contents.entrySet()) {
            byte[] archive = RarWriter.rar5().add(c.getKey(), Kind.PACKED, c.getValue()).end();
            assertThat(bsdtar(archive, "-xOf")).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(RarWriter.entries(archive)).extracting(RarEntries.Entry::name, RarEntries.Entry::size,
                    RarEntries.Entry::stored).containsExactly(tuple(c.getKey(), (long) c.getValue().length, false));
        }
    }

    @Test
    void packedAndStoredEntriesMixInOneArchiveAndEachIsExtractedWhole() throws Exception {
        byte[] program = "MZ: this program cannot be run in DOS mode. ".getBytes(StandardCharsets.US_ASCII);
        byte[] random = random(300 * 1024, 7);
        byte[] zip = zip();
        byte[] archive = RarWriter.rar5()
                .add("docs", Kind.FOLDER, new byte[0])
                .add("docs/請求書.pdf.exe", Kind.PACKED, program)
                .add("docs/readme.txt", Kind.STORED, NOTE)
                .add("data.bin", Kind.PACKED, random)
                .add("invoice.zip", Kind.PACKED, zip)
                .add("copy.exe", Kind.STORED, program)
                .end();

        assertThat(RarWriter.entries(archive)).extracting(RarEntries.Entry::name, RarEntries.Entry::size,
                RarEntries.Entry::directory, RarEntries.Entry::stored).containsExactly(
                tuple("docs", 0L, true, true),
                tuple("docs/請求書.pdf.exe", (long) program.length, false, false),
                tuple("docs/readme.txt", (long) NOTE.length, false, true),
                tuple("data.bin", (long) random.length, false, false),
                tuple("invoice.zip", (long) zip.length, false, false),
                tuple("copy.exe", (long) program.length, false, true));
        assertThat(new String(bsdtar(archive, "-tf"), StandardCharsets.UTF_8).lines()).containsExactly(
                "docs", "docs/請求書.pdf.exe", "docs/readme.txt", "data.bin", "invoice.zip", "copy.exe");
        // one entry at a time, and the whole archive into a folder
        assertThat(bsdtar(archive, "-xOf", "data.bin")).isEqualTo(random);
        assertThat(bsdtar(archive, "-xOf", "copy.exe")).isEqualTo(program);
        Path out = Files.createDirectory(dir.resolve("out"));
        bsdtar(archive, "-xf", "-C", out.toString());
        assertThat(out.resolve("docs/請求書.pdf.exe")).hasBinaryContent(program);
        assertThat(out.resolve("docs/readme.txt")).hasBinaryContent(NOTE);
        assertThat(out.resolve("data.bin")).hasBinaryContent(random);
        assertThat(out.resolve("invoice.zip")).hasBinaryContent(zip);
        assertThat(out.resolve("copy.exe")).hasBinaryContent(program);
    }

    @Test
    void aPackedEntryCostsEightBitsAByteAfterItsTablesAndItsPackedSizeIsTheBlock() throws Exception {
        // literal-only: each byte costs 8 bits, plus a block header and 354 bits of tables, whatever the content
        byte[] text = "a".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        byte[] archive = RarWriter.rar5().add("a.txt", Kind.PACKED, text).end();
        RarEntries.Entry entry = RarWriter.entries(archive).get(0);
        assertThat(entry.packedSize()).isEqualTo(2 + 2 + (354 + 8 * 10_000 + 7) / 8);
        RarEntries rar = new RarEntries(new ByteArrayInputStream(archive));
        rar.next();
        byte[] packed = rar.data().readAllBytes();
        assertThat(packed).hasSize((int) entry.packedSize());
        assertThat(packed[0] & 0xff).as("block flags: tables, last block, two size bytes, 2 bits in the last byte")
                .isEqualTo(0x80 | 0x40 | 1 << 3 | 1);
        assertThat(bsdtar(archive, "-xOf")).isEqualTo(text);
    }

    @Test
    void packedEntriesThatLibarchiveCannotExtractOrThatRar4CannotHoldAreRefused() {
        assertThatThrownBy(() -> RarWriter.rar4().add("a.txt", Kind.PACKED, NOTE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RAR 5 only");
        assertThatThrownBy(() -> RarWriter.rar5().add("empty.txt", Kind.PACKED, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 65537");
        assertThatThrownBy(() -> RarWriter.rar5().add("step.bin", Kind.PACKED, new byte[2 * 65_537]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 65537");
    }
}
