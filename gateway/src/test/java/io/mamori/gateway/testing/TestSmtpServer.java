package io.mamori.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small, real SMTP server on loopback for tests — a test peer, not production code.
 *
 * <p>It binds {@code 127.0.0.1} on an ephemeral port, speaks enough ESMTP for a relay to deliver to it
 * (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, optional STARTTLS) and advertises PIPELINING, 8BITMIME,
 * SMTPUTF8, SIZE and ENHANCEDSTATUSCODES (and STARTTLS when built with an {@link SSLContext}). Every message
 * it accepts with 250 is kept, dot-unstuffed and byte-exact, for {@link #takeMessage(Duration)}.
 *
 * <p>Replies are scripted with {@link #enqueue(Reply)}: each reply names the transaction stage it answers;
 * when a session reaches that stage the first queued reply for it (for {@link Stage#RCPT}: for that
 * recipient) is used once, otherwise the server answers success. Failure modes ({@link FailureMode}) are
 * scripted the same way. {@link #stop()} closes the port (clients then see "connection refused") and
 * {@link #start()} opens it again on the same port.
 *
 * <p>Thread-safe: sessions run on their own threads; tests may enqueue and take from any thread. Messages
 * are held in memory; DATA beyond {@link #maxMessageSize(long)} is read and discarded with 552.
 */
public final class TestSmtpServer implements AutoCloseable {

    /** The point of an SMTP session a scripted {@link Reply} answers. */
    public enum Stage {
        /** The greeting. */
        CONNECT,
        MAIL,
        RCPT,
        /** The reply to the DATA command itself (354 by default). */
        DATA,
        /** The reply after the final dot. */
        DATA_END
    }

    /** Misbehaviours a downstream server may show; see {@link Reply#of(FailureMode)}. */
    public enum FailureMode {
        /** {@code 451 4.3.0} after the data. */
        TEMPFAIL_451,
        /** Reads the whole data, then closes the connection without a reply. */
        DISCONNECT_AFTER_DATA,
        /** Reads the whole data, then never answers (until the client gives up or the server closes). */
        STALL,
        /** Accepts the TCP connection and closes it at once, without a greeting. */
        REFUSE_CONNECTIONS
    }

    /** A scripted answer for one stage of one transaction. */
    public static final class Reply {
        private enum Behaviour { ANSWER, DISCONNECT, STALL }

        private final Stage stage;
        private final String recipient;
        private final int code;
        private final String text;
        private final Behaviour behaviour;

        private Reply(Stage stage, String recipient, int code, String text, Behaviour behaviour) {
            this.stage = Objects.requireNonNull(stage);
            this.recipient = recipient;
            this.code = code;
            this.text = text;
            this.behaviour = behaviour;
        }

        /** Any reply at any stage, e.g. {@code at(Stage.MAIL, 452, "4.3.1 Insufficient system storage")}. */
        public static Reply at(Stage stage, int code, String text) {
            if (code < 200 || code > 599) {
                throw new IllegalArgumentException("SMTP reply code out of range: " + code);
            }
            return new Reply(stage, null, code, text, Behaviour.ANSWER);
        }

        /** {@code 451 4.3.0} after the data. */
        public static Reply tempFail451() {
            return at(Stage.DATA_END, 451, "4.3.0 Temporary failure, please try again later");
        }

        /** {@code 550 5.7.1} after the data. */
        public static Reply reject550() {
            return at(Stage.DATA_END, 550, "5.7.1 Message rejected");
        }

        /** Refuses one recipient with {@code code} (4xx or 5xx). */
        public static Reply rcptReject(String address, int code) {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("a rejection needs a 4xx or 5xx code: " + code);
            }
            String text = code >= 500 ? "5.1.1 <" + address + ">: Recipient address rejected: User unknown"
                    : "4.2.1 <" + address + ">: Mailbox temporarily unavailable";
            return new Reply(Stage.RCPT, address, code, text, Behaviour.ANSWER);
        }

        /** Closes the connection after reading the data, without a reply. */
        public static Reply disconnectAfterData() {
            return new Reply(Stage.DATA_END, null, 0, null, Behaviour.DISCONNECT);
        }

        /** Never answers after the data. */
        public static Reply stall() {
            return new Reply(Stage.DATA_END, null, 0, null, Behaviour.STALL);
        }

        public static Reply of(FailureMode mode) {
            return switch (mode) {
                case TEMPFAIL_451 -> tempFail451();
                case DISCONNECT_AFTER_DATA -> disconnectAfterData();
                case STALL -> stall();
                case REFUSE_CONNECTIONS -> new Reply(Stage.CONNECT, null, 0, null, Behaviour.DISCONNECT);
            };
        }

        boolean matches(Stage at, String rcpt) {
            return stage == at && (recipient == null || recipient.equalsIgnoreCase(rcpt));
        }

        @Override
        public String toString() {
            return stage + " " + (behaviour == Behaviour.ANSWER ? code + " " + text : behaviour.name());
        }
    }

    /**
     * One message the server accepted.
     *
     * @param mailFrom       reverse path without angle brackets ("" for the null sender)
     * @param rcpts          accepted forward paths in RCPT order
     * @param data           the content exactly as sent, dot-unstuffed, without the terminating {@code .CRLF}
     * @param tls            whether the transaction ran under STARTTLS
     * @param mailParameters the ESMTP parameters of MAIL FROM by upper-case keyword, e.g. {@code SIZE -> "1234"},
     *                       {@code BODY -> "8BITMIME"} ({@code ""} for a keyword without a value), in order
     */
    public record ReceivedMessage(String mailFrom, List<String> rcpts, byte[] data, boolean tls,
                                  Map<String, String> mailParameters) {
        public ReceivedMessage {
            rcpts = List.copyOf(rcpts);
            mailParameters = Collections.unmodifiableMap(new LinkedHashMap<>(mailParameters));
        }

        public String dataAsString() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_COMMAND_LINE = 64 * 1024;

    private final SSLContext tls;
    private final LinkedList<Reply> script = new LinkedList<>();
    private final BlockingQueue<ReceivedMessage> messages = new LinkedBlockingQueue<>();
    private final List<String> commandLog = new ArrayList<>();
    private final AtomicInteger messageCount = new AtomicInteger();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** One permit per session that began to stall (see {@link #awaitStall(Duration)}). */
    private final Semaphore stalls = new Semaphore(0);
    private final AtomicInteger queueIds = new AtomicInteger();
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService sessions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-smtp-session");
        t.setDaemon(true);
        return t;
    });
    private volatile long maxMessageSize = 64L * 1024 * 1024;
    private volatile boolean pipelining = true;
    private volatile boolean eightBitMime = true;
    private volatile int maxRecipients = Integer.MAX_VALUE;
    private volatile ServerSocket serverSocket;
    private Thread acceptor;
    private volatile CountDownLatch stopped = new CountDownLatch(1);
    private int port;

    /** A plain-text server (no STARTTLS). */
    public TestSmtpServer() {
        this(null);
    }

    /** A server offering STARTTLS with {@code tls} (its key manager holds the server certificate). */
    public TestSmtpServer(SSLContext tls) {
        this.tls = tls;
    }

    /** Limit advertised in the SIZE extension and enforced with 552; default 64 MiB. */
    public TestSmtpServer maxMessageSize(long bytes) {
        this.maxMessageSize = bytes;
        return this;
    }

    /** Whether EHLO advertises PIPELINING (default true); commands are answered in order either way. */
    public TestSmtpServer pipelining(boolean advertise) {
        this.pipelining = advertise;
        return this;
    }

    /** Whether EHLO advertises 8BITMIME (default true); the content is taken as it comes either way. */
    public TestSmtpServer eightBitMime(boolean advertise) {
        this.eightBitMime = advertise;
        return this;
    }

    /**
     * Recipients taken per transaction; the next ones are answered {@code 452 4.5.3} (RFC 5321 §4.5.3.1.10, as
     * Postfix's {@code smtpd_recipient_limit}). Default: no limit.
     */
    public TestSmtpServer maxRecipients(int perTransaction) {
        this.maxRecipients = perTransaction;
        return this;
    }

    /** Opens the port: an ephemeral one the first time, the same one after {@link #stop()}. */
    public synchronized TestSmtpServer start() {
        if (serverSocket != null) {
            return this;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            port = socket.getLocalPort();
            serverSocket = socket;
            stopped = new CountDownLatch(1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind test SMTP server", e);
        }
        Thread thread = new Thread(this::acceptLoop, "test-smtp-accept-" + port);
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
        return this;
    }

    /** Closes the port and every open session; {@link #start()} reopens it on the same port. */
    public synchronized void stop() {
        ServerSocket socket = serverSocket;
        serverSocket = null;
        if (socket != null) {
            closeQuietly(socket);
        }
        // The JDK releases a listening socket only when a thread blocked in accept() returns, and until then
        // the kernel may still complete connections: wait for the acceptor so that "stopped" means refused.
        Thread thread = acceptor;
        acceptor = null;
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
        openSockets.clear();
        stopped.countDown();
    }

    @Override
    public void close() {
        stop();
        sessions.shutdownNow();
    }

    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    public void enqueue(Reply reply) {
        synchronized (script) {
            script.add(Objects.requireNonNull(reply));
        }
    }

    public void enqueue(FailureMode mode) {
        enqueue(Reply.of(mode));
    }

    /**
     * The next accepted message, waiting up to {@code timeout}.
     *
     * @throws AssertionError if none arrives in time
     */
    public ReceivedMessage takeMessage(Duration timeout) {
        try {
            ReceivedMessage m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message arrived within " + timeout);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    /** Messages accepted with 250 since start (taken or not). */
    public int messageCount() {
        return messageCount.get();
    }

    /** Closes every open session at once, as a server does whose idle timeout ran out (no 421, no reply). */
    public void dropConnections() {
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
    }

    /**
     * Waits until a session has reached a scripted {@link FailureMode#STALL} (for {@link Stage#DATA_END}: the whole
     * data read, no reply to come); each stall is awaited once.
     *
     * @throws AssertionError if none is reached within {@code timeout}
     */
    public void awaitStall(Duration timeout) {
        try {
            if (!stalls.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no session stalled within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a stall", e);
        }
    }

    /** TCP connections accepted since start. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** Every command line received so far (never the data), in order, across sessions. */
    public List<String> commandLog() {
        synchronized (commandLog) {
            return List.copyOf(commandLog);
        }
    }

    private void acceptLoop() {
        ServerSocket socket = serverSocket;
        while (socket != null && !socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (serverSocket != socket) {
                    closeQuietly(client);   // accepted while stopping: a stopped server refuses
                    return;
                }
                connectionCount.incrementAndGet();
                openSockets.add(client);
                sessions.execute(() -> runSession(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private Reply scripted(Stage stage, String rcpt) {
        synchronized (script) {
            for (Iterator<Reply> it = script.iterator(); it.hasNext(); ) {
                Reply r = it.next();
                if (r.matches(stage, rcpt)) {
                    it.remove();
                    return r;
                }
            }
            return null;
        }
    }

    private void runSession(Socket socket) {
        try {
            socket.setSoTimeout((int) Duration.ofMinutes(5).toMillis());
            new Session(socket).run();
        } catch (IOException | RuntimeException e) {
            // The client went away or misbehaved; a test peer just ends the session.
        } finally {
            openSockets.remove(socket);
            closeQuietly(socket);
        }
    }

    private final class Session {
        private Socket socket;
        private LineInput in;
        private OutputStream out;
        private boolean secure;
        private boolean greeted;
        private String mailFrom;
        private final Map<String, String> mailParameters = new LinkedHashMap<>();
        private final List<String> rcpts = new ArrayList<>();

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new LineInput(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void run() throws IOException {
            Reply greeting = scripted(Stage.CONNECT, null);
            if (greeting != null && !answer(greeting)) {
                return;
            }
            if (greeting == null) {
                reply("220 127.0.0.1 ESMTP TestSmtpServer");
            } else if (greeting.code >= 400) {
                return;
            }
            while (true) {
                byte[] raw = in.readLine(MAX_COMMAND_LINE);
                if (raw == null) {
                    return;
                }
                String line = stripCrlf(new String(raw, StandardCharsets.UTF_8));
                synchronized (commandLog) {
                    commandLog.add(line);
                }
                String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> ehlo();
                    case "HELO" -> {
                        greeted = true;
                        resetTransaction();
                        reply("250 127.0.0.1");
                    }
                    case "STARTTLS" -> startTls();
                    case "MAIL" -> mail(line);
                    case "RCPT" -> rcpt(line);
                    case "DATA" -> {
                        if (!data()) {
                            return;
                        }
                    }
                    case "RSET" -> {
                        resetTransaction();
                        reply("250 2.0.0 Ok");
                    }
                    case "NOOP" -> reply("250 2.0.0 Ok");
                    case "VRFY" -> reply("252 2.5.2 Cannot VRFY user");
                    case "QUIT" -> {
                        reply("221 2.0.0 Bye");
                        return;
                    }
                    default -> reply("500 5.5.2 Command not recognized");
                }
            }
        }

        private void ehlo() throws IOException {
            greeted = true;
            resetTransaction();
            List<String> lines = new ArrayList<>(List.of("127.0.0.1", "8BITMIME", "SMTPUTF8",
                    "SIZE " + maxMessageSize, "ENHANCEDSTATUSCODES"));
            if (!eightBitMime) {
                lines.remove("8BITMIME");
            }
            if (pipelining) {
                lines.add(1, "PIPELINING");
            }
            if (tls != null && !secure) {
                lines.add("STARTTLS");
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                sb.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
            }
            write(sb.toString());
        }

        private void startTls() throws IOException {
            if (tls == null) {
                reply("454 4.7.0 TLS not available");
                return;
            }
            if (secure) {
                reply("503 5.5.1 TLS already active");
                return;
            }
            reply("220 2.0.0 Ready to start TLS");
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                    socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            openSockets.add(ssl);
            socket = ssl;
            // A fresh reader drops anything pipelined before the handshake (RFC 3207 §4.2, CVE-2011-0411).
            in = new LineInput(ssl.getInputStream());
            out = ssl.getOutputStream();
            secure = true;
            greeted = false;
            resetTransaction();
        }

        private void mail(String line) throws IOException {
            if (!greeted) {
                reply("503 5.5.1 Send EHLO first");
                return;
            }
            if (mailFrom != null) {
                reply("503 5.5.1 Nested MAIL command");
                return;
            }
            String address = pathOf(line, "MAIL FROM:");
            if (address == null) {
                reply("501 5.5.4 Syntax: MAIL FROM:<address>");
                return;
            }
            Reply r = scripted(Stage.MAIL, null);
            if (r != null && r.code >= 300) {
                answer(r);
                return;
            }
            mailFrom = address;
            mailParameters.putAll(parametersOf(line));
            reply(r != null ? r.code + " " + r.text : "250 2.1.0 Ok");
        }

        private void rcpt(String line) throws IOException {
            if (mailFrom == null) {
                reply("503 5.5.1 Need MAIL command");
                return;
            }
            String address = pathOf(line, "RCPT TO:");
            if (address == null || address.isEmpty()) {
                reply("501 5.5.4 Syntax: RCPT TO:<address>");
                return;
            }
            if (rcpts.size() >= maxRecipients) {
                reply("452 4.5.3 Error: too many recipients");
                return;
            }
            Reply r = scripted(Stage.RCPT, address);
            if (r != null && r.code >= 300) {
                answer(r);
                return;
            }
            rcpts.add(address);
            reply(r != null ? r.code + " " + r.text : "250 2.1.5 Ok");
        }

        /** Returns false when the session must end. */
        private boolean data() throws IOException {
            if (mailFrom == null || rcpts.isEmpty()) {
                reply("554 5.5.1 No valid recipients");
                return true;
            }
            Reply start = scripted(Stage.DATA, null);
            if (start != null && start.code != 354) {
                resetTransaction();
                return answer(start);
            }
            reply("354 End data with <CR><LF>.<CR><LF>");
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            boolean tooBig = false;
            boolean atLineStart = true;
            while (true) {
                byte[] line = in.readLine(Integer.MAX_VALUE);
                if (line == null) {
                    throw new EOFException("connection closed during DATA");
                }
                boolean endsWithCrlf = line.length >= 2 && line[line.length - 2] == '\r' && line[line.length - 1] == '\n';
                if (atLineStart && line.length == 3 && line[0] == '.' && endsWithCrlf) {
                    break;
                }
                int from = atLineStart && line.length > 0 && line[0] == '.' ? 1 : 0;
                if (content.size() + line.length - from > maxMessageSize) {
                    tooBig = true;
                } else {
                    content.write(line, from, line.length - from);
                }
                atLineStart = endsWithCrlf;
            }
            Reply end = scripted(Stage.DATA_END, null);
            String from = mailFrom;
            List<String> to = List.copyOf(rcpts);
            Map<String, String> parameters = new LinkedHashMap<>(mailParameters);
            resetTransaction();
            if (tooBig) {
                reply("552 5.3.4 Message size exceeds fixed limit");
                return true;
            }
            if (end != null && (end.behaviour != Reply.Behaviour.ANSWER || end.code >= 300)) {
                return answer(end);
            }
            messages.add(new ReceivedMessage(from, to, content.toByteArray(), secure, parameters));
            messageCount.incrementAndGet();
            reply(end != null ? end.code + " " + end.text : "250 2.0.0 Ok: queued as Q" + queueIds.incrementAndGet());
            return true;
        }

        /** Acts on a scripted reply; returns false when the session must end. */
        private boolean answer(Reply r) throws IOException {
            switch (r.behaviour) {
                case DISCONNECT -> {
                    return false;
                }
                case STALL -> {
                    stalls.release();
                    try {
                        stopped.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }
                default -> {
                    reply(r.code + " " + r.text);
                    return !(r.stage == Stage.CONNECT && r.code >= 400);
                }
            }
        }

        private void resetTransaction() {
            mailFrom = null;
            mailParameters.clear();
            rcpts.clear();
        }

        private void reply(String line) throws IOException {
            write(line + "\r\n");
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** The address inside {@code <…>} after {@code prefix} (case-insensitive), or null if malformed. */
    private static String pathOf(String line, String prefix) {
        if (!line.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = line.substring(prefix.length()).stripLeading();
        if (!rest.startsWith("<")) {
            return null;
        }
        int close = rest.indexOf('>');
        return close < 0 ? null : rest.substring(1, close);
    }

    /** The ESMTP parameters after the path of a MAIL command (RFC 5321 §4.1.2 Mail-parameters), keywords upper case. */
    private static Map<String, String> parametersOf(String line) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int close = line.indexOf('>');
        for (String p : line.substring(close + 1).strip().split(" +")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            parameters.put((eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT), eq < 0 ? "" : p.substring(eq + 1));
        }
        return parameters;
    }

    private static String stripCrlf(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing during shutdown; nothing useful to do
        }
    }

    /** Reads LF-terminated lines (terminator included) with its own buffer, so it can be dropped at STARTTLS. */
    private static final class LineInput {
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int limit;

        LineInput(InputStream in) {
            this.in = in;
        }

        byte[] readLine(int max) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                if (pos == limit) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        return line.size() == 0 ? null : line.toByteArray();
                    }
                    pos = 0;
                    limit = n;
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                boolean found = pos < limit;
                if (found) {
                    pos++;
                }
                line.write(buf, start, pos - start);
                if (line.size() > max) {
                    throw new IOException("command line too long");
                }
                if (found) {
                    return line.toByteArray();
                }
            }
        }
    }
}
