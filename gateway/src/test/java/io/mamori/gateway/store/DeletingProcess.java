package io.mamori.gateway.store;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.gateway.crypto.MasterKeys;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Run as its own JVM by {@link H2CrashDurabilityTest}: commits messages on the embedded H2 store (every one larger than
 * the inline limit, so each has a content file), moves each to DELETED, prints {@code DELETED <id>} after each move
 * returns, then {@code READY}, and waits to be killed.
 */
public final class DeletingProcess {

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dataDir.resolve("db")));
        MasterKeys keys = MasterKeys.openOrCreate(dataDir.resolve("keys"));
        JdbcMessageStore store = new JdbcMessageStore(dataSource, keys, JdbcMessageStore.Settings.under(dataDir), Clock.systemUTC());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (Spool spool = store.openSpool()) {
                try (OutputStream out = spool.output()) {
                    out.write(CommittingProcess.content(4 * i + 3));
                }
                Envelope envelope = new Envelope(Direction.INBOUND, "s@example.org", List.of("r@example.jp"),
                        "192.0.2.1", "h", null, false, Instant.now());
                ids.add(store.commit(spool, new NewMessage(envelope, "s", new Verdict(Action.QUARANTINE, 9, List.of()),
                        MessageState.QUARANTINED), "").id());
            }
        }
        for (String id : ids) {
            if (!store.transition(id, MessageState.DELETED)) {
                throw new IllegalStateException("not deleted: " + id);
            }
            System.out.println("DELETED " + id);
            System.out.flush();
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
