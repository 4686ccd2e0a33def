package io.mamori.gateway.smtp;

import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.gateway.auth.PasswordVerifier;
import io.mamori.gateway.receive.MessageReceiver;
import io.mamori.gateway.receive.ReceiveResult;
import io.mamori.gateway.tls.ServerTls;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;

/**
 * Every SMTP verb of a listener, replacing subethasmtp's own command set (registered over it by name).
 *
 * <p>Why replace them all: subethasmtp's commands answer without enhanced status codes ("250 Ok",
 * "452 Error: too many recipients"), advertise CHUNKING but not PIPELINING or ENHANCEDSTATUSCODES, hand DATA
 * to a {@code MessageHandler} that cannot tell an oversize message from a receiver failure, and have no role
 * policy (relay denied, authentication required, AUTH only after STARTTLS with 538). The library still
 * provides the accept loop, thread per session, command-line reading (UTF-8, 997 characters plus CRLF, strict CRLF),
 * dispatch and timeouts; {@code org.subethamail.smtp.internal.server.Command} is its extension point for
 * verbs (public, though in an "internal" package: pinned to 7.2.2 and covered by the listener tests).
 *
 * <p>Each session runs on its own thread; the commands themselves hold no session state (it is in
 * {@link SessionState}) and are shared by all sessions.
 */
final class SmtpCommands {

    private static final Logger log = LoggerFactory.getLogger(SmtpCommands.class);

    private static final Pattern MAIL_FROM = Pattern.compile("(?i)FROM:[ ]?<([^<>]*)>((?: +[^ ]+)*) *");
    private static final Pattern RCPT_TO = Pattern.compile("(?i)TO:[ ]?<([^<>]*)>((?: +[^ ]+)*) *");
    private static final Pattern SOURCE_ROUTE = Pattern.compile("^@[^:]*:");
    private static final int MAX_AUTH_FAILURES = 3;
    /** Failed AUTH attempts one client address (an IPv6 /64) may make across sessions in {@link #AUTH_FAILURE_WINDOW}. */
    static final int AUTH_FAILURES_PER_ADDRESS = 30;
    static final java.time.Duration AUTH_FAILURE_WINDOW = java.time.Duration.ofMinutes(10);
    /**
     * Error replies (4xx, 5xx) a session may have before its next command is answered 421 and the connection closed:
     * an address harvester trying recipients, or a client stuck in a loop, is cut off (Postfix's
     * {@code smtpd_hard_error_limit}, whose default this is). A client that sends mail has far fewer.
     */
    static final int MAX_ERROR_REPLIES = 20;
    /** The whole DATA phase may last this many DATA read timeouts ({@link ListenerConfig#dataTimeout()}). */
    static final int DATA_DEADLINE_TIMEOUTS = 10;

    static final String TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, try again later";

    private final ListenerConfig config;
    private final ServerTls tls;
    private final MessageReceiver receiver;
    private final Predicate<String> internalDomain;
    private final RecipientCheck recipients;
    private final PasswordVerifier passwords;
    /** Failed AUTH per client address across its sessions: each try costs an Argon2id hash. */
    private final io.mamori.core.network.FailureThrottle authFailures;
    private final Clock clock;
    private final ListenerMetrics metrics;
    private final Function<Session, SessionState> states;

    SmtpCommands(ListenerConfig config, ServerTls tls, MessageReceiver receiver, Predicate<String> internalDomain,
                 RecipientCheck recipients, PasswordVerifier passwords, Clock clock, ListenerMetrics metrics,
                 Function<Session, SessionState> states) {
        this.config = config;
        this.tls = tls;
        this.receiver = receiver;
        this.internalDomain = internalDomain;
        this.recipients = recipients;
        this.passwords = passwords;
        this.authFailures = new io.mamori.core.network.FailureThrottle(AUTH_FAILURES_PER_ADDRESS, AUTH_FAILURE_WINDOW, clock);
        this.clock = clock;
        this.metrics = metrics;
        this.states = states;
    }

