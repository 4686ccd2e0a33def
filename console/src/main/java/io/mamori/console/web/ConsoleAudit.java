package io.mamori.console.web;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.time.Clock;

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
