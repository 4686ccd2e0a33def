package io.mamori.gateway.smtp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** What one SMTP session knows; touched only by that session's thread. */
final class SessionState {

    final InetAddress client;
    final boolean trusted;
    boolean tls;
    String helo;
    String authenticatedUser;
    int authFailures;

    /** Reverse path of the open transaction ({@code ""} for {@code <>}), or {@code null} if none is open. */
    String mailFrom;
    boolean smtputf8;
    final List<String> recipients = new ArrayList<>();

    SessionState(InetAddress client, boolean trusted) {
        this.client = client;
        this.trusted = trusted;
    }

    boolean inTransaction() {
        return mailFrom != null;
    }

    void resetTransaction() {
        mailFrom = null;
        smtputf8 = false;
        recipients.clear();
    }
}
