package io.mamori.app;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.IOException;
import java.time.Clock;

/**
 * The database, master keys, message store and audit log as configured: opened the same way by the gateway and
 * by the offline commands. Closing it stops the group committer and the pool.
 */
final class LocalStore implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final MasterKeys keys;
    private final JdbcMessageStore store;
    private final JdbcAuditTrail audit;

    private LocalStore(HikariDataSource dataSource, MasterKeys keys, JdbcMessageStore store) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.store = store;
        this.audit = new JdbcAuditTrail(dataSource);
    }

    static LocalStore open(MamoriProperties settings, Clock clock) throws IOException {
        HikariDataSource ds = Databases.open(databaseSettings(settings));
        try {
            MasterKeys keys = MasterKeys.openOrCreate(settings.dataDir().resolve("keys"));
            JdbcMessageStore.Settings under = JdbcMessageStore.Settings.under(settings.dataDir());
            MamoriProperties.Store s = settings.store();
            JdbcMessageStore store = new JdbcMessageStore(ds, keys, new JdbcMessageStore.Settings(under.spoolDir(),
                    under.messageDir(), s.maxBatch(), s.batchWindow(), (int) Math.min(Integer.MAX_VALUE, s.inlineLimit().toBytes())), clock);
            return new LocalStore(ds, keys, store);
        } catch (IOException | RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    static Databases.Settings databaseSettings(MamoriProperties settings) {
        MamoriProperties.Db db = settings.db();
        if (db.embedded()) {
            Databases.Settings embedded = Databases.Settings.embedded(settings.dataDir().resolve("db"));
            return new Databases.Settings(embedded.url(), embedded.user(), embedded.password(), Math.max(2, db.poolSize()));
        }
        return new Databases.Settings(db.url(), db.user(), db.password(), Math.max(2, db.poolSize()));
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    MasterKeys keys() {
        return keys;
    }

    JdbcMessageStore store() {
        return store;
    }

    JdbcAuditTrail audit() {
        return audit;
    }

    @Override
    public void close() {
        store.close();
        dataSource.close();
    }
}
