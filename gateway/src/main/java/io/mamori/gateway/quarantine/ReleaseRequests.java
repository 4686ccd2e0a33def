package io.mamori.gateway.quarantine;

import io.mamori.core.text.InvalidInput;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Employees' requests to release a quarantined or held message (table {@code release_requests}, migration V6):
 * an employee asks with a comment, an analyst approves or denies with a reason. This class only keeps the
 * records; who may ask (a recipient of the message) and what approval does (release the message) is the
 * caller's business. Decisions are guarded ({@code WHERE status = 'PENDING'}), so two analysts deciding the same
 * request at once cannot both succeed.
 *
 * <p>Thread-safe.
 */
public final class ReleaseRequests {

    public enum Status { PENDING, APPROVED, DENIED }

    /**
     * One request.
     *
     * @param decidedBy      the analyst, or {@code null} while pending
     * @param decidedAt      when, or {@code null} while pending
     * @param decisionReason the analyst's reason (required for a denial), or {@code null}
     */
    public record ReleaseRequest(long id, String messageId, String requester, String comment, Status status,
            Instant requestedAt, String decidedBy, Instant decidedAt, String decisionReason) {
    }

    /** The requester already has a pending request for this message. */
    public static final class DuplicatePending extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long existing;

        DuplicatePending(long existing) {
            super("a release request for this message is already pending (#" + existing + ")");
            this.existing = existing;
        }

