package io.mamori.core.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Header fields that analyzers ask the gateway to add to the message it relays, such as
 * {@code Authentication-Results} (RFC 8601), which only the analyzer that did the checks can write. One per
 * message; thread-safe, because a message's analyzers run in parallel. It carries nothing else: analyzers
 * report everything they saw as findings.
 */
public final class TraceFields {

    /**
     * One header field, name and unfolded value (ASCII, no CR or LF); {@link #foldedAt} is how it is written. Kept
     * unfolded so that whoever adds a field need not know where the lines will break.
     */
    public record Field(String name, String value) {

        /** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters; a fold is only made where it is cheap. */
        private static final int WANTED = 78;
        /** RFC 5322 §2.1.1: lines MUST be at most 998 characters (our own listener refuses longer ones). */
        private static final int LIMIT = 998;

        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!name.matches("[A-Za-z0-9-]{1,76}")) {
                throw new IllegalArgumentException("not a header field name: " + name);
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c > 0x7e)) {
                throw new IllegalArgumentException(name + ": value must be one line of ASCII");
            }
        }

        /**
         * The field as written into a message, CRLF-terminated, folded (RFC 5322 §2.2.3) with CRLF TAB after a
         * {@code separator} (a {@code ;} between the results of Authentication-Results, RFC 8601 §2.2, a {@code ,}
         * between list items) where the line would pass 78 characters, so that a message with many signatures or
         * findings does not get a line that a strict next hop refuses. A part between separators that would still
         * pass 998 characters (nothing Mamori writes: its parts are bounded) is folded at its spaces, and failing
         * those, where it must.
         */
        public String foldedAt(char separator) {
            StringBuilder out = new StringBuilder(name.length() + value.length() + 16).append(name).append(':');
            int lineStart = 0;
            boolean first = true;
            for (Part part : parts(separator)) {
                if (!first && out.length() - lineStart + 1 + part.text().length() > WANTED) {
                    out.append("\r\n\t");
                    lineStart = out.length() - 1;
                } else if (first || part.blankBefore()) {
                    out.append(' ');
                }
                out.append(part.text());
                first = false;
            }
            return out.append("\r\n").toString();
        }

        /** A piece of the value between folding points, and whether blanks stood before it (the fold replaces them). */
        private record Part(String text, boolean blankBefore) {
        }

        /** The value split after each {@code separator}, and parts longer than a line allows split further. */
        private List<Part> parts(char separator) {
            List<Part> parts = new ArrayList<>();
            int room = LIMIT - name.length() - 2;
            int start = 0;
            boolean blank = false;
            while (start < value.length()) {
                int end = start;
                while (end < value.length() && value.charAt(end) != separator) {
                    end++;
                }
                end = Math.min(end + 1, value.length());
                String text = value.substring(start, end);
                while (text.length() > room) {
                    int space = text.lastIndexOf(' ', room);
                    int cut = space > 0 ? space : room;
                    parts.add(new Part(text.substring(0, cut), blank));
                    blank = space > 0;
                    text = text.substring(space > 0 ? cut + 1 : cut);
                }
                parts.add(new Part(text, blank));
                start = end;
                blank = false;
                while (start < value.length() && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
                    start++;
                    blank = true;
                }
            }
            return parts;
        }
    }

    private final String authservId;
    private final List<Field> fields = new ArrayList<>();

    /** @param authservId this gateway's name in {@code Authentication-Results} (RFC 8601 §2.5) */
    public TraceFields(String authservId) {
        this.authservId = Objects.requireNonNull(authservId, "authservId");
    }

    public String authservId() {
        return authservId;
    }

    public synchronized void add(String name, String value) {
        fields.add(new Field(name, value));
    }

    /** The fields added so far, in the order they were added. */
    public synchronized List<Field> fields() {
        return List.copyOf(fields);
    }
}
