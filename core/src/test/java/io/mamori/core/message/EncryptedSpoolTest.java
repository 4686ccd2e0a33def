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
                assertThat(onDisk).hasSize(secret.length).isNotEqualTo(secret);
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
}