        public long existing() {
            return existing;
        }
    }

    /**
     * A requester, comment or reason that cannot be used, with the reason in English (the message, for the audit
     * trail) and in Japanese, for the person who typed it.
     */
    public static final class InvalidRequest extends InvalidInput {
        private static final long serialVersionUID = 1L;

        InvalidRequest(String message, String messageJa) {
            super(message, messageJa);
        }
    }

    static final int MAX_TEXT = 1000;
    private static final int MAX_ADDRESS = 320;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, message_id, requester, comment, status, requested_at, decided_by, decided_at,"
            + " decision_reason";

    private final DataSource dataSource;
    private final Clock clock;

    public ReleaseRequests(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records a pending request.
     *
     * @throws InvalidRequest           for a requester that is not an address or a comment that is too long
     * @throws DuplicatePending         if the requester already has a pending request for this message
     */
    public ReleaseRequest create(String messageId, String requester, String comment) {
        return create(messageId, requester, comment, created -> Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #create(String, String, String)}, with the work {@code alongside} gives for the request created run on
     * the insert's transaction (an audit entry naming it): when it fails, no request is recorded.
     */
    public ReleaseRequest create(String messageId, String requester, String comment,
            java.util.function.Function<ReleaseRequest, TransactionWork> alongside) {
        Objects.requireNonNull(alongside, "alongside");
        String who = address(requester, "requester");
        String text = text(comment, "comment");
        Optional<ReleaseRequest> pending = forMessage(messageId).stream()
                .filter(r -> r.status() == Status.PENDING && r.requester().equals(who)).findFirst();
        if (pending.isPresent()) {
            throw new DuplicatePending(pending.get().id());
        }
        Instant now = now();
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                ReleaseRequest created;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO release_requests (message_id, requester, comment,"
                        + " status, requested_at) VALUES (?, ?, ?, 'PENDING', ?)", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, messageId);
                    ps.setString(2, who);
                    ps.setString(3, text);
                    ps.setObject(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        created = new ReleaseRequest(keys.getLong(1), messageId, who, text, Status.PENDING, now, null, null,
                                null);
                    }
                }
                alongside.apply(created).run(c, true);
                return created;
            });
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new DuplicatePending(forMessage(messageId).stream()
                        .filter(r -> r.status() == Status.PENDING && r.requester().equals(who))
                        .mapToLong(ReleaseRequest::id).findFirst().orElse(-1));
            }
            throw failure("record a release request for message " + messageId, e);
        }
    }

    public Optional<ReleaseRequest> find(long id) {
        return query("WHERE id = ?", List.of(id)).stream().findFirst();
    }

    /** Newest first; {@code status == null} lists all. */
    public List<ReleaseRequest> list(Status status, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        return status == null ? query("ORDER BY requested_at DESC, id DESC LIMIT ?", List.of(limit))
                : query("WHERE status = ? ORDER BY requested_at DESC, id DESC LIMIT ?", List.of(status.name(), limit));
    }

    /** Every request for one message, oldest first. */
    public List<ReleaseRequest> forMessage(String messageId) {
        return query("WHERE message_id = ? ORDER BY id", List.of(messageId));
    }

    /**
     * Decides a pending request.
     *
     * @param to     APPROVED or DENIED
     * @param reason the analyst's reason; required for DENIED
     * @return {@code false} if the request does not exist or is no longer pending
     */
    public boolean decide(long id, Status to, String by, String reason) {
        return decide(id, to, by, reason, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #decide(long, Status, String, String)}, with {@code alongside} run on the update's transaction (told
     * whether the request was decided): when it fails, nothing is decided.
     */
    public boolean decide(long id, Status to, String by, String reason, TransactionWork alongside) {
        Objects.requireNonNull(alongside, "alongside");
        if (to == Status.PENDING) {
            throw new IllegalArgumentException("a decision is APPROVED or DENIED");
        }
        String why = reason == null || reason.isBlank() ? null : text(reason, "reason");
        if (to == Status.DENIED && why == null) {
            throw new InvalidRequest("a denial needs a reason", "却下の理由を入力してください");
        }
        String decider = clip(Objects.requireNonNull(by, "by"));
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                boolean decided;
                try (PreparedStatement ps = c.prepareStatement("UPDATE release_requests SET status = ?, decided_by = ?,"
                        + " decided_at = ?, decision_reason = ? WHERE id = ? AND status = 'PENDING'")) {
                    ps.setString(1, to.name());
                    ps.setString(2, decider);
                    ps.setObject(3, OffsetDateTime.ofInstant(now(), ZoneOffset.UTC));
                    if (why == null) {
                        ps.setNull(4, Types.VARCHAR);
                    } else {
                        ps.setString(4, why);
                    }
                    ps.setLong(5, id);
                    decided = ps.executeUpdate() == 1;
                }
                alongside.run(c, decided);
                return decided;
            });
        } catch (SQLException e) {
            throw failure("decide release request " + id, e);
        }
    }

    /**
     * Points the pending requests for {@code fromMessage} at {@code toMessage} (the message was committed again as that
     * copy, which is held or quarantined in its turn): an approver then decides about the copy. Returns how many moved.
     */
    public int move(String fromMessage, String toMessage) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE release_requests SET message_id = ?"
                     + " WHERE message_id = ? AND status = 'PENDING'")) {
            ps.setString(1, Objects.requireNonNull(toMessage, "toMessage"));
            ps.setString(2, Objects.requireNonNull(fromMessage, "fromMessage"));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("move the release requests of message " + fromMessage, e);
        }
    }

    /** Puts an approved request back to pending (its release failed); {@code false} if it was not approved. */
    public boolean reopen(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE release_requests SET status = 'PENDING', decided_by = NULL,"
                     + " decided_at = NULL, decision_reason = NULL WHERE id = ? AND status = 'APPROVED'")) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("reopen release request " + id, e);
        }
    }

    private List<ReleaseRequest> query(String where, List<Object> args) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM release_requests " + where)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<ReleaseRequest> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime decided = rs.getObject(8, OffsetDateTime.class);
                    out.add(new ReleaseRequest(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Status.valueOf(rs.getString(5)), rs.getObject(6, OffsetDateTime.class).toInstant(),
                            rs.getString(7), decided == null ? null : decided.toInstant(), rs.getString(9)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read release requests", e);
        }
    }

    /** Lower-case address, as recipients are compared. */
    static String address(String value, String what) {
        String a = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        if (a.length() > MAX_ADDRESS || !a.matches("[^@\\s<>]+@[^@\\s<>]+")) {
            throw new InvalidRequest(what + " must be an e-mail address", ja(what) + "はメールアドレスにしてください");
        }
        return a;
    }

    /** Free text: at most {@value #MAX_TEXT} characters; line breaks and tabs allowed, other controls not. */
    private static String text(String value, String what) {
        String t = value == null ? "" : value.strip();
        if (t.length() > MAX_TEXT) {
            throw new InvalidRequest(what + " must be at most " + MAX_TEXT + " characters",
                    ja(what) + "は " + MAX_TEXT + " 文字以内にしてください");
        }
        if (t.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n' && ch != '\r' && ch != '\t')) {
            throw new InvalidRequest(what + " must not contain control characters", ja(what) + "に制御文字は使えません");
        }
        return t;
    }

    /** The Japanese name of a field in errors. */
    private static String ja(String what) {
        return switch (what) {
            case "requester" -> "依頼者 (requester) ";
            case "comment" -> "コメント";
            case "reason" -> "理由";
            default -> what + " ";
        };
    }

    private static String clip(String s) {
        return s.length() > MAX_ADDRESS ? s.substring(0, MAX_ADDRESS) : s;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static UncheckedIOException failure(String what, SQLException e) {
        return new UncheckedIOException(new IOException("cannot " + what + ": " + e.getMessage(), e));
    }
}
