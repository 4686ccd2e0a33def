package io.mamori.console.audit;

import java.time.Instant;

/**
 * One stored row of the audit log: the {@link AuditEntry} as recorded (strings cleaned, time truncated to
 * microseconds), its place in the chain ({@code seq}, gapless from 1) and the hashes that link it
 * ({@code prevHash}, {@code hash}; see {@link AuditChain}).
 */
public record AuditRecord(long seq, Instant at, String actor, String sourceIp, String action, String object,
                          String before, String after, boolean success, String prevHash, String hash) {

    public AuditEntry entry() {
        return new AuditEntry(at, actor, sourceIp, action, object, before, after, success);
    }
}
