package io.mamori.console.audit;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Run as its own JVM by {@link H2AuditDurabilityTest}: records audit entries on the embedded H2 database, prints
 * {@code RECORDED <seq>} after each {@code record} returns, then {@code READY}, and waits to be killed.
 */
public final class RecordingProcess {

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(Path.of(args[0]).resolve("db")));
        JdbcAuditTrail audit = new JdbcAuditTrail(dataSource);
        int count = Integer.parseInt(args[1]);
        for (int i = 0; i < count; i++) {
            AuditRecord r = audit.append(new AuditEntry(Instant.now(), "cli:test", "local", "test.durable", "o" + i,
                    null, "日本語 " + i, true));
            System.out.println("RECORDED " + r.seq());
            System.out.flush();
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
