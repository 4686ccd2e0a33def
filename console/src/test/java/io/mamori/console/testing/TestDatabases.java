package io.mamori.console.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Fresh databases migrated with the gateway's Flyway scripts: an in-memory H2 database, or a schema of its own
 * on the local PostgreSQL (127.0.0.1:5432, database {@code test}, user postgres), dropped by {@link #dropSchemas}.
 */
public final class TestDatabases {

    private static final List<String> SCHEMAS = new ArrayList<>();

    private TestDatabases() {
    }

    /** The vendors every JDBC class is tested against. */
    public static Stream<String> vendors() {
        return Stream.of("h2", "postgresql");
    }

    public static synchronized DataSource fresh(String vendor) {
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:console-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            Flyway.configure().dataSource(h2).locations("classpath:db/migration/h2").load().migrate();
            return h2;
        }
        String schema = "console_" + UUID.randomUUID().toString().replace("-", "");
        SCHEMAS.add(schema);
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema);
        pg.setUser("postgres");
        Flyway.configure().dataSource(pg).schemas(schema).createSchemas(true)
                .locations("classpath:db/migration/postgresql").load().migrate();
        return pg;
    }

    /** Drops the PostgreSQL schemas created so far; call from {@code @AfterAll}. */
    public static synchronized void dropSchemas() throws SQLException {
        if (SCHEMAS.isEmpty()) {
            return;
        }
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL("jdbc:postgresql://127.0.0.1:5432/test");
        pg.setUser("postgres");
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            for (String schema : SCHEMAS) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        SCHEMAS.clear();
    }
}
