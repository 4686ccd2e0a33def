package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every entry whose {@code record} returned survives a SIGKILL of the process on the embedded H2 database. */
class H2AuditDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordedEntrySurvivesSigkill() throws Exception {
        int count = 20;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                RecordingProcess.class.getName(), dir.toString(), String.valueOf(count)).redirectErrorStream(true).start();
        List<Long> acknowledged = new ArrayList<>();
        boolean ready = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("RECORDED ")) {
                    acknowledged.add(Long.parseLong(line.substring(9)));
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

        try (HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")))) {
            JdbcAuditTrail audit = new JdbcAuditTrail(dataSource);
            assertThat(audit.verify()).isInstanceOfSatisfying(AuditVerification.Intact.class,
                    ok -> assertThat(ok.count()).isEqualTo(count));
            assertThat(audit.search(AuditFilter.ALL, null, 100).entries()).extracting(AuditRecord::seq)
                    .containsExactlyInAnyOrderElementsOf(acknowledged);
        }
    }
}
