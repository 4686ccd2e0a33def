package io.mamori.console.web;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.network.Cidr;
import io.mamori.gateway.store.TransactionWork;
import java.net.InetAddress;
import java.time.Clock;
import java.util.function.Function;

/**
 * Records the console's sign-in and account actions in the {@link AuditTrail}. Text that a visitor typed (an
 * address on the sign-in form) is cut to 320 characters and stripped of control characters before it is
 * recorded, so that a crafted value cannot forge log lines. Secrets never reach this class.
 */
final class ConsoleAudit {

    /** Actor recorded when nobody is signed in yet. */
    static final String ANONYMOUS = "anonymous";

    private final AuditTrail trail;
    private final Clock clock;

    ConsoleAudit(AuditTrail trail, Clock clock) {
        this.trail = trail;
        this.clock = clock;
    }

    void record(String actor, InetAddress source, String action, String object, String after, boolean success) {
        trail.record(new AuditEntry(clock.instant(), clean(actor), Cidr.format(source), action, clean(object),
                null, after == null ? null : clean(after), success));
    }

    /**
     * Runs a person's change of their own account with its entry on one transaction
     * ({@link AuditTrail#recordAlong}): the change commits with the entry or not at all. {@code change} is given the
     * work to run on its transaction; when it refuses before changing anything the work does not run and nothing is
     * recorded here (the caller records the refusal).
     */
    <T> T recordAlong(String actor, InetAddress source, String action, String object, String after,
            Function<TransactionWork, T> change) {
        return trail.recordAlong(change, done -> new AuditEntry(clock.instant(), clean(actor), Cidr.format(source),
                action, clean(object), null, after == null ? null : clean(after), done));
    }

    static String clean(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 320 ? text.substring(0, 320) : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return out.toString();
    }
}
