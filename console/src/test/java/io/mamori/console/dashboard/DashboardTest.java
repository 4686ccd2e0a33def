package io.mamori.console.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.console.testing.MutableClock;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.core.access.Role;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.message.Envelope;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dashboard figures on a real H2 store: days in the console's time zone, the 30-day window, and scope. */
class DashboardTest {

    static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcMessageStore store;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T01:00:00Z"));
    Dashboard dashboard;

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                JdbcMessageStore.Settings.under(dir), clock);
        JdbcDirectory directory = new JdbcDirectory(dataSource, clock);
        Scope scope = new Scope(directory);
        MessageTracking tracking = new MessageTracking(store, scope, FindingCatalogue.builtIn(), AuditTrail.LOG_ONLY, clock);
        dashboard = new Dashboard(store, scope, tracking, TOKYO, clock);
    }

    @AfterEach
    void close() {
        store.close();
        dataSource.close();
    }

    private void commitAt(String instant, Direction direction, Action action, boolean tls, String recipient,
            String... findings) throws Exception {
        clock.set(Instant.parse(instant));
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write("Subject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Envelope e = new Envelope(direction, "x@partner.example", List.of(recipient), "192.0.2.10", "mx", null, tls,
                    clock.instant());
            List<Finding> found = java.util.Arrays.stream(findings).map(f -> Finding.of(f, "e")).toList();
            MessageState state = action == Action.QUARANTINE ? MessageState.QUARANTINED : MessageState.QUEUED;
            store.commit(spool, new NewMessage(e, "s", new Verdict(action, 1, found), state), "");
        }
    }

    private static ConsoleUser user(String email, Role role) {
        return new ConsoleUser(email, email, null, Set.of(role), new TreeSet<>(), Locale.JAPANESE);
    }

    @Test
    void daysFollowTheConsoleTimeZoneAndTheWindowIsThirtyDays() throws Exception {
        commitAt("2026-12-01T15:30:00Z", Direction.INBOUND, Action.QUARANTINE, true, "a@example.co.jp",
                "ATTACHMENT_EXECUTABLE");                 // 2 Dec 00:30 in Tokyo: today
        commitAt("2026-12-01T14:30:00Z", Direction.INBOUND, Action.DELIVER, false, "a@example.co.jp"); // 1 Dec 23:30
        commitAt("2026-12-02T00:59:00Z", Direction.OUTBOUND, Action.HOLD, true, "b@partner.example",
                "ATTACHMENT_EXECUTABLE");
        commitAt("2026-10-20T00:00:00Z", Direction.INBOUND, Action.DELIVER, true, "a@example.co.jp"); // outside
        clock.set(Instant.parse("2026-12-02T01:00:00Z"));

        Dashboard.View view = dashboard.view(user("admin@example.co.jp", Role.ADMIN));
        assertThat(view.days()).hasSize(30);
        assertThat(view.days().get(29).date()).isEqualTo(LocalDate.of(2026, 12, 2));
        assertThat(view.days().get(0).date()).isEqualTo(LocalDate.of(2026, 11, 3));
        assertThat(view.today().total()).isEqualTo(2);
        assertThat(view.today(Direction.INBOUND, "QUARANTINE")).isEqualTo(1);
        assertThat(view.today(Direction.OUTBOUND, "HOLD")).isEqualTo(1);
        assertThat(view.days().get(28).counts().get(Direction.INBOUND).get("DELIVER")).isEqualTo(1);
        assertThat(view.total30()).isEqualTo(3);
        assertThat(view.tlsToday()).isEqualTo(100);
        assertThat(view.tls30()).isEqualTo(67);
        assertThat(view.topFindings()).singleElement().satisfies(f -> {
            assertThat(f.reason().code()).isEqualTo("ATTACHMENT_EXECUTABLE");
            assertThat(f.reason().reasonEn()).isNotBlank();
            assertThat(f.count()).isEqualTo(2);
        });
        assertThat(view.queue().get(MessageState.QUARANTINED)).isEqualTo(1);
        assertThat(view.queue().get(MessageState.QUEUED)).isEqualTo(3);
    }

    @Test
    void anEmployeeCountsOnlyTheirOwnMail() throws Exception {
        commitAt("2026-12-02T00:10:00Z", Direction.INBOUND, Action.QUARANTINE, true, "mine@example.co.jp", "ATTACHMENT_EXECUTABLE");
        commitAt("2026-12-02T00:20:00Z", Direction.INBOUND, Action.DELIVER, true, "other@example.co.jp");
        clock.set(Instant.parse("2026-12-02T01:00:00Z"));

        Dashboard.View view = dashboard.view(user("mine@example.co.jp", Role.EMPLOYEE));
        assertThat(view.today().total()).isEqualTo(1);
        assertThat(view.today(Direction.INBOUND, "DELIVER")).isZero();
        assertThat(view.queue().get(MessageState.QUEUED)).isZero();
        assertThat(view.queue().get(MessageState.QUARANTINED)).isEqualTo(1);
    }
}
