package io.mamori.console.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One human action on the gateway, as the audit log records it: who ({@code actor}: a console user's email,
 * {@code api-token}, or {@code cli:<os user>}), from where ({@code sourceIp}, or {@code local} for the CLI),
 * when, what ({@code action}, a stable dotted code such as {@code queue.release} or {@code login.failure}), on
 * which object (a queue id, a user's email, {@code policy}), the state before and after (short text or JSON,
 * may be null) and whether it succeeded. Secrets (passwords, codes, tokens) never go into an entry.
 */
public record AuditEntry(Instant at, String actor, String sourceIp, String action, String object,
                         String before, String after, boolean success) {

    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(sourceIp, "sourceIp");
        Objects.requireNonNull(action, "action");
        object = object == null ? "" : object;
    }

    public static AuditEntry of(String actor, String sourceIp, String action, String object, boolean success) {
        return new AuditEntry(Instant.now(), actor, sourceIp, action, object, null, null, success);
    }
}
