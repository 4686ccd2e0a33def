package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The contract on the local PostgreSQL (127.0.0.1:5432, database {@code test}, user postgres), each test in
 * a schema of its own that is dropped afterwards. Starts the cluster if it is down.
 */
class PostgresMessageStoreTest extends MessageStoreContract {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private String schema;

    @Override
    Databases.Settings freshDatabase(Path dir) throws Exception {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        schema = "mamori_test_" + HexFormat.of().formatHex(random);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        return new Databases.Settings(SERVER + "?currentSchema=" + schema, "postgres", "", 8);
    }

    @Override
    void dropDatabase() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @org.junit.jupiter.api.Test
    void aStatementWaitsForTheServerAtMostFiveMinutesUnlessTheUrlSaysOtherwise() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getNetworkTimeout()).isEqualTo(300_000);
        }
        try (com.zaxxer.hikari.HikariDataSource own = Databases.open(new Databases.Settings(
                SERVER + "?currentSchema=" + schema + "&socketTimeout=42", "postgres", "", 2));
             Connection c = own.getConnection()) {
            assertThat(c.getNetworkTimeout()).isEqualTo(42_000);
        }
    }

    static Connection connect() throws Exception {
        try {
            return DriverManager.getConnection(SERVER, "postgres", "");
        } catch (SQLException down) {
            startCluster();
            return DriverManager.getConnection(SERVER, "postgres", "");
        }
    }

    private static synchronized void startCluster() throws Exception {
        Path clusters = Path.of("/etc/postgresql");
        if (!Files.isDirectory(clusters)) {
            return;
        }
        try (var versions = Files.list(clusters)) {
            for (Path version : versions.toList()) {
                Process start = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect",
                        version.getFileName().toString(), "main", "start").inheritIO().start();
                start.waitFor(60, TimeUnit.SECONDS);
            }
        }
        Thread.sleep(1000);
    }
}