    @FunctionalInterface
    private interface Handler {
        void handle(Session session, SessionState state, String args) throws IOException, DropConnectionException;
    }

    /** A verb as subethasmtp's command handler sees it. */
    private final class Verb implements Command {
        private final String name;
        private final Handler handler;

        Verb(String name, Handler handler) {
            this.name = name;
            this.handler = handler;
        }

        @Override
        public void execute(String line, Session session) throws IOException, DropConnectionException {
            int space = line.indexOf(' ');
            String verb = space < 0 ? line : line.substring(0, space);
            // subethasmtp looks commands up by their first four characters, so "RCPTX" would arrive here.
            if (!verb.equalsIgnoreCase(name)) {
                session.sendResponse("500 5.5.1 Command unrecognized");
                return;
            }
            SessionState state = states.apply(session);
            if (state == null) {
                throw new DropConnectionException(421, "4.3.0 Session state lost, closing connection");
            }
            if (session.getSocket() instanceof EnhancedStatusSocket socket && socket.errorReplies() >= MAX_ERROR_REPLIES) {
                metrics.tooManyErrors();
                throw new DropConnectionException(421, "4.7.0 Too many errors, closing connection");
            }
            handler.handle(session, state, space < 0 ? "" : line.substring(space + 1));
        }

        @Override
        public HelpMessage getHelp() {
            return new HelpMessage(name, "see RFC 5321");
        }

        @Override
        public String getName() {
            return name;
        }
    }

    List<Command> all() {
        return List.of(
                new Verb("HELO", this::helo),
                new Verb("EHLO", this::ehlo),
                new Verb("STARTTLS", this::starttls),
                new Verb("AUTH", this::auth),
                new Verb("MAIL", this::mail),
                new Verb("RCPT", this::rcpt),
                new Verb("DATA", this::data),
                new Verb("RSET", (s, st, a) -> simple(s, a, () -> st.resetTransaction(), "250 2.0.0 Ok")),
                new Verb("NOOP", (s, st, a) -> s.sendResponse("250 2.0.0 Ok")),
                new Verb("QUIT", this::quit),
                new Verb("VRFY", (s, st, a) -> s.sendResponse("502 5.5.1 VRFY command is disabled")),
                new Verb("EXPN", (s, st, a) -> s.sendResponse("502 5.5.1 EXPN command is disabled")),
                new Verb("HELP", (s, st, a) -> s.sendResponse("214 2.0.0 See RFC 5321")),
                // CHUNKING is not advertised (RFC 3030): BDAT would bypass the DATA limits below.
                new Verb("BDAT", (s, st, a) -> s.sendResponse("502 5.5.1 BDAT not supported")));
    }

    private void simple(Session session, String args, Runnable action, String reply) throws IOException {
        if (!args.isBlank()) {
            session.sendResponse("501 5.5.4 Syntax error (no parameters allowed)");
            return;
        }
        action.run();
        session.sendResponse(reply);
    }

    /**
     * Whether a HELO/EHLO argument can be a host name or address literal: not empty, no space, control character or
     * NUL (which the store refuses and the Received header must not carry), and none of the characters that would
     * end a {@code Received} clause ({@code ;()}). Lenient otherwise: clients name themselves sloppily
     * ({@code localhost}, a bare host name, an underscore), and the name is only recorded, never trusted.
     */
    static boolean heloName(String domain) {
        if (domain.isEmpty() || domain.length() > 255) {
            return false;
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = domain.charAt(i);
            if (c <= ' ' || c == 0x7f || c == ';' || c == '(' || c == ')') {
                return false;
            }
        }
        return true;
    }

    private void helo(Session session, SessionState state, String args) throws IOException {
        String domain = args.strip();
        if (!heloName(domain)) {
            session.sendResponse("501 5.5.4 Syntax: HELO hostname");
            return;
        }
        state.resetTransaction();
        state.helo = domain;
        session.sendResponse("250 " + config.hostname());
    }

