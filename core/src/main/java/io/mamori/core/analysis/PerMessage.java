package io.mamori.core.analysis;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Values kept per message while it lives, for work that several analyzers of one message would otherwise each do
 * (they run in parallel on the pipeline's pool): keyed by the identity of the message's parts list and held weakly, so
 * that an entry goes with its message. Each value is a memo of its own, built by the first analyzer that asks and
 * locking on itself (as {@code HtmlText}'s memo of one parse per HTML part), so that this map's lock is held only for
 * the look-up. Hand-written because {@link java.util.WeakHashMap} compares keys with {@code equals}, and two parses of
 * the same message have equal parts lists (records): a second parse (a benchmark's next pass, the same message scanned
 * again) would be given the first one's values; the libraries with weak identity keys (Guava's {@code MapMaker},
 * Caffeine) are not dependencies of the core. Thread-safe.
 *
 * @param <V> the memo kept per message
 */
public final class PerMessage<V> {

    private final Map<Key, V> values = new HashMap<>();
    private final ReferenceQueue<Object> gone = new ReferenceQueue<>();
    private final Supplier<V> empty;

    /** @param empty makes the (empty) memo of a message asked about for the first time */
    public PerMessage(Supplier<V> empty) {
        this.empty = Objects.requireNonNull(empty, "empty");
    }

    /** The memo of the message whose parts list this is, made on first use. */
    public synchronized V of(List<?> parts) {
        expunge();
        Key key = new Key(Objects.requireNonNull(parts, "parts"), gone);
        V value = values.get(key);
        if (value == null) {
            value = empty.get();
            values.put(key, value);
        }
        return value;
    }

    /** The memo of the message if one was made, else {@code null}. */
    public synchronized V existing(List<?> parts) {
        expunge();
        return values.get(new Key(parts, null));
    }

    /** How many messages have a memo now (those collected are dropped as they are noticed): for tests. */
    public synchronized int size() {
        expunge();
        return values.size();
    }

    private void expunge() {
        for (Reference<?> r; (r = gone.poll()) != null; ) {
            values.remove(r);
        }
    }

    /** A weak reference equal to another to the same object; its hash is the object's identity hash. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            Object referent = get();
            return o instanceof Key k && referent != null && referent == k.get();
        }
    }
}
