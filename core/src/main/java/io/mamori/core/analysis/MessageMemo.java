package io.mamori.core.analysis;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Work that several analyzers of one message need, done once for that message: the analyzers run in parallel on the
 * pipeline's pool and all get the same {@link AnalysisInput}, which carries one memo ({@link AnalysisInput#memo()}).
 * For each {@link Key} the first analyzer that asks computes the value and the others wait for it; a value cut short
 * (its thread interrupted by the analysis budget, the computation failed, or the key's own rule, such as a deadline
 * passed, says so) is returned to its caller only and not kept, so that a later caller computes it anew, whole. The
 * memo goes with its input: nothing is kept beyond the message.
 *
 * <p>Hand-written rather than {@link java.util.concurrent.ConcurrentHashMap#computeIfAbsent}: that keeps whatever the
 * first computation returns (also a result cut short), must not be re-entered from a computation (inspecting a
 * message's archives asks for the first bytes of its parts, another key), and holds a lock of the map while it
 * computes. Here the map's lock is held only for the look-up; each key's value has a lock of its own. Thread-safe.
 */
public final class MessageMemo {

    private final Map<Key<?>, Slot<?>> slots = new HashMap<>();

    /**
     * A kind of value kept per message. Keys are compared by identity: make each once (a constant, or a field of the
     * analyzer whose configuration the value depends on).
     *
     * @param <T> the type of the value
     */
    public static final class Key<T> {
        private final String name;
        private final Predicate<? super T> whole;

        private Key(String name, Predicate<? super T> whole) {
            this.name = Objects.requireNonNull(name, "name");
            this.whole = Objects.requireNonNull(whole, "whole");
        }

        /** A key whose values are kept unless their thread was interrupted while computing them. */
        public static <T> Key<T> of(String name) {
            return new Key<>(name, v -> true);
        }

        /** A key whose values are kept only when {@code whole} says so (and their thread was not interrupted). */
        public static <T> Key<T> of(String name, Predicate<? super T> whole) {
            return new Key<>(name, whole);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Computes one value; may be interrupted. */
    @FunctionalInterface
    public interface Computation<T, E extends Exception> {
        T compute() throws E;
    }

    /**
     * The value of {@code key} for this message: computed by {@code computation} if none is kept yet, the other callers
     * waiting meanwhile. An exception of the computation goes to its caller, and nothing is kept.
     *
     * @throws CancellationException when the calling thread is interrupted while it waits for another's computation
     */
    public <T, E extends Exception> T computeIfAbsent(Key<T> key, Computation<? extends T, E> computation) throws E {
        Objects.requireNonNull(computation, "computation");
        return slot(key).get(key, computation);
    }

    /** How many times the value of {@code key} was computed for this message (once, unless cut short): for tests. */
    public int computations(Key<?> key) {
        Slot<?> slot;
        synchronized (slots) {
            slot = slots.get(key);
        }
        return slot == null ? 0 : slot.computations();
    }

    @SuppressWarnings("unchecked")
    private <T> Slot<T> slot(Key<T> key) {
        Objects.requireNonNull(key, "key");
        synchronized (slots) {
            return (Slot<T>) slots.computeIfAbsent(key, k -> new Slot<>());
        }
    }

    @Override
    public String toString() {
        synchronized (slots) {
            return "MessageMemo" + slots.keySet();
        }
    }

    /**
     * One key's value, computed once under its own lock. The lock is taken interruptibly: a caller whose analysis
     * budget runs out while another computes stops waiting (and its analyzer counts as failed, as the pipeline has
     * already decided), instead of holding its pool thread until the computation ends.
     */
    private static final class Slot<T> {
        private final ReentrantLock lock = new ReentrantLock();
        private T value;
        private boolean kept;
        private int computations;

        <E extends Exception> T get(Key<T> key, Computation<? extends T, E> computation) throws E {
            // free: taken whatever the interrupt status (the computation itself answers an interruption, as the
            // analyzers' contract asks); held by another caller: waited for interruptibly
            if (!lock.tryLock()) {
                try {
                    lock.lockInterruptibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for " + key);
                }
            }
            try {
                if (!kept) {
                    computations++;
                    T v = computation.compute();
                    if (Thread.currentThread().isInterrupted() || !key.whole.test(v)) {
                        return v; // cut short: not kept, a later caller computes it whole
                    }
                    value = v;
                    kept = true;
                }
                return value;
            } finally {
                lock.unlock();
            }
        }

        int computations() {
            lock.lock();
            try {
                return computations;
            } finally {
                lock.unlock();
            }
        }
    }
}
