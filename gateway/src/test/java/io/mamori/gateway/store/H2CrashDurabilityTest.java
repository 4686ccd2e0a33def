package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.testing.ChildJvm;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What commit() and a deletion acknowledged survives a SIGKILL of the process on the embedded H2 database. */
class H2CrashDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesSigkill() throws Exception {
        int count = 40;
        Map<String, Integer> acknowledged = new HashMap<>();
        try (ChildJvm child = ChildJvm.untilReady(CommittingProcess.class, line -> {
            if (line.startsWith("COMMITTED ")) {
                String[] parts = line.split(" ");
                acknowledged.put(parts[2], Integer.parseInt(parts[1]));
            }
        }, dir.toString(), String.valueOf(count))) {
            child.kill();
        }
        assertThat(acknowledged).hasSize(count);
        assertThat(MessageStoreContract.filesUnder(dir.resolve("spool"))).hasSize(1);

        try (HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
             JdbcMessageStore store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                     JdbcMessageStore.Settings.under(dir), Clock.systemUTC())) {
            assertThat(store.countByState().get(MessageState.QUEUED)).isEqualTo(count);
            for (Map.Entry<String, Integer> entry : acknowledged.entrySet()) {
                try (InputStream in = store.openContent(entry.getKey())) {
                    assertThat(in.readAllBytes()).isEqualTo(CommittingProcess.content(entry.getValue()));
                }
            }
            assertThat(MessageStoreContract.filesUnder(dir.resolve("spool"))).isEmpty();
        }
    }

    @Test
    void aDeletionWhoseContentFileIsGoneSurvivesSigkill() throws Exception {
        int count = 6;
        List<String> deleted = new ArrayList<>();
        try (ChildJvm child = ChildJvm.untilReady(DeletingProcess.class, line -> {
            if (line.startsWith("DELETED ")) {
                deleted.add(line.substring("DELETED ".length()));
            }
        }, dir.toString(), String.valueOf(count))) {
            child.kill();
        }
        assertThat(deleted).hasSize(count);
        assertThat(MessageStoreContract.filesUnder(dir.resolve("messages"))).as("every content file was deleted").isEmpty();

        try (HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
             JdbcMessageStore store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                     JdbcMessageStore.Settings.under(dir), Clock.systemUTC())) {
            for (String id : deleted) {
                // a row brought back in its old state would still hold its key, and name a file that is gone
                assertThat(store.find(id).orElseThrow().state()).as(id).isEqualTo(MessageState.DELETED);
                assertThatThrownBy(() -> store.openContent(id)).isInstanceOf(NoSuchFileException.class)
                        .hasMessageContaining("was deleted");
            }
            assertThat(store.countByState().get(MessageState.QUARANTINED)).isZero();
        }
    }
}
