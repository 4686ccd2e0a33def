package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The audit log on the local PostgreSQL (127.0.0.1:5432, database {@code test}), each test in a schema of its
 * own; the concurrency test writes through two connection pools as two gateway nodes would.
 */
class PostgresAuditTrailTest extends AuditTrailContract {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private String schema;

    @Override
    Databases.Settings freshDatabase(Path dir) throws Exception {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        schema = "mamori_audit_" + HexFormat.of().formatHex(random);
        try (Connection c = DriverManager.getConnection(SERVER, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        return settings();
    }

    private Databases.Settings settings() {
        return new Databases.Settings(SERVER + "?currentSchema=" + schema, "postgres", "", 8);
    }

    @Override
    void dropDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** The append-only trigger refuses changes; a table owner can switch it off, which the chain then shows. */
    @Override
    void tamper(Connection c, String sql) throws Exception {
        execute(c, "ALTER TABLE audit_log DISABLE TRIGGER USER");
        try {
            execute(c, sql);
        } finally {
            execute(c, "ALTER TABLE audit_log ENABLE TRIGGER USER");
        }
    }

    @Override
    HikariDataSource secondNode() {
        return Databases.open(settings());
    }

    @Test
    void theDatabaseRefusesUpdatesDeletesAndTruncateOfTheLog() throws Exception {
        append(1);
        try (Connection c = dataSource.getConnection()) {
            for (String sql : new String[] {"UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                "TRUNCATE audit_log"}) {
                assertThatThrownBy(() -> execute(c, sql)).as(sql).isInstanceOf(SQLException.class)
                        .hasMessageContaining("audit_log is append-only");
            }
        }
        assertThat(audit.verify().intact()).isTrue();
    }
}
