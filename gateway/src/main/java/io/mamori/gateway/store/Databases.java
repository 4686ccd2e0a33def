package io.mamori.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Objects;
import org.flywaydb.core.Flyway;

/**
 * Opens the message database: a HikariCP pool for an H2 (embedded default) or PostgreSQL JDBC URL, with
 * the Flyway migrations of that vendor applied ({@code db/migration/h2} or {@code db/migration/postgresql}).
 */
public final class Databases {

    /**
     * How to reach the database.
     *
     * @param url          {@code jdbc:h2:file:…} or {@code jdbc:postgresql://…}
     * @param user         database user (H2: must be an admin, as the default {@code sa} is, for
     *                     {@code SET WRITE_DELAY} and {@code CHECKPOINT SYNC})
     * @param password     password, may be empty; never shown by {@link #toString()}
     * @param maxPoolSize  connections in the pool (≥ 2: the group committer holds one while others read)
     */
    public record Settings(String url, String user, String password, int maxPoolSize) {

        public Settings {
            Objects.requireNonNull(url, "url");
            SqlVendor.ofUrl(url);
            user = user == null ? "" : user;
            password = password == null ? "" : password;
            if (maxPoolSize < 2) {
                throw new IllegalArgumentException("maxPoolSize must be at least 2: " + maxPoolSize);
            }
        }

        /** The embedded default: an H2 database file {@code <dataDir>/mamori.mv.db}, user {@code sa}. */
        public static Settings embedded(Path dataDir) {
            return new Settings(h2FileUrl(dataDir.resolve("mamori")), "sa", "", 8);
        }

        @Override
        public String toString() {
            return "Settings[url=" + withoutSecrets(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                    + ", maxPoolSize=" + maxPoolSize + "]";
        }
    }

    private Databases() {
    }

    /**
     * The URL of an H2 database in file mode. H2's MVStore writes committed changes in the background
     * (WRITE_DELAY, 500 ms by default) and never fsyncs on commit, so the store makes its message inserts
     * durable itself: after each group-commit batch it runs {@code CHECKPOINT SYNC} (write and
     * fsync; H2CrashDurabilityTest kills the process right after the last acknowledged commit). Everything else (claims, attempt records, state moves) rides on the
     * background writer: losing its last half second in a crash at worst repeats a delivery, which
     * at-least-once delivery allows. Forcing {@code WRITE_DELAY=0} instead made every small update rewrite
     * MVStore pages and cost more CPU per relayed message than all the rest of the pipeline.
     *
     * <p>{@code QUERY_CACHE_SIZE}: H2 keeps the parsed form of the last 8 statements per connection by default.
     * The relay path alone uses more distinct statements than that (commit, claim, load, content, attempt,
     * transition), and pooled connections take turns, so H2 kept re-parsing the same SQL; 64 holds them all.
     */
    public static String h2FileUrl(Path databaseFileWithoutSuffix) {
        String path = databaseFileWithoutSuffix.toAbsolutePath().normalize().toString();
        return "jdbc:h2:file:" + path + ";QUERY_CACHE_SIZE=64";
    }

    /** How long a PostgreSQL statement may wait for the server's answer. */
    static final java.time.Duration STATEMENT_SOCKET_TIMEOUT = java.time.Duration.ofMinutes(5);

    /** Creates the pool and migrates the schema; the caller closes the returned pool. */
    public static HikariDataSource open(Settings settings) {
        SqlVendor vendor = SqlVendor.ofUrl(settings.url());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setPoolName("mamori-store");
        config.setAutoCommit(true);
        if (vendor == SqlVendor.POSTGRESQL) {
            // A database that stops answering must not hold every SMTP session at the end of DATA (and the committer
            // with them) for ever: after 5 minutes the statement fails, the commit with it, and clients get 451 before
            // their own 10-minute wait for the reply ends (RFC 5321 §4.5.3.2.6). A socketTimeout in the URL wins.
            config.addDataSourceProperty("socketTimeout", String.valueOf(STATEMENT_SOCKET_TIMEOUT.toSeconds()));
            config.addDataSourceProperty("tcpKeepAlive", "true");
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            org.flywaydb.core.api.configuration.FluentConfiguration flyway = Flyway.configure().locations(vendor.migrations());
            // on PostgreSQL a migration of a large table may take longer than the pool's statement limit: its own connection
            (vendor == SqlVendor.POSTGRESQL ? flyway.dataSource(settings.url(), settings.user(), settings.password())
                    : flyway.dataSource(dataSource)).load().migrate();
            return dataSource;
        } catch (RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException("cannot open the message database " + withoutSecrets(settings.url())
                    + ": " + e.getMessage(), e);
        }
    }

    /** The URL without a {@code password=} parameter, for error messages and logs. */
    public static String withoutSecrets(String url) {
        if (url == null) {
            return "null";
        }
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
