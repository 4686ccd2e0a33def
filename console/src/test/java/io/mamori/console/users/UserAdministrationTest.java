package io.mamori.console.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditFilter;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditRecord;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;

import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.notice.NoticeTemplates;
import io.mamori.console.notice.Notices;
import io.mamori.core.access.Role;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes to people's access on a real (H2) database with the audit table: a change and its entry commit together. */
class UserAdministrationTest {

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcMessageStore store;
    JdbcDirectory directory;
    JdbcAuditTrail audit;
    ConsoleAccounts accounts;
    UserAdministration administration;

    @BeforeEach
    void open() throws Exception {
        Clock clock = Clock.systemUTC();
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        MasterKeys keys = MasterKeys.openOrCreate(dir.resolve("keys"));
        store = new JdbcMessageStore(dataSource, keys, JdbcMessageStore.Settings.under(dir), clock);
        directory = new JdbcDirectory(dataSource, clock);
        accounts = new ConsoleAccounts(dataSource, directory, keys, new Argon2id(1024, 1, 1),
                new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock);
        Policy policy = new PolicyLoader(FindingCatalogue.builtIn()).parse("""
                version: 1
                organisation:
                  name: テスト株式会社
                  internal_domains: [example.co.jp]
                inbound:
                  thresholds: { tag: 4, hold: 8, quarantine: 10 }
                outbound:
                  thresholds: { tag: 6, quarantine: 15 }
                """, "policy.yaml");
        Notices notices = new Notices(store, new NoticeTemplates(dir.resolve("notices")), () -> policy,
                new Notices.Settings("mamori@example.co.jp", "https://mamori.example.co.jp/", "mamori.test",
                        ZoneId.of("Asia/Tokyo")), clock);
        audit = new JdbcAuditTrail(dataSource);
        administration = new UserAdministration(directory, accounts, notices, audit, clock);
    }

    @AfterEach
    void close() {
        store.close();
        dataSource.close();
    }

    private static Person person(Set<Role> roles) {
        return new Person("sato@example.co.jp", "佐藤", "経理部", null, roles, new TreeSet<>(), "ja", true,
                Person.Source.CONSOLE);
    }

    @Test
    void aChangeOfRolesCommitsWithItsEntryOrNotAtAll() throws Exception {
        Person employee = person(EnumSet.of(Role.EMPLOYEE));
        directory.save(employee);
        Person analyst = person(EnumSet.of(Role.EMPLOYEE, Role.ANALYST));

        administration.update(employee, analyst, "admin@example.co.jp", "10.0.0.9");
        assertThat(directory.find("sato@example.co.jp").orElseThrow().roles()).contains(Role.ANALYST);
        assertThat(audit.search(AuditFilter.ALL, null, 10).entries()).extracting(AuditRecord::action)
                .contains("user.update");

        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
        Person admin = person(EnumSet.of(Role.EMPLOYEE, Role.ADMIN));
        assertThatThrownBy(() -> administration.update(analyst, admin, "admin@example.co.jp", "10.0.0.9"))
                .isInstanceOf(AuditLogException.class);
        assertThat(directory.find("sato@example.co.jp").orElseThrow().roles()).as("not made an administrator")
                .doesNotContain(Role.ADMIN).contains(Role.ANALYST);
    }

    @Test
    void anAccountIsCreatedWithItsEntryOrNotAtAll() throws Exception {
        String password = administration.createAccount("tanaka@example.co.jp", "田中", "営業部", EnumSet.of(Role.ANALYST),
                "admin@example.co.jp", "10.0.0.9");
        assertThat(password).isNotBlank();
        assertThat(accounts.hasAccount("tanaka@example.co.jp")).isTrue();
        assertThat(audit.search(AuditFilter.ALL, null, 10).entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("user.created");
            assertThat(r.object()).isEqualTo("tanaka@example.co.jp");
            assertThat(r.success()).isTrue();
        });

        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
        assertThatThrownBy(() -> administration.createAccount("suzuki@example.co.jp", "鈴木", null, EnumSet.of(Role.ADMIN),
                "admin@example.co.jp", "10.0.0.9")).isInstanceOf(AuditLogException.class);
        assertThat(accounts.hasAccount("suzuki@example.co.jp")).as("no account").isFalse();
        assertThat(directory.find("suzuki@example.co.jp")).as("nor a directory entry").isEmpty();
    }

    @Test
    void anImportIsAppliedWithItsEntryOrNotAtAll() throws Exception {
        directory.save(new Person("admin@example.co.jp", "管理者", null, null, EnumSet.of(Role.ADMIN), new TreeSet<>(), "ja",
                true, Person.Source.CONSOLE));
        byte[] csv = ("email,display_name,department,roles\n"
                + "sato@example.co.jp,佐藤,経理部,analyst\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        administration.importCsv(csv, "people.csv", true, "admin@example.co.jp", "10.0.0.9");
        assertThat(directory.find("sato@example.co.jp")).as("a dry run writes nothing").isEmpty();

        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
        assertThatThrownBy(() -> administration.importCsv(csv, "people.csv", false, "admin@example.co.jp", "10.0.0.9"))
                .isInstanceOf(AuditLogException.class);
        assertThat(directory.find("sato@example.co.jp")).as("not imported").isEmpty();
    }
}
