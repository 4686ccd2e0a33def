package io.mamori.console.api;

import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Scoped REST API tokens (table {@code api_tokens}, migration V8): issued for one directory person, they act with
 * that person's roles and department scope, until they expire or are revoked. A token is {@value #PREFIX}
 * followed by 256 random bits (base64url); only its SHA-256 is stored — a slow password hash would add nothing
 * to 256 bits of entropy — and the stored hash is compared in constant time. Tokens are shown once and never
 * logged.
 *
 * <p>Thread-safe; every method is one statement, or one transaction with the work run alongside it.
 */
public final class ApiTokens {

    public static final String PREFIX = "mmr_";

    /** A token just issued; {@code token} is shown once. */
    public record Issued(long id, String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Issued[id=" + id + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** A token as listed (without the secret). */
    public record Listed(long id, String ownerEmail, String label, String createdBy, Instant createdAt, Instant expiresAt,
                         Instant revokedAt, Instant lastUsedAt) {
        public boolean usableAt(Instant now) {
            return revokedAt == null && now.isBefore(expiresAt);
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Issued issue(String ownerEmail, String label, Duration validity, String createdBy) {
        return issue(ownerEmail, label, validity, createdBy, issued -> Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * Issues a token as {@link #issue(String, String, Duration, String)} does, with the work {@code alongside} gives for
     * it run on the insert's transaction (the audit entry of who issued it): if that fails, no token is stored.
     */
    public Issued issue(String ownerEmail, String label, Duration validity, String createdBy,
            Function<Issued, TransactionWork> alongside) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        Instant expires = now.plus(validity);
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                Issued issued;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO api_tokens (owner_email, label,"
                        + " token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    insert.setString(1, ownerEmail.toLowerCase(Locale.ROOT));
                    insert.setString(2, label);
                    insert.setString(3, hash(token));
                    insert.setString(4, createdBy);
                    insert.setObject(5, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    insert.setObject(6, OffsetDateTime.ofInstant(expires, ZoneOffset.UTC));
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        issued = new Issued(keys.getLong(1), token, expires);
                    }
                }
                alongside.apply(issued).run(c, true);
                return issued;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the API token: " + e.getMessage(), e);
        }
    }

    /** The owner of a usable token (known, not revoked, not expired); records its use. Empty otherwise. */
    public Optional<String> authenticate(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        String given = hash(token);
        try (Connection c = dataSource.getConnection()) {
            String owner = null;
            long id = 0;
            try (PreparedStatement q = c.prepareStatement("SELECT id, owner_email, token_hash, expires_at, revoked_at"
                    + " FROM api_tokens WHERE token_hash = ?")) {
                q.setString(1, given);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next() && MessageDigest.isEqual(rs.getString(3).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                            given.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                            && rs.getObject(5) == null
                            && clock.instant().isBefore(rs.getObject(4, OffsetDateTime.class).toInstant())) {
                        id = rs.getLong(1);
                        owner = rs.getString(2);
                    }
                }
            }
            if (owner == null) {
                return Optional.empty();
            }
            try (PreparedStatement used = c.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")) {
                used.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                used.setLong(2, id);
                used.executeUpdate();
            }
            return Optional.of(owner);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot check an API token: " + e.getMessage(), e);
        }
    }

    /** Revokes one of {@code ownerEmail}'s tokens; false when there is no such usable token. */
    public boolean revoke(String ownerEmail, long id) {
        return revoke(ownerEmail, id, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * Revokes as {@link #revoke(String, long)} does, with {@code alongside} run on the update's transaction (told
     * whether a token was revoked): if it fails, nothing is revoked.
     */
    public boolean revoke(String ownerEmail, long id, TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                boolean revoked;
                try (PreparedStatement update = c.prepareStatement("UPDATE api_tokens SET revoked_at = ? WHERE id = ?"
                        + " AND owner_email = ? AND revoked_at IS NULL")) {
                    update.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                    update.setLong(2, id);
                    update.setString(3, ownerEmail.toLowerCase(Locale.ROOT));
                    revoked = update.executeUpdate() == 1;
                }
                alongside.run(c, revoked);
                return revoked;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke API token " + id + ": " + e.getMessage(), e);
        }
    }

    /** {@code ownerEmail}'s tokens, newest first. */
    public List<Listed> list(String ownerEmail) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id, owner_email, label, created_by, created_at, expires_at,"
                     + " revoked_at, last_used_at FROM api_tokens WHERE owner_email = ? ORDER BY id DESC")) {
            q.setString(1, ownerEmail.toLowerCase(Locale.ROOT));
            List<Listed> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Listed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5),
                            instant(rs, 6), instant(rs, 7), instant(rs, 8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list API tokens: " + e.getMessage(), e);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
