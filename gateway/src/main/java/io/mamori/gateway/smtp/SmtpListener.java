package io.mamori.gateway.smtp;

import io.mamori.gateway.auth.PasswordVerifier;
import io.mamori.gateway.receive.MessageReceiver;
import io.mamori.gateway.tls.ServerTls;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * One SMTP listener (MX or smart host, see {@link ListenerConfig#role()}) on subethasmtp: blocking I/O, one
 * pooled thread per session. At the end of DATA it streams the message to the {@link MessageReceiver} and
 * answers 250 only when that returns {@code Accepted}.
 *
 * <p>Extensions: PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, and on the outbound
 * listener after STARTTLS: AUTH PLAIN LOGIN. Every reply carries an enhanced status code (RFC 3463), except
 * the greeting and the HELO/EHLO replies (RFC 2034 §3). Replies are US-ASCII English, as RFC 5321 §4.2
 * requires; they are read by MTAs and logged for people by the sending side.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()}; thread-safe.
 */
public final class SmtpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpListener.class);

    private final ListenerConfig config;
    private final ListenerMetrics metrics;
    private final Map<Session, SessionState> sessions = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final SMTPServer server;

    /**
     * @param config         listener settings
     * @param tls            certificate and TLS parameters for STARTTLS
     * @param receiver       takes each message at the end of DATA
     * @param internalDomain whether a recipient domain (lower case, no trailing dot) is one of ours; asked on
     *                       every RCPT of the inbound listener, so a reloaded policy applies at once
     * @param passwords      checks SMTP AUTH credentials on the outbound listener
     * @param clock          gives {@code Envelope.receivedAt}
     * @param meters         where the listener's meters are registered
     */
    public SmtpListener(ListenerConfig config, ServerTls tls, MessageReceiver receiver, Predicate<String> internalDomain,
                        PasswordVerifier passwords, Clock clock, MeterRegistry meters) {
        this(config, tls, receiver, internalDomain, RecipientCheck.ACCEPT_ALL, passwords, clock, meters);
    }

    /**
     * As above, and the inbound listener refuses the addresses of internal domains that {@code recipients} refuses
     * (recipient verification against the next hop), so mail for them is never taken and bounced later.
     */
    public SmtpListener(ListenerConfig config, ServerTls tls, MessageReceiver receiver, Predicate<String> internalDomain,
                        RecipientCheck recipients, PasswordVerifier passwords, Clock clock, MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        String name = config.role().lowerName();
        this.metrics = new ListenerMetrics(meters, name);
        SmtpCommands commands = new SmtpCommands(config, Objects.requireNonNull(tls, "tls"),
                Objects.requireNonNull(receiver, "receiver"), Objects.requireNonNull(internalDomain, "internalDomain"),
                Objects.requireNonNull(recipients, "recipients"), Objects.requireNonNull(passwords, "passwords"), Objects.requireNonNull(clock, "clock"), metrics,
                sessions::get);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "smtp-" + name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.server = SMTPServer.port(config.port())
                .bindAddress(config.bindAddress())
                .hostName(config.hostname())
                .softwareName("Mamori")
                .backlog(128)
                .maxConnections(config.maxConnections())
                .connectionTimeout((int) config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .sessionHandler(new ConnectionLimits())
                .serverSocketFactory(EnhancedStatusSocket.Server::new)
                .executorService(executor)
                .serverThreadName("smtp-" + name + "-accept")
                .build();
        for (Command command : commands.all()) {
            server.getCommandHandler().addCommand(command);
        }
    }

    /**
     * Binds and starts accepting connections.
     *
     * @throws RuntimeException if the address cannot be bound (the cause says why)
     */
    public synchronized void start() {
        // subethasmtp's Session logs every command line at DEBUG, AUTH PLAIN's credentials included: the application
        // installs a log filter that drops those lines (io.mamori.app.SmtpCredentialsLogFilter)
        server.start();
        log.info("SMTP {} listener on {}:{}", config.role().lowerName(), config.bindAddress().getHostAddress(), port());
    }

    /** The bound port (useful with port 0); -1 before {@link #start()}. */
    public int port() {
        return server.isRunning() ? server.getPortAllocated() : -1;
    }

    public ListenerConfig config() {
        return config;
    }

    /** Sessions open right now. */
    public int activeSessions() {
        return metrics.activeSessions();
    }

    /** Stops accepting, closes open sessions (their transactions are not accepted) and stops the threads. */
    @Override
    public synchronized void close() {
        if (server.isRunning()) {
            // Close each session's TCP connection underneath any TLS layer first. subethasmtp's stop() closes the
            // session's current socket, which after STARTTLS is the SSLSocket; closing that from another thread
            // while the session thread is blocked reading it does not reliably wake the reader (JDK SSLSocketImpl
            // close/read locking), so stop() then waited for the command timeout (300 s) to end the session.
            // Closing the plain socket makes the blocked read fail at once.
            for (SessionState state : sessions.values()) {
                state.closeTransport();
            }
            server.stop();
        }
        executor.shutdownNow();
    }

    /**
     * What the per-client limit counts a client as: its IPv4 address, or the /64 network of its IPv6 address (one
     * host, or one customer of a provider, is given a whole /64, so counting single IPv6 addresses would let it open
     * any number of sessions).
     */
    static InetAddress limitedAs(InetAddress client) {
        if (!(client instanceof java.net.Inet6Address)) {
            return client;
        }
        byte[] network = client.getAddress();
        java.util.Arrays.fill(network, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(network);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /** Per-client connection limit and session bookkeeping; the total limit is subethasmtp's. */
    private final class ConnectionLimits implements SessionHandler {

        @Override
        public SessionAcceptance accept(Session session) {
            InetAddress client = session.getSocket().getInetAddress();
            int count = perClient.merge(limitedAs(client), 1, Integer::sum);
            if (count > config.maxConnectionsPerClient()) {
                release(client);
                metrics.connectionRejected();
                return SessionAcceptance.failure(421, "4.7.0 Too many connections from your address");
            }
            Socket socket = session.getSocket();
            sessions.put(session, new SessionState(client, config.trusts(client),
                    socket instanceof EnhancedStatusSocket wrapped ? wrapped.delegate() : socket));
            metrics.sessionStarted();
            return SessionAcceptance.success();
        }

        @Override
        public void onSessionEnd(Session session) {
            SessionState state = sessions.remove(session);
            if (state != null) {
                release(state.client);
                metrics.sessionEnded();
            }
        }

        private void release(InetAddress client) {
            perClient.computeIfPresent(limitedAs(client), (address, count) -> count <= 1 ? null : count - 1);
        }
    }
}
