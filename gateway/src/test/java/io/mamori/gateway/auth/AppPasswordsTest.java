package io.mamori.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.text.InvalidInput;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The app password store against both databases, each migrated by Flyway from the V2 scripts. */
class AppPasswordsTest {

    private static final Instant T0 = Instant.parse("2025-04-01T00:00:00Z");
    private static final List<String> SCHEMAS = new ArrayList<>();

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    private final MutableClock clock = new MutableClock(T0);

    private AppPasswords store(String database) {
        DataSource dataSource;
        if (database.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:apppw-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            dataSource = h2;
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/h2").load().migrate();
        } else {
            String schema = "apppw_" + UUID.randomUUID().toString().replace("-", "");
            SCHEMAS.add(schema);
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema);
            pg.setUser("postgres");
            dataSource = pg;
            Flyway.configure().dataSource(dataSource).schemas(schema).createSchemas(true)
                    .locations("classpath:db/migration/postgresql").load().migrate();
        }
        this.dataSource = dataSource;
        return new AppPasswords(dataSource, clock, new Argon2id(1024, 1, 1), Duration.ofMinutes(15));
    }

    private DataSource dataSource;

    @AfterAll
    static void dropSchemas() throws SQLException {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL("jdbc:postgresql://127.0.0.1:5432/test");
        pg.setUser("postgres");
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            for (String schema : SCHEMAS) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anIssuedPasswordVerifiesInAnyCaseWithOrWithoutSeparators(String database) {
        AppPasswords store = store(database);
        String password = store.issue("Taro@Example.co.jp", "Outlook");
        assertThat(password).matches("[a-z2-7]{4}(-[a-z2-7]{4}){5}");
        assertThat(store.verify("taro@example.co.jp", password)).isTrue();
        assertThat(store.verify("TARO@example.co.jp", password.toUpperCase())).isTrue();
        assertThat(store.verify("taro@example.co.jp", password.replace("-", " "))).isTrue();
        assertThat(store.verify("taro@example.co.jp", password.replace("-", ""))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBadAddressOrLabelIsRefusedInEnglishAndJapanese(String database) {
        AppPasswords store = store(database);
        assertThatThrownBy(() -> store.issue("taro", "Outlook")).isInstanceOfSatisfying(InvalidInput.class,
                e -> assertThat(e.bilingual()).isEqualTo("利用者のメールアドレスは local@domain の形で、320 文字以内にしてください"
                        + " / user e-mail must look like local@domain, at most 320 characters"));
        assertThatThrownBy(() -> store.issue("taro@example.co.jp", "tab\tbed")).isInstanceOfSatisfying(InvalidInput.class,
                e -> assertThat(e.messageJa()).isEqualTo("ラベルは 1〜200 文字で、制御文字は使えません"));
        assertThat(store.list("taro@example.co.jp")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void wrongPasswordsUnknownUsersAndGarbageAreRefused(String database) {
        AppPasswords store = store(database);
        String password = store.issue("taro@example.co.jp", "Outlook");
        char last = password.charAt(password.length() - 1);
        String oneCharOff = password.substring(0, password.length() - 1) + (last == 'a' ? 'b' : 'a');
        assertThat(store.verify("taro@example.co.jp", oneCharOff)).isFalse();
        assertThat(store.verify("hanako@example.co.jp", password)).isFalse();
        assertThat(store.verify("taro@example.co.jp", "")).isFalse();
        assertThat(store.verify("taro@example.co.jp", password + "a")).isFalse();
        assertThat(store.verify("taro@example.co.jp", "password1!")).isFalse();
        assertThat(store.verify(null, password)).isFalse();
        assertThat(store.verify("taro@example.co.jp", null)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void onlyAnArgon2idHashIsStored(String database) throws SQLException {
        AppPasswords store = store(database);
        String password = store.issue("taro@example.co.jp", "Outlook");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT password_hash, lookup_code FROM app_password")) {
            assertThat(rs.next()).isTrue();
            String hash = rs.getString(1);
            assertThat(hash).startsWith("$argon2id$v=19$m=1024,t=1,p=1$").doesNotContain(password.replace("-", ""));
            assertThat(rs.getString(2)).isEqualTo(password.substring(0, 4));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void listShowsLabelsUseAndRevocation(String database) {
        AppPasswords store = store(database);
        String outlook = store.issue("taro@example.co.jp", "Outlook");
        clock.advance(Duration.ofMinutes(1));
        store.issue("taro@example.co.jp", "iPhone");
        store.issue("jiro@example.co.jp", "other user");
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.verify("taro@example.co.jp", outlook)).isTrue();

        List<AppPassword> list = store.list("taro@example.co.jp");
        assertThat(list).extracting(AppPassword::label).containsExactly("Outlook", "iPhone");
        assertThat(list.get(0).createdAt()).isEqualTo(T0);
        assertThat(list.get(0).lastUsedAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(list.get(1).lastUsedAt()).isNull();
        assertThat(list).noneMatch(AppPassword::revoked);

        assertThat(store.revoke("jiro@example.co.jp", list.get(0).id())).as("someone else's password").isFalse();
        assertThat(store.revoke("taro@example.co.jp", list.get(0).id())).isTrue();
        assertThat(store.revoke("taro@example.co.jp", list.get(0).id())).as("already revoked").isFalse();
        assertThat(store.list("taro@example.co.jp").get(0).revokedAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void revocationTakesEffectAtOnceEvenForACachedVerification(String database) {
        AppPasswords store = store(database);
        String password = store.issue("taro@example.co.jp", "Outlook");
        assertThat(store.verify("taro@example.co.jp", password)).isTrue();
        assertThat(store.verify("taro@example.co.jp", password)).isTrue();
        store.revoke("taro@example.co.jp", store.list("taro@example.co.jp").get(0).id());
        assertThat(store.verify("taro@example.co.jp", password)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void workAlongsideSharesTheTransactionAndItsFailureUndoesTheChange(String database) {
        AppPasswords store = store(database);
        List<Long> rowsSeen = new ArrayList<>();
        String password = store.issue("taro@example.co.jp", "Outlook", (c, issued) -> {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM app_password")) {
                rs.next();
                rowsSeen.add(rs.getLong(1));
            }
        });
        assertThat(rowsSeen).as("the work sees the insert on its transaction").containsExactly(1L);

        assertThatThrownBy(() -> store.issue("taro@example.co.jp", "iPhone", (c, issued) -> {
            throw new SQLException("entry refused");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("entry refused");
        assertThat(store.list("taro@example.co.jp")).extracting(AppPassword::label).containsExactly("Outlook");

        long id = store.list("taro@example.co.jp").get(0).id();
        List<Boolean> told = new ArrayList<>();
        assertThat(store.revoke("taro@example.co.jp", id + 1, (c, revoked) -> told.add(revoked))).isFalse();
        assertThatThrownBy(() -> store.revoke("taro@example.co.jp", id, (c, revoked) -> {
            told.add(revoked);
            throw new SQLException("entry refused");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(told).as("told whether a password was revoked").containsExactly(false, true);
        assertThat(store.verify("taro@example.co.jp", password)).as("the failed revocation was rolled back").isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void issuingRefusesInvalidInput(String database) {
        AppPasswords store = store(database);
        assertThatThrownBy(() -> store.issue("not-an-email", "x")).hasMessageContaining("local@domain");
        assertThatThrownBy(() -> store.issue("taro@example.co.jp", " ")).hasMessageContaining("label");
        assertThatThrownBy(() -> store.issue("taro@example.co.jp", "line\nbreak")).hasMessageContaining("control");
        assertThat(store.list("taro@example.co.jp")).isEmpty();
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends java.time.Clock {
        private Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
