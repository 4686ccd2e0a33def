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

    /** One header field, name and unfolded value (ASCII, no CR or LF). */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!name.matches("[A-Za-z0-9-]+")) {
                throw new IllegalArgumentException("not a header field name: " + name);
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c > 0x7e)) {
                throw new IllegalArgumentException(name + ": value must be one line of ASCII");
            }
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
