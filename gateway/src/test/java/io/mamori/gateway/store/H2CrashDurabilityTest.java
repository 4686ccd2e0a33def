package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.crypto.MasterKeys;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What commit() acknowledged survives a SIGKILL of the process on the embedded H2 database. */
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
}
