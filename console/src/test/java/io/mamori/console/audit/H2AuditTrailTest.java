package io.mamori.console.audit;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import java.nio.file.Path;
import java.sql.Connection;

class H2AuditTrailTest extends AuditTrailContract {

    @Override
    Databases.Settings freshDatabase(Path dir) {
        return Databases.Settings.embedded(dir.resolve("db"));
    }

    @Override
    void dropDatabase() {
        // the temporary directory goes with the test
    }

    @Override
    void tamper(Connection c, String sql) throws Exception {
        execute(c, sql);
    }

    /**
     * An H2 file database belongs to one process, but a second pool (with its own audit trail, so its own
     * in-process lock) opened in this JVM shares it: the two contend through the database's row lock alone.
     */
    @Override
    HikariDataSource secondNode() {
        return Databases.open(freshDatabase(dir));
    }
}
