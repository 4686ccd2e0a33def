package io.mamori.gateway.delivery;

/**
 * Turns stored content into the SMTP DATA stream: lines starting with '.' get a second dot (RFC 5321
 * §4.5.2), and a lone CR or LF becomes CRLF so that no peer can read a different end of data than we meant
 * (the "SMTP smuggling" ambiguity). Content that is already CRLF and unstuffed passes through unchanged apart from
 * the dots. Our own listener stores a bare CR as CRLF already (so that the MIME parser, which ends lines at LF, sees
 * the lines this sends); a bare LF it stores as sent, which the parser and this both read as a line end.
 *
 * <p>Not thread-safe: one per transaction.
 */
final class DotStuffer {

    private boolean lineStart = true;
    private boolean pendingCr;

    /** Largest output for {@code len} input bytes. */
    static int maxEncodedLength(int len) {
        return 2 * len + 2;
    }

    /** Encodes {@code src[0, len)} into {@code dst}, returning how many bytes were written. */
    int encode(byte[] src, int len, byte[] dst) {
        int o = 0;
        for (int i = 0; i < len; i++) {
            byte b = src[i];
            if (pendingCr) {
                pendingCr = false;
                dst[o++] = '\n';
                lineStart = true;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\r') {
                dst[o++] = '\r';
                pendingCr = true;
            } else if (b == '\n') {
                dst[o++] = '\r';
                dst[o++] = '\n';
                lineStart = true;
            } else {
                if (lineStart && b == '.') {
                    dst[o++] = '.';
                }
                dst[o++] = b;
                lineStart = false;
            }
        }
        return o;
    }

    /** Writes the end of data — a CRLF if the content did not end with one, then {@code .CRLF} — into {@code dst} (≥ 6 bytes). */
    int finish(byte[] dst) {
        int o = 0;
        if (pendingCr) {
            dst[o++] = '\n';
            pendingCr = false;
            lineStart = true;
        }
        if (!lineStart) {
            dst[o++] = '\r';
            dst[o++] = '\n';
        }
        dst[o++] = '.';
        dst[o++] = '\r';
        dst[o++] = '\n';
        return o;
    }
}
