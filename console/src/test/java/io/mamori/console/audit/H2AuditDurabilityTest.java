package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.testing.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every entry whose {@code record} returned survives a SIGKILL of the process on the embedded H2 database. */
class H2AuditDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordedEntrySurvivesSigkill() throws Exception {
        int count = 20;
        List<Long> acknowledged = new ArrayList<>();
        try (ChildJvm child = ChildJvm.untilReady(RecordingProcess.class, line -> {
            if (line.startsWith("RECORDED ")) {
                acknowledged.add(Long.parseLong(line.substring(9)));
            }
        }, dir.toString(), String.valueOf(count))) {
            child.kill();
        }
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
