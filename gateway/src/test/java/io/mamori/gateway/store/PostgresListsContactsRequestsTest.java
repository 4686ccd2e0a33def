package io.mamori.gateway.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The V6 tables on the local PostgreSQL, each test in a schema of its own that is dropped afterwards. */
class PostgresListsContactsRequestsTest extends ListsContactsRequestsContract {

    private String schema;

    @Override
    Databases.Settings freshDatabase(Path dir) throws Exception {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        schema = "mamori_test_" + HexFormat.of().formatHex(random);
        try (Connection c = PostgresMessageStoreTest.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        return new Databases.Settings(PostgresMessageStoreTest.SERVER + "?currentSchema=" + schema, "postgres", "", 8);
    }

    @Override
    void dropDatabase() throws Exception {
        try (Connection c = PostgresMessageStoreTest.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
