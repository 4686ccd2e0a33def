package io.mamori.console.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The hash chain of the audit log: how one row's hash is computed from its fields and the previous row's hash.
 *
 * <p><b>Canonical encoding, version 1.</b> {@code hash = SHA-256(encoding)}, written as 64 lower-case hex digits,
 * where {@code encoding} is the concatenation of
 * <ol>
 *   <li>the 15 ASCII bytes {@code MAMORI-AUDIT-1\n} (domain separation and version; a future encoding changes it),</li>
 *   <li>{@code seq} as an 8-byte big-endian signed integer,</li>
 *   <li>{@code at} as an 8-byte big-endian signed integer: microseconds since 1970-01-01T00:00:00Z (the stored
 *       precision of both databases; times are truncated to microseconds before they are stored and hashed),</li>
 *   <li>{@code actor}, {@code sourceIp}, {@code action}, {@code object}, {@code before}, {@code after}, each as a
 *       <i>field</i>: a 4-byte big-endian length {@code n} followed by the {@code n} bytes of its UTF-8 encoding,
 *       or the four bytes {@code FF FF FF FF} alone for a null value (so null and empty differ),</li>
 *   <li>{@code success} as one byte, {@code 01} or {@code 00},</li>
 *   <li>{@code prevHash} as its 32 raw bytes ({@link #GENESIS}, all zeros, for the first row).</li>
 * </ol>
 * Every part has a fixed width or says its own length, so the encoding can be read back unambiguously and no two
 * different rows encode alike (no "ab"+"c" = "a"+"bc" collisions). Strings must be valid UTF-16 without NUL
 * ({@link #clean} makes them so before anything is stored) so that UTF-8 encoding is injective and the database
 * returns exactly what was hashed.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditChain {

    /** The previous hash of the first row. */
    public static final String GENESIS = "0".repeat(64);

    private static final byte[] DOMAIN = "MAMORI-AUDIT-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern HEX_HASH = Pattern.compile("[0-9a-f]{64}");
    private static final int NULL_LENGTH = -1;

    private AuditChain() {
    }

    /** The row hash of {@code entry} stored as {@code seq} after a row whose hash is {@code prevHash}. */
    public static String hash(long seq, AuditEntry entry, String prevHash) {
        return HexFormat.of().formatHex(digest(encode(seq, entry, prevHash)));
    }

    /** The canonical encoding described in the class comment (exposed for tests and independent verifiers). */
    public static byte[] encode(long seq, AuditEntry entry, String prevHash) {
        if (!isHash(prevHash)) {
            throw new IllegalArgumentException("previous hash must be 64 lower-case hex digits: " + prevHash);
        }
        byte[][] fields = {utf8(entry.actor()), utf8(entry.sourceIp()), utf8(entry.action()), utf8(entry.object()),
            utf8(entry.before()), utf8(entry.after())};
        int size = DOMAIN.length + 8 + 8 + 1 + 32;
        for (byte[] f : fields) {
            size += 4 + (f == null ? 0 : f.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(DOMAIN).putLong(seq).putLong(micros(entry.at()));
        for (byte[] f : fields) {
            if (f == null) {
                b.putInt(NULL_LENGTH);
            } else {
                b.putInt(f.length).put(f);
            }
        }
        b.put((byte) (entry.success() ? 1 : 0));
        b.put(HexFormat.of().parseHex(prevHash));
        return b.array();
    }

    public static boolean isHash(String s) {
        return s != null && HEX_HASH.matcher(s).matches();
    }

    /** Microseconds since the epoch; throws for instants outside the range a timestamp column can hold. */
    static long micros(Instant at) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, at);
    }

    static Instant truncate(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Makes a string storable and hashable as itself: NUL (which PostgreSQL text refuses) and unpaired surrogates
     * (which have no UTF-8 form) become U+FFFD, and a value longer than {@code max} characters is cut, marked
     * {@code …[truncated]}. An entry is recorded even when a user typed something odd (a login name with
     * control characters is exactly what the log must keep).
     */
    static String clean(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
                if (!bad) {
                    if (b != null) {
                        b.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                bad = c == 0 || Character.isLowSurrogate(c);
            }
            if (bad && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                b.append(bad ? '\uFFFD' : c);
            }
        }
        String clean = b == null ? s : b.toString();
        if (clean.length() > max) {
            String marker = "…[truncated]";
            int cut = max - marker.length();
            if (Character.isHighSurrogate(clean.charAt(cut - 1))) {
                cut--;
            }
            clean = clean.substring(0, cut) + marker;
        }
        return clean;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