    private void ehlo(Session session, SessionState state, String args) throws IOException {
        String domain = args.strip();
        if (!heloName(domain)) {
            session.sendResponse("501 5.5.4 Syntax: EHLO hostname");
            return;
        }
        state.resetTransaction();
        state.helo = domain;
        StringBuilder reply = new StringBuilder("250-").append(config.hostname())
                .append("\r\n250-PIPELINING")
                .append("\r\n250-SIZE ").append(config.maxMessageSize())
                .append("\r\n250-8BITMIME")
                .append("\r\n250-SMTPUTF8")
                .append("\r\n250-ENHANCEDSTATUSCODES");
        if (!state.tls) {
            reply.append("\r\n250-STARTTLS");
        }
        if (offersAuth(state)) {
            reply.append("\r\n250-AUTH PLAIN LOGIN");
        }
        int last = reply.lastIndexOf("250-");
        reply.setCharAt(last + 3, ' ');
        session.sendResponse(reply.toString());
    }

    private boolean offersAuth(SessionState state) {
        return config.role() == Direction.OUTBOUND && state.tls;
    }

    private void starttls(Session session, SessionState state, String args) throws IOException {
        if (!args.isBlank()) {
            session.sendResponse("501 5.5.4 Syntax error (no parameters allowed)");
            return;
        }
        if (state.tls) {
            session.sendResponse("503 5.5.1 Error: TLS already active");
            return;
        }
        session.sendResponse("220 2.0.0 Ready to start TLS");
        Socket current = session.getSocket();
        Socket plain = current instanceof EnhancedStatusSocket wrapped ? wrapped.delegate() : current;
        SSLSocket secure;
        try {
            secure = tls.wrap(plain, true);
            secure.setSoTimeout((int) config.commandTimeout().toMillis());
            secure.startHandshake();
        } catch (IOException e) {
            metrics.tlsFailed();
            log.debug("TLS handshake with {} failed: {}", state.client.getHostAddress(), e.toString());
            session.quit();
            return;
        }
        metrics.tlsEstablished();
        // Whatever the client sent in clear after STARTTLS is thrown away with the old buffers (RFC 3207 §4.2,
        // CVE-2011-0411), and the session starts over: a new EHLO is required.
        session.setSocket(session.getSocket() instanceof EnhancedStatusSocket before
                ? new EnhancedStatusSocket(secure, before) : new EnhancedStatusSocket(secure));
        session.setTlsStarted(true);
        session.setTlsPeerCertificates(null);
        session.resetSmtpProtocol();
        state.tls = true;
        state.helo = null;
        state.resetTransaction();
    }

