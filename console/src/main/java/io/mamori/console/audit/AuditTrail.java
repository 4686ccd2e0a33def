package io.mamori.console.audit;

import io.mamori.gateway.store.TransactionWork;
import java.util.concurrent.atomic.AtomicReference;
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
     * Runs an action of a person on the database together with its entry: {@code action} is given the work that
     * records the entry and must run it once, on its own transaction, after the change ({@code entry} is given whether
     * the change happened). The audit table appends the entry on that transaction, so the change commits with its
     * entry or not at all; this default (for trails outside the database) records after the action returns. An action
     * that fails before it runs the work records nothing here: nothing happened, and its caller records why.
     *
     * @return what {@code action} returns
     */
    default <T> T recordAlong(Function<TransactionWork, T> action, Function<Boolean, AuditEntry> entry) {
        AtomicReference<Boolean> done = new AtomicReference<>();
        T result = action.apply((connection, changed) -> done.set(changed));
        if (done.get() != null) {
            record(entry.apply(done.get()));
        }
        return result;
    }

    AuditTrail LOG_ONLY = entry -> org.slf4j.LoggerFactory.getLogger("mamori.audit").info(
            "action={} object={} ok={} actor={} source={} before={} after={}", entry.action(), entry.object(),
            entry.success(), entry.actor(), entry.sourceIp(), entry.before(), entry.after());
}
