package io.mamori.core.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.testing.MovingClock;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentModelFileTest {

    @TempDir
    Path dir;

    private static void write(Path file, ContentModel model) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            OutputStream target = file.toString().endsWith(".gz") ? new GZIPOutputStream(out) : out;
            model.write(target, 1);
            target.close();
        }
    }

    @Test
    void aChangedFileIsReadAgainAfterTheCheckIntervalAndABrokenOneKeepsTheModelInForce() throws IOException {
        Path file = dir.resolve("model.tsv.gz");
        write(file, ContentModelTest.trained());
        MovingClock clock = new MovingClock(Instant.parse("2026-11-28T00:00:00Z"));
        ContentModelFile models = new ContentModelFile(file, clock);
        assertThat(models.get().phishingMessages()).isEqualTo(60);

        ContentModel more = new ContentModel.Builder(ContentModelTest.trained()).learn(List.of("x"), true).build();
        write(file, more);
        Files.setLastModifiedTime(file, FileTime.from(clock.instant().plusSeconds(1)));
        assertThat(models.get().phishingMessages()).as("not looked at before the interval").isEqualTo(60);
        clock.advance(ContentModelFile.CHECK_EVERY.plus(Duration.ofMillis(1)));
        assertThat(models.get().phishingMessages()).isEqualTo(61);

        Files.writeString(file, "half-written");
        Files.setLastModifiedTime(file, FileTime.from(clock.instant().plusSeconds(2)));
        clock.advance(ContentModelFile.CHECK_EVERY.plus(Duration.ofMillis(1)));
        assertThat(models.get().phishingMessages()).as("a broken file keeps the model in force").isEqualTo(61);
    }

    @Test
    void aMissingOrMalformedFileIsRefusedAtTheStartWithItsName() throws IOException {
        Path missing = dir.resolve("absent.tsv");
        assertThatThrownBy(() -> new ContentModelFile(missing, Clock.systemUTC())).isInstanceOf(IOException.class)
                .hasMessageContaining("absent.tsv");
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "# mamori content model 2\nmessages\t1\n");
        assertThatThrownBy(() -> new ContentModelFile(bad, Clock.systemUTC())).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.tsv:2: expected 'messages");
    }
}
