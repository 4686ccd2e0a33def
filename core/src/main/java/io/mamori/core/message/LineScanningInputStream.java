package io.mamori.core.message;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes the parser reads and notices lines longer than RFC 5322's limit (section 2.1.1: 998
 * characters plus CRLF). It looks at the raw bytes because Mime4j, told to tolerate long lines, does not
 * report them. Not thread-safe; one per parse.
 */
final class LineScanningInputStream extends FilterInputStream {

    static final int RFC5322_MAX_LINE = 998;

    private long bytes;
    private long line = 1;
    private long lineLength;
    private long longLines;
    private long firstLongLine;
    private long longestLine;
    private final byte[] start = new byte[5];

    LineScanningInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            scan(b);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            scan(buf, off, n);
        }
        return n;
    }

    /**
     * The work of {@link #scan(int)} over a whole buffer: the loop only looks for line feeds; a line's carriage
     * returns (which do not count towards its length) are counted only where the count can matter, for a line that
     * would otherwise be too long and for the unfinished line carried into the next read. A line of at most
     * {@value #RFC5322_MAX_LINE} bytes with its CRs is within the limit without them.
     */
    private void scan(byte[] buf, int off, int n) {
        for (int i = 0; bytes + i < start.length && i < n; i++) {
            start[(int) bytes + i] = buf[off + i];
        }
        bytes += n;
        int lineStart = off;
        for (int i = off, end = off + n; i < end; i++) {
            if (buf[i] == '\n') {
                if (lineLength + (i - lineStart) > RFC5322_MAX_LINE) {
                    lineLength += withoutCr(buf, lineStart, i);
                    endLine();
                } else {
                    line++;
                    lineLength = 0;
                }
                lineStart = i + 1;
            }
        }
        lineLength += withoutCr(buf, lineStart, off + n);
    }

    /** Bytes from {@code from} to {@code to} that are not CR. */
    private static int withoutCr(byte[] buf, int from, int to) {
        int length = 0;
        for (int i = from; i < to; i++) {
            if (buf[i] != '\r') {
                length++;
            }
        }
        return length;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** The caller owns the underlying stream, and the parser must still drain it after Mime4j is done. */
    @Override
    public void close() {
        // intentionally not closing the caller's stream
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void scan(int b) {
        if (bytes < start.length) {
            start[(int) bytes] = (byte) b;
        }
        bytes++;
        if (b == '\n') {
            endLine();
        } else if (b != '\r') {
            lineLength++;
        }
    }

    private void endLine() {
        if (lineLength > RFC5322_MAX_LINE) {
            if (longLines == 0) {
                firstLongLine = line;
            }
            longLines++;
            longestLine = Math.max(longestLine, lineLength);
        }
        line++;
        lineLength = 0;
    }

    /** Reads and discards everything left, so the caller's tee sees the whole message. */
    void drain() throws IOException {
        byte[] buf = new byte[16 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // counting and scanning happen in read
        }
        if (lineLength > 0) {
            endLine();
        }
    }

    /** Whether the input begins with an mbox {@code From } separator line (files saved from mailboxes do). */
    boolean startsWithMboxFromLine() {
        return bytes >= 5 && start[0] == 'F' && start[1] == 'r' && start[2] == 'o' && start[3] == 'm' && start[4] == ' ';
    }

    long bytesRead() {
        return bytes;
    }

    /** A defect describing the long lines seen, or {@code null} if there were none. */
    MimeDefect longLineDefect() {
        if (longLines == 0) {
            return null;
        }
        return new MimeDefect(MimeDefect.Kind.LONG_LINE, longLines + " line(s) longer than " + RFC5322_MAX_LINE
                + " characters, first at line " + firstLongLine + ", longest " + longestLine);
    }
}
