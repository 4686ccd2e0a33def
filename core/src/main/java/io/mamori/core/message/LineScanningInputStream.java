package io.mamori.core.message;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Counts the bytes the parser reads and notices lines longer than RFC 5322's limit (section 2.1.1: 998
 * characters plus CRLF). It looks at the raw bytes because Mime4j, told to tolerate long lines, does not
 * report them. Not thread-safe; one per parse.
 */
final class LineScanningInputStream extends FilterInputStream {

    static final int RFC5322_MAX_LINE = 998;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
     * The work of {@link #scan(int)} over a whole buffer, with the line length kept in a local. Eight bytes at a time
     * where none is CR or LF (the bulk of every line): the JDK has no public vectorised byte search, and the
     * short-lived commands run C1 code, where a loop over single bytes costs about a nanosecond a byte.
     * (x - 0x01…) & ~x has a high bit set if, and only if, some byte of x is zero (x: the word XOR LF… or CR…).
     */
    private void scan(byte[] buf, int off, int n) {
        for (int i = 0; bytes + i < start.length && i < n; i++) {
            start[(int) bytes + i] = buf[off + i];
        }
        bytes += n;
        long length = lineLength;
        int i = off;
        int end = off + n;
        while (i < end) {
            if (i + 8 <= end) {
                long w = (long) LONGS.get(buf, i);
                long lf = w ^ 0x0A0A0A0A0A0A0A0AL;
                long cr = w ^ 0x0D0D0D0D0D0D0D0DL;
                if (((((lf - 0x0101010101010101L) & ~lf) | ((cr - 0x0101010101010101L) & ~cr))
                        & 0x8080808080808080L) == 0) {
                    length += 8;
                    i += 8;
                    continue;
                }
            }
            for (int wordEnd = Math.min(i + 8, end); i < wordEnd; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    lineLength = length;
                    endLine();
                    length = 0;
                } else if (b != '\r') {
                    length++;
                }
            }
        }
        lineLength = length;
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
