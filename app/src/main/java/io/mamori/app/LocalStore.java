package io.mamori.app;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.identity.ConsoleAccounts;
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

    /** What a command does with the store, once it is open. */
    interface Action {
        int apply(LocalStore store) throws Exception;
    }

    /**
     * A command of the command line that works on the store, for the error it prints when a running gateway holds the
     * embedded H2 database (which locks its file): the command's name, which begins the error, and what does the same
     * while the gateway runs, in Japanese and English ({@code null} when nothing does: the gateway must be stopped).
     */
    record Command(String name, String insteadJa, String insteadEn) {

        /** {@code users: 組み込みデータベースは… / the embedded database is in use …; stop it or use …} */
        String databaseInUse() {
            return name + ": 組み込みデータベースは稼働中のゲートウェイが使用中です。ゲートウェイを停止"
                    + (insteadJa == null ? "してください" : "するか、" + insteadJa + "を使ってください")
                    + " / the embedded database is in use by a running gateway; stop it"
                    + (insteadEn == null ? " first" : " or use " + insteadEn);
        }
    }

    /**
     * Opens the store as configured, runs {@code action} on it and closes it. When a running gateway holds the embedded
     * database, says so on standard error as {@code command} and returns 3; when the master keyset of a database that
     * holds encrypted data is missing, says so and returns 1.
     */
    static int with(Command command, Action action) throws Exception {
        LocalStore store;
        try {
            store = open(Settings.load(java.util.List.of()), Clock.systemUTC());
        } catch (MasterKeys.KeysetMissing e) {
            System.err.println(command.name() + ": " + e.bilingual());
            return 1;
        } catch (RuntimeException e) {
            if (databaseInUse(e)) {
                System.err.println(command.databaseInUse());
                return 3;
            }
            throw e;
        }
        try (store) {
            return action.apply(store);
        }
    }

    /** Whether opening the database failed because another process (a running gateway) holds the H2 file. */
    static boolean databaseInUse(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains("already in use")) {
                return true;
            }
        }
        return false;
    }

    static LocalStore open(MamoriProperties settings, Clock clock) throws IOException {
        HikariDataSource ds = Databases.open(databaseSettings(settings));
        try {
            // A missing keyset is created only for a database that holds nothing encrypted: data restored without its
            // keys directory must not start under new keys that cannot read it.
            MasterKeys keys = MasterKeys.openOrCreate(settings.dataDir().resolve("keys"),
                    () -> JdbcMessageStore.holdsWrappedKeys(ds) || ConsoleAccounts.holdsTotpSecrets(ds));
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
