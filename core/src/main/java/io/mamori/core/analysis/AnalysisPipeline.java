package io.mamori.core.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every analyzer on a message, each under its own time budget, and enforces the {@link Analyzer}
 * contract: an analyzer that throws, overruns its budget, returns {@code null} or a null finding, or emits a
 * code missing from the {@link FindingCatalogue} yields an {@code ANALYZER_FAILED} finding naming it and
 * the reason (e.g. {@code "mime-sanity: timeout 200ms"}), never a silent pass.
 *
 * <p>Analyzers of one message run in parallel on the {@link ExecutorService} the caller supplies and owns: a
 * bounded pool (e.g. {@code Executors.newFixedThreadPool(n)}), shared by all sessions, never shut down here.
 * The budget counts from the moment an analyzer starts running, so a busy pool does not turn into timeouts;
 * an analyzer still queued after the queue limit (ten budgets by default) also counts as failed, so a
 * saturated pool cannot stall a session. A timed-out analyzer is cancelled and interrupted; one that ignores
 * interruption keeps its pool thread until it returns, so size the pool with headroom.
 *
 * <p>Every analyzer of a message is given the same {@link AnalysisInput}: work several of them need (an HTML part's
 * parse, the inspection of the attachments, sender authentication) is done once, through its {@link MessageMemo}.
 *
 * <p>Thread-safe: {@link #run} may be called concurrently for different messages.
 */
public final class AnalysisPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisPipeline.class);

    /** The code of the finding that reports a failed analyzer. */
    public static final String ANALYZER_FAILED = "ANALYZER_FAILED";

    private final List<Analyzer> analyzers;
    private final FindingCatalogue catalogue;
    private final Duration budget;
    private final Duration queueLimit;
    private final ExecutorService executor;

    /** With the built-in catalogue and a queue limit of ten budgets. */
    public AnalysisPipeline(List<Analyzer> analyzers, Duration budgetPerAnalyzer, ExecutorService executor) {
        this(analyzers, FindingCatalogue.builtIn(), budgetPerAnalyzer, executor);
    }

    /** With a queue limit of ten budgets. */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            ExecutorService executor) {
        this(analyzers, catalogue, budgetPerAnalyzer, budgetPerAnalyzer.multipliedBy(10), executor);
    }

    /**
     * @param analyzers         analyzers with unique names, run in this order (findings keep it)
     * @param catalogue         known finding codes; must contain {@code ANALYZER_FAILED}
     * @param budgetPerAnalyzer running time allowed to each analyzer per message
     * @param queueLimit        time an analyzer may wait for a pool thread before it counts as failed
     * @param executor          bounded pool owned by the caller
     * @throws IllegalArgumentException for duplicate or blank names, a declared code missing from the
     *                                  catalogue, or a non-positive duration
     */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            Duration queueLimit, ExecutorService executor) {
        this.analyzers = List.copyOf(analyzers);
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.budget = positive(budgetPerAnalyzer, "budgetPerAnalyzer");
        this.queueLimit = positive(queueLimit, "queueLimit");
        this.executor = Objects.requireNonNull(executor, "executor");
        if (catalogue.entry(ANALYZER_FAILED).isEmpty()) {
            throw new IllegalArgumentException("the finding catalogue has no " + ANALYZER_FAILED + " entry");
        }
        Set<String> names = new HashSet<>();
        for (Analyzer a : this.analyzers) {
            String name = a.name();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("analyzer " + a.getClass().getName() + " has no name");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("two analyzers are named " + name);
            }
            for (String code : a.codes()) {
                if (catalogue.entry(code).isEmpty()) {
                    throw new IllegalArgumentException("analyzer " + name + " declares code " + code
                            + ", which is not in the finding catalogue");
                }
            }
        }
    }

    public List<Analyzer> analyzers() {
        return analyzers;
    }

    /**
     * Findings of all analyzers in analyzer order, then the catalogue's composites they meet; never throws for an
     * analyzer's failure.
     */
    public List<Finding> run(AnalysisInput input) {
        List<Attempt> attempts = new ArrayList<>(analyzers.size());
        for (Analyzer analyzer : analyzers) {
            attempts.add(submit(analyzer, input));
        }
        List<Finding> findings = new ArrayList<>();
        boolean interrupted = false;
        for (Attempt attempt : attempts) {
            if (interrupted) {
                attempt.cancel();
                findings.add(failed(attempt.analyzer, "interrupted"));
                continue;
            }
            try {
                findings.addAll(attempt.await());
            } catch (InterruptedException e) {
                interrupted = true;
                attempt.cancel();
                findings.add(failed(attempt.analyzer, "interrupted"));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        findings.addAll(catalogue.compositesOf(findings));
        return List.copyOf(findings);
    }

    private Attempt submit(Analyzer analyzer, AnalysisInput input) {
        AtomicLong started = new AtomicLong();
        long submitted = System.nanoTime();
        try {
            Future<List<Finding>> future = executor.submit(() -> {
                started.set(System.nanoTime() | 1); // never 0, which means "not started"
                return analyzer.analyze(input);
            });
            return new Attempt(analyzer, future, submitted, started);
        } catch (RejectedExecutionException e) {
            return new Attempt(analyzer, null, submitted, started);
        }
    }

    /**
     * An analyzer's exception is a defect to fix: its stack trace goes to the log, for whoever runs the gateway to
     * report. Its message does not: exceptions of parsers and libraries quote what they read, i.e. the mail.
     */
    private static void logFailure(Analyzer analyzer, Throwable cause) {
        Throwable shown = new Throwable(cause.getClass().getName() + " (message withheld: it may quote the mail)");
        shown.setStackTrace(cause.getStackTrace());
        LOG.warn("analyzer {} failed; the message gets ANALYZER_FAILED", analyzer.name(), shown);
    }

    private static Finding failed(Analyzer analyzer, String reason) {
        return new Finding(ANALYZER_FAILED, 1.0, analyzer.name() + ": " + reason);
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /** One analyzer's run on one message. */
    private final class Attempt {
        private final Analyzer analyzer;
        private final Future<List<Finding>> future;
        private final long submitted;
        private final AtomicLong started;

        Attempt(Analyzer analyzer, Future<List<Finding>> future, long submitted, AtomicLong started) {
            this.analyzer = analyzer;
            this.future = future;
            this.submitted = submitted;
            this.started = started;
        }

        void cancel() {
            if (future != null) {
                future.cancel(true);
            }
        }

        List<Finding> await() throws InterruptedException {
            if (future == null) {
                return List.of(failed(analyzer, "rejected by the executor"));
            }
            long pollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), budget.toNanos() / 10);
            while (true) {
                long start = started.get();
                long deadline = start != 0 ? start + budget.toNanos() : submitted + queueLimit.toNanos();
                long wait = deadline - System.nanoTime();
                if (wait <= 0 && !future.isDone()) {
                    future.cancel(true);
                    return List.of(failed(analyzer, start != 0
                            ? "timeout " + budget.toMillis() + "ms"
                            : "not started within " + queueLimit.toMillis() + "ms (executor saturated)"));
                }
                try {
                    // While queued, look again soon: once it starts, its own budget applies.
                    List<Finding> result = future.get(start != 0 ? Math.max(wait, 0) : Math.min(Math.max(wait, 0), pollNanos),
                            TimeUnit.NANOSECONDS);
                    return checked(result);
                } catch (TimeoutException e) {
                    // loop: re-evaluate the deadline
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    logFailure(analyzer, cause);
                    return List.of(failed(analyzer, cause.getClass().getSimpleName()));
                } catch (CancellationException e) {
                    return List.of(failed(analyzer, "cancelled"));
                }
            }
        }

        private List<Finding> checked(List<Finding> result) {
            if (result == null) {
                return List.of(failed(analyzer, "returned null"));
            }
            List<Finding> out = new ArrayList<>(result.size());
            for (Finding f : result) {
                if (f == null) {
                    out.add(failed(analyzer, "returned a null finding"));
                } else if (catalogue.entry(f.code()).isEmpty()) {
                    out.add(failed(analyzer, "unknown code " + f.code()));
                } else {
                    out.add(f);
                }
            }
            return out;
        }
    }
}
