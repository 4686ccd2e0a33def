package io.mamori.gateway.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * The message content of one SMTP DATA phase, read straight from the session's socket input: strips the
 * dot-stuffing (RFC 5321 §4.5.2), ends at {@code CRLF.CRLF} and nowhere else (a bare LF before or after the
 * dot does not end the data, so a message cannot smuggle a second one past us), and enforces the size and
 * line-length limits while streaming, so a message is never held in memory.
 *
 * <p>It never reads past the terminating {@code .CRLF}: with PIPELINING the client may already have sent the
 * next command, which the session must still find. It reads in chunks using {@code mark}/{@code reset} of the
 * session's buffered input; without mark support it reads byte by byte.
 *
 * <p>When a limit is exceeded the stream throws {@link LimitExceeded} to its reader and remembers the reply;
 * {@link #drain()} then consumes the rest of the DATA (RFC 5321 §4.2.5: the reply comes after the final dot)
 * without keeping it, up to a cap of twice the size limit on the wire, beyond which {@link TooMuchData} says
 * the connection must be dropped. Not thread-safe: one session thread reads it.
 */
final class DotTerminatedData extends InputStream {

    /** A limit was exceeded; {@link #reply} is the SMTP reply to send after the final dot. */
    static final class LimitExceeded extends IOException {
        private final String reply;

        LimitExceeded(String reply) {
            super(reply);
            this.reply = reply;
        }

        String reply() {
            return reply;
        }
    }

    /** The client kept sending far beyond the size limit; the session is closed instead of reading on. */
    static final class TooMuchData extends IOException {
        TooMuchData() {
            super("DATA exceeds twice the message size limit");
        }
    }

    static final String SIZE_EXCEEDED = "552 5.3.4 Message size exceeds fixed maximum message size";
    static final String LINE_TOO_LONG = "554 5.6.0 Message contains a line longer than %d bytes (RFC 5322 section 2.1.1)";

    private static final int LINE_START = 0;
    private static final int MID_LINE = 1;
    private static final int AFTER_CR = 2;
    private static final int AFTER_DOT = 3;
    private static final int AFTER_DOT_CR = 4;

    private final InputStream in;
    private final boolean chunked;
    private final long maxSize;
    private final int maxLineLength;
    private final long maxWireBytes;
    private final byte[] raw = new byte[8192];
    private final byte[] out = new byte[2 * 8192];
    private int outPos;
    private int outLen;
    private int state = LINE_START;
    private long delivered;
    private long wireBytes;
    private int lineLength;
    private boolean ended;
    private String rejection;
    private IOException transportFailure;
    private final long deadline;

    DotTerminatedData(InputStream in, long maxSize, int maxLineLength) {
        this(in, maxSize, maxLineLength, Long.MAX_VALUE);
    }

    /**
     * @param deadline {@link System#nanoTime()} by which the whole DATA must have arrived: a client that sends a byte
     *                 now and then, each within the socket's read timeout, cannot hold the session for days; past it
     *                 the next read fails as a timeout ({@link #transportFailure()})
     */
    DotTerminatedData(InputStream in, long maxSize, int maxLineLength, long deadline) {
        this.deadline = deadline;
        this.in = in;
        this.chunked = in.markSupported();
        this.maxSize = maxSize;
        this.maxLineLength = maxLineLength;
        this.maxWireBytes = 2 * maxSize + 4096;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (rejection != null) {
            throw new LimitExceeded(rejection);
        }
        if (outPos == outLen) {
            if (ended) {
                return -1;
            }
            fill();
            if (rejection != null) {
                throw new LimitExceeded(rejection);
            }
            if (outPos == outLen) {
                return -1;
            }
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    @Override
    public int available() {
        return outLen - outPos;
    }

    /** Does not close the socket: the session goes on after DATA. */
    @Override
    public void close() {
    }

    /** Reads and discards whatever is left up to and including the terminating dot. */
    void drain() throws IOException {
        outPos = outLen;
        while (!ended) {
            fill();
            outPos = outLen;
        }
    }

    /** Whether the terminating {@code CRLF.CRLF} was read. */
    boolean ended() {
        return ended;
    }

    /** The reply for an exceeded limit, or {@code null}. */
    String rejection() {
        return rejection;
    }

    /** The I/O failure of the connection itself (timeout, reset, EOF) seen while reading, or {@code null}. */
    IOException transportFailure() {
        return transportFailure;
    }

    long size() {
        return delivered;
    }

    private void fill() throws IOException {
        if (transportFailure != null) {
            // the connection failed (a timeout, most often): every later read fails at once, so that the parser's
            // drain, the spool's and the session's each do not wait out the DATA timeout again
            throw transportFailure;
        }
        outPos = 0;
        outLen = 0;
        try {
            while (outLen == 0 && !ended) {
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("DATA did not complete in the time allowed");
                }
                int want = chunked ? raw.length : 1;
                if (chunked) {
                    in.mark(want);
                }
                int n = in.read(raw, 0, want);
                if (n < 0) {
                    throw new EOFException("connection closed before the end of DATA");
                }
                int consumed = decode(n);
                if (ended && consumed < n) {
                    in.reset();
                    skipFully(consumed);
                }
                wireBytes += consumed;
                if (wireBytes > maxWireBytes) {
                    throw new TooMuchData();
                }
            }
        } catch (TooMuchData e) {
            throw e;
        } catch (IOException e) {
            transportFailure = e;
            throw e;
        }
    }

    /**
     * Decodes {@code raw[0..n)} into {@code out}; returns how many raw bytes belong to this DATA.
     *
     * <p>A bare CR (one not followed by LF) is stored as CRLF. The MIME parser (Mime4j) ends lines at LF only, while
     * the delivery side ({@code DotStuffer}) sends a bare CR as CRLF, as the next hop reads it: stored as received,
     * {@code "text\r--boundary"} would be one line of a text part to our analyzers and a new part, never analyzed, to
     * the recipient's server. Stored as CRLF, what is analyzed is what is delivered. The byte after a bare CR is
     * content, never dot-stuffing (the client did not end a line there). A bare LF needs no such care: the parser and
     * the delivery side both read it as a line end.
     */
    private int decode(int n) {
        boolean keep = rejection == null;
        for (int i = 0; i < n; i++) {
            byte c = raw[i];
            if (state == LINE_START && c == '.') {
                // the transparency dot does not count towards the line's length (RFC 5321 section 4.5.3.1.6)
                state = AFTER_DOT;
                continue;
            }
            if ((state == AFTER_CR || state == AFTER_DOT_CR) && c != '\n') {
                lineLength = 0; // the CR before was a bare one, which ended its line
            }
            lineLength++;
            if (lineLength > maxLineLength && rejection == null) {
                rejection = String.format(LINE_TOO_LONG, maxLineLength);
                keep = false;
            }
            switch (state) {
                case AFTER_CR -> {
                    if (c == '\n') {
                        keep = emit(c, keep);
                        state = LINE_START;
                    } else {
                        keep = bareCrEnded(keep);
                        keep = content(c, keep);
                    }
                }
                case AFTER_DOT_CR -> {
                    if (c == '\n') {
                        ended = true;
                        return i + 1;
                    }
                    // ".\r" not followed by LF: the dot was stuffing, the CR is content (a bare one).
                    keep = emit((byte) '\r', keep);
                    keep = bareCrEnded(keep);
                    keep = content(c, keep);
                }
                case AFTER_DOT -> {
                    if (c == '\r') {
                        state = AFTER_DOT_CR;
                    } else {
                        keep = content(c, keep);
                    }
                }
                default -> keep = content(c, keep);
            }
            if (c == '\n') {
                // Any LF resets the line length, so mail with bare-LF line ends is not mistaken for one long line.
                lineLength = 0;
            }
        }
        return n;
    }

    /** One byte of content in the middle of a line (or after a bare line end). */
    private boolean content(byte c, boolean keep) {
        boolean kept = emit(c, keep);
        state = c == '\r' ? AFTER_CR : MID_LINE;
        return kept;
    }

    /** The CR just emitted was not followed by LF: its LF is added, and the next byte starts a line of content. */
    private boolean bareCrEnded(boolean keep) {
        return emit((byte) '\n', keep);
    }

    private boolean emit(byte c, boolean keep) {
        if (!keep) {
            return false;
        }
        if (delivered >= maxSize) {
            rejection = SIZE_EXCEEDED;
            outLen = 0;
            return false;
        }
        delivered++;
        out[outLen++] = c;
        return true;
    }

    private void skipFully(long count) throws IOException {
        long left = count;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed before the end of DATA");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
