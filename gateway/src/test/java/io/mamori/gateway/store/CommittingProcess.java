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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

/**
 * Run as its own JVM by {@link H2CrashDurabilityTest}: commits messages on the embedded H2 store, prints
 * {@code COMMITTED <index> <id>} after each commit returns, leaves one spool uncommitted, prints
 * {@code READY} and waits to be killed. Every fourth message and the uncommitted spool are larger than the
 * store's inline limit, so both content paths (database row, file) are killed mid-flight.
 */
public final class CommittingProcess {

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        HikariDataSource dataSource = Databases.open(Databases.Settings.embedded(dataDir.resolve("db")));
        MasterKeys keys = MasterKeys.openOrCreate(dataDir.resolve("keys"));
        JdbcMessageStore store = new JdbcMessageStore(dataSource, keys, JdbcMessageStore.Settings.under(dataDir), Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            done.add(pool.submit(() -> {
                try (Spool spool = store.openSpool()) {
                    try (OutputStream out = spool.output()) {
                        out.write(content(index));
                    }
                    Envelope envelope = new Envelope(Direction.INBOUND, "s@example.org", List.of("r@example.jp"),
                            "192.0.2.1", "h", null, false, java.time.Instant.now());
                    String id = store.commit(spool, new NewMessage(envelope, "s", new Verdict(Action.DELIVER, 0, List.of()),
                            MessageState.QUEUED), "").id();
                    synchronized (System.out) {
                        System.out.println("COMMITTED " + index + " " + id);
                        System.out.flush();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        Spool open = store.openSpool();
        try (OutputStream out = open.output()) {
            out.write(large("never committed"));
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(600_000);
    }

    static byte[] content(int index) {
        String text = "Subject: crash " + index + "\r\n\r\nbody " + index + "\r\n";
        return index % 4 == 3 ? large(text) : text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] large(String text) {
        byte[] start = text.getBytes(StandardCharsets.US_ASCII);
        byte[] content = java.util.Arrays.copyOf(start, JdbcMessageStore.Settings.DEFAULT_INLINE_LIMIT + 4096);
        java.util.Arrays.fill(content, start.length, content.length, (byte) 'x');
        return content;
    }
}
