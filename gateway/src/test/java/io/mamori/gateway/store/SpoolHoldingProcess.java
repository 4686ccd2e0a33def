package io.mamori.gateway.store;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.crypto.MasterKeys;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Run as its own JVM by {@link SpoolSharingTest}: opens a store on its own embedded database and message directory but
 * the spool directory it is given (as processes sharing one data directory over PostgreSQL do), prints {@code READY}
 * and keeps the store open until its standard input ends.
 */
public final class SpoolHoldingProcess {

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Path spoolDir = Path.of(args[1]);
        try (HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dataDir.resolve("db")))) {
            JdbcMessageStore store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dataDir.resolve("keys")),
                    new JdbcMessageStore.Settings(spoolDir, dataDir.resolve("messages"), 1, java.time.Duration.ZERO,
                            JdbcMessageStore.Settings.DEFAULT_INLINE_LIMIT), Clock.systemUTC());
            System.out.println("READY");
            System.out.flush();
            System.in.readAllBytes();
            store.close();
        }
    }
}
