package io.mamori.core.verdict;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code Authentication-Results} fields (RFC 8601) that claim to come from this gateway. Downstream systems (the
 * cloud mailbox, mail filters, clients) trust results carrying our authserv-id, so a sender who writes such a
 * field could vouch for their own forgery; RFC 8601 §5 therefore says a border MTA must remove fields claiming its
 * authserv-id before adding its own, and leave those of other ADMDs alone. The same goes for the gateway's own
 * {@code X-Mamori-*} fields ({@code X-Mamori-Verdict}, {@code X-Mamori-Removed-Attachment}): a sender who writes
 * {@code X-Mamori-Verdict: DELIVER} would otherwise speak for the gateway to the rules downstream that read it, so
 * every such field of an arriving message is removed as well. Stateless and thread-safe.
 */
public final class AuthResultsHeaders {

    /** The header block read at most; Mime4j's rewrite refuses longer header lines anyway. */
    private static final long MAX_HEADER_BYTES = 4L * 1024 * 1024;
    /** How much of one field's value is kept: the authserv-id comes first, after at most some comments. */
    private static final int MAX_VALUE_CHARS = 16 * 1024;

    private AuthResultsHeaders() {
    }

    /**
     * Whether the value of an {@code Authentication-Results} field names {@code authservId} (case-insensitive;
     * one trailing dot ignored), per the grammar of RFC 8601 §2.2: {@code [CFWS] authserv-id ...}, where the
     * authserv-id is a token or a quoted string and CFWS may hold nested comments.
     */
    public static boolean claims(String value, String authservId) {
        Objects.requireNonNull(authservId, "authservId");
        String id = authservId(value);
        return id != null && normal(id).equals(normal(authservId));
    }

