package io.mamori.gateway.auth;

import io.mamori.core.text.InvalidInput;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Per-user app passwords for SMTP AUTH, stored as Argon2id hashes (table {@code app_password}, migration V2).
 *
 * <p>A password is 24 characters of the RFC 4648 base32 alphabet (120 random bits), shown as six groups of
 * four: {@code abcd-efgh-ijkl-mnop-qrst-uvwx}. Dashes, spaces and case are ignored when verifying. The first
 * group is also stored in clear as a lookup code, so a verification reads exactly one row and computes
 * exactly one Argon2id hash; for an unknown user or lookup code a dummy hash of the same cost is computed, so
 * timing does not reveal which users exist.
 *
 * <p>Thread-safe.
 */
public final class AppPasswords implements PasswordVerifier {

    private static final int LENGTH = 24;
    private static final int GROUP = Base32Code.GROUP;
    private static final int MAX_EMAIL = 320;
    private static final int MAX_LABEL = 200;
    private static final int ISSUE_ATTEMPTS = 5;
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Clock clock;
    private final Argon2id argon2;
    private final String dummyHash;
    private final SecureRandom random = new SecureRandom();
    private final VerifiedCache cache;

    public AppPasswords(DataSource dataSource, Clock clock) {
        this(dataSource, clock, Argon2id.OWASP, Duration.ofMinutes(15));
    }

