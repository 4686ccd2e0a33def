package io.mamori.console.policy;

import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import javax.sql.DataSource;

/**
 * Every policy version saved from the console (table {@code policy_versions}, migration V8), on H2 and PostgreSQL.
 * Rows are only ever added. Thread-safe; every method is one statement.
 */
public final class PolicyVersions {

    /** One saved version; {@code content} is null in listings. */
    public record Version(long id, Instant savedAt, String author, String contentHash, String baseHash, String content) {
    }

    private final DataSource dataSource;

    public PolicyVersions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a version and returns its id, with the work {@code alongside} gives for that id run on the insert's
     * transaction (the audit entry of the save): if it fails, no version is stored.
     */
    public long add(Instant savedAt, String author, String contentHash, String baseHash, String content,
            LongFunction<TransactionWork> alongside) {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                long id;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO policy_versions (saved_at, author,"
                        + " content_hash, base_hash, content) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    insert.setObject(1, OffsetDateTime.ofInstant(savedAt, ZoneOffset.UTC));
                    insert.setString(2, author);
                    insert.setString(3, contentHash);
                    insert.setString(4, baseHash);
                    insert.setString(5, content);
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                alongside.apply(id).run(c, true);
                return id;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the policy version: " + e.getMessage(), e);
        }
    }

    /** The newest {@code limit} versions, newest first, without their content. */
    public List<Version> list(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id, saved_at, author, content_hash, base_hash"
                     + " FROM policy_versions ORDER BY id DESC")) {
            q.setMaxRows(limit);
            List<Version> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Version(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                            rs.getString(4), rs.getString(5), null));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list policy versions: " + e.getMessage(), e);
        }
    }

    /** One version with its content. */
    public Optional<Version> find(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id, saved_at, author, content_hash, base_hash, content"
                     + " FROM policy_versions WHERE id = ?")) {
            q.setLong(1, id);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Version(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read policy version " + id + ": " + e.getMessage(), e);
        }
    }

    /** The version saved just before {@code id}, if any. */
    public Optional<Version> previous(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT MAX(id) FROM policy_versions WHERE id < ?")) {
            q.setLong(1, id);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                long prev = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : find(prev);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read policy versions: " + e.getMessage(), e);
        }
    }
}
