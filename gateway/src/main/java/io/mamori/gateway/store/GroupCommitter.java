package io.mamori.gateway.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: callers hand in one item each and block; a single committer thread takes whatever is
 * waiting (up to {@code maxBatch}, optionally lingering {@code window} for more) and writes it in one
 * transaction, then wakes every caller of that batch. Without a window the batches still grow under load,
 * because commits arriving while one transaction runs form the next batch, and a lone commit never waits.
 * A failing batch fails all its callers.
 *
 * <p>Thread-safe.
 */
final class GroupCommitter<T> implements AutoCloseable {

    @FunctionalInterface
    interface BatchWriter<T> {
        void write(List<T> items) throws Exception;
    }

    private record Waiting<T>(T item, CompletableFuture<Void> done) {
    }

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private final LinkedBlockingQueue<Waiting<T>> queue = new LinkedBlockingQueue<>();
    private final Waiting<T> stop = new Waiting<>(null, new CompletableFuture<>());
    private final int maxBatch;
    private final long windowNanos;
    private final BatchWriter<T> writer;
    private final Thread thread;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private volatile boolean running = true;

    GroupCommitter(String threadName, int maxBatch, Duration window, BatchWriter<T> writer) {
        this.maxBatch = maxBatch;
        this.windowNanos = window.toNanos();
        this.writer = writer;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Returns once {@code item} is committed; throws if its batch failed or the committer is closed. */
    void commit(T item) throws IOException {
        Waiting<T> waiting = new Waiting<>(item, new CompletableFuture<>());
        if (!running) {
            throw closed();
        }
        queue.add(waiting);
        if (!running && queue.remove(waiting)) {
            throw closed();
        }
        try {
            waiting.done().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException("commit failed", cause);
        }
    }

    long batches() {
        return batches.get();
    }

    long items() {
        return items.get();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        queue.add(stop);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failRemaining();
    }

    private void run() {
        List<Waiting<T>> batch = new ArrayList<>(maxBatch);
        while (true) {
            Waiting<T> first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (first == stop) {
                break;
            }
            batch.add(first);
            boolean stopSeen = collect(batch);
            writeBatch(batch);
            batch.clear();
            if (stopSeen) {
                break;
            }
        }
        failRemaining();
    }

    /** Adds waiting items to {@code batch}; returns whether the stop marker was among them. */
    private boolean collect(List<Waiting<T>> batch) {
        long deadline = System.nanoTime() + windowNanos;
        while (batch.size() < maxBatch) {
            Waiting<T> next = queue.poll();
            if (next == null && windowNanos > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                try {
                    next = queue.poll(remaining, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (next == null) {
                break;
            }
            if (next == stop) {
                return true;
            }
            batch.add(next);
        }
        return false;
    }

    private void writeBatch(List<Waiting<T>> batch) {
        List<T> payload = new ArrayList<>(batch.size());
        for (Waiting<T> w : batch) {
            payload.add(w.item());
        }
        try {
            writer.write(payload);
            batches.incrementAndGet();
            items.addAndGet(batch.size());
            for (Waiting<T> w : batch) {
                w.done().complete(null);
            }
        } catch (Throwable t) {
            // Even an Error must not end this thread: later callers would wait for it forever.
            log.warn("Group commit of {} messages failed: {}", batch.size(), t.toString());
            IOException failure = new IOException("group commit of " + batch.size() + " messages failed: " + t.getMessage(), t);
            for (Waiting<T> w : batch) {
                w.done().completeExceptionally(failure);
            }
        }
    }

    private void failRemaining() {
        Waiting<T> w;
        while ((w = queue.poll()) != null) {
            if (w != stop) {
                w.done().completeExceptionally(closed());
            }
        }
    }

    private static IOException closed() {
        return new IOException("message store is closed");
    }
}
