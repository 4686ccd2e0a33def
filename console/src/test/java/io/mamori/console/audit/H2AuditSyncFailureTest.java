package io.mamori.console.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.gateway.store.Databases;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On H2 an entry is made durable by {@code CHECKPOINT SYNC} after its commit. When that fails (a full or failing
 * disk, which a test cannot cause, so the real H2 database is wrapped to refuse that one statement), the entry and its
 * action did commit: the error must say so, not that the entry was not recorded, which would send someone to do the
 * action again.
 */
class H2AuditSyncFailureTest {

    @TempDir
    Path dir;
    private HikariDataSource real;
    private final AtomicBoolean diskFails = new AtomicBoolean();

    @BeforeEach
    void open() {
        real = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
    }

    @AfterEach
    void close() {
        real.close();
    }

    /** The real data source, whose statements refuse {@code CHECKPOINT SYNC} while {@link #diskFails} is set. */
    private DataSource failingSync() {
        // createStatement only: a PreparedStatement is a Statement too, and must stay what it is
        return proxy(DataSource.class, real, (method, result) -> !(result instanceof Connection c) ? result
                : proxy(Connection.class, c, (m, made) -> m.getName().equals("createStatement")
                        ? checkpointFails((Statement) made) : made));
    }

    private Statement checkpointFails(Statement statement) {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Statement.class},
                (p, m, a) -> {
                    if (m.getName().equals("execute") && a != null && "CHECKPOINT SYNC".equals(a[0]) && diskFails.get()) {
                        throw new SQLException("No space left on device");
                    }
                    return invoke(statement, m, a);
                });
    }

    /** {@code target} behind {@code type}, each result passed through {@code then}. */
    private <T> T proxy(Class<T> type, T target, java.util.function.BiFunction<Method, Object, Object> then) {
        InvocationHandler handler = (p, method, args) -> then.apply(method, invoke(target, method, args));
        return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void anEntryCommittedButNotSyncedIsReportedAsRecordedAndStaysInTheChain() {
        JdbcAuditTrail trail = new JdbcAuditTrail(failingSync());
        trail.record(new AuditEntry(Instant.now(), "admin@example.co.jp", "10.0.0.9", "queue.release", "m-1", null,
                "released", true));

        diskFails.set(true);
        assertThatThrownBy(() -> trail.record(new AuditEntry(Instant.now(), "admin@example.co.jp", "10.0.0.9",
                "queue.delete", "m-2", null, "deleted", true)))
                .isInstanceOf(AuditLogException.class)
                .hasMessageContaining("was recorded with its action")
                .hasMessageContaining("操作をやり直さないでください")
                .hasMessageContaining("could not be synced to disk")
                .hasMessageContaining("No space left on device");
        assertThatThrownBy(() -> trail.recordAlong(work -> {
            try (Connection c = real.getConnection()) {
                c.setAutoCommit(false);
                work.run(c, true);
                c.commit();
                return null;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, done -> new AuditEntry(Instant.now(), "admin@example.co.jp", "10.0.0.9", "lists.add", "x.example", null,
                "added", done))).isInstanceOf(AuditLogException.class).hasMessageContaining("was recorded with its action");

        diskFails.set(false);
        assertThat(trail.search(AuditFilter.ALL, null, 10).entries()).extracting(AuditRecord::action)
                .containsExactly("lists.add", "queue.delete", "queue.release");
        assertThat(trail.verify().intact()).isTrue();
    }
}
