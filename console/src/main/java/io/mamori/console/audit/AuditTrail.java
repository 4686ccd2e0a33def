package io.mamori.console.audit;

/**
 * Where human actions are recorded. Every console page, REST endpoint and CLI command that changes or reveals
 * something records an {@link AuditEntry} here. The production implementation is the tamper-evident,
 * hash-chained audit table; {@link #LOG_ONLY} writes to the {@code mamori.audit} logger only.
 */
public interface AuditTrail {

    /** Records an entry durably before returning; a failure to record is an exception, never silent. */
    void record(AuditEntry entry);

    AuditTrail LOG_ONLY = entry -> org.slf4j.LoggerFactory.getLogger("mamori.audit").info(
            "action={} object={} ok={} actor={} source={} before={} after={}", entry.action(), entry.object(),
            entry.success(), entry.actor(), entry.sourceIp(), entry.before(), entry.after());
}
