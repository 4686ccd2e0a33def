package io.mamori.core.store;

import io.mamori.core.message.Direction;
import java.util.List;
import java.util.Map;

/**
 * Mail received in a time window, for the console's dashboard: counts by direction, policy action and whether
 * the message arrived over TLS, and how often each finding code was raised.
 *
 * @param counts   one entry per (direction, action, tls) seen, with its count
 * @param findings finding code to the number of messages that raised it
 */
public record Traffic(List<Count> counts, Map<String, Long> findings) {

    public Traffic {
        counts = List.copyOf(counts);
        findings = Map.copyOf(findings);
    }

    /** Messages of one direction and action that did ({@code tls}) or did not arrive over TLS. */
    public record Count(Direction direction, String action, boolean tls, long count) {
    }

    public long total() {
        return counts.stream().mapToLong(Count::count).sum();
    }

    public long overTls() {
        return counts.stream().filter(Count::tls).mapToLong(Count::count).sum();
    }

    public long count(Direction direction, String action) {
        return counts.stream().filter(c -> c.direction() == direction && c.action().equals(action))
                .mapToLong(Count::count).sum();
    }
}
