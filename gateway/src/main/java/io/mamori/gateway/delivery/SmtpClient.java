package io.mamori.gateway.delivery;

import io.mamori.core.message.EncryptedSpool;
import io.mamori.core.verdict.MessageRewriter;
import io.mamori.gateway.delivery.DeliveryResult.Outcome;
import io.mamori.gateway.delivery.DeliveryResult.RecipientResult;
import io.mamori.gateway.delivery.DeliveryResult.SessionFailure;
import io.mamori.gateway.delivery.DeliveryResult.SessionFailure.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to one hop over SMTP (RFC 5321) with ESMTP PIPELINING, SIZE, 8BITMIME, SMTPUTF8 and
 * STARTTLS.
 *
 * <p>Hand-written on plain sockets rather than Jakarta Mail's SMTP transport because a relay needs what
 * that API hides or changes: the reply to every RCPT (so each recipient gets its own DELIVERED / retry /
 * bounce), byte-for-byte streaming of the stored content (Jakarta Mail re-encodes a {@code MimeMessage},
 * which would break DKIM signatures and would need the message in memory), PIPELINING, our own STARTTLS
 * policy (opportunistic without certificate checks, or required with verification) and the per-stage
 * timeouts of RFC 5321 §4.5.3.2.
 *
 * <p>Connections are reused (as Postfix's SMTP client does): after a transaction that ended with a 2xx reply
 * to the data, the connection goes back to a small per-hop idle pool, and the next transaction to the same
 * hop with the same EHLO name and TLS policy starts at once with MAIL FROM on it — no new TCP connection,
 * greeting, EHLO or STARTTLS handshake. Any other ending (an error, a timeout, a 4xx or 5xx to anything)
 * closes the connection with QUIT as before. An idle connection is closed after {@code idleTimeout}, and none
 * is used longer than {@link #MAX_CONNECTION_AGE}. If a reused connection turns out to be gone (closed by the
 * peer, or {@code 421} to MAIL FROM) before any content was sent, the transaction runs again on a new
 * connection, so reuse never changes the outcome of a delivery.
 *
 * <p>Thread-safe: a connection is used by one {@code deliver} call at a time (taken out of the pool while in
 * use); one client serves all workers. {@link #close()} closes the idle connections and stops the timer used
 * to bound socket writes and reply waits and to expire idle connections.
 */
public final class SmtpClient implements AutoCloseable {

    /** The stage of a transaction whose content was all sent, waiting for the final reply. */
    private static final String END_OF_DATA = "end of data";

    private static final Logger log = LoggerFactory.getLogger(SmtpClient.class);
    private static final int MAX_REPLY_LINE = 2048;
    private static final int MAX_REPLY_LINES = 100;
    private static final int BLOCK = 64 * 1024;
    /** The whole content must be taken within this many data block timeouts (30 min by default). */
    static final int CONTENT_BLOCK_TIMEOUTS = 10;
    private static final Duration QUIT_WAIT = Duration.ofSeconds(5);
    /** A transaction without a time limit of its own (about 146 years of {@link System#nanoTime()}). */
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** How long an unused connection stays open for the next message (Postfix: smtp_connection_cache_time_limit). */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** No connection is reused after this age (Postfix: smtp_connection_reuse_time_limit). */
    static final Duration MAX_CONNECTION_AGE = Duration.ofMinutes(5);
    /** Idle connections kept per hop; each worker holds at most one connection at a time anyway. */
    private static final int MAX_IDLE_PER_HOP = 16;
    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** CR, LF, NUL, angle brackets and spaces would let an address smuggle commands or break the path syntax. */
    private static final Pattern BAD_PATH_CHARS = Pattern.compile("[\\x00-\\x20<>\\x7f]");

    private static final Path TEMP_DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"));
    /** A converted message up to this size stays on the heap while it is sent; a bigger one is spilled, encrypted. */
    private static final int CONVERTED_ON_HEAP = 256 * 1024;

    private final SmtpTimeouts timeouts;
    private final Path scratchDirectory;
    private final MessageRewriter rewriter;
    private final SSLContext verifyingTls;
    private final SSLContext opportunisticTls;
    private final ScheduledExecutorService writeWatchdog;
    private final long idleTimeoutNanos;
    /** Idle connections by destination; guarded by itself. The newest is at the head (taken first). */
    private final Map<PoolKey, ArrayDeque<IdleConnection>> idle = new HashMap<>();
    private boolean closed;

    /**
     * @param timeouts     per-stage timeouts
     * @param verifyingTls context used for {@link TlsPolicy#REQUIRED}: its trust managers decide which
     *                     certificates are accepted (see {@link #trusting(KeyStore)}); the host name is
     *                     checked in addition
     */
    public SmtpClient(SmtpTimeouts timeouts, SSLContext verifyingTls) {
        this(timeouts, verifyingTls, DEFAULT_IDLE_TIMEOUT, TEMP_DIRECTORY);
    }

    /**
     * As above, and a message converted to 7 bit for a host without 8BITMIME is held (encrypted) in
     * {@code scratchDirectory} while it is sent, e.g. the gateway's spool directory rather than {@code /tmp}.
     */
    public SmtpClient(SmtpTimeouts timeouts, SSLContext verifyingTls, Path scratchDirectory) {
        this(timeouts, verifyingTls, DEFAULT_IDLE_TIMEOUT, scratchDirectory);
    }

    /** As above, keeping an unused connection open for {@code idleTimeout} (zero: never reuse connections). */
    SmtpClient(SmtpTimeouts timeouts, SSLContext verifyingTls, Duration idleTimeout) {
        this(timeouts, verifyingTls, idleTimeout, TEMP_DIRECTORY);
    }

    private SmtpClient(SmtpTimeouts timeouts, SSLContext verifyingTls, Duration idleTimeout, Path scratchDirectory) {
        this.timeouts = Objects.requireNonNull(timeouts);
        this.verifyingTls = Objects.requireNonNull(verifyingTls);
        this.scratchDirectory = Objects.requireNonNull(scratchDirectory, "scratchDirectory");
        this.rewriter = new MessageRewriter(scratchDirectory);
        this.opportunisticTls = unverifiedContext();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "smtp-client-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.writeWatchdog = timer;
        if (idleTimeoutNanos > 0) {
            long period = Math.max(50, idleTimeout.toMillis() / 2);
            timer.scheduleWithFixedDelay(this::closeExpired, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Verifies required TLS against the JDK's default trust store. */
    public SmtpClient(SmtpTimeouts timeouts) {
        this(timeouts, defaultContext());
    }

    /** A TLS context trusting exactly the certificates of {@code trustStore} (for {@code require_tls}). */
    public static SSLContext trusting(KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable trust store: " + e.getMessage(), e);
        }
    }

    /** Same as {@link #deliver(HostAndPort, String, String, List, InputStream, long, TlsPolicy)} without a size hint. */
    public DeliveryResult deliver(HostAndPort hop, String heloName, String mailFrom, List<String> rcpts,
                                  InputStream content, TlsPolicy tls) {
        return deliver(hop, heloName, mailFrom, rcpts, content, -1, tls);
    }

    /**
     * Runs one SMTP transaction. Never throws for network or protocol trouble: every recipient gets an
     * outcome. The content is read only after the peer answered 354 (or, for a host without 8BITMIME, to convert it
     * before MAIL FROM), so it is untouched when the result has no DELIVERED or PERM_FAILED recipient from the data
     * phase and the host offers 8BITMIME.
     *
     * @param hop      where to connect
     * @param heloName our name for EHLO/HELO
     * @param mailFrom reverse path without brackets, "" for the null sender
     * @param rcpts    forward paths without brackets, at least one
     * @param content  the message as stored (CRLF lines, not dot-stuffed); not closed here
     * @param size     content size in bytes for the SIZE extension, or -1 if unknown
     * @param tls      STARTTLS policy for this hop
     */
    public DeliveryResult deliver(HostAndPort hop, String heloName, String mailFrom, List<String> rcpts,
                                  InputStream content, long size, TlsPolicy tls) {
        return deliver(hop, heloName, mailFrom, rcpts, content, size, tls, null);
    }

    /**
     * As {@link #deliver(HostAndPort, String, String, List, InputStream, long, TlsPolicy)}, and the whole transaction
     * (a retry on a new connection included) ends within {@code within}: every wait is cut short when the time is up,
     * and the recipients without an answer by then are deferred. {@code null}: only the per-stage timeouts apply.
     */
    public DeliveryResult deliver(HostAndPort hop, String heloName, String mailFrom, List<String> rcpts,
                                  InputStream content, long size, TlsPolicy tls, Duration within) {
        try (SevenBitCopy sevenBit = sevenBitCopy()) {
            return deliver(hop, heloName, mailFrom, rcpts, content, size, sevenBit, tls, within);
        }
    }

    /**
     * A holder for the 7-bit copy of one message, shared by the transactions of one delivery attempt so that the
     * message is converted at most once ({@link #deliver(HostAndPort, String, String, List, InputStream, long,
     * SevenBitCopy, TlsPolicy, Duration)}); the caller closes it when the attempt is over.
     */
    SevenBitCopy sevenBitCopy() {
        return new SevenBitCopy(rewriter, scratchDirectory, CONVERTED_ON_HEAP);
    }

    /**
     * As {@link #deliver(HostAndPort, String, String, List, InputStream, long, TlsPolicy, Duration)}, and a host without
     * 8BITMIME gets {@code sevenBit}'s copy: made from {@code content} (before MAIL FROM) if it has not been made yet,
     * else sent as it is, leaving {@code content} unread.
     */
    DeliveryResult deliver(HostAndPort hop, String heloName, String mailFrom, List<String> rcpts, InputStream content,
                           long size, SevenBitCopy sevenBit, TlsPolicy tls, Duration within) {
        Objects.requireNonNull(hop);
        Objects.requireNonNull(content);
        Objects.requireNonNull(sevenBit);
        Objects.requireNonNull(tls);
        if (rcpts.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        if (heloName == null || heloName.isEmpty() || BAD_PATH_CHARS.matcher(heloName).find()) {
            throw new IllegalArgumentException("invalid HELO name: " + heloName);
        }
        String from = mailFrom == null ? "" : mailFrom;
        PoolKey key = new PoolKey(hop, heloName, tls);
        long deadline = within == null ? NO_DEADLINE : System.nanoTime() + Math.max(0, within.toNanos());
        Transaction tx = new Transaction(key, from, rcpts, content, size, sevenBit, deadline);
        DeliveryResult result = tx.run(true, true);
        if (tx.staleConnection && !tx.pastDeadline()) {
            log.debug("reused connection to {} was gone; retrying on a new one", hop);
            tx = new Transaction(key, from, rcpts, content, size, sevenBit, deadline);
            result = tx.run(true, false);
        }
        if (tx.opportunisticHandshakeFailed && !tx.pastDeadline()) {
            // RFC 7435: a failed opportunistic handshake must not block delivery; retry in plain text.
            log.debug("TLS handshake with {} failed; retrying without STARTTLS", hop);
            result = new Transaction(key, from, rcpts, content, size, sevenBit, deadline).run(false, false);
        }
        return result;
    }

    /**
     * Asks {@code hop} whether it would take mail for {@code rcpt}, without sending any: {@code MAIL FROM:<>}, {@code RCPT
     * TO}, {@code QUIT} (Postfix's address verification probe). The one recipient's outcome is DELIVERED when the hop
     * accepted the address, PERM_FAILED for a 5xx to RCPT, TEMP_FAILED for anything else (a 4xx, no answer in time, a
     * refused null sender: none of these says the address does not exist). Never throws for network trouble.
     *
     * @param within the whole probe's time limit
     */
    public DeliveryResult verifyRecipient(HostAndPort hop, String heloName, String rcpt, TlsPolicy tls, Duration within) {
        Objects.requireNonNull(hop);
        Objects.requireNonNull(rcpt);
        Objects.requireNonNull(tls);
        Objects.requireNonNull(within);
        if (heloName == null || heloName.isEmpty() || BAD_PATH_CHARS.matcher(heloName).find()) {
            throw new IllegalArgumentException("invalid HELO name: " + heloName);
        }
        PoolKey key = new PoolKey(hop, heloName, tls);
        long deadline = System.nanoTime() + Math.max(0, within.toNanos());
        Transaction tx = new Transaction(key, "", List.of(rcpt), InputStream.nullInputStream(), 0, null, deadline);
        tx.probe = true;
        DeliveryResult result = tx.run(true, false);
        if (tx.opportunisticHandshakeFailed && !tx.pastDeadline()) {
            Transaction plain = new Transaction(key, "", List.of(rcpt), InputStream.nullInputStream(), 0, null, deadline);
            plain.probe = true;
            result = plain.run(false, false);
        }
        return result;
    }

    /** Closes the idle connections and stops the timer that bounds writes and reply waits: the client is done. */
    @Override
    public void close() {
        List<IdleConnection> all = new ArrayList<>();
        synchronized (idle) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(IdleConnection::quitAndClose);
        writeWatchdog.shutdownNow();
    }

    /** Where a connection goes and how it was opened: only a connection with an equal key may be reused. */
    private record PoolKey(HostAndPort hop, String heloName, TlsPolicy policy) {
    }

    /** An open connection between transactions, owned by the pool (no thread uses it while it is here). */
    private record IdleConnection(Socket socket, Socket tcp, InputStream in, OutputStream out, boolean secure,
                                  Map<String, String> extensions, long openedAt, long idleSince) {

        boolean usable(long now, long idleTimeoutNanos) {
            return now - idleSince < idleTimeoutNanos && now - openedAt < MAX_CONNECTION_AGE.toNanos() && !socket.isClosed()
                    && !tcp.isClosed();
        }

        /** Best effort and never blocking for long: QUIT fits in the socket buffer, and nobody waits for 221. */
        void quitAndClose() {
            try {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException ignored) {
                // closing anyway
            }
            closeQuietly(socket);
        }
    }

    private IdleConnection takeIdle(PoolKey key) {
        if (idleTimeoutNanos <= 0) {
            return null;
        }
        List<IdleConnection> expired = new ArrayList<>();
        IdleConnection found = null;
        long now = System.nanoTime();
        synchronized (idle) {
            ArrayDeque<IdleConnection> queue = idle.get(key);
            while (queue != null && !queue.isEmpty()) {
                IdleConnection c = queue.pollFirst();
                if (c.usable(now, idleTimeoutNanos)) {
                    found = c;
                    break;
                }
                expired.add(c);
            }
        }
        expired.forEach(IdleConnection::quitAndClose);
        return found;
    }

    /** Returns whether the pool took the connection (otherwise the caller closes it). */
    private boolean offerIdle(PoolKey key, IdleConnection connection) {
        if (idleTimeoutNanos <= 0 || !connection.usable(connection.idleSince(), idleTimeoutNanos)) {
            return false;
        }
        IdleConnection surplus = null;
        synchronized (idle) {
            if (closed) {
                return false;
            }
            ArrayDeque<IdleConnection> queue = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            queue.addFirst(connection);
            if (queue.size() > MAX_IDLE_PER_HOP) {
                surplus = queue.pollLast();
            }
        }
        if (surplus != null) {
            surplus.quitAndClose();
        }
        return true;
    }

    private void closeExpired() {
        List<IdleConnection> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (idle) {
            for (Iterator<ArrayDeque<IdleConnection>> queues = idle.values().iterator(); queues.hasNext(); ) {
                ArrayDeque<IdleConnection> queue = queues.next();
                queue.removeIf(c -> {
                    if (c.usable(now, idleTimeoutNanos)) {
                        return false;
                    }
                    expired.add(c);
                    return true;
                });
                if (queue.isEmpty()) {
                    queues.remove();
                }
            }
        }
        expired.forEach(IdleConnection::quitAndClose);
    }

    /** The JDK's default TLS context: verifies against the JDK's trust store. */
    public static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /**
     * Opportunistic TLS (RFC 7435) accepts any certificate: an unauthenticated encrypted channel still beats
     * plain text, and most MX hosts present certificates that would not verify. REQUIRED never uses this.
     */
    private static SSLContext unverifiedContext() {
        TrustManager acceptAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {acceptAll}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }


    /** A parsed (possibly multi-line) SMTP reply. */
    record Reply(int code, List<String> lines) {
        /**
         * A 2xx reply. DATA's 354 is checked by its own code; a 3xx anywhere else is a broken server, not an
         * acceptance: counting it as one would record as delivered what the server may never have taken.
         */
        boolean positive() {
            return code >= 200 && code < 300;
        }

        boolean permanent() {
            return code >= 500;
        }

        /** The reply on one line, e.g. {@code 550 5.1.1 User unknown}, with control characters removed. */
        String text() {
            String joined = code + " " + String.join(" ", lines).strip();
            return joined.replaceAll("[\\x00-\\x1f\\x7f]", " ").strip();
        }

        /** Extension keywords of an EHLO reply (first line is the greeting), upper case. */
        Map<String, String> extensions() {
            Map<String, String> ext = new LinkedHashMap<>();
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] parts = line.strip().split("\\s+", 2);
                if (!parts[0].isEmpty()) {
                    ext.put(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
                }
            }
            return ext;
        }
    }

    /** Ends a session early; every recipient without a definite answer gets {@code outcome}. */
    private static final class Abort extends Exception {
        final Kind kind;
        final Outcome outcome;

        Abort(Kind kind, Outcome outcome, String detail) {
            super(detail, null, false, false);
            this.kind = kind;
            this.outcome = outcome;
        }
    }

    private final class Transaction {
        private final PoolKey key;
        private final HostAndPort hop;
        private final String heloName;
        private final String mailFrom;
        private final List<String> rcpts;
        private final InputStream content;
        private final long size;
        /** The attempt's 7-bit copy, for a host without 8BITMIME; null for a probe. */
        private final SevenBitCopy sevenBit;
        /** What goes after 354, chosen after EHLO: {@link #content} or the 7-bit copy. */
        private EncryptedSpool.Stored converted;
        private final TlsPolicy policy;
        private final Map<String, RecipientResult> results = new LinkedHashMap<>();
        private Socket socket;
        /** The TCP connection under {@link #socket} (the same socket until STARTTLS). */
        private Socket tcp;
        private InputStream in;
        private OutputStream out;
        private byte[] readBuf = new byte[4096];
        private int readPos;
        private int readLimit;
        private boolean secure;
        private volatile boolean writeTimedOut;
        /** Set once a reply did not arrive in time and the timer closed the connection; it stays closed. */
        private volatile boolean readTimedOut;
        private String stage = "connect";
        private Map<String, String> extensions;
        private long openedAt;
        private boolean reused;
        private int repliesRead;
        private int firstReplyCode;
        /** Set once the transaction ended cleanly with 2xx to the data: the connection may serve the next one. */
        private boolean reusable;
        boolean opportunisticHandshakeFailed;
        /** A reused connection failed before it carried anything: run the transaction again on a new one. */
        boolean staleConnection;
        /** {@link System#nanoTime()} by which the transaction ends, or {@link #NO_DEADLINE}. */
        private final long deadline;
        /** Only ask about the recipients ({@link #verifyRecipient}): no DATA, and QUIT after the RCPT replies. */
        boolean probe;
        /** Whether the current wait was shortened to the transaction's time limit (so its timeout is the limit's). */
        private boolean cappedByDeadline;

        Transaction(PoolKey key, String mailFrom, List<String> rcpts, InputStream content, long size, SevenBitCopy sevenBit,
                    long deadline) {
            this.deadline = deadline;
            this.key = key;
            this.hop = key.hop();
            this.heloName = key.heloName();
            this.mailFrom = mailFrom;
            this.rcpts = List.copyOf(rcpts);
            this.content = content;
            this.size = size;
            this.sevenBit = sevenBit;
            this.policy = key.policy();
        }

        DeliveryResult run(boolean allowTls, boolean mayReuse) {
            Optional<SessionFailure> failure = Optional.empty();
            try {
                converse(allowTls, mayReuse);
            } catch (Abort a) {
                if (reused && a.kind != Kind.LOCAL && (repliesRead == 0 || firstReplyCode == 421)) {
                    staleConnection = true;
                }
                if ((a.kind == Kind.TIMEOUT && cappedByDeadline) || (pastDeadline() && a.kind != Kind.LOCAL && a.kind != Kind.REPLY)) {
                    // whatever broke the wait (a timeout cut short, a socket closed by a guard) was the time limit
                    a = new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "time limit of the delivery attempt reached during "
                            + stage + " with " + hop);
                }
                failure = Optional.of(new SessionFailure(a.kind, a.getMessage(), END_OF_DATA.equals(stage)));
                settleRemaining(a.outcome, a.getMessage());
            } finally {
                if (!reusable || !offerIdle(key, new IdleConnection(socket, tcp, in, out, secure, extensions, openedAt, System.nanoTime()))) {
                    closeSocket();
                }
            }
            List<RecipientResult> ordered = new ArrayList<>();
            for (String r : rcpts) {
                ordered.add(results.get(r));
            }
            return new DeliveryResult(hop, secure, ordered, failure);
        }

        private void converse(boolean allowTls, boolean mayReuse) throws Abort {
            for (String r : rcpts) {
                if (r == null || r.isEmpty() || BAD_PATH_CHARS.matcher(r).find()) {
                    results.put(r, new RecipientResult(r, Outcome.PERM_FAILED, "501 5.1.3 Bad recipient address syntax"));
                }
            }
            if (BAD_PATH_CHARS.matcher(mailFrom).find()) {
                throw new Abort(Kind.LOCAL, Outcome.PERM_FAILED, "501 5.1.7 Bad sender address syntax");
            }
            if (results.size() == rcpts.size()) {
                return;
            }
            IdleConnection idleConnection = mayReuse ? takeIdle(key) : null;
            if (idleConnection != null) {
                reuse(idleConnection);
            } else {
                open(allowTls);
            }
            Map<String, String> ext = extensions;
            long limit = parseSizeLimit(ext.get("SIZE"));
            if (limit > 0 && size > limit) {
                quietQuit();
                throw new Abort(Kind.LOCAL, Outcome.PERM_FAILED,
                        "552 5.3.4 Message size " + size + " exceeds the limit " + limit + " of " + hop);
            }
            boolean utf8 = ext.containsKey("SMTPUTF8");
            if (!isAscii(mailFrom) && !utf8) {
                quietQuit();
                throw new Abort(Kind.LOCAL, Outcome.PERM_FAILED,
                        "553 5.6.7 Non-ASCII sender address, and " + hop + " does not offer SMTPUTF8");
            }
            List<String> toSend = new ArrayList<>();
            boolean needUtf8 = !isAscii(mailFrom);
            for (String r : rcpts) {
                if (results.containsKey(r)) {
                    continue;
                }
                if (!isAscii(r) && !utf8) {
                    results.put(r, new RecipientResult(r, Outcome.PERM_FAILED,
                            "553 5.6.7 Non-ASCII recipient address, and " + hop + " does not offer SMTPUTF8"));
                } else {
                    needUtf8 |= !isAscii(r);
                    toSend.add(r);
                }
            }
            if (toSend.isEmpty()) {
                quietQuit();
                return;
            }
            long sending = size;
            if (!probe && (!ext.containsKey("8BITMIME") || sevenBit.drained(content))) {
                converted = convertedCopy();
                sending = converted.size();
                if (limit > 0 && sending > limit) {
                    quietQuit();
                    throw new Abort(Kind.LOCAL, Outcome.PERM_FAILED, "552 5.3.4 Message size " + sending
                            + " (converted to 7 bit) exceeds the limit " + limit + " of " + hop);
                }
            }
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(mailFrom).append('>');
            if (limit >= 0 && sending >= 0 && !probe) {
                mail.append(" SIZE=").append(sending);
            }
            if (ext.containsKey("8BITMIME") && !probe) {
                mail.append(" BODY=8BITMIME");
            }
            if (needUtf8) {
                mail.append(" SMTPUTF8");
            }
            mail.append("\r\n");
            transact(mail.toString(), toSend, ext.containsKey("PIPELINING"));
        }

        /** A new connection up to the point where MAIL FROM may be sent: greeting, EHLO, STARTTLS. */
        private void open(boolean allowTls) throws Abort {
            connect();
            openedAt = System.nanoTime();
            Reply greeting = read(timeouts.greeting());
            if (greeting.code() != 220) {
                quietQuit();
                throw new Abort(Kind.REPLY, Outcome.TEMP_FAILED, "greeting from " + hop + ": " + greeting.text());
            }
            Map<String, String> ext = hello();
            if (ext.containsKey("STARTTLS") && allowTls) {
                stage = "STARTTLS";
                send("STARTTLS\r\n", timeouts.command());
                Reply r = read(timeouts.command());
                if (r.code() == 220) {
                    startTls();
                    ext = hello();
                } else if (policy == TlsPolicy.REQUIRED) {
                    quietQuit();
                    throw new Abort(Kind.TLS, Outcome.TEMP_FAILED, "TLS required but STARTTLS refused by " + hop + ": " + r.text());
                }
            } else if (policy == TlsPolicy.REQUIRED) {
                quietQuit();
                throw new Abort(Kind.TLS, Outcome.TEMP_FAILED, "TLS required but not available at " + hop);
            }
            extensions = ext;
            repliesRead = 0;
        }

        private void reuse(IdleConnection c) {
            reused = true;
            socket = c.socket();
            tcp = c.tcp();
            in = c.in();
            out = c.out();
            secure = c.secure();
            extensions = c.extensions();
            openedAt = c.openedAt();
        }

        private void transact(String mailCommand, List<String> toSend, boolean pipelining) throws Abort {
            List<String> accepted = new ArrayList<>();
            Reply dataReply;
            if (pipelining) {
                // RFC 2920: MAIL, every RCPT and DATA go in one write; the replies come back in order.
                StringBuilder batch = new StringBuilder(mailCommand);
                for (String r : toSend) {
                    batch.append("RCPT TO:<").append(r).append(">\r\n");
                }
                if (!probe) {
                    batch.append("DATA\r\n");
                }
                stage = "MAIL FROM";
                send(batch.toString(), timeouts.command());
                Reply mailReply = read(timeouts.command());
                if (!mailReply.positive()) {
                    quietQuit();
                    throw rejected(mailReply);
                }
                stage = "RCPT TO";
                for (String r : toSend) {
                    recordRcpt(r, read(timeouts.command()), accepted);
                }
                if (probe) {
                    quietQuit();
                    return;
                }
                stage = "DATA";
                dataReply = read(timeouts.dataInitiation());
                if (accepted.isEmpty()) {
                    if (dataReply.code() == 354) {
                        // Some servers answer 354 although no recipient was accepted; an empty body ends it.
                        send(".\r\n", timeouts.dataBlock());
                        read(timeouts.dataTermination());
                    }
                    quietQuit();
                    return;
                }
            } else {
                stage = "MAIL FROM";
                send(mailCommand, timeouts.command());
                Reply mailReply = read(timeouts.command());
                if (!mailReply.positive()) {
                    quietQuit();
                    throw rejected(mailReply);
                }
                stage = "RCPT TO";
                for (String r : toSend) {
                    send("RCPT TO:<" + r + ">\r\n", timeouts.command());
                    recordRcpt(r, read(timeouts.command()), accepted);
                }
                if (probe) {
                    quietQuit();
                    return;
                }
                if (accepted.isEmpty()) {
                    quietQuit();
                    return;
                }
                stage = "DATA";
                send("DATA\r\n", timeouts.command());
                dataReply = read(timeouts.dataInitiation());
            }
            if (dataReply.code() != 354) {
                quietQuit();
                throw rejected(dataReply);
            }
            stage = "message content";
            if (converted == null) {
                streamContent(content);
            } else {
                try (InputStream in = converted.open()) {
                    streamContent(in);
                } catch (IOException e) {
                    throw new Abort(Kind.LOCAL, Outcome.TEMP_FAILED, "cannot read the converted content: " + e.getMessage());
                }
            }
            stage = END_OF_DATA;
            Reply end = read(timeouts.dataTermination());
            Outcome outcome = end.positive() ? Outcome.DELIVERED : end.permanent() ? Outcome.PERM_FAILED : Outcome.TEMP_FAILED;
            for (String r : accepted) {
                results.put(r, new RecipientResult(r, outcome, end.text()));
            }
            if (end.positive() && readPos == readLimit) {
                reusable = true;
            } else {
                quietQuit();
            }
        }

        private void recordRcpt(String rcpt, Reply reply, List<String> accepted) {
            if (reply.positive()) {
                accepted.add(rcpt);
                if (probe) {
                    results.put(rcpt, new RecipientResult(rcpt, Outcome.DELIVERED, reply.text()));
                }
            } else {
                results.put(rcpt, new RecipientResult(rcpt, reply.permanent() ? Outcome.PERM_FAILED : Outcome.TEMP_FAILED, reply.text()));
            }
        }

        private Abort rejected(Reply reply) {
            // a probe's refused MAIL FROM:<> says nothing about the recipient
            return new Abort(Kind.REPLY, reply.permanent() && !probe ? Outcome.PERM_FAILED : Outcome.TEMP_FAILED, reply.text());
        }

        private Map<String, String> hello() throws Abort {
            stage = "EHLO";
            send("EHLO " + heloName + "\r\n", timeouts.command());
            Reply ehlo = read(timeouts.command());
            if (ehlo.code() == 250) {
                return ehlo.extensions();
            }
            if (ehlo.code() >= 500 && !secure) {
                stage = "HELO";
                send("HELO " + heloName + "\r\n", timeouts.command());
                Reply helo = read(timeouts.command());
                if (helo.code() == 250) {
                    return Map.of();
                }
                ehlo = helo;
            }
            quietQuit();
            throw new Abort(Kind.REPLY, Outcome.TEMP_FAILED, stage + " refused by " + hop + ": " + ehlo.text());
        }

        private void connect() throws Abort {
            InetSocketAddress address;
            try {
                address = hop.socketAddress();
            } catch (IllegalArgumentException e) {
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "cannot resolve " + hop.host());
            }
            if (address.isUnresolved()) {
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "cannot resolve " + hop.host());
            }
            if (pastDeadline()) {
                throw new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "no time left to connect to " + hop);
            }
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, (int) capped(timeouts.connect()).toMillis());
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                throw new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "connect to " + hop + " timed out");
            } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
                closeQuietly(s);
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "connect to " + hop + " failed: " + e.getMessage());
            } catch (IOException e) {
                closeQuietly(s);
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "connect to " + hop + " failed: " + e);
            }
            tcp = s;
            attach(s);
        }

        private void attach(Socket s) throws Abort {
            socket = s;
            try {
                in = s.getInputStream();
                out = s.getOutputStream();
            } catch (IOException e) {
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "connection to " + hop + " lost: " + e.getMessage());
            }
            // Whatever was buffered in plain text must not be read as if it came over TLS (RFC 3207 §4.2).
            readPos = 0;
            readLimit = 0;
        }

        private void startTls() throws Abort {
            SSLContext ctx = policy == TlsPolicy.REQUIRED ? verifyingTls : opportunisticTls;
            try {
                SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(socket, hop.host(), hop.port(), true);
                ssl.setUseClientMode(true);
                SSLParameters params = ssl.getSSLParameters();
                List<String> supported = Arrays.asList(ssl.getSupportedProtocols());
                params.setProtocols(Arrays.stream(TLS_PROTOCOLS).filter(supported::contains).toArray(String[]::new));
                if (policy == TlsPolicy.REQUIRED) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                if (!HostAndPort.isIpLiteral(hop.host())) {
                    try {
                        params.setServerNames(List.of(new SNIHostName(hop.host())));
                    } catch (IllegalArgumentException notAValidSniName) {
                        // SNI is a courtesy to the server; its absence does not weaken verification.
                    }
                }
                ssl.setSSLParameters(params);
                Duration handshake = capped(timeouts.command());
                ssl.setSoTimeout((int) handshake.toMillis());
                // the whole handshake within the command timeout, not each read of it (a peer could drip it)
                Socket plain = socket;
                ScheduledFuture<?> guard = writeWatchdog.schedule(() -> closeQuietly(plain), handshake.toMillis(),
                        TimeUnit.MILLISECONDS);
                try {
                    ssl.startHandshake();
                } finally {
                    guard.cancel(false);
                }
                attach(ssl);
                secure = true;
            } catch (SocketTimeoutException e) {
                throw tlsFailure("TLS handshake with " + hop + " timed out");
            } catch (IOException e) {
                throw tlsFailure("TLS handshake with " + hop + " failed: " + e.getMessage());
            }
        }

        private Abort tlsFailure(String detail) {
            if (policy == TlsPolicy.OPPORTUNISTIC) {
                opportunisticHandshakeFailed = true;
            }
            return new Abort(Kind.TLS, Outcome.TEMP_FAILED, detail);
        }

        /**
         * Sends the content, dot-stuffed. Each block must be taken within the data block timeout, and the whole content
         * within {@value #CONTENT_BLOCK_TIMEOUTS} of them: a peer reading a few bytes a minute cannot hold the worker.
         */
        private void streamContent(InputStream content) throws Abort {
            DotStuffer stuffer = new DotStuffer();
            byte[] src = new byte[BLOCK];
            byte[] dst = new byte[DotStuffer.maxEncodedLength(BLOCK)];
            long contentDeadline = System.nanoTime() + capped(timeouts.dataBlock().multipliedBy(CONTENT_BLOCK_TIMEOUTS)).toNanos();
            while (true) {
                if (System.nanoTime() - contentDeadline > 0) {
                    throw new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "the message content was not taken by " + hop
                            + " within " + timeouts.dataBlock().multipliedBy(CONTENT_BLOCK_TIMEOUTS).toMinutes() + " min");
                }
                int n;
                try {
                    n = content.read(src);
                } catch (IOException e) {
                    // Our own store failed to deliver the content: the peer must not get a truncated message.
                    throw new Abort(Kind.LOCAL, Outcome.TEMP_FAILED, "cannot read stored content: " + e.getMessage());
                }
                if (n < 0) {
                    break;
                }
                int len = stuffer.encode(src, n, dst);
                write(dst, len, timeouts.dataBlock());
            }
            int len = stuffer.finish(dst);
            write(dst, len, timeouts.dataBlock());
        }

        /**
         * RFC 6152 §3: a host that does not offer 8BITMIME gets the content converted to 7 bit ({@link
         * MessageRewriter#toSevenBit}), and a message that cannot be converted is returned (5.6.3) rather than sent with
         * its 8-bit bytes. Called before MAIL FROM, so the size declared is the converted one and a failure leaves the
         * peer without a transaction (QUIT is sent).
         */
        private EncryptedSpool.Stored convertedCopy() throws Abort {
            try {
                return sevenBit.of(content);
            } catch (SevenBitCopy.Unconvertible e) {
                quietQuit();
                throw new Abort(Kind.LOCAL, Outcome.PERM_FAILED, "554 5.6.3 " + hop
                        + " does not offer 8BITMIME and the message cannot be converted to 7 bit: " + e.getMessage());
            } catch (IOException e) {
                quietQuit();
                throw new Abort(Kind.LOCAL, Outcome.TEMP_FAILED, "cannot convert the stored content to 7 bit for "
                        + hop + ": " + e.getMessage());
            }
        }

        private void send(String command, Duration timeout) throws Abort {
            byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
            write(bytes, bytes.length, timeout);
        }

        /**
         * Blocking socket writes have no timeout of their own: a peer that stops reading would hang the
         * worker forever, so a timer closes the socket if one write takes longer than {@code timeout}.
         */
        private void write(byte[] bytes, int len, Duration timeout) throws Abort {
            Socket s = socket;
            ScheduledFuture<?> guard = writeWatchdog.schedule(() -> {
                writeTimedOut = true;
                closeQuietly(s);
            }, capped(timeout).toMillis(), TimeUnit.MILLISECONDS);
            try {
                out.write(bytes, 0, len);
                out.flush();
            } catch (IOException e) {
                if (writeTimedOut) {
                    throw new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "timeout writing " + stage + " to " + hop);
                }
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "connection to " + hop + " lost during " + stage + ": " + e.getMessage());
            } finally {
                guard.cancel(false);
            }
        }

        /**
         * One reply, which must arrive whole within {@code timeout}: the socket's read timeout alone restarts with
         * every byte, so a peer sending a byte now and then could hold a delivery worker for months (a DSN's MX, named
         * by whoever forged the sender, is such a peer).
         *
         * <p>Over TLS the read timeouts are not enough either: one read waits for a whole TLS record, and every read
         * of the connection underneath gets the full timeout again, so a record dripped a byte at a time is never
         * cut short. A timer therefore closes the TCP connection underneath when the reply (or the transaction's
         * time) is due, as the handshake guard does: that needs nothing from the TLS layer, whose own close would
         * first try to send the peer a close alert.
         */
        private Reply read(Duration timeout) throws Abort {
            Duration wait = capped(timeout);
            Socket connection = tcp;
            ScheduledFuture<?> guard = writeWatchdog.schedule(() -> {
                readTimedOut = true;
                closeQuietly(connection);
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
            try {
                long replyDeadline = System.nanoTime() + wait.toNanos();
                socket.setSoTimeout((int) wait.toMillis());
                List<String> lines = new ArrayList<>();
                int code = -1;
                while (true) {
                    String line = readLine(replyDeadline);
                    if (line == null && readTimedOut) {
                        throw replyTimeout();
                    }
                    if (line == null) {
                        throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED,
                                "connection closed by " + hop + " while waiting for the reply to " + stage);
                    }
                    if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                            || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                        throw new Abort(Kind.PROTOCOL, Outcome.TEMP_FAILED, "malformed reply from " + hop + " to " + stage);
                    }
                    int lineCode = Integer.parseInt(line.substring(0, 3));
                    if (code >= 0 && lineCode != code) {
                        throw new Abort(Kind.PROTOCOL, Outcome.TEMP_FAILED, "inconsistent multi-line reply from " + hop);
                    }
                    code = lineCode;
                    lines.add(line.length() > 4 ? line.substring(4) : "");
                    if (line.length() == 3 || line.charAt(3) == ' ') {
                        break;
                    }
                    if (lines.size() >= MAX_REPLY_LINES) {
                        throw new Abort(Kind.PROTOCOL, Outcome.TEMP_FAILED, "over-long reply from " + hop);
                    }
                }
                if (code < 200 || code > 599) {
                    throw new Abort(Kind.PROTOCOL, Outcome.TEMP_FAILED, "reply code " + code + " from " + hop + " to " + stage);
                }
                if (repliesRead++ == 0) {
                    firstReplyCode = code;
                }
                return new Reply(code, lines);
            } catch (SocketTimeoutException e) {
                throw replyTimeout();
            } catch (IOException e) {
                if (readTimedOut) {
                    throw replyTimeout();
                }
                throw new Abort(Kind.CONNECT, Outcome.TEMP_FAILED, "connection to " + hop + " lost during " + stage + ": " + e.getMessage());
            } finally {
                guard.cancel(false);
            }
        }

        private Abort replyTimeout() {
            return new Abort(Kind.TIMEOUT, Outcome.TEMP_FAILED, "timeout waiting for the reply to " + stage + " from " + hop);
        }

        /**
         * One reply line without CRLF, at most {@link #MAX_REPLY_LINE} bytes; null at end of stream. Each read waits
         * only for what is left until {@code deadline} ({@link System#nanoTime()}).
         */
        private String readLine(long deadline) throws IOException, Abort {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                if (readPos == readLimit) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("reply not complete in time");
                    }
                    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left))));
                    int n = in.read(readBuf);
                    if (n < 0) {
                        return null;
                    }
                    readPos = 0;
                    readLimit = n;
                }
                int start = readPos;
                while (readPos < readLimit && readBuf[readPos] != '\n') {
                    readPos++;
                }
                boolean found = readPos < readLimit;
                line.write(readBuf, start, readPos - start);
                if (found) {
                    readPos++;
                }
                if (line.size() > MAX_REPLY_LINE) {
                    throw new Abort(Kind.PROTOCOL, Outcome.TEMP_FAILED, "over-long reply line from " + hop);
                }
                if (found) {
                    String s = line.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
            }
        }

        /** {@code timeout}, or what is left of the transaction's time if that is less (at least 1 ms). */
        private Duration capped(Duration timeout) {
            if (deadline == NO_DEADLINE) {
                return timeout;
            }
            long left = deadline - System.nanoTime();
            cappedByDeadline = left < timeout.toNanos();
            // rounded up: a wait that ends a little early would read as the stage's own timeout
            return cappedByDeadline ? Duration.ofMillis(Math.max(1, (left + 999_999) / 1_000_000)) : timeout;
        }

        boolean pastDeadline() {
            return deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0;
        }

        private void quietQuit() {
            try {
                if (socket != null && !socket.isClosed()) {
                    stage = "QUIT";
                    send("QUIT\r\n", QUIT_WAIT);
                    read(QUIT_WAIT);
                }
            } catch (Abort ignored) {
                // The transaction is settled; a peer that drops QUIT changes nothing.
            }
        }

        private void settleRemaining(Outcome outcome, String detail) {
            for (String r : rcpts) {
                results.computeIfAbsent(r, a -> new RecipientResult(a, outcome, detail));
            }
        }

        private void closeSocket() {
            if (socket != null) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** The numeric argument of the SIZE extension, 0 for "no limit", -1 when SIZE is not offered. */
    private static long parseSizeLimit(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return value.isBlank() ? 0 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
