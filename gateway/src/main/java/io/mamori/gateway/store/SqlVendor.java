package io.mamori.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The databases the store supports; each has its own Flyway migrations and a few statements of its own. */
enum SqlVendor {
    H2("classpath:db/migration/h2"),
    POSTGRESQL("classpath:db/migration/postgresql");

    private final String migrations;

    SqlVendor(String migrations) {
        this.migrations = migrations;
    }

    String migrations() {
        return migrations;
    }

    static SqlVendor ofUrl(String jdbcUrl) {
        String lower = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (expected jdbc:h2:… or jdbc:postgresql:…): "
                + Databases.withoutSecrets(jdbcUrl));
    }

    static SqlVendor of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        if ("H2".equalsIgnoreCase(product)) {
            return H2;
        }
        if ("PostgreSQL".equalsIgnoreCase(product)) {
            return POSTGRESQL;
        }
        throw new SQLException("unsupported database product: " + product);
    }
}
