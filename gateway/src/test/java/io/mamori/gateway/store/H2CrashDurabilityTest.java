package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.crypto.MasterKeys;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What commit() and a deletion acknowledged survives a SIGKILL of the process on the embedded H2 database. */
class H2CrashDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesSigkill() throws Exception {
        int count = 40;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                CommittingProcess.class.getName(), dir.toString(), String.valueOf(count))
                .redirectErrorStream(true).start();
        Map<String, Integer> acknowledged = new HashMap<>();
        boolean ready = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("COMMITTED ")) {
                    String[] parts = line.split(" ");
                    acknowledged.put(parts[2], Integer.parseInt(parts[1]));
                } else if (line.equals("READY")) {
                    ready = true;
                    child.destroyForcibly();
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ready).as("child reached READY").isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                DeletingProcess.class.getName(), dir.toString(), String.valueOf(count))
                .redirectErrorStream(true).start();
        List<String> deleted = new ArrayList<>();
        boolean ready = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("DELETED ")) {
                    deleted.add(line.substring("DELETED ".length()));
                } else if (line.equals("READY")) {
                    ready = true;
                    child.destroyForcibly();
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ready).as("child reached READY").isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
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
