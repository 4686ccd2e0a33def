package io.mamori.console.identity;

import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Console accounts and recovery codes in the gateway's database (tables {@code console_account} and
 * {@code console_recovery_code}, migration V4), on H2 and PostgreSQL alike. Stores what it is given (hashes,
 * encrypted keys); {@link ConsoleAccounts} does the hashing and checking.
 *
 * <p>Thread-safe. Updates that must not race (failure counting, TOTP replay, recovery-code use) are single
 * conditional statements or row-locking transactions.
 */
final class JdbcAccounts {

    private static final String COLUMNS = "email, password_hash, must_change_password, totp_secret, totp_last_step,"
            + " failed_attempts, locked_until, created_at, password_changed_at, last_login_at";

    private final DataSource dataSource;

    JdbcAccounts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Optional<Account> find(String email) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM console_account WHERE email = ?")) {
            q.setString(1, email);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(account(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the account of " + email, e);
        }
    }

    long count() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM console_account");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failure("count accounts", e);
        }
    }

    /** Creates an account with a password to change at first sign-in; {@code false} if one exists. */
    boolean create(String email, String passwordHash, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            return create(c, email, passwordHash, now);
        } catch (SQLException e) {
            throw failure("create the account of " + email, e);
        }
    }

    /** As {@link #create(String, String, Instant)}, on the transaction of {@code c}. */
    boolean create(Connection c, String email, String passwordHash, Instant now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO console_account (email, password_hash,"
                + " must_change_password, failed_attempts, created_at) VALUES (?, ?, TRUE, 0, ?)")) {
            insert.setString(1, email);
            insert.setString(2, passwordHash);
            insert.setObject(3, timestamp(now));
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Replaces the password with one to change at first sign-in and lifts a lock; with {@code clearTotp} also
     * removes the TOTP key and the recovery codes, so the user enrolls again. {@code false} if no account.
     * {@code alongside} runs on the same transaction, told whether the account was reset (its audit entry): if it
     * fails, nothing changes.
     */
    boolean resetToInitialPassword(String email, String passwordHash, boolean clearTotp, TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                boolean reset;
                try (PreparedStatement update = c.prepareStatement("UPDATE console_account SET password_hash = ?,"
                        + " must_change_password = TRUE, password_changed_at = NULL, failed_attempts = 0,"
                        + " locked_until = NULL"
                        + (clearTotp ? ", totp_secret = NULL, totp_last_step = NULL" : "") + " WHERE email = ?")) {
                    update.setString(1, passwordHash);
                    update.setString(2, email);
                    reset = update.executeUpdate() == 1;
                }
                if (reset && clearTotp) {
                    try (PreparedStatement delete = c.prepareStatement("DELETE FROM console_recovery_code WHERE email = ?")) {
                        delete.setString(1, email);
                        delete.executeUpdate();
                    }
                }
                alongside.run(c, reset);
                return reset;
            });
        } catch (SQLException e) {
            throw failure("reset the account of " + email, e);
        }
    }

    /**
     * Counts one failed attempt. On reaching {@code maxFailures} the account is locked until
     * {@code now + lockFor} and the count starts again. Returns the lock end if this failure locked it.
     */
    Optional<Instant> recordFailure(String email, Instant now, int maxFailures, Duration lockFor) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int failures;
                try (PreparedStatement q = c.prepareStatement(
                        "SELECT failed_attempts FROM console_account WHERE email = ? FOR UPDATE")) {
                    q.setString(1, email);
                    try (ResultSet rs = q.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return Optional.empty();
                        }
                        failures = rs.getInt(1) + 1;
                    }
                }
                Instant until = failures >= maxFailures ? now.plus(lockFor) : null;
                try (PreparedStatement update = c.prepareStatement(until != null
                        ? "UPDATE console_account SET failed_attempts = 0, locked_until = ? WHERE email = ?"
                        : "UPDATE console_account SET failed_attempts = ? WHERE email = ?")) {
                    if (until != null) {
                        update.setObject(1, timestamp(until));
                    } else {
                        update.setInt(1, failures);
                    }
                    update.setString(2, email);
                    update.executeUpdate();
                }
                c.commit();
                return Optional.ofNullable(until);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("count a failed sign-in of " + email, e);
        }
    }

    /** A completed sign-in: the failure count starts again. */
    void recordSuccess(String email, Instant now) {
        update("UPDATE console_account SET failed_attempts = 0, last_login_at = ? WHERE email = ?", email, timestamp(now));
    }

    /** Stores a changed password, with {@code alongside} run on the same transaction (told whether it changed). */
    void changePassword(String email, String passwordHash, Instant now, TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            Transactions.inTransaction(c, () -> {
                try (PreparedStatement update = c.prepareStatement("UPDATE console_account SET password_hash = ?,"
                        + " must_change_password = FALSE, password_changed_at = ? WHERE email = ?")) {
                    update.setString(1, passwordHash);
                    update.setObject(2, timestamp(now));
                    update.setString(3, email);
                    if (update.executeUpdate() != 1) {
                        throw new IllegalStateException("no account " + email);
                    }
                }
                alongside.run(c, true);
                return null;
            });
        } catch (SQLException e) {
            throw failure("change the password of " + email, e);
        }
    }

    /**
     * Stores a TOTP key, the step its enrollment code was accepted for, and new recovery codes (replacing any
     * earlier ones), in one transaction with {@code alongside} (told that it enrolled).
     */
    void enrollTotp(String email, String sealedSecret, long acceptedStep, List<RecoveryCodes.Stored> codes, Instant now,
            TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            Transactions.inTransaction(c, () -> {
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE console_account SET totp_secret = ?, totp_last_step = ? WHERE email = ?")) {
                    update.setString(1, sealedSecret);
                    update.setLong(2, acceptedStep);
                    update.setString(3, email);
                    if (update.executeUpdate() != 1) {
                        throw new IllegalStateException("no account " + email);
                    }
                }
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM console_recovery_code WHERE email = ?")) {
                    delete.setString(1, email);
                    delete.executeUpdate();
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO console_recovery_code"
                        + " (email, lookup_code, code_hash, created_at) VALUES (?, ?, ?, ?)")) {
                    for (RecoveryCodes.Stored code : codes) {
                        insert.setString(1, email);
                        insert.setString(2, code.lookup());
                        insert.setString(3, code.hash());
                        insert.setObject(4, timestamp(now));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                alongside.run(c, true);
                return null;
            });
        } catch (SQLException e) {
            throw failure("store the TOTP enrollment of " + email, e);
        }
    }

    /**
     * Records {@code step} as used if it is later than the last used one; {@code false} means the code of that
     * step (or a later one) was already used: a replay.
     */
    boolean acceptTotpStep(String email, long step) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE console_account SET totp_last_step = ?"
                     + " WHERE email = ? AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?)")) {
            update.setLong(1, step);
            update.setString(2, email);
            update.setLong(3, step);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("record the TOTP step of " + email, e);
        }
    }

    /** Whether any account has a TOTP key (one row is enough). */
    boolean anyTotpSecret() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM console_account WHERE totp_secret IS NOT NULL LIMIT 1");
             ResultSet rs = q.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            throw failure("look for TOTP keys", e);
        }
    }

    /** Every stored TOTP key, sealed as stored, by account address. */
    Map<String, String> totpSecrets() {
        Map<String, String> sealed = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT email, totp_secret FROM console_account"
                     + " WHERE totp_secret IS NOT NULL ORDER BY email");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                sealed.put(rs.getString(1), rs.getString(2));
            }
            return sealed;
        } catch (SQLException e) {
            throw failure("read the TOTP keys", e);
        }
    }

    /**
     * Replaces the sealed TOTP key of {@code email} with {@code replacement}, committed on its own, if it is still
     * {@code expected}: {@code false} when the user enrolled again or was reset meanwhile (that key stands).
     */
    boolean replaceTotpSecret(String email, String expected, String replacement) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE console_account SET totp_secret = ? WHERE email = ? AND totp_secret = ?")) {
            update.setString(1, replacement);
            update.setString(2, email);
            update.setString(3, expected);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("store the re-encrypted TOTP key of " + email, e);
        }
    }

    /** The unused recovery code of {@code email} with this lookup code: {@code [id, hash]}, or empty. */
    Optional<RecoveryCodes.Candidate> recoveryCode(String email, String lookup) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id, code_hash FROM console_recovery_code"
                     + " WHERE email = ? AND lookup_code = ? AND used_at IS NULL")) {
            q.setString(1, email);
            q.setString(2, lookup);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(new RecoveryCodes.Candidate(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read recovery codes of " + email, e);
        }
    }

    /** Marks a recovery code used; {@code false} if it already was (two simultaneous uses: one wins). */
    boolean useRecoveryCode(long id, Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE console_recovery_code SET used_at = ? WHERE id = ? AND used_at IS NULL")) {
            update.setObject(1, timestamp(now));
            update.setLong(2, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("use recovery code " + id, e);
        }
    }

    int unusedRecoveryCodes(String email) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement(
                     "SELECT COUNT(*) FROM console_recovery_code WHERE email = ? AND used_at IS NULL")) {
            q.setString(1, email);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw failure("count recovery codes of " + email, e);
        }
    }

    private void update(String sql, String email, Object... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                update.setObject(i + 1, values[i]);
            }
            update.setString(values.length + 1, email);
            update.executeUpdate();
        } catch (SQLException e) {
            throw failure("update the account of " + email, e);
        }
    }

    private static Account account(ResultSet rs) throws SQLException {
        long step = rs.getLong(5);
        Long lastStep = rs.wasNull() ? null : step;
        return new Account(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), lastStep, rs.getInt(6),
                instant(rs, 7), instant(rs, 8), instant(rs, 9), instant(rs, 10));
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
    }
}