    private void auth(Session session, SessionState state, String args) throws IOException, DropConnectionException {
        if (config.role() != Direction.OUTBOUND) {
            session.sendResponse("503 5.5.1 Error: authentication not enabled");
            return;
        }
        if (!state.tls) {
            // RFC 4954 §6: PLAIN and LOGIN send the password in clear, so they need an encrypted channel.
            session.sendResponse("538 5.7.11 Encryption required for requested authentication mechanism");
            return;
        }
        if (state.helo == null) {
            session.sendResponse("503 5.5.1 Error: send EHLO first");
            return;
        }
        if (state.authenticatedUser != null) {
            session.sendResponse("503 5.5.1 Error: already authenticated");
            return;
        }
        if (state.inTransaction()) {
            session.sendResponse("503 5.5.1 Error: AUTH not permitted during a mail transaction");
            return;
        }
        String[] parts = args.strip().split(" +");
        if (parts.length == 0 || parts[0].isEmpty() || parts.length > 2) {
            session.sendResponse("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
            return;
        }
        if (authFailures.refused(state.client)) {
            // checked before any hash is computed: an address that failed this often waits out its window
            metrics.authFailed();
            throw new DropConnectionException(421, "4.7.0 Too many authentication failures from your address, try again later");
        }
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length == 2 ? parts[1] : null;
        String user;
        String password;
        try {
            if (mechanism.equals("PLAIN")) {
                String response = initial != null ? initial : challenge(session, "");
                String plain = decode("=".equals(response) ? "" : response);
                String[] fields = plain.split("\0", -1);
                if (fields.length != 3) {
                    session.sendResponse("501 5.5.2 Malformed PLAIN response");
                    return;
                }
                if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
                    // Acting for another user (authorization identity) is not supported.
                    fail(session, state);
                    return;
                }
                user = fields[1];
                password = fields[2];
            } else if (mechanism.equals("LOGIN")) {
                user = decode(initial != null ? initial : challenge(session, "VXNlcm5hbWU6"));
                password = decode(challenge(session, "UGFzc3dvcmQ6"));
            } else {
                session.sendResponse("504 5.5.4 Unrecognized authentication type");
                return;
            }
        } catch (Aborted e) {
            session.sendResponse("501 5.7.0 Authentication aborted");
            return;
        } catch (java.io.EOFException e) {
            // the client hung up at the prompt: the session ends quietly, as between commands
            session.quit();
            return;
        } catch (IllegalArgumentException e) {
            session.sendResponse("501 5.5.2 Cannot decode response");
            return;
        }
        boolean valid;
        try {
            valid = passwords.verify(user, password);
        } catch (RuntimeException e) {
            log.warn("app password check failed: {}", e.toString());
            session.sendResponse("454 4.7.0 Temporary authentication failure");
            return;
        }
        if (valid) {
            // the login as the app passwords know it (lower case, trimmed), for the store and the log; the password as typed
            state.authenticatedUser = user.strip().toLowerCase(Locale.ROOT);
            state.authenticatedPassword = password;
            metrics.authSucceeded();
            session.sendResponse("235 2.7.0 Authentication successful");
        } else {
            fail(session, state);
        }
    }

    /**
     * Whether the session's credentials still hold (asked at each MAIL: the check is cached, so it costs no hash); if
     * not, the session is no longer authenticated and the client is told so.
     */
    private boolean stillValid(Session session, SessionState state) throws IOException {
        boolean valid;
        try {
            valid = passwords.verify(state.authenticatedUser, state.authenticatedPassword);
        } catch (RuntimeException e) {
            log.warn("app password check failed: {}", e.toString());
            session.sendResponse("454 4.7.0 Temporary authentication failure");
            return false;
        }
        if (!valid) {
            log.info("SMTP session from {}: its credentials were revoked; authentication required again",
                    state.client.getHostAddress());
            state.authenticatedUser = null;
            state.authenticatedPassword = null;
            session.sendResponse("530 5.7.0 Authentication required: the credentials are no longer valid");
        }
        return valid;
    }

    private void fail(Session session, SessionState state) throws IOException, DropConnectionException {
        metrics.authFailed();
        state.authFailures++;
        authFailures.recordFailure(state.client);
        log.info("SMTP AUTH failed from {}", state.client.getHostAddress());
        if (state.authFailures >= MAX_AUTH_FAILURES) {
            throw new DropConnectionException(421, "4.7.0 Too many authentication failures, closing connection");
        }
        session.sendResponse("535 5.7.8 Authentication credentials invalid");
    }

    private static final class Aborted extends Exception {
        Aborted() {
            super(null, null, false, false);
        }
    }

    private static String challenge(Session session, String prompt) throws IOException, Aborted {
        session.sendResponse("334 " + prompt);
        String line = session.getReader().readLine();
        if (line == null) {
            throw new java.io.EOFException("connection closed during AUTH");
        }
        if (line.strip().equals("*")) {
            throw new Aborted();
        }
        return line;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
    }

    private boolean tlsMissing(Session session, SessionState state) throws IOException {
        if (config.requireTls() && !state.tls) {
            session.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
            return true;
        }
        return false;
    }

