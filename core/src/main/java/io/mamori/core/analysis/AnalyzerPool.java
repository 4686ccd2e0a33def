package io.mamori.core.analysis;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzers' bounded thread pool, which keeps its capacity while analyzer runs overrun their budget. Java cannot
 * stop a thread, and a parsing library caught in an endless loop ignores interruption (PDFBox's predictor did, see
 * {@code attachment.PdfDecoding}): without this, each such mail would take one of the pool's threads for good, and a
 * few would leave every later message's analyzers waiting until they count as failed. So for each run that goes on
 * after its budget ({@link AnalysisPipeline.Overruns}) the pool gets one more thread, up to {@code maxExtraThreads},
 * and gives it back when the run returns. What stays stuck still uses its core: the log has a warning with the
 * thread's stack (classes and lines only, never the mail) and {@link #overrunning()} counts it, for the gateway's
 * metrics; the lasting fix is to the library or the analyzer that looped.
 *
 * <p>Thread-safe.
 */
public final class AnalyzerPool implements AnalysisPipeline.Overruns, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerPool.class);
    /** Frames of a stuck thread's stack in the warning: enough to see the library's loop. */
    private static final int LOGGED_FRAMES = 16;

    private final ThreadPoolExecutor executor;
    private final int threads;
    private final int maxExtraThreads;
    private final AtomicInteger overrunning = new AtomicInteger();
    private final AtomicLong overruns = new AtomicLong();

    /**
     * @param threadName      name of the pool's threads (numbered)
     * @param threads         threads of the pool while nothing overruns; at least 1
     * @param queueCapacity   analyzer runs that may wait for a thread; more are refused (the pipeline reports them)
     * @param maxExtraThreads threads the pool may add for runs that overran; 0 for none
     */
    public AnalyzerPool(String threadName, int threads, int queueCapacity, int maxExtraThreads) {
        if (threads < 1 || queueCapacity < 1 || maxExtraThreads < 0) {
            throw new IllegalArgumentException("threads " + threads + ", queue " + queueCapacity + ", extra threads "
                    + maxExtraThreads);
        }
        this.threads = threads;
        this.maxExtraThreads = maxExtraThreads;
        AtomicInteger n = new AtomicInteger();
        // Bounded queue, and a refused task is refused: running it on the caller's thread (CallerRuns) would escape
        // the analyzer's time budget.
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** The executor to give the {@link AnalysisPipeline} (with this pool as its overruns). */
    public ExecutorService executor() {
        return executor;
    }

    /** Analyzer runs that overran their budget and have not returned yet. */
    public int overrunning() {
        return overrunning.get();
    }

    /** Analyzer runs that overran their budget since the pool was made (returned or not). */
    public long overruns() {
        return overruns.get();
    }

    /**
     * Whether as many runs overrun as the pool may add threads for: from now on each further one takes a thread of the
     * pool's own for as long as it lasts, and only a restart gives the cores back. The gateway's health says so.
     */
    public boolean standInsExhausted() {
        return overrunning.get() >= maxExtraThreads && overrunning.get() > 0;
    }

    /** The threads the pool runs analyzers on now: its own and those standing in for overrunning runs. */
    public int size() {
        return executor.getCorePoolSize();
    }

    @Override
    public void overran(String analyzer, Thread thread) {
        overruns.incrementAndGet();
        int now = overrunning.incrementAndGet();
        resize();
        if (LOG.isWarnEnabled()) {
            StringBuilder stack = new StringBuilder();
            StackTraceElement[] frames = thread.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, LOGGED_FRAMES); i++) {
                stack.append("\n\tat ").append(frames[i]);
            }
            LOG.warn("analyzer {} overran its budget and goes on after being interrupted on thread {} ({} such run(s) now;"
                    + " the pool has {} threads); where it was:{}", analyzer, thread.getName(), now, size(), stack);
        }
    }

    @Override
    public void returned(String analyzer, Duration late) {
        int now = overrunning.decrementAndGet();
        resize();
        LOG.info("analyzer {} returned {} ms after its budget ({} run(s) still overrunning)", analyzer, late.toMillis(), now);
    }

    /** One thread more for each overrunning run, up to the maximum; called after every change of the count. */
    private synchronized void resize() {
        int target = threads + Math.min(Math.max(overrunning.get(), 0), maxExtraThreads);
        if (target > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(target);
            executor.setCorePoolSize(target);
        } else if (target < executor.getCorePoolSize()) {
            executor.setCorePoolSize(target);
            executor.setMaximumPoolSize(target);
        }
    }

    /** Stops the pool's threads (interrupting what runs). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
