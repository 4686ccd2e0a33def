package io.mamori.console.audit;

import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import java.util.function.Function;

/**
 * Where human actions are recorded. Every console page, REST endpoint and CLI command that changes or reveals
 * something records an {@link AuditEntry} here. The production implementation is the tamper-evident,
 * hash-chained audit table; {@link #LOG_ONLY} writes to the {@code mamori.audit} logger only.
 */
public interface AuditTrail {

    /** Records an entry durably before returning; a failure to record is an exception, never silent. */
    void record(AuditEntry entry);

    /**
     * Moves a stored message and records the entry of that action ({@code entry} is given whether it moved). The
     * audit table records both in one database transaction, so the move never happens without its entry; this default
     * (for trails outside the store's database) records after the move.
     *
     * @return whether the message moved
     */
    default boolean recordTransition(MessageStore store, String id, MessageState to, Function<Boolean, AuditEntry> entry) {
        boolean moved = store.transition(id, to);
        record(entry.apply(moved));
        return moved;
    }

    AuditTrail LOG_ONLY = entry -> org.slf4j.LoggerFactory.getLogger("mamori.audit").info(
            "action={} object={} ok={} actor={} source={} before={} after={}", entry.action(), entry.object(),
            entry.success(), entry.actor(), entry.sourceIp(), entry.before(), entry.after());
}
