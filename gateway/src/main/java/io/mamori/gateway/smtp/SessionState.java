package io.mamori.gateway.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** What one SMTP session knows; touched only by that session's thread (but {@link #closeTransport()}). */
final class SessionState {

    final InetAddress client;
    final boolean trusted;
    boolean tls;
    String helo;
    String authenticatedUser;
    /**
     * The password the user authenticated with, kept for the session so that each MAIL checks it again (a password
     * revoked, or a person deactivated, stops an open session too); never logged, gone with the session.
     */
    String authenticatedPassword;
    int authFailures;

    /** Reverse path of the open transaction ({@code ""} for {@code <>}), or {@code null} if none is open. */
    String mailFrom;
    boolean smtputf8;
    final List<String> recipients = new ArrayList<>();

    /** The session's TCP connection as accepted, under any TLS layered on it later. */
    private final Socket transport;

    SessionState(InetAddress client, boolean trusted, Socket transport) {
        this.client = client;
        this.trusted = trusted;
        this.transport = transport;
    }

    /** Closes the TCP connection (from the listener's thread at shutdown); a blocked read then fails at once. */
    void closeTransport() {
        try {
            transport.close();
        } catch (IOException e) {
            // Closing is best effort at shutdown; the session ends either way.
        }
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
