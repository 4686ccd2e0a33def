package io.mamori.console.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListFile;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.gateway.lists.JdbcListStore;
import io.mamori.gateway.store.Databases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListServiceTest {

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    final List<AuditEntry> audited = new CopyOnWriteArrayList<>();
    ListService service;
    JdbcListStore store;

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcListStore(dataSource, Clock.systemUTC(), Duration.ofSeconds(10));
        List<ListEntry> file = ListFile.parse("block link evil.example\n".getBytes(StandardCharsets.UTF_8), "lists.txt");
        service = new ListService(store, List::of, () -> file, entry -> {
            AuditTrail.LOG_ONLY.record(entry);
            audited.add(entry);
        }, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void withTheAuditTableAChangeWhoseEntryCannotBeWrittenDoesNotHappen() throws Exception {
        io.mamori.console.audit.JdbcAuditTrail table = new io.mamori.console.audit.JdbcAuditTrail(dataSource);
        ListService recorded = new ListService(store, List::of, List::of, table, Clock.systemUTC());
        ListService.View kept = recorded.add(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", null, "cli:root", "local");
        assertThat(table.search(io.mamori.console.audit.AuditFilter.ALL, null, 10).entries()).singleElement()
                .satisfies(r -> assertThat(r.after()).isEqualTo("global#" + kept.id()));
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }

        assertThatThrownBy(() -> recorded.add(ListKind.ALLOW, ListTarget.SENDER, null, "partner.example", null, "cli:root",
                "local")).isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        assertThatThrownBy(() -> recorded.remove(kept.id(), "cli:root", "local"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        assertThatThrownBy(() -> recorded.remove(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "cli:root", "local"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);

        assertThat(store.list(null)).extracting(e -> e.entry().pattern().text()).containsExactly("spam.example");
    }

    @Test
    void entriesAreAddedListedWithEverySourceAndRemovedWithAnAuditEntryEachTime() {
        ListService.View added = service.add(ListKind.BLOCK, ListTarget.SENDER, null, "Spam.example", "campaign", "cli:root", "local");
        ListService.View own = service.add(ListKind.ALLOW, ListTarget.SENDER, "sato@example.co.jp", "partner.example", null,
                "api-token", "10.0.0.5");

        assertThat(service.list(null, null, "cli:root", "local")).extracting(ListService.View::origin, ListService.View::editable)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("file:lists.txt:1", false),
                        org.assertj.core.groups.Tuple.tuple("global#" + added.id(), true));
        assertThat(service.list(ListKind.ALLOW, "sato@example.co.jp", "cli:root", "local")).extracting(ListService.View::value)
                .containsExactly("partner.example");
        assertThat(store.entriesFor(List.of("sato@example.co.jp"))).hasSize(2);

        service.remove(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "cli:root", "local");
        service.remove(own.id(), "api-token", "10.0.0.5");
        assertThat(store.entriesFor(List.of("sato@example.co.jp"))).isEmpty();
        assertThat(audited).extracting(AuditEntry::action, AuditEntry::object).containsExactly(
                org.assertj.core.groups.Tuple.tuple("lists.add", "block sender Spam.example"),
                org.assertj.core.groups.Tuple.tuple("lists.add", "allow sender partner.example user=sato@example.co.jp"),
                org.assertj.core.groups.Tuple.tuple("lists.list", "allow,block global"),
                org.assertj.core.groups.Tuple.tuple("lists.list", "allow user sato@example.co.jp"),
                org.assertj.core.groups.Tuple.tuple("lists.remove", "block sender spam.example"),
                org.assertj.core.groups.Tuple.tuple("lists.remove", "#" + own.id()));
        assertThat(audited).allMatch(AuditEntry::success);
    }

    @Test
    void refusedChangesAreAuditedToo() {
        service.add(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "", "cli:root", "local");
        assertThatThrownBy(() -> service.add(ListKind.BLOCK, ListTarget.SENDER, null, "spam.example", "", "cli:root", "local"))
                .isInstanceOf(JdbcListStore.DuplicateEntry.class);
        assertThatThrownBy(() -> service.add(ListKind.BLOCK, ListTarget.SENDER, null, "jp", "", "cli:root", "local"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.remove(ListKind.ALLOW, ListTarget.SENDER, null, "partner.example", "cli:root", "local"))
                .isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> service.remove(12345, "cli:root", "local")).isInstanceOf(NoSuchElementException.class);
        assertThat(audited).extracting(AuditEntry::success).containsExactly(true, false, false, false, false);
        assertThat(ListService.impliedTarget("https://bit.ly/x")).isEqualTo(ListTarget.LINK);
        assertThat(ListService.impliedTarget("bit.ly")).isEqualTo(ListTarget.SENDER);
    }
}
