package io.mamori.gateway.contact;

import io.mamori.core.contact.SenderHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SenderHistory} in the database (table {@code sender_history}, migration V6), shared by every gateway node
 * on the same database.
 *
 * <p>{@link #record} only adds to an in-memory buffer, merged per domain; a background thread writes the buffer
 * in one transaction every flush interval (and at {@link #close}), so recording costs an SMTP session nothing and
 * a busy sender costs one row update per interval, not one per message. Buffered contacts are visible to
 * {@link #lastContact} on this node at once. A failed write keeps the buffer for the next attempt (logged); a
 * crash loses at most one interval of contacts, which only makes a few senders look new for a while longer.
 *
 * <p>Thread-safe.
 */
public final class JdbcSenderHistory implements SenderHistory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JdbcSenderHistory.class);
    private static final String UNIQUE_VIOLATION = "23505";
    /** A flood of distinct domains between flushes is written at once rather than held without bound. */
    private static final int MAX_BUFFERED = 10_000;

    private final DataSource dataSource;
    private final ScheduledExecutorService flusher;
    private final Object flushLock = new Object();
    /** Recorders share the read side; a flush takes the write side only to swap the buffer. */
    private final ReadWriteLock swap = new ReentrantReadWriteLock();
    private volatile ConcurrentHashMap<String, Contact> buffer = new ConcurrentHashMap<>();
    private volatile Optional<Instant> since;
    /** The batch being written, still visible to {@link #lastContact} until it is in the table. */
    private volatile Map<String, Contact> inFlight = Map.of();

    /**
     * Starts the background writer.
     *
     * @param flushInterval how often buffered contacts are written
     */
    public JdbcSenderHistory(DataSource dataSource, Duration flushInterval) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flushInterval must be positive: " + flushInterval);
        }
        this.since = querySince();
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mamori-sender-history");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, flushInterval.toMillis());
        flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<Contact> lastContact(String domain) {
        Contact buffered = buffer.get(domain);
        Contact writing = inFlight.get(domain);
        Contact pending = writing == null ? buffered : buffered == null ? writing : merge(buffered, writing);
        Optional<Contact> stored = query(domain);
        if (pending == null) {
            return stored;
        }
        return Optional.of(stored.map(s -> merge(s, pending)).orElse(pending));
    }

    @Override
    public void record(Collection<String> domains, Instant at) {
        Objects.requireNonNull(at, "at");
        Instant t = at.truncatedTo(ChronoUnit.MICROS);
        int size;
        swap.readLock().lock();
        try {
            ConcurrentHashMap<String, Contact> b = buffer;
            for (String domain : domains) {
                b.merge(domain, new Contact(domain, t, t, 1), JdbcSenderHistory::merge);
            }
            size = b.size();
        } finally {
            swap.readLock().unlock();
        }
        Optional<Instant> s = since;
        if (!domains.isEmpty() && (s.isEmpty() || t.isBefore(s.get()))) {
            since = Optional.of(t);
        }
        if (size > MAX_BUFFERED) {
            flushQuietly();
        }
    }

    @Override
    public Optional<Instant> recordingSince() {
        return since;
    }

    /** Writes the buffered contacts now. @throws UncheckedIOException if the database refuses them (they stay buffered) */
    public void flush() {
        synchronized (flushLock) {
            ConcurrentHashMap<String, Contact> taken;
            swap.writeLock().lock();
            try {
                taken = buffer;
                if (taken.isEmpty()) {
                    return;
                }
                buffer = new ConcurrentHashMap<>();
            } finally {
                swap.writeLock().unlock();
            }
            inFlight = taken;
            try {
                write(taken);
                inFlight = Map.of();
            } catch (SQLException e) {
                inFlight = Map.of();
                swap.readLock().lock();
                try {
                    taken.forEach((d, c) -> buffer.merge(d, c, JdbcSenderHistory::merge));
                } finally {
                    swap.readLock().unlock();
                }
                throw new UncheckedIOException(new IOException("cannot write the sender history: " + e.getMessage(), e));
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Sender history not written; will retry: {}", e.getMessage());
        }
    }

    private void write(Map<String, Contact> contacts) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE sender_history SET first_seen = LEAST(first_seen, ?),"
                    + " last_seen = GREATEST(last_seen, ?), contact_count = contact_count + ? WHERE domain = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO sender_history (domain, first_seen, last_seen,"
                         + " contact_count) VALUES (?, ?, ?, ?)")) {
                for (Contact contact : contacts.values()) {
                    if (update(update, contact) == 0) {
                        insert.setString(1, contact.domain());
                        insert.setObject(2, utc(contact.firstSeen()));
                        insert.setObject(3, utc(contact.lastSeen()));
                        insert.setLong(4, contact.count());
                        insert.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    // Another node inserted one of the domains first: the next attempt updates its row instead.
                    throw new SQLException("a domain was inserted concurrently by another node; retrying", e.getSQLState(), e);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static int update(PreparedStatement ps, Contact contact) throws SQLException {
        ps.setObject(1, utc(contact.firstSeen()));
        ps.setObject(2, utc(contact.lastSeen()));
        ps.setLong(3, contact.count());
        ps.setString(4, contact.domain());
        return ps.executeUpdate();
    }

    private Optional<Contact> query(String domain) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT first_seen, last_seen, contact_count FROM sender_history"
                     + " WHERE domain = ?")) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Contact(domain, rs.getObject(1, OffsetDateTime.class).toInstant(),
                        rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getLong(3)));
            }
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("cannot read the sender history: " + e.getMessage(), e));
        }
    }

    private Optional<Instant> querySince() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT MIN(first_seen) FROM sender_history");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
            return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("cannot read the sender history: " + e.getMessage(), e));
        }
    }

    private static Contact merge(Contact a, Contact b) {
        return new Contact(a.domain(), a.firstSeen().isBefore(b.firstSeen()) ? a.firstSeen() : b.firstSeen(),
                a.lastSeen().isAfter(b.lastSeen()) ? a.lastSeen() : b.lastSeen(), a.count() + b.count());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Stops the writer and writes what is buffered. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