    private void mail(Session session, SessionState state, String args) throws IOException {
        if (state.helo == null) {
            session.sendResponse("503 5.5.1 Error: send HELO/EHLO first");
            return;
        }
        if (tlsMissing(session, state)) {
            return;
        }
        if (state.inTransaction()) {
            session.sendResponse("503 5.5.1 Error: nested MAIL command");
            return;
        }
        if (config.role() == Direction.OUTBOUND && !state.trusted && state.authenticatedUser == null) {
            session.sendResponse("530 5.7.0 Authentication required");
            return;
        }
        if (config.role() == Direction.OUTBOUND && state.authenticatedUser != null && !stillValid(session, state)) {
            return;
        }
        Matcher m = MAIL_FROM.matcher(args);
        if (!m.matches()) {
            session.sendResponse("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        boolean smtputf8 = false;
        for (String parameter : m.group(2).strip().split(" +")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : parameter.substring(eq + 1);
            switch (key) {
                case "SIZE" -> {
                    if (value == null || !value.matches("\\d{1,20}")) {
                        session.sendResponse("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                    if (value.length() > 18 || Long.parseLong(value) > config.maxMessageSize()) {
                        session.sendResponse(DotTerminatedData.SIZE_EXCEEDED);
                        return;
                    }
                }
                case "BODY" -> {
                    if (value == null || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
                        session.sendResponse("501 5.5.4 Bad BODY parameter");
                        return;
                    }
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        session.sendResponse("501 5.5.4 SMTPUTF8 takes no value");
                        return;
                    }
                    smtputf8 = true;
                }
                case "AUTH" -> {
                    // RFC 4954 §5: accepted and ignored; we do not relay the claimed identity onwards.
                }
                default -> {
                    session.sendResponse("555 5.5.4 Unsupported parameter " + printable(key));
                    return;
                }
            }
        }
        String address = SOURCE_ROUTE.matcher(m.group(1).strip()).replaceFirst("");
        if (!address.isEmpty() && !mailbox(address)) {
            session.sendResponse("553 5.1.7 Bad sender address syntax");
            return;
        }
        if (!smtputf8 && !ascii(address)) {
            session.sendResponse("553 5.6.7 Non-ASCII address requires SMTPUTF8");
            return;
        }
        state.mailFrom = address;
        state.smtputf8 = smtputf8;
        session.sendResponse("250 2.1.0 Ok");
    }

    private void rcpt(Session session, SessionState state, String args) throws IOException {
        if (tlsMissing(session, state)) {
            return;
        }
        if (!state.inTransaction()) {
            session.sendResponse("503 5.5.1 Error: need MAIL command");
            return;
        }
        Matcher m = RCPT_TO.matcher(args);
        if (!m.matches()) {
            session.sendResponse("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        if (!m.group(2).isBlank()) {
            session.sendResponse("555 5.5.4 Unsupported parameter " + printable(m.group(2).strip().split(" ")[0]));
            return;
        }
        String address = SOURCE_ROUTE.matcher(m.group(1).strip()).replaceFirst("");
        if (!mailbox(address)) {
            session.sendResponse("553 5.1.3 Bad recipient address syntax");
            return;
        }
        if (!state.smtputf8 && !ascii(address)) {
            session.sendResponse("553 5.6.7 Non-ASCII address requires SMTPUTF8");
            return;
        }
        if (state.recipients.size() >= config.maxRecipients()) {
            session.sendResponse("452 4.5.3 Too many recipients");
            return;
        }
        if (config.role() == Direction.INBOUND) {
            String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (domain.endsWith(".")) {
                domain = domain.substring(0, domain.length() - 1);
            }
            if (!internalDomain.test(domain)) {
                session.sendResponse("550 5.7.1 Relaying denied");
                return;
            }
            String refusal = state.recipients.contains(address) ? null : recipients.refusal(address);
            if (refusal != null) {
                session.sendResponse(refusal);
                return;
            }
        }
        if (!state.recipients.contains(address)) {
            state.recipients.add(address);
        }
        session.sendResponse("250 2.1.5 Ok");
    }

    private void data(Session session, SessionState state, String args) throws IOException, DropConnectionException {
        if (!args.isBlank()) {
            session.sendResponse("501 5.5.4 Syntax error (no parameters allowed)");
            return;
        }
        if (tlsMissing(session, state)) {
            return;
        }
        if (!state.inTransaction()) {
            session.sendResponse("503 5.5.1 Error: need MAIL command");
            return;
        }
        if (state.recipients.isEmpty()) {
            session.sendResponse("554 5.5.1 Error: no valid recipients");
            return;
        }
        Instant receivedAt = clock.instant();
        Envelope envelope = new Envelope(config.role(), state.mailFrom, state.recipients,
                state.client.getHostAddress(), state.helo, state.authenticatedUser, state.tls, receivedAt);
        state.resetTransaction();
        session.sendResponse("354 End data with <CR><LF>.<CR><LF>");

        Socket socket = session.getSocket();
        int commandTimeout = socket.getSoTimeout();
        socket.setSoTimeout((int) config.dataTimeout().toMillis());
        // the whole DATA within ten read timeouts (mamori.smtp.data-timeout: 100 min as shipped), however it trickles in
        DotTerminatedData data = new DotTerminatedData(session.getRawInput(), config.maxMessageSize(), config.maxLineLength(),
                System.nanoTime() + config.dataTimeout().multipliedBy(DATA_DEADLINE_TIMEOUTS).toNanos());
        ReceiveResult result = null;
        Exception failure = null;
        try {
            result = receiver.receive(envelope, data);
            if (result == null) {
                failure = new IllegalStateException("receiver returned null");
            }
        } catch (Exception e) {
            failure = e;
        }
        try {
            data.drain();
        } catch (DotTerminatedData.TooMuchData e) {
            metrics.message("rejected_size");
            throw new DropConnectionException(552, "5.3.4 Message size exceeds fixed maximum message size, closing connection");
        } catch (IOException e) {
            // fall through: the transport failure is reported below
        }
        if (data.transportFailure() != null) {
            metrics.message("failed");
            if (result instanceof ReceiveResult.Accepted) {
                log.error("receiver accepted a message whose DATA did not complete ({}); contract violation",
                        data.transportFailure().toString());
            }
            if (data.transportFailure() instanceof SocketTimeoutException) {
                throw new DropConnectionException(421, "4.4.2 Timeout waiting for data, closing connection");
            }
            session.quit();
            return;
        }
        socket.setSoTimeout(commandTimeout);
        if (data.rejection() != null) {
            metrics.message(data.rejection().startsWith("552") ? "rejected_size" : "rejected_line_length");
            if (result instanceof ReceiveResult.Accepted accepted) {
                log.error("receiver accepted {} although DATA exceeded a limit; contract violation", accepted.queueId());
            }
            session.sendResponse(data.rejection());
        } else if (failure != null) {
            metrics.message("failed");
            log.warn("receiving a message from {} failed: {}", envelope.clientAddress(), failure.toString());
            session.sendResponse(TEMPORARY_FAILURE);
        } else if (result instanceof ReceiveResult.Accepted accepted) {
            metrics.message("accepted");
            session.sendResponse("250 2.0.0 Ok: queued as " + printable(accepted.queueId()));
        } else if (result instanceof ReceiveResult.Refused refused) {
            metrics.message("refused");
            session.sendResponse(printable(refused.reply()));
        }
    }

    private void quit(Session session, SessionState state, String args) throws IOException {
        session.sendResponse("221 2.0.0 Bye");
        session.quit();
    }

    static boolean mailbox(String address) {
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1 || address.length() > 320) {
            return false;
        }
        if (address.substring(0, at).getBytes(StandardCharsets.UTF_8).length > 64
                || address.length() - at - 1 > 255) {
            return false;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return address.indexOf('@') == at || address.startsWith("\"");
    }

    private static boolean ascii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }

    /** Keeps a reply on one line of printable ASCII, whatever a receiver or client put into it. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= ' ' && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
