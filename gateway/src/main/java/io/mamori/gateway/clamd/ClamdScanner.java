package io.mamori.gateway.clamd;

import io.mamori.core.malware.MalwareScanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link MalwareScanner} backed by ClamAV's daemon over TCP with the {@code INSTREAM} command (clamd(8)):
 * {@code zINSTREAM\0}, then chunks of a 4-byte big-endian length and the data, then a zero length; clamd
 * answers {@code stream: OK}, {@code stream: <name> FOUND} or {@code <text> ERROR}, ended by {@code \0}. One
 * connection per file, so there is no session state to lose when clamd restarts. The protocol is written
 * here because it is a dozen lines and no maintained Java client exists.
 *
 * <p>{@code maxStreamBytes} should equal clamd's {@code StreamMaxLength}: a longer file is not sent at all
 * ({@link MalwareScanner.Unscannable}); if clamd's limit is lower after all, its {@code INSTREAM size limit
 * exceeded} answer gives the same outcome. Connection and read problems are {@link MalwareScanner.Unavailable}.
 * The read timeout bounds each wait for clamd (including its verdict, which comes after the whole file has
 * been scanned), so a stalled daemon costs at most that much. Thread-safe: each scan uses its own socket.
 */
public final class ClamdScanner implements MalwareScanner {

    private static final int CHUNK = 64 * 1024;
    private static final int MAX_REPLY = 4096;
    private static final byte[] COMMAND = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final long maxStreamBytes;

    /**
     * @param host           clamd's TCPAddr, e.g. {@code 127.0.0.1}
     * @param port           clamd's TCPSocket
     * @param connectTimeout time allowed to connect
     * @param readTimeout    time allowed for each read, the final verdict included
     * @param maxStreamBytes largest file sent (clamd's {@code StreamMaxLength}, 25 MiB by default)
     */
    public ClamdScanner(String host, int port, Duration connectTimeout, Duration readTimeout, long maxStreamBytes) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("clamd port must be 1-65535: " + port);
        }
        if (maxStreamBytes < 1) {
            throw new IllegalArgumentException("maxStreamBytes must be positive: " + maxStreamBytes);
        }
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.connectTimeoutMillis = millis(connectTimeout, "connectTimeout");
        this.readTimeoutMillis = millis(readTimeout, "readTimeout");
        this.maxStreamBytes = maxStreamBytes;
    }

    @Override
    public Outcome scan(InputStream content) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()), connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            OutputStream out = socket.getOutputStream();
            InputStream replies = socket.getInputStream();
            out.write(COMMAND);
            byte[] buf = new byte[CHUNK + 4];
            long sent = 0;
            try {
                for (int n; (n = content.readNBytes(buf, 4, CHUNK)) > 0; ) {
                    if (Thread.currentThread().isInterrupted()) {
                        return new Unavailable("scan interrupted");
                    }
                    sent += n;
                    if (sent > maxStreamBytes) {
                        return new Unscannable("larger than the " + maxStreamBytes + "-byte scan limit");
                    }
                    buf[0] = (byte) (n >>> 24);
                    buf[1] = (byte) (n >>> 16);
                    buf[2] = (byte) (n >>> 8);
                    buf[3] = (byte) n;
                    out.write(buf, 0, n + 4);
                }
                out.write(new byte[4]);
                out.flush();
            } catch (IOException e) {
                // clamd closes the connection once its StreamMaxLength is passed and says why first.
                String early = earlyReply(replies);
                if (early != null) {
                    return interpret(early);
                }
                throw e;
            }
            String reply = readReply(replies);
            return reply == null ? new Unavailable("clamd closed the connection without an answer") : interpret(reply);
        } catch (SocketTimeoutException e) {
            return new Unavailable("clamd " + where() + " did not answer within " + readTimeoutMillis + "ms");
        } catch (ConnectException e) {
            return new Unavailable("clamd " + where() + ": " + (e.getMessage() == null ? "cannot connect" : e.getMessage()));
        } catch (IOException e) {
            return new Unavailable("clamd " + where() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    /** Whether clamd answers {@code PING} with {@code PONG}; for health checks. */
    public boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()), connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            socket.getOutputStream().write("zPING\0".getBytes(StandardCharsets.US_ASCII));
            return "PONG".equals(readReply(socket.getInputStream()));
        } catch (IOException e) {
            return false;
        }
    }

    private String where() {
        return address.getHostString() + ":" + address.getPort();
    }

    static Outcome interpret(String reply) {
        if (reply.endsWith(" FOUND")) {
            String body = reply.substring(0, reply.length() - " FOUND".length());
            int colon = body.indexOf(": ");
            return new Infected(colon >= 0 ? body.substring(colon + 2).strip() : body.strip());
        }
        if (reply.endsWith(": OK")) {
            return new Clean();
        }
        if (reply.contains("size limit exceeded")) {
            return new Unscannable("larger than clamd's StreamMaxLength");
        }
        return new Unavailable("clamd answered: " + printable(reply));
    }

    /** The reply up to its terminating NUL (or the end of the connection); {@code null} when there was none. */
    private static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        for (int b; reply.size() < MAX_REPLY && (b = in.read()) >= 0; ) {
            if (b == 0) {
                break;
            }
            reply.write(b);
        }
        String s = reply.toString(StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? null : s;
    }

    /** What clamd said before it closed a connection we were still writing to, if anything. */
    private static String earlyReply(InputStream in) {
        try {
            return readReply(in);
        } catch (IOException e) {
            return null;
        }
    }

    private static String printable(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 200 ? one : one.substring(0, 200) + "…";
    }

    private static int millis(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return (int) d.toMillis();
    }
}
