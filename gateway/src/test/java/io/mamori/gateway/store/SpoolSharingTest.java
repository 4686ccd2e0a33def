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
import io.mamori.gateway.testing.ChildJvm;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private ChildJvm holder(String name) throws Exception {
        return ChildJvm.untilReady(SpoolHoldingProcess.class, line -> { }, dir.resolve(name).toString(),
                dir.resolve("spool").toString());
    }

    @Test
    void aProcessThatFindsTheSpoolInUseKeepsOthersFromRecoveringItWhileItReceives() throws Exception {
        ChildJvm first = holder("first");
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
                first.finish();
                ChildJvm next = holder("next");
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
                    next.finish();
                }
            } finally {
                ours.close();
            }
        } finally {
            first.close();
        }
    }

    @Test
    void theFirstProcessToUseTheSpoolRemovesWhatAStoppedOneLeftUncommitted() throws Exception {
        Files.createDirectories(dir.resolve("spool"));
        Path leftOver = Files.write(dir.resolve("spool").resolve("01JLEFTOVER0000000000000000"), new byte[] {1, 2, 3});

        try (ChildJvm first = holder("first")) {
            assertThat(leftOver).doesNotExist();
            first.finish();
        }
    }

    private List<Path> spoolFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("spool"))) {
            return files.filter(f -> !f.getFileName().toString().equals(".lock")).toList();
        }
    }
}
