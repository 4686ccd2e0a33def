package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedSpoolTest {

    @TempDir
    Path dir;

    private static byte[] read(EncryptedSpool.Stored stored) throws IOException {
        try (InputStream in = stored.open()) {
            return in.readAllBytes();
        }
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void theSinksShareTheHeapLimitAndWhatGoesToFilesIsEncryptedAndReadsBack() throws IOException {
        byte[] secret = "Seikyu-2025 請求書".repeat(40).getBytes(StandardCharsets.UTF_8); // ~1 KB
        try (EncryptedSpool spool = new EncryptedSpool(dir, "t-", 4096, 1500)) {
            EncryptedSpool.Sink first = spool.newSink();
            first.write(secret, 0, secret.length);
            EncryptedSpool.Stored kept = first.finish();
            assertThat(files()).as("within both limits: on the heap").isZero();

            // a second, small piece passes what the sinks may hold together: a file of its own
            EncryptedSpool.Sink second = spool.newSink();
            second.write(secret, 0, secret.length);
            EncryptedSpool.Stored spilled = second.finish();
            assertThat(files()).isEqualTo(1);
            try (Stream<Path> s = Files.list(dir)) {
                byte[] onDisk = Files.readAllBytes(s.findFirst().orElseThrow());
                assertThat(onDisk.length).as("a header and a tag per segment").isGreaterThan(secret.length);
                assertThat(new String(onDisk, StandardCharsets.ISO_8859_1)).doesNotContain("Seikyu");
            }
            assertThat(read(kept)).isEqualTo(secret);
            assertThat(read(spilled)).isEqualTo(secret);
            assertThat(spilled.size()).isEqualTo(secret.length);

            assertThat(second.finish()).as("finishing again").isSameAs(spilled);
            assertThatThrownBy(() -> second.write(secret, 0, 1)).isInstanceOf(IOException.class)
                    .hasMessageContaining("finished");
        }
        assertThat(files()).as("closing deletes").isZero();
    }

    @Test
    void spoolsSharingAHeapBudgetKeepNoMoreThanItOnTheHeapAndClosingGivesTheirShareBack() throws IOException {
        byte[] piece = new byte[1000];
        Arrays.fill(piece, (byte) 'p');
        EncryptedSpool.HeapBudget budget = new EncryptedSpool.HeapBudget(1500);
        EncryptedSpool first = new EncryptedSpool(dir, "t-", 4096, 4096, budget);
        EncryptedSpool.Sink a = first.newSink();
        a.write(piece, 0, piece.length);
        a.finish();
        assertThat(files()).isZero();
        assertThat(budget.left()).isEqualTo(500);
        try (EncryptedSpool second = new EncryptedSpool(dir, "t-", 4096, 4096, budget)) {
            // within its own limits, but past what the budget has left: a file, and the budget untouched
            EncryptedSpool.Sink b = second.newSink();
            b.write(piece, 0, piece.length);
            EncryptedSpool.Stored spilled = b.finish();
            assertThat(files()).isEqualTo(1);
            assertThat(budget.left()).isEqualTo(500);
            assertThat(read(spilled)).isEqualTo(piece);
            // a piece that starts on the heap and spills gives back what it had taken
            EncryptedSpool.Sink c = second.newSink();
            c.write(piece, 0, 400);
            assertThat(budget.left()).isEqualTo(100);
            c.write(piece, 0, 400);
            c.finish();
            assertThat(files()).isEqualTo(2);
            assertThat(budget.left()).isEqualTo(500);
            first.close();
            assertThat(budget.left()).as("the first spool's share back").isEqualTo(1500);
            first.close();
            assertThat(budget.left()).as("closing twice gives back once").isEqualTo(1500);
        }
        assertThat(budget.left()).isEqualTo(1500);
        assertThat(files()).isZero();
    }

    @Test
    void aPieceOverThePerSinkLimitGoesToAFileAndNothingOpensAfterClose() throws IOException {
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 'x');
        EncryptedSpool spool = new EncryptedSpool(dir, "t-", 4096, Long.MAX_VALUE);
        EncryptedSpool.Stored stored;
        try (EncryptedSpool.Sink sink = spool.newSink()) {
            for (int i = 0; i < big.length; i += 1000) {
                sink.write(big, i, 1000);
            }
            stored = sink.finish();
        }
        assertThat(files()).isEqualTo(1);
        assertThat(read(stored)).isEqualTo(big);
        spool.close();
        spool.close();
        assertThat(spool.isClosed()).isTrue();
        assertThat(files()).isZero();
        assertThatThrownBy(stored::open).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> spool.newSink().write(big, 0, big.length)).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aDirectoryTheDiskRefusesIsAStorageFailureAndAClosedSpoolIsNot() throws IOException {
        byte[] big = new byte[5000];
        // a directory under a regular file: no one, root included, can create files in it
        Files.writeString(dir.resolve("plain-file"), "x");
        Path refused = dir.resolve("plain-file").resolve("spool");
        try (EncryptedSpool spool = new EncryptedSpool(refused, "t-", 4096, Long.MAX_VALUE)) {
            EncryptedSpool.Sink sink = spool.newSink();
            sink.write(big, 0, 4000);
            assertThatThrownBy(() -> sink.write(big, 0, 1000)).isInstanceOf(StorageFailure.class)
                    .hasMessageContaining("cannot create a spool file in " + refused);
        }
        EncryptedSpool closed = new EncryptedSpool(dir, "t-", 4096, Long.MAX_VALUE);
        closed.close();
        assertThatThrownBy(() -> closed.newSink().write(big, 0, big.length)).isInstanceOf(IOException.class)
                .isNotInstanceOf(StorageFailure.class);
    }

    /** The only file of the directory. */
    private Path onlyFile() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.reduce((a, b) -> {
                throw new AssertionError("more than one file: " + a + ", " + b);
            }).orElseThrow();
        }
    }

    private static EncryptedSpool.Stored spill(EncryptedSpool spool, byte[] content) throws IOException {
        try (EncryptedSpool.Sink sink = spool.newSink()) {
            sink.write(content, 0, content.length);
            return sink.finish();
        }
    }

    @Test
    void aFileChangedOrCutShortOnDiskFailsToReadInsteadOfGivingOtherBytes() throws IOException {
        byte[] content = "振込先変更のお知らせ ".repeat(1000).getBytes(StandardCharsets.UTF_8); // ~30 KB, several segments
        try (EncryptedSpool spool = new EncryptedSpool(dir, "t-", 1024, Long.MAX_VALUE)) {
            EncryptedSpool.Stored stored = spill(spool, content);
            Path file = onlyFile();
            byte[] good = Files.readAllBytes(file);
            assertThat(read(stored)).isEqualTo(content);

            byte[] flipped = good.clone();
            flipped[good.length / 2] ^= 1;
            Files.write(file, flipped);
            assertThatThrownBy(() -> read(stored)).isInstanceOf(IOException.class);

            Files.write(file, Arrays.copyOf(good, good.length - 4096));
            assertThatThrownBy(() -> read(stored)).as("a segment less").isInstanceOf(IOException.class);

            Files.write(file, good);
            assertThat(read(stored)).as("the file as written reads again").isEqualTo(content);
        }
    }

    @Test
    void aFilePutInAnothersPlaceFailsToRead() throws IOException {
        byte[] invoice = "請求書 No. 1 ".repeat(300).getBytes(StandardCharsets.UTF_8);
        byte[] other = "振込先 No. 2 ".repeat(300).getBytes(StandardCharsets.UTF_8);
        try (EncryptedSpool spool = new EncryptedSpool(dir, "t-", 1024, Long.MAX_VALUE)) {
            EncryptedSpool.Stored first = spill(spool, invoice);
            Path firstFile = onlyFile();
            EncryptedSpool.Stored second = spill(spool, other);
            Path secondFile;
            try (Stream<Path> s = Files.list(dir)) {
                secondFile = s.filter(p -> !p.equals(firstFile)).findFirst().orElseThrow();
            }
            byte[] firstBytes = Files.readAllBytes(firstFile);
            Files.write(firstFile, Files.readAllBytes(secondFile));
            Files.write(secondFile, firstBytes);

            assertThatThrownBy(() -> read(first)).as("same key, another file's name").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> read(second)).isInstanceOf(IOException.class);
        }
    }
}
