package io.mamori.console.audit;

/** The audit log could not be written or read; an action that cannot be recorded must not pass silently. */
public final class AuditLogException extends RuntimeException {

    public AuditLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
