package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.attachment.RarWriter.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAR 4 and RAR 5 headers read as a stream. The archives come from {@link RarWriter}; bsdtar (libarchive, from
 * Debian's libarchive-tools, which the test command installs) reads each one too, so that the writer and the reader
 * are not only checked against each other.
 */
class RarEntriesTest {

    @TempDir
    Path dir;

    private static final byte[] PROGRAM = "MZ: this program cannot be run in DOS mode. ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTE = "Dear customer, the invoice is attached.\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What bsdtar lists, one name a line. */
    private List<String> bsdtar(byte[] archive, String... args) throws Exception {
        Path file = Files.write(dir.resolve("a" + System.nanoTime() + ".rar"), archive);
        List<String> command = new ArrayList<>(List.of("bsdtar"));
        command.addAll(List.of(args));
        command.add(file.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bsdtar %s: %s", command, output).isZero();
        return output.lines().toList();
    }

    @Test
    void rar5NamesSizesAndKindsAsBsdtarListsThem() throws Exception {
        byte[] archive = RarWriter.rar5()
                .add("docs", Kind.FOLDER, new byte[0])
                .add("docs/請求書.pdf.exe", Kind.STORED, PROGRAM)
                .add("note.txt", Kind.COMPRESSED, NOTE)
                .add("secret.docx", Kind.ENCRYPTED, NOTE)
                .end();

        assertThat(RarWriter.entries(archive)).extracting(RarEntries.Entry::name, RarEntries.Entry::size, RarEntries.Entry::directory,
                RarEntries.Entry::encrypted, RarEntries.Entry::stored).containsExactly(
                tuple("docs", 0L, true, false, true),
                tuple("docs/請求書.pdf.exe", (long) PROGRAM.length, false, false, true),
                tuple("note.txt", (long) NOTE.length, false, false, false),
                tuple("secret.docx", (long) NOTE.length, false, true, true));
        assertThat(bsdtar(archive, "-tf")).containsExactly("docs", "docs/請求書.pdf.exe", "note.txt", "secret.docx");
    }

    @Test
    void rar4NamesSizesAndKindsAsBsdtarListsThem() throws Exception {
        byte[] archive = RarWriter.rar4()
                .add("docs", Kind.FOLDER, new byte[0])
                .add("docs/invoice.pdf.exe", Kind.STORED, PROGRAM)
                .add("note.txt", Kind.COMPRESSED, NOTE)
                .add("secret.docx", Kind.ENCRYPTED, NOTE)
                .addUnicode4("????.exe", "請求書の写し.exe", PROGRAM)
                .end();

        assertThat(RarWriter.entries(archive)).extracting(RarEntries.Entry::name, RarEntries.Entry::directory,
                RarEntries.Entry::encrypted, RarEntries.Entry::stored).containsExactly(
                tuple("docs", true, false, true),
                tuple("docs/invoice.pdf.exe", false, false, true),
                tuple("note.txt", false, false, false),
                tuple("secret.docx", false, true, true),
                tuple("請求書の写し.exe", false, false, true));
        assertThat(bsdtar(archive, "-tf")).containsExactly("docs", "docs/invoice.pdf.exe", "note.txt", "secret.docx",
                "請求書の写し.exe");
    }

    @Test
    void theDataOfAStoredEntryIsItsContentAndTheNextEntryFollows() throws Exception {
        for (RarWriter writer : List.of(RarWriter.rar5(), RarWriter.rar4())) {
            byte[] archive = writer.add("a.exe", Kind.STORED, PROGRAM).add("b.txt", Kind.STORED, NOTE).end();
            RarEntries rar = new RarEntries(new ByteArrayInputStream(archive));
            assertThat(rar.next().name()).isEqualTo("a.exe");
            assertThat(rar.data().readAllBytes()).isEqualTo(PROGRAM);
            assertThat(rar.next().name()).isEqualTo("b.txt");
            assertThat(rar.data().readNBytes(4)).isEqualTo("Dear".getBytes(StandardCharsets.US_ASCII));
            assertThat(rar.next()).as("the rest of b.txt is skipped, then the end").isNull();
            // bsdtar extracts the same bytes
            assertThat(bsdtar(archive, "-xOf")).containsExactly(
                    new String(PROGRAM, StandardCharsets.US_ASCII) + "Dear customer, the invoice is attached.");
        }
    }

    @Test
    void anArchiveCutAfterAnEntryGivesTheEntriesBeforeTheCutAndOneCutInsideAHeaderIsAnError() throws Exception {
        byte[] whole = RarWriter.rar5().add("a.exe", Kind.STORED, PROGRAM).add("b.txt", Kind.STORED, NOTE).withoutEnd();
        assertThat(RarWriter.entries(whole)).extracting(RarEntries.Entry::name).containsExactly("a.exe", "b.txt");

        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - NOTE.length - 5);
        assertThatThrownBy(() -> RarWriter.entries(cut)).isInstanceOf(IOException.class);
        byte[] cutInData = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> RarWriter.entries(cutInData)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }

    @Test
    void badInputIsAnErrorNotAHangOrAHugeAllocation() {
        assertThatThrownBy(() -> RarWriter.entries("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(IOException.class).hasMessage("not a RAR archive");
        // RAR 5 header claiming 2^62 bytes; a number of eleven bytes
        byte[] huge = concat(new byte[] {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 0, 0, 0, 0}, RarWriter.vint(1L << 62));
        assertThatThrownBy(() -> RarWriter.entries(huge)).isInstanceOf(IOException.class).hasMessageContaining("RAR header of");
        byte[] endless = concat(new byte[] {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 0, 0, 0, 0},
                new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                    (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        assertThatThrownBy(() -> RarWriter.entries(endless)).isInstanceOf(IOException.class).hasMessageContaining("longer than 10 bytes");
        // RAR 4 header shorter than its own fixed part
        byte[] shortHeader = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00, 0, 0, 0x74, 0, (byte) 0x80, 5, 0};
        assertThatThrownBy(() -> RarWriter.entries(shortHeader)).isInstanceOf(IOException.class);
    }

    @Test
    void encryptedHeadersAreAnError() {
        // RAR 5 archive encryption header (type 4); RAR 4 archive header with flag 0x0080
        byte[] five = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 0, 0, 0, 0, 0x02, 0x04, 0x00};
        byte[] four = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00, 0, 0, 0x73, (byte) 0x80, 0x00, 0x0D, 0x00, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> RarWriter.entries(five)).hasMessage("RAR headers are encrypted");
        assertThatThrownBy(() -> RarWriter.entries(four)).hasMessage("RAR headers are encrypted");
    }

    @Test
    void damagedArchivesEndInAnIoErrorOrAListingNeverAnotherExceptionOrAHang() {
        // 3,000 archives of both formats with bytes changed, inserted or cut at random places (a fixed seed)
        java.util.Random random = new java.util.Random(20261128);
        List<byte[]> valid = List.of(
                RarWriter.rar5().add("a/請求書.pdf.exe", Kind.STORED, PROGRAM).add("b.txt", Kind.COMPRESSED, NOTE)
                        .add("c.docx", Kind.ENCRYPTED, NOTE).add("d", Kind.FOLDER, new byte[0]).end(),
                RarWriter.rar4().add("a/invoice.pdf.exe", Kind.STORED, PROGRAM).add("b.txt", Kind.COMPRESSED, NOTE)
                        .addUnicode4("????.exe", "請求書.exe", PROGRAM).add("d", Kind.FOLDER, new byte[0]).end());
        int listed = 0;
        int refused = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 3_000; i++) {
            byte[] archive = valid.get(i % 2).clone();
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                int at = 8 + random.nextInt(archive.length - 8); // keep the signature: the rest is what is parsed
                switch (random.nextInt(3)) {
                    case 0 -> archive[at] = (byte) random.nextInt(256);
                    case 1 -> archive = java.util.Arrays.copyOf(archive, at);
                    default -> {
                        byte[] longer = new byte[archive.length + 1];
                        System.arraycopy(archive, 0, longer, 0, at);
                        longer[at] = (byte) (0x80 | random.nextInt(128)); // a continuation byte: longer numbers
                        System.arraycopy(archive, at, longer, at + 1, archive.length - at);
                        archive = longer;
                    }
                }
                if (archive.length <= 9) {
                    break;
                }
            }
            try {
                List<RarEntries.Entry> entries = RarWriter.entries(archive);
                assertThat(entries.size()).isLessThanOrEqualTo(archive.length);
                entries.forEach(e -> assertThat(e.name().length()).isLessThanOrEqualTo(RarEntries.MAX_NAME));
                listed++;
            } catch (IOException expected) {
                refused++;
            }
        }
        assertThat(listed).as("some damage leaves a readable archive").isPositive();
        assertThat(refused).as("some damage is found").isPositive();
        // a guard against a loop, not a speed figure: 3,000 small archives take milliseconds
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(60));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
