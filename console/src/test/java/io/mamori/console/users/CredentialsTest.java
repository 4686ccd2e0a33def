package io.mamori.console.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.api.ApiTokens;
import io.mamori.console.audit.AuditFilter;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditRecord;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleAccounts.PasswordCheck;
import io.mamori.core.access.Role;
import io.mamori.core.text.InvalidInput;
import io.mamori.gateway.auth.AppPasswords;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets issued and revoked on a real (H2) database with the audit table: each change commits with its entry or
 * not at all, and no entry holds a secret.
 */
class CredentialsTest {

    private static final String ADMIN = "admin@example.co.jp";
    private static final String SOURCE = "10.0.0.9";
    private static final String SATO = "sato@example.co.jp";

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcAuditTrail audit;
    AppPasswords appPasswords;
    ApiTokens apiTokens;
    ConsoleAccounts accounts;
    Credentials credentials;

    @BeforeEach
    void open() throws Exception {
        Clock clock = Clock.systemUTC();
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        MasterKeys keys = MasterKeys.openOrCreate(dir.resolve("keys"));
        JdbcDirectory directory = new JdbcDirectory(dataSource, clock);
        accounts = new ConsoleAccounts(dataSource, directory, keys, new Argon2id(1024, 1, 1),
                new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock);
        appPasswords = new AppPasswords(dataSource, clock);
        apiTokens = new ApiTokens(dataSource, clock);
        audit = new JdbcAuditTrail(dataSource);
        credentials = new Credentials(appPasswords, apiTokens, accounts, audit, clock);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private void damageTheAuditChain() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
    }

    private List<AuditRecord> entries() {
        return audit.search(AuditFilter.ALL, null, 100).entries();
    }

    @Test
    void anAppPasswordIsIssuedAndRevokedWithItsEntryOrNotAtAll() throws Exception {
        String password = credentials.issueAppPassword(SATO, "laptop", ADMIN, SOURCE);
        assertThat(appPasswords.verify(SATO, password)).isTrue();
        long id = appPasswords.list(SATO).get(0).id();
        assertThat(entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("user.app-password.add");
            assertThat(r.object()).isEqualTo(SATO);
            assertThat(r.after()).isEqualTo("label=laptop").doesNotContain(password);
            assertThat(r.actor()).isEqualTo(ADMIN);
            assertThat(r.success()).isTrue();
        });

        assertThat(credentials.revokeAppPassword(SATO, id + 1000, ADMIN, SOURCE)).isFalse();
        assertThat(entries().get(0)).satisfies(r -> {
            assertThat(r.action()).isEqualTo("user.app-password.revoke");
            assertThat(r.before()).isEqualTo("id=" + (id + 1000));
            assertThat(r.after()).isEqualTo("refused: no such active app password");
            assertThat(r.success()).isFalse();
        });

        damageTheAuditChain();
        assertThatThrownBy(() -> credentials.issueAppPassword(SATO, "phone", ADMIN, SOURCE))
                .isInstanceOf(AuditLogException.class);
        assertThat(appPasswords.list(SATO)).as("no second password stored").hasSize(1);
        assertThatThrownBy(() -> credentials.revokeAppPassword(SATO, id, ADMIN, SOURCE))
                .isInstanceOf(AuditLogException.class);
        assertThat(appPasswords.verify(SATO, password)).as("not revoked").isTrue();
    }

    @Test
    void aRefusedLabelIsRecordedAsRefused() {
        assertThatThrownBy(() -> credentials.issueAppPassword(SATO, "tab\tbed", ADMIN, SOURCE))
                .isInstanceOf(InvalidInput.class);
        assertThat(appPasswords.list(SATO)).isEmpty();
        assertThat(entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("user.app-password.add");
            assertThat(r.after()).startsWith("failed: label must be");
            assertThat(r.success()).isFalse();
        });
    }

    @Test
    void anApiTokenIsIssuedAndRevokedWithItsEntryOrNotAtAll() throws Exception {
        ApiTokens.Issued issued = credentials.issueApiToken(SATO, "report", Duration.ofDays(30), ADMIN, SOURCE);
        assertThat(apiTokens.authenticate(issued.token())).contains(SATO);
        assertThat(entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("api-token.issue");
            assertThat(r.after()).startsWith("id=" + issued.id() + " label=report expires=").doesNotContain(issued.token());
        });

        damageTheAuditChain();
        assertThatThrownBy(() -> credentials.issueApiToken(SATO, "second", Duration.ofDays(30), ADMIN, SOURCE))
                .isInstanceOf(AuditLogException.class);
        assertThat(apiTokens.list(SATO)).as("no second token stored").hasSize(1);
        assertThatThrownBy(() -> credentials.revokeApiToken(SATO, issued.id(), ADMIN, SOURCE))
                .isInstanceOf(AuditLogException.class);
        assertThat(apiTokens.authenticate(issued.token())).as("not revoked").contains(SATO);
    }

    @Test
    void aRevokedApiTokenStopsWorkingAndIsRecorded() {
        ApiTokens.Issued issued = credentials.issueApiToken(SATO, "report", Duration.ofDays(30), ADMIN, SOURCE);
        assertThat(credentials.revokeApiToken(SATO, issued.id(), ADMIN, SOURCE)).isTrue();
        assertThat(apiTokens.authenticate(issued.token())).isEmpty();
        assertThat(credentials.revokeApiToken(SATO, issued.id(), ADMIN, SOURCE)).as("already revoked").isFalse();
        assertThat(entries()).extracting(AuditRecord::action, AuditRecord::after, AuditRecord::success).startsWith(
                org.assertj.core.groups.Tuple.tuple("api-token.revoke", "refused: no such usable token", false),
                org.assertj.core.groups.Tuple.tuple("api-token.revoke", "revoked", true));
    }

    @Test
    void anAccountIsResetWithItsEntryOrNotAtAll() throws Exception {
        String initial = accounts.createUser(SATO, "佐藤", "経理部", EnumSet.of(Role.ANALYST));

        String reset = credentials.resetAccount(" Sato@Example.co.jp ", true, ADMIN, SOURCE).orElseThrow();
        assertThat(accounts.checkPassword(SATO, initial)).isInstanceOf(PasswordCheck.Rejected.class);
        assertThat(accounts.checkPassword(SATO, reset)).isInstanceOf(PasswordCheck.Accepted.class);
        assertThat(entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("user.reset");
            assertThat(r.object()).isEqualTo(SATO);
            assertThat(r.after()).isEqualTo("one-time password issued, TOTP cleared").doesNotContain(reset);
            assertThat(r.success()).isTrue();
        });

        assertThat(credentials.resetAccount("suzuki@example.co.jp", false, ADMIN, SOURCE)).isEmpty();
        assertThat(entries().get(0)).satisfies(r -> {
            assertThat(r.object()).isEqualTo("suzuki@example.co.jp");
            assertThat(r.after()).isEqualTo("refused: no console account");
            assertThat(r.success()).isFalse();
        });

        damageTheAuditChain();
        assertThatThrownBy(() -> credentials.resetAccount(SATO, false, ADMIN, SOURCE)).isInstanceOf(AuditLogException.class);
        assertThat(accounts.checkPassword(SATO, reset)).as("the password before still works")
                .isInstanceOf(PasswordCheck.Accepted.class);
    }
}
