package io.mamori.console.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditFilter;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditRecord;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleAccounts.PasswordCheck;
import io.mamori.console.identity.ConsoleAccounts.PasswordProblem;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's changes to their own account as the account pages make them ({@link ConsoleAudit#recordAlong}), on a real
 * (H2) database with the audit table: the new password and the TOTP enrolment commit with their entries or not at
 * all; a refused change records nothing here (the page records the refusal) and changes nothing.
 */
class OwnAccountAuditTest {

    private static final String SATO = "sato@example.co.jp";
    private static final String NEW_PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;
    private HikariDataSource dataSource;
    private JdbcAuditTrail trail;
    private ConsoleAudit audit;
    private ConsoleAccounts accounts;
    private InetAddress client;

    @BeforeEach
    void open() throws Exception {
        Clock clock = Clock.systemUTC();
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        accounts = new ConsoleAccounts(dataSource, new JdbcDirectory(dataSource, clock),
                MasterKeys.openOrCreate(dir.resolve("keys")), new Argon2id(1024, 1, 1),
                new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock);
        trail = new JdbcAuditTrail(dataSource);
        audit = new ConsoleAudit(trail, clock);
        client = InetAddress.getByName("10.0.0.9");
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private List<AuditRecord> entries() {
        return trail.search(AuditFilter.ALL, null, 100).entries();
    }

    private void damageTheAuditChain() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
    }

    private Optional<PasswordProblem> change(String current, String next) {
        return audit.recordAlong(SATO, client, "password.changed", SATO, null,
                work -> accounts.changePassword(SATO, current, next, next, work));
    }

    private static String appCode(String displayedSecret, Instant at) throws Exception {
        byte[] key = new Base32().decode(displayedSecret.replace(" ", ""));
        return new com.eatthepath.otp.TimeBasedOneTimePasswordGenerator()
                .generateOneTimePasswordString(new javax.crypto.spec.SecretKeySpec(key, "RAW"), at);
    }

    @Test
    void aPasswordIsChangedWithItsEntryOrNotAtAll() throws Exception {
        String initial = accounts.createUser(SATO, "佐藤", "経理部", EnumSet.of(Role.ANALYST));

        assertThat(change("wrong", NEW_PASSWORD)).contains(PasswordProblem.CURRENT_WRONG);
        assertThat(entries()).as("a refusal is the page's to record").isEmpty();

        assertThat(change(initial, NEW_PASSWORD)).isEmpty();
        assertThat(accounts.checkPassword(SATO, NEW_PASSWORD)).isInstanceOf(PasswordCheck.Accepted.class);
        assertThat(entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("password.changed");
            assertThat(r.actor()).isEqualTo(SATO);
            assertThat(r.sourceIp()).isEqualTo("10.0.0.9");
            assertThat(r.success()).isTrue();
            assertThat(String.valueOf(r.after())).doesNotContain(NEW_PASSWORD);
        });

        damageTheAuditChain();
        assertThatThrownBy(() -> change(NEW_PASSWORD, "another long passphrase")).isInstanceOf(AuditLogException.class);
        assertThat(accounts.checkPassword(SATO, NEW_PASSWORD)).as("the password before still works")
                .isInstanceOf(PasswordCheck.Accepted.class);
    }

    @Test
    void anAuthenticatorIsEnrolledWithItsEntryOrNotAtAll() throws Exception {
        accounts.createUser(SATO, "佐藤", "経理部", EnumSet.of(Role.ANALYST));
        ConsoleAccounts.Enrollment first = accounts.startEnrollment(SATO, "Mamori");

        Optional<List<String>> wrong = audit.recordAlong(SATO, client, "mfa.enrolled", SATO, "totp",
                work -> accounts.finishEnrollment(SATO, first, "000000", work));
        assertThat(wrong).isEmpty();
        assertThat(entries()).isEmpty();
        assertThat(accounts.totpEnrolled(SATO)).isFalse();

        damageTheAuditChain();
        String code = appCode(first.displaySecret(), Instant.now());
        assertThatThrownBy(() -> audit.recordAlong(SATO, client, "mfa.enrolled", SATO, "totp",
                work -> accounts.finishEnrollment(SATO, first, code, work))).isInstanceOf(AuditLogException.class);
        assertThat(accounts.totpEnrolled(SATO)).as("no key stored without its entry").isFalse();
        assertThat(accounts.recoveryCodesLeft(SATO)).isZero();
    }
}
