package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.crypto.MasterKeys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes sharing one spool directory (a gateway and the CLI beside it on PostgreSQL): the orphan recovery that
 * deletes uncommitted spool files runs only when no other process uses the spool, so it never deletes a message
 * another process is receiving. Real child JVMs and file locks.
 */
class SpoolSharingTest {

    @TempDir
    Path dir;

    private Process holder(String name) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                SpoolHoldingProcess.class.getName(), dir.resolve(name).toString(), dir.resolve("spool").toString())
                .redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.equals("READY")) {
                return child;
            }
        }
        child.destroyForcibly();
        throw new AssertionError(name + " ended before it was ready");
    }

    private static void stop(Process child) throws Exception {
        child.getOutputStream().close();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aProcessThatFindsTheSpoolInUseKeepsOthersFromRecoveringItWhileItReceives() throws Exception {
        Process first = holder("first");
        try (HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("ours").resolve("db")))) {
            JdbcMessageStore ours = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("ours").resolve("keys")),
                    new JdbcMessageStore.Settings(dir.resolve("spool"), dir.resolve("ours").resolve("messages"), 1, Duration.ZERO, 0),
                    Clock.systemUTC());
            try (Spool receiving = ours.openSpool()) {
                try (OutputStream out = receiving.output()) {
                    out.write("Subject: in flight\r\n\r\nstill arriving\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(spoolFiles()).hasSize(1);

                // the process that recovered the spool goes; another starts while this one is still receiving
                stop(first);
                Process next = holder("next");
                try {
                    assertThat(spoolFiles()).as("the message being received is still there").hasSize(1);
                    Envelope envelope = new Envelope(Direction.INBOUND, "s@example.org", List.of("r@example.jp"), "192.0.2.1",
                            "h", null, false, Instant.now());
                    StoredMessage stored = ours.commit(receiving, new NewMessage(envelope, "in flight",
                            new Verdict(Action.DELIVER, 0, List.of()), MessageState.QUEUED), "");
                    try (var in = ours.openContent(stored.id())) {
                        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).endsWith("still arriving\r\n");
                    }
                } finally {
                    stop(next);
                }
            } finally {
                ours.close();
            }
        } finally {
            first.destroyForcibly();
        }
    }

    @Test
    void theFirstProcessToUseTheSpoolRemovesWhatAStoppedOneLeftUncommitted() throws Exception {
        Files.createDirectories(dir.resolve("spool"));
        Path leftOver = Files.write(dir.resolve("spool").resolve("01JLEFTOVER0000000000000000"), new byte[] {1, 2, 3});

        Process first = holder("first");
        try {
            assertThat(leftOver).doesNotExist();
        } finally {
            stop(first);
        }
    }

    private List<Path> spoolFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("spool"))) {
            return files.filter(f -> !f.getFileName().toString().equals(".lock")).toList();
        }
    }
}
