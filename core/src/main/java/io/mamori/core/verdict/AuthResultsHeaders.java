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
     * Whether the header block of {@code raw} holds a field that {@link #remove} would remove: an
     * {@code Authentication-Results} field claiming {@code authservId}, or one of the gateway's own fields. Reads
     * only the header block, holding one field at a time and only its start, as {@link #remove} does.
     */
    public static boolean present(InputStream raw, String authservId) throws IOException {
        return scan(raw, OutputStream.nullOutputStream(), authservId, true) > 0;
    }

    /**
     * Copies {@code raw} to {@code out} without the top-level {@code Authentication-Results} fields that claim
     * {@code authservId}, and without the gateway's own fields; every other byte, the body included, is copied as
     * it is. This is the path for a message that needs nothing else: Mime4j's tree, which the other transforms use,
     * cannot reproduce every multipart framing byte for byte (it does not record whether a close delimiter had its
     * own line end), and a relayed message's body must stay exactly as signed. Fields are told apart by their names
     * as Mime4j reads them ({@link FieldName}), so that both paths, and {@link #present}, remove the same fields.
     * Memory is bounded: a field is held only while its name is being read or it is an
     * {@code Authentication-Results} field, and at most {@value #MAX_VALUE_CHARS} bytes of it; one whose
     * authserv-id cannot be found within that is removed too (RFC 8601 §5 allows removing any), and so is one whose
     * name cannot (no real field name is that long, and a sender could pad one to be let through unread).
     *
     * @return how many fields were removed
     */
    public static int remove(InputStream raw, OutputStream out, String authservId) throws IOException {
        return scan(raw, out, authservId, false);
    }

    /**
     * The header block field by field, as {@link #remove} describes; with {@code untilFirst}, stops at the first field
     * removed or at the end of the header block, without reading the body.
     */
    private static int scan(InputStream raw, OutputStream out, String authservId, boolean untilFirst) throws IOException {
        Objects.requireNonNull(authservId, "authservId");
        InputStream in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 64 * 1024);
        HeldField field = null;
        int removed = 0;
        byte[] line;
        boolean lineStart = true;
        boolean firstLine = true;
        while ((line = readLine(in, MAX_VALUE_CHARS)) != null) {
            boolean complete = line[line.length - 1] == '\n';
            if (lineStart && (line[0] == '\n' || (line[0] == '\r' && line.length > 1 && line[1] == '\n'))) {
                removed += field == null ? 0 : field.end(out, authservId);
                if (untilFirst) {
                    return removed;
                }
                out.write(line);
                in.transferTo(out);
                out.flush();
                return removed;
            }
            // A line starting with white space continues the field before it (RFC 5322 §2.2.3). The header block's
            // first line has none before it: Mime4j, and so the tree path, reads it as a field of its own with the
            // white space dropped, so it starts one here too, or " Authentication-Results: <us>; ..." would pass.
            boolean continuation = !lineStart || (!firstLine && (line[0] == ' ' || line[0] == '\t'));
            if (!continuation) {
                removed += field == null ? 0 : field.end(out, authservId);
                if (untilFirst && removed > 0) {
                    return removed;
                }
                field = new HeldField();
            }
            removed += field.add(line, out, authservId);
            if (untilFirst && removed > 0) {
                return removed;
            }
            firstLine = false;
            lineStart = complete;
        }
        removed += field == null ? 0 : field.end(out, authservId);
        out.flush();
        return removed;
    }

    /** One header field on its way from the input to the output: held until it is known not to be removed. */
    private static final class HeldField {
        private enum State { NAMING, AUTH_RESULTS, KEPT, DROPPED }

        private final FieldName name = new FieldName();
        private State state = State.NAMING;
        private ByteArrayOutputStream held = new ByteArrayOutputStream();
        /** Where the value starts in {@link #held}: after the colon that ends the name. */
        private int valueStart;

        /** Takes the next piece of the field; returns 1 if that decided to remove it. */
        int add(byte[] line, OutputStream out, String authservId) throws IOException {
            switch (state) {
                case KEPT -> out.write(line);
                case DROPPED -> { }
                case NAMING -> {
                    int colon = name.read(line);
                    held.write(line);
                    if (colon >= 0) {
                        valueStart = held.size() - line.length + colon + 1;
                        if (isOwnField(name.name())) {
                            return drop();
                        }
                        if (!name.is("Authentication-Results")) {
                            return keep(out);
                        }
                        state = State.AUTH_RESULTS;
                    }
                    return tooLarge(out, authservId);
                }
                case AUTH_RESULTS -> {
                    held.write(line);
                    return tooLarge(out, authservId);
                }
                default -> throw new IllegalStateException();
            }
            return 0;
        }

        /** The field is complete: 1 if it is removed. */
        int end(OutputStream out, String authservId) throws IOException {
            if (state == State.AUTH_RESULTS && claims(value(), authservId)) {
                return drop();
            }
            // a line without any colon is no field that anyone reads as ours (Mime4j drops it): left as it is
            return state == State.NAMING || state == State.AUTH_RESULTS ? keep(out) : 0;
        }

        private int tooLarge(OutputStream out, String authservId) throws IOException {
            if (held.size() <= MAX_VALUE_CHARS) {
                return 0;
            }
            if (state == State.NAMING) {
                return drop();
            }
            String value = value();
            String id = authservId(value);
            // An id running into the cut may be incomplete: then it is undecided as well.
            boolean undecided = id == null || value.stripTrailing().endsWith(id);
            return undecided || claims(value, authservId) ? drop() : keep(out);
        }

        private int drop() {
            state = State.DROPPED;
            held = null;
            return 1;
        }

        private int keep(OutputStream out) throws IOException {
            held.writeTo(out);
            state = State.KEPT;
            held = null;
            return 0;
        }

        private String value() {
            return held.toString(java.nio.charset.StandardCharsets.ISO_8859_1).substring(valueStart);
        }
    }

    /** Whether a field of this name is one of the gateway's own ({@code X-Mamori-…}), which no sender may write. */
    public static boolean isOwnField(String name) {
        String n = name.strip();
        return n.regionMatches(true, 0, "X-Mamori-", 0, "X-Mamori-".length());
    }

    /**
     * A field's name read as Mime4j reads it (its {@code RawFieldParser}), the tree path's reader: everything before
     * the first colon outside comments, however long, with comments dropped and white space and line breaks at
     * either end dropped (RFC 5322 §4.5.8 obsolete syntax allows white space before the colon; a first line that
     * starts with white space and a name folded before its colon are read the same way), a run inside kept as one
     * space. Fed piece by piece; keeps only the name's first {@value #KEPT_NAME_CHARS} characters, enough to tell
     * {@code Authentication-Results} and {@code X-Mamori-} names, so that padding costs no memory.
     */
    static final class FieldName {
        private static final int KEPT_NAME_CHARS = 64;

        private final StringBuilder kept = new StringBuilder();
        private int length;
        private int depth;
        private boolean escaped;
        private boolean space;
        private boolean done;

        /** Reads {@code bytes} (ISO-8859-1) up to the colon; the colon's index in them, or -1 if none yet. */
        int read(byte[] bytes) {
            for (int i = 0; i < bytes.length && !done; i++) {
                char c = (char) (bytes[i] & 0xff);
                if (depth > 0) {
                    if (escaped) {
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '(') {
                        depth++;
                    } else if (c == ')') {
                        depth--;
                    }
                } else if (c == ':') {
                    done = true;
                    return i;
                } else if (c == '(') {
                    depth = 1;
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    space = length > 0;
                } else {
                    if (space) {
                        append(' ');
                        space = false;
                    }
                    append(c);
                }
            }
            return -1;
        }

        private void append(char c) {
            if (kept.length() < KEPT_NAME_CHARS) {
                kept.append(c);
            }
            length++;
        }

        /** The name's start (all of it when it is short). */
        String name() {
            return kept.toString();
        }

        boolean is(String fieldName) {
            return length == kept.length() && kept.toString().equalsIgnoreCase(fieldName);
        }
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
