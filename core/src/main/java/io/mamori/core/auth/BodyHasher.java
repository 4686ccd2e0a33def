package io.mamori.core.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Canonicalizes a body (RFC 6376 §3.4.3 simple, §3.4.4 relaxed) line by line and hashes it, up to an
 * optional length limit ({@code l=}). Empty lines are held back until a non-empty one follows, so trailing
 * empty lines never reach the hash. Several signatures may share one hasher ({@link #sameHashAs}): {@link #finish}
 * can be called more than once. Not thread-safe.
 */
final class BodyHasher {

    private static final byte[] CRLF = {'\r', '\n'};

    private final boolean relaxed;
    private final MessageDigest digest;
    private final long limit;
    private long pendingEmpty;
    private long length;
    private boolean any;
    private byte[] result;

    /** @param limit bytes of canonical body to hash, or -1 for all */
    BodyHasher(boolean relaxed, String digestAlgorithm, long limit) {
        this.relaxed = relaxed;
        this.limit = limit;
        try {
            this.digest = MessageDigest.getInstance(digestAlgorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void line(byte[] line) {
        byte[] l = relaxed ? relax(line) : line;
        if (l.length == 0) {
            pendingEmpty++;
            return;
        }
        for (; pendingEmpty > 0; pendingEmpty--) {
            emit(CRLF, CRLF.length);
        }
        emit(l, l.length);
        emit(CRLF, CRLF.length);
        any = true;
    }

    /** Finishes: the hash, and the canonical length (to check that {@code l=} is not longer than the body). */
    byte[] finish() {
        if (result == null) {
            if (!any && !relaxed) {
                emit(CRLF, CRLF.length); // §3.4.3: an empty body is one CRLF in simple canonicalization
            }
            result = digest.digest();
        }
        return result.clone();
    }

    /** Whether {@code other} canonicalizes, limits and hashes the body the same way, so that its hash is this one's. */
    boolean sameHashAs(BodyHasher other) {
        return relaxed == other.relaxed && limit == other.limit && digest.getAlgorithm().equals(other.digest.getAlgorithm());
    }

    long canonicalLength() {
        return length;
    }

    private void emit(byte[] b, int n) {
        long take = limit < 0 ? n : Math.max(0, Math.min(n, limit - length));
        digest.update(b, 0, (int) take);
        length += n;
    }

    /** §3.4.4: runs of WSP become one SP, WSP at the end of the line goes. */
    static byte[] relax(byte[] line) {
        byte[] out = new byte[line.length];
        int n = 0;
        boolean space = false;
        for (byte b : line) {
            if (b == ' ' || b == '\t') {
                space = true;
                continue;
            }
            if (space) {
                out[n++] = ' ';
                space = false;
            }
            out[n++] = b;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
