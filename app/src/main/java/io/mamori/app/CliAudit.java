package io.mamori.app;

import io.mamori.console.audit.AuditEntry;
import java.time.Instant;

/**
 * Audit entries for the CLI: the actor is {@code cli:<operating-system user>} (who ran the command; on a shared
 * admin account that is all the system can tell) and the source is {@code local}.
 */
final class CliAudit {

    static final String SOURCE = "local";

    private CliAudit() {
    }

    static String actor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    static AuditEntry entry(String action, String object, String before, String after, boolean success) {
        return new AuditEntry(Instant.now(), actor(), SOURCE, action, object, before, after, success);
    }
}
