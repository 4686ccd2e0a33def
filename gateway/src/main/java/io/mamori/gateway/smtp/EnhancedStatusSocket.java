package io.mamori.gateway.smtp;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client socket (plain, or TLS after STARTTLS) whose output adds RFC 3463 enhanced status codes to the
 * few replies that subethasmtp writes itself.
 *
 * <p>Why: we replace every SMTP command of subethasmtp with our own ({@link SmtpCommands}), but its session
 * loop still answers some conditions with fixed texts and no enhanced code (unknown command, over-long
 * command line, bare CR or LF, command timeout, too many connections). Once ENHANCEDSTATUSCODES is
 * advertised every 2xx/4xx/5xx reply must carry one (RFC 2034 §3), and {@code Session} is final, so this is
 * the one hook that reaches those replies: the server socket factory ({@link Server}) wraps each accepted
 * socket, and our STARTTLS wraps the TLS socket again. All other methods delegate to the wrapped socket.
 */
final class EnhancedStatusSocket extends Socket {

    /** subethasmtp 7.2.2's own replies, by prefix, and what we send instead. */
    private static final List<Map.Entry<String, String>> REWRITES = List.of(
            Map.entry("421 Too many connections", "421 4.3.2 Too many connections, try again later"),
            Map.entry("421 Timeout waiting for data", "421 4.4.2 Timeout waiting for a command, closing connection"),
            // RFC 5321 §4.5.3.1.6 asks for 500 on an over-long command line; the library then closes.
            Map.entry("501 Input line length is too long", "500 5.5.2 Line too long, closing connection"),
            Map.entry("501 Syntax error at character position", "501 5.5.2 Bare CR or LF in command (RFC 5321 section 2.3.8), closing connection"),
            Map.entry("501 Syntax error: invalid character encoding", "501 5.5.2 Invalid UTF-8 in command, closing connection"),
            Map.entry("500 Error: command not implemented", "500 5.5.1 Command unrecognized"),
            Map.entry("500 Error: bad syntax", "500 5.5.2 Syntax error, command unrecognized"));

    private final Socket delegate;
    private final OutputStream output;
    private final AtomicInteger errorReplies;
    private InputStream input;

    EnhancedStatusSocket(Socket delegate) throws IOException {
        this(delegate, new AtomicInteger());
    }

    /** The same session's socket after STARTTLS: the error replies sent before still count. */
    EnhancedStatusSocket(Socket delegate, EnhancedStatusSocket before) throws IOException {
        this(delegate, before.errorReplies);
    }

    private EnhancedStatusSocket(Socket delegate, AtomicInteger errorReplies) throws IOException {
        this.delegate = delegate;
        this.errorReplies = errorReplies;
        this.output = new RewritingOutputStream(delegate.getOutputStream(), errorReplies);
    }

    /**
     * How many 4xx and 5xx replies the session has sent, ours and the library's alike (an unknown command, a refused
     * recipient, a bad password): {@link SmtpCommands} closes a session that has had too many.
     */
    int errorReplies() {
        return errorReplies.get();
    }

    /** The wrapped socket (for STARTTLS, which layers TLS over the plain one). */
    Socket delegate() {
        return delegate;
    }

    static String rewrite(String line) {
        for (Map.Entry<String, String> rewrite : REWRITES) {
            if (line.startsWith(rewrite.getKey())) {
                return rewrite.getValue();
            }
        }
        return line;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new LineDeadlineInputStream(delegate.getInputStream());
        }
        return input;
    }

    @Override
    public OutputStream getOutputStream() {
        return output;
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public boolean isBound() {
        return delegate.isBound();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        delegate.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return delegate.getSoTimeout();
    }

    @Override
    public InetAddress getInetAddress() {
        return delegate.getInetAddress();
    }

    @Override
    public int getPort() {
        return delegate.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return delegate.getRemoteSocketAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
        return delegate.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return delegate.getLocalSocketAddress();
    }

    @Override
    public void shutdownInput() throws IOException {
        delegate.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        delegate.shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() {
        return delegate.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return delegate.isOutputShutdown();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        delegate.setTcpNoDelay(on);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        delegate.setKeepAlive(on);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        delegate.setSoLinger(on, linger);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    /**
     * The client's bytes, with one line (a command, or a line of DATA) allowed no longer than the socket's read timeout
     * from its first byte to its LF. The read timeout alone restarts with every byte, so a client sending a byte a
     * minute could hold a session for as long as it liked with one command line (subethasmtp reads command lines
     * itself); past the line's time the next read fails as a timeout, which subethasmtp answers 421 and closes, and
     * DATA reports as a transport failure. A line longer than the buffer counts from its first byte all the same.
     */
    private final class LineDeadlineInputStream extends java.io.FilterInputStream {

        /** {@link System#nanoTime()} when the current line's first byte came; 0 at the start of a line. */
        private long lineStarted;

        LineDeadlineInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int timeout = delegate.getSoTimeout();
            if (lineStarted != 0 && timeout > 0 && System.nanoTime() - lineStarted > timeout * 1_000_000L) {
                throw new java.net.SocketTimeoutException("line not complete within the read timeout");
            }
            int n = in.read(b, off, len);
            for (int i = off; i < off + n; i++) {
                if (b[i] == '\n') {
                    lineStarted = 0;
                } else if (lineStarted == 0) {
                    lineStarted = System.nanoTime();
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // DATA's reader skips what it already decoded: those bytes pass the line tracking as reads do
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }
    }

    /** Passes bytes through line by line (replies are short), rewriting the lines listed above. */
    private static final class RewritingOutputStream extends FilterOutputStream {

        private static final int MAX_BUFFERED = 4096;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private final AtomicInteger errorReplies;

        RewritingOutputStream(OutputStream out, AtomicInteger errorReplies) {
            super(out);
            this.errorReplies = errorReplies;
        }

        @Override
        public void write(int b) throws IOException {
            line.write(b);
            if (b == '\n' || line.size() >= MAX_BUFFERED) {
                emitLine();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() throws IOException {
            if (line.size() > 0) {
                emitLine();
            }
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
            out.close();
        }

        private void emitLine() throws IOException {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String rewritten = text.endsWith("\r\n") ? rewrite(text.substring(0, text.length() - 2)) + "\r\n" : text;
            if (finalErrorLine(rewritten)) {
                errorReplies.incrementAndGet();
            }
            out.write(rewritten.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The last line of a 4xx or 5xx reply ({@code "550 5.7.1 …"}, not a continuation line {@code "550-…"}). */
    static boolean finalErrorLine(String line) {
        return line.length() >= 4 && (line.charAt(0) == '4' || line.charAt(0) == '5')
                && Character.isDigit(line.charAt(1)) && Character.isDigit(line.charAt(2))
                && (line.charAt(3) == ' ' || line.charAt(3) == '\r');
    }

    /** Server socket whose accepted sockets are {@link EnhancedStatusSocket}s. */
    static final class Server extends ServerSocket {

        Server() throws IOException {
            setReuseAddress(true);
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            try {
                return new EnhancedStatusSocket(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
    }
}