    /** The authserv-id of an {@code Authentication-Results} value, or {@code null} if there is none. */
    static String authservId(String value) {
        int i = skipCfws(value, 0);
        if (i >= value.length()) {
            return null;
        }
        StringBuilder id = new StringBuilder();
        if (value.charAt(i) == '"') {
            for (i++; i < value.length() && value.charAt(i) != '"'; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length()) {
                    c = value.charAt(++i);
                }
                id.append(c);
            }
        } else {
            for (; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c <= ' ' || c == ';' || c == '(' || c == '"' || c == 0x7f) {
                    break;
                }
                id.append(c);
            }
        }
        return id.length() == 0 ? null : id.toString();
    }

    /**
     * Whether the header block of {@code raw} (read up to its end, at most 4 MiB) holds an
     * {@code Authentication-Results} field claiming {@code authservId}. Reads only the header block.
     */
    public static boolean present(InputStream raw, String authservId) throws IOException {
        InputStream in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 16 * 1024);
        StringBuilder line = new StringBuilder();
        StringBuilder field = null;
        long read = 0;
        for (int b; (b = in.read()) >= 0 && read < MAX_HEADER_BYTES; read++) {
            if (b == '\n') {
                if (line.length() == 0 || (line.length() == 1 && line.charAt(0) == '\r')) {
                    break; // the empty line that ends the header block
                }
                String text = line.toString();
                line.setLength(0);
                boolean continuation = text.charAt(0) == ' ' || text.charAt(0) == '\t';
                if (continuation && field != null) {
                    if (field.length() < MAX_VALUE_CHARS) {
                        field.append(' ').append(text, 0, Math.min(text.length(), MAX_VALUE_CHARS));
                    }
                    continue;
                }
                if (field != null && claims(field.toString(), authservId)) {
                    return true;
                }
                field = null;
                int colon = text.indexOf(':');
                if (!continuation && colon > 0 && isOwnField(text.substring(0, colon))) {
                    return true;
                }
                if (!continuation && colon > 0
                        && text.substring(0, colon).strip().equalsIgnoreCase("Authentication-Results")) {
                    field = new StringBuilder(text.substring(colon + 1, Math.min(text.length(), colon + 1 + MAX_VALUE_CHARS)));
                }
            } else if (line.length() < MAX_VALUE_CHARS) {
                line.append((char) b);
            }
        }
        return field != null && claims(field.toString(), authservId);
    }

    /**
     * Copies {@code raw} to {@code out} without the top-level {@code Authentication-Results} fields that claim
     * {@code authservId}; every other byte, the body included, is copied as it is. This is the path for a message
     * that needs nothing else: Mime4j's tree, which the other transforms use, cannot reproduce every multipart
     * framing byte for byte (it does not record whether a close delimiter had its own line end), and a relayed
     * message's body must stay exactly as signed. Memory is bounded: a field is held only while it is an
     * {@code Authentication-Results} field and at most {@value #MAX_VALUE_CHARS} bytes of it; one whose
     * authserv-id cannot be found within that is removed too (RFC 8601 §5 allows removing any).
     *
     * @return how many fields were removed
     */
    public static int remove(InputStream raw, OutputStream out, String authservId) throws IOException {
        Objects.requireNonNull(authservId, "authservId");
        InputStream in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 64 * 1024);
        ByteArrayOutputStream held = null;   // the Authentication-Results field being read, or null
        boolean dropping = false;            // the current field is being dropped (decided early)
        int removed = 0;
        byte[] line;
        boolean lineStart = true;
        while ((line = readLine(in, MAX_VALUE_CHARS)) != null) {
            boolean complete = line[line.length - 1] == '\n';
            if (lineStart && (line[0] == '\n' || (line[0] == '\r' && line.length > 1 && line[1] == '\n'))) {
                removed += finish(held, out, authservId);
                out.write(line);
                in.transferTo(out);
                out.flush();
                return removed;
            }
            boolean continuation = !lineStart || line[0] == ' ' || line[0] == '\t';
            if (!continuation) {
                removed += finish(held, out, authservId);
                held = null;
                dropping = false;
                if (isAuthResults(line)) {
                    held = new ByteArrayOutputStream();
                } else if (isOwnField(fieldName(line))) {
                    dropping = true;
                    removed++;
                }
            }
            if (dropping) {
                // part of a field already judged ours
            } else if (held != null) {
                held.write(line);
                if (held.size() > MAX_VALUE_CHARS) {
                    if (claimsOrUndecided(held, authservId)) {
                        dropping = true;
                        removed++;
                    } else {
                        held.writeTo(out);
                    }
                    held = null;
                }
            } else {
                out.write(line);
            }
            lineStart = complete;
        }
        removed += finish(held, out, authservId);
        out.flush();
        return removed;
    }

    private static int finish(ByteArrayOutputStream held, OutputStream out, String authservId) throws IOException {
        if (held == null) {
            return 0;
        }
        if (claims(value(held), authservId)) {
            return 1;
        }
        held.writeTo(out);
        return 0;
    }

    private static boolean claimsOrUndecided(ByteArrayOutputStream held, String authservId) {
        String value = value(held);
        String id = authservId(value);
        // An id running into the cut may be incomplete: then it is undecided as well.
        return id == null || value.stripTrailing().endsWith(id) || claims(value, authservId);
    }

    private static String value(ByteArrayOutputStream field) {
        String text = field.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.substring(text.indexOf(':') + 1);
    }

    /** Whether a field of this name is one of the gateway's own ({@code X-Mamori-…}), which no sender may write. */
    public static boolean isOwnField(String name) {
        String n = name.strip();
        return n.regionMatches(true, 0, "X-Mamori-", 0, "X-Mamori-".length());
    }

    private static String fieldName(byte[] line) {
        String start = new String(line, 0, Math.min(line.length, 64), java.nio.charset.StandardCharsets.ISO_8859_1);
        int colon = start.indexOf(':');
        return colon > 0 ? start.substring(0, colon) : "";
    }

    private static boolean isAuthResults(byte[] line) {
        String start = new String(line, 0, Math.min(line.length, 64), java.nio.charset.StandardCharsets.ISO_8859_1);
        int colon = start.indexOf(':');
        return colon > 0 && start.substring(0, colon).strip().equalsIgnoreCase("Authentication-Results");
    }

    /** A line including its LF, or at most {@code max} bytes of it; {@code null} at the end. */
    private static byte[] readLine(InputStream in, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while (line.size() < max && (b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private static int skipCfws(String s, int i) {
        int depth = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (depth > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
            } else if (c == '(') {
                depth = 1;
            } else if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                return i;
            }
        }
        return i;
    }

    private static String normal(String id) {
        String s = id.strip().toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