    AppPasswords(DataSource dataSource, Clock clock, Argon2id argon2, Duration cacheTtl) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.argon2 = argon2;
        this.dummyHash = argon2.hash(randomPassword());
        this.cache = new VerifiedCache(cacheTtl, 10_000, random, clock);
    }

    /**
     * Issues a new app password for {@code userEmail} and returns it; only its hash is stored, so this is the
     * only time it can be shown.
     *
     * @throws InvalidInput if the e-mail address or label is empty, too long or contains control characters (the
     *                      reason in English and Japanese)
     */
    public String issue(String userEmail, String label) {
        return issue(userEmail, label, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * Issues a new app password as {@link #issue(String, String)} does, with {@code alongside} run on the insert's
     * transaction after the insert (the audit entry of the person who issued it): if it fails, no password is stored.
     */
    public String issue(String userEmail, String label, TransactionWork alongside) {
        String user = normalizeUser(userEmail);
        if (user == null) {
            throw new InvalidInput("user e-mail must look like local@domain, at most " + MAX_EMAIL + " characters",
                    "利用者のメールアドレスは local@domain の形で、" + MAX_EMAIL + " 文字以内にしてください");
        }
        if (label == null || label.isBlank() || label.length() > MAX_LABEL || label.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInput("label must be 1.." + MAX_LABEL + " characters without control characters",
                    "ラベルは 1〜" + MAX_LABEL + " 文字で、制御文字は使えません");
        }
        for (int attempt = 0; attempt < ISSUE_ATTEMPTS; attempt++) {
            String password = randomPassword();
            String hash = argon2.hash(password);
            try (Connection c = dataSource.getConnection()) {
                Transactions.inTransaction(c, () -> {
                    insert(c, user, label.strip(), password.substring(0, GROUP), hash);
                    alongside.run(c, true);
                    return null;
                });
                return display(password);
            } catch (LookupCodeTaken e) {
                // Lookup code already used by this user (1 in 2^20 per existing password): draw again.
            } catch (SQLException e) {
                throw new IllegalStateException("cannot store the app password: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("could not find a free lookup code for " + user);
    }

    /** The insert's unique-key violation, told apart from a failure of the work alongside it. */
    private static final class LookupCodeTaken extends SQLException {
        LookupCodeTaken(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    private void insert(Connection c, String user, String label, String lookupCode, String hash) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO app_password"
                + " (user_email, label, lookup_code, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, user);
            insert.setString(2, label);
            insert.setString(3, lookupCode);
            insert.setString(4, hash);
            insert.setObject(5, timestamp(clock.instant()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw UNIQUE_VIOLATION.equals(e.getSQLState()) ? new LookupCodeTaken(e) : e;
        }
    }

    @Override
    public boolean verify(String user, String password) {
        String normalizedUser = normalizeUser(user);
        String normalized = normalizePassword(password);
        if (normalizedUser == null || normalized == null) {
            // Rejected on its form alone, independent of which users exist: nothing to hide, no work to spend.
            return false;
        }
        Long cached = cache.get(normalizedUser, normalized);
        if (cached != null && markUsedIfActive(cached)) {
            return true;
        }
        Candidate candidate = find(normalizedUser, normalized.substring(0, GROUP));
        if (candidate == null) {
            Argon2id.verify(dummyHash, normalized);
            return false;
        }
        if (!Argon2id.verify(candidate.hash(), normalized)) {
            return false;
        }
        if (!markUsedIfActive(candidate.id())) {
            return false;
        }
        cache.put(normalizedUser, normalized, candidate.id());
        return true;
    }

    /** Revokes one app password of {@code userEmail}; returns whether an active one was revoked. */
    public boolean revoke(String userEmail, long id) {
        return revoke(userEmail, id, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * Revokes as {@link #revoke(String, long)} does, with {@code alongside} run on the update's transaction (told
     * whether a password was revoked): if it fails, nothing is revoked.
     */
    public boolean revoke(String userEmail, long id, TransactionWork alongside) {
        String user = normalizeUser(userEmail);
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                boolean revoked = false;
                if (user != null) {
                    try (PreparedStatement update = c.prepareStatement("UPDATE app_password SET revoked_at = ?"
                            + " WHERE id = ? AND user_email = ? AND revoked_at IS NULL")) {
                        update.setObject(1, timestamp(clock.instant()));
                        update.setLong(2, id);
                        update.setString(3, user);
                        revoked = update.executeUpdate() == 1;
                    }
                }
                alongside.run(c, revoked);
                return revoked;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke app password " + id + ": " + e.getMessage(), e);
        }
    }

    /** All app passwords of {@code userEmail}, active and revoked, oldest first. */
    public List<AppPassword> list(String userEmail) {
        String user = normalizeUser(userEmail);
        if (user == null) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement(
                     "SELECT id, user_email, label, created_at, last_used_at, revoked_at FROM app_password"
                             + " WHERE user_email = ? ORDER BY created_at, id")) {
            query.setString(1, user);
            List<AppPassword> result = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    result.add(new AppPassword(rs.getLong(1), rs.getString(2), rs.getString(3),
                            instant(rs, 4), instant(rs, 5), instant(rs, 6)));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list app passwords: " + e.getMessage(), e);
        }
    }

    private record Candidate(long id, String hash) {
    }

    private Candidate find(String user, String lookupCode) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement(
                     "SELECT id, password_hash FROM app_password WHERE user_email = ? AND lookup_code = ? AND revoked_at IS NULL")) {
            query.setString(1, user);
            query.setString(2, lookupCode);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? new Candidate(rs.getLong(1), rs.getString(2)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read app passwords: " + e.getMessage(), e);
        }
    }

    private boolean markUsedIfActive(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE app_password SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL"
                             // a person the directory deactivated (left the company) sends no more mail with them
                             + " AND NOT EXISTS (SELECT 1 FROM directory_person p WHERE p.email = app_password.user_email"
                             + " AND NOT p.active)")) {
            update.setObject(1, timestamp(clock.instant()));
            update.setLong(2, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update app password " + id + ": " + e.getMessage(), e);
        }
    }

    private String randomPassword() {
        return Base32Code.random(random, LENGTH);
    }

    private static String display(String password) {
        return Base32Code.display(password);
    }

    static String normalizePassword(String password) {
        return Base32Code.normalize(password, LENGTH, 64);
    }

    private static String normalizeUser(String email) {
        if (email == null) {
            return null;
        }
        String user = email.strip().toLowerCase(Locale.ROOT);
        int at = user.lastIndexOf('@');
        if (at < 1 || at == user.length() - 1 || user.length() > MAX_EMAIL
                || user.chars().anyMatch(ch -> ch <= ' ' || ch == 0x7f)) {
            return null;
        }
        return user;
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * Remembers recent successful verifications so that a client that logs in on every connection does not
     * cost an Argon2id hash (~19 MiB, tens of milliseconds) each time.
     *
     * <p>Security trade-off: entries are keyed by HMAC-SHA256 of user and password under a random key that
     * exists only in this process's memory, and hold only the row id. Someone who can read the process memory
     * obtains the key and these MACs and could test guesses at HMAC speed instead of Argon2id speed, but only
     * for recently used passwords, and app passwords carry 120 random bits, which no guessing reaches at any
     * speed. Argon2id protects the database copy, which outlives the process. A hit still checks in the
     * database that the password was not revoked, so revocation takes effect at once; entries expire after
     * the TTL and the map is bounded (least recently used entries are dropped).
     */
    private static final class VerifiedCache {

        private record Entry(long id, Instant expires) {
        }

        private final Duration ttl;
        private final Clock clock;
        private final Mac mac;
        private final Map<String, Entry> entries;

        VerifiedCache(Duration ttl, int capacity, SecureRandom random, Clock clock) {
            this.ttl = ttl;
            this.clock = clock;
            byte[] key = new byte[32];
            random.nextBytes(key);
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
            entries = new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized Long get(String user, String password) {
            if (ttl.isZero()) {
                return null;
            }
            String key = key(user, password);
            Entry entry = entries.get(key);
            if (entry == null) {
                return null;
            }
            if (clock.instant().isAfter(entry.expires())) {
                entries.remove(key);
                return null;
            }
            return entry.id();
        }

        synchronized void put(String user, String password, long id) {
            if (!ttl.isZero()) {
                entries.put(key(user, password), new Entry(id, clock.instant().plus(ttl)));
            }
        }

        private String key(String user, String password) {
            mac.reset();
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
