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
    private final MamoriProperties settings;
    private io.mamori.core.classifier.ContentLearner learner;

    private LocalStore(HikariDataSource dataSource, MasterKeys keys, JdbcMessageStore store, MamoriProperties settings) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.store = store;
        this.audit = new JdbcAuditTrail(dataSource);
        this.settings = settings;
    }

    static LocalStore open(MamoriProperties settings, Clock clock) throws IOException {
        HikariDataSource ds = Databases.open(databaseSettings(settings));
        try {
            MasterKeys keys = MasterKeys.openOrCreate(settings.dataDir().resolve("keys"));
            JdbcMessageStore.Settings under = JdbcMessageStore.Settings.under(settings.dataDir());
            MamoriProperties.Store s = settings.store();
            JdbcMessageStore store = new JdbcMessageStore(ds, keys, new JdbcMessageStore.Settings(under.spoolDir(),
                    under.messageDir(), s.maxBatch(), s.batchWindow(), (int) Math.min(Integer.MAX_VALUE, s.inlineLimit().toBytes())), clock);
            return new LocalStore(ds, keys, store, settings);
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

    /**
     * What analysts' releases and deletions through the CLI teach the gateway's content model (as through the REST API
     * and the console); written when the store is closed.
     */
    synchronized io.mamori.core.classifier.DecisionLearning learning() throws IOException {
        if (!settings.analysis().learnFromDecisions()) {
            return io.mamori.core.classifier.DecisionLearning.NONE;
        }
        if (learner == null) {
            learner = new io.mamori.core.classifier.ContentLearner(store, settings.analysis().contentModelFile(settings.dataDir()));
        }
        return learner;
    }

    @Override
    public void close() {
        if (learner != null) {
            learner.close();
        }
        store.close();
        dataSource.close();
    }
}
