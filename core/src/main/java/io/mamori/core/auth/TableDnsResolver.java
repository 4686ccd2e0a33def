package io.mamori.core.auth;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link DnsResolver} answering from an in-memory table, for tests and conformance suites (no network).
 * A name in the table answers NODATA for types it has no record of; a name not in the table answers
 * NXDOMAIN. {@link Builder#tempFail} makes every type without records of a name a temporary error, the way
 * a zone that times out behaves. CNAMEs are followed (up to 8 hops).
 *
 * <p>Immutable once built and thread-safe.
 */
public final class TableDnsResolver implements DnsResolver {

    private static final int MAX_CNAME_HOPS = 8;

    private final Map<String, Map<Type, List<String>>> records;
    private final Map<String, String> cnames;
    private final Map<String, Set<Type>> tempFailures;
    private final AtomicInteger lookups = new AtomicInteger();

    private TableDnsResolver(Builder b) {
        Map<String, Map<Type, List<String>>> copy = new HashMap<>();
        b.records.forEach((name, byType) -> {
            Map<Type, List<String>> m = new EnumMap<>(Type.class);
            byType.forEach((t, v) -> m.put(t, List.copyOf(v)));
            copy.put(name, m);
        });
        this.records = copy;
        this.cnames = Map.copyOf(b.cnames);
        Map<String, Set<Type>> fails = new HashMap<>();
        b.tempFailures.forEach((n, t) -> fails.put(n, EnumSet.copyOf(t)));
        this.tempFailures = fails;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How many questions were asked so far (tests assert that answers are cached). */
    public int lookupCount() {
        return lookups.get();
    }

    @Override
    public DnsAnswer lookup(String name, Type type) {
        lookups.incrementAndGet();
        String n = normal(name);
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Map<Type, List<String>> byType = records.get(n);
            List<String> values = byType == null ? null : byType.get(type);
            if (values != null) {
                return DnsAnswer.of(values, false);
            }
            Set<Type> failing = tempFailures.get(n);
            if (failing != null && failing.contains(type)) {
                return new DnsAnswer.TempFail("timeout (table) for " + n + " " + type);
            }
            String target = cnames.get(n);
            if (target == null) {
                return new DnsAnswer.NoRecords(byType == null && failing == null);
            }
            n = target;
        }
        return new DnsAnswer.TempFail("CNAME chain longer than " + MAX_CNAME_HOPS + " at " + name);
    }

    static String normal(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Collects records; not thread-safe. */
    public static final class Builder {
        private final Map<String, Map<Type, List<String>>> records = new HashMap<>();
        private final Map<String, String> cnames = new HashMap<>();
        private final Map<String, Set<Type>> tempFailures = new HashMap<>();

        private Builder() {
        }

        /** Adds one record (see {@link DnsResolver.Type} for the textual form of each type). */
        public Builder add(String name, Type type, String value) {
            records.computeIfAbsent(normal(name), k -> new EnumMap<>(Type.class))
                    .computeIfAbsent(type, k -> new ArrayList<>()).add(value);
            return this;
        }

        /** Makes the name exist without records of that type (NODATA rather than NXDOMAIN). */
        public Builder exists(String name) {
            records.computeIfAbsent(normal(name), k -> new EnumMap<>(Type.class));
            return this;
        }

        public Builder cname(String name, String target) {
            cnames.put(normal(name), normal(target));
            return this;
        }

        /** Every question for {@code name} of a type without records times out. */
        public Builder tempFail(String name) {
            return tempFail(name, EnumSet.allOf(Type.class));
        }

        /** Questions for {@code name} of these types (unless they have records) time out. */
        public Builder tempFail(String name, Set<Type> types) {
            tempFailures.computeIfAbsent(normal(name), k -> EnumSet.noneOf(Type.class)).addAll(types);
            return this;
        }

        public TableDnsResolver build() {
            return new TableDnsResolver(this);
        }
    }
}
