package io.mamori.app;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import java.time.Instant;

/**
 * Audit entries of the offline commands: actor {@code cli:<operating-system user>}, source {@code local}, recorded
 * through the same {@link AuditTrail} contract as the console.
 */
final class CliAudit {

    private CliAudit() {
    }

    /** The trail of the store the command works on; log-only until the audit table exists. */
    static AuditTrail trail(LocalStore store) {
        return AuditTrail.LOG_ONLY;
    }

    static void record(LocalStore store, String action, String object, String after, boolean success) {
        trail(store).record(new AuditEntry(Instant.now(), "cli:" + System.getProperty("user.name", "unknown"), "local",
                action, object, null, after, success));
    }
}
