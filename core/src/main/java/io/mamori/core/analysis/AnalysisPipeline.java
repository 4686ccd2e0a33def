package io.mamori.core.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every analyzer on a message, each under its own time budget, and enforces the {@link Analyzer}
 * contract: an analyzer that throws, overruns its budget, returns {@code null} or a null finding, or emits a
 * code missing from the {@link FindingCatalogue} yields an {@code ANALYZER_FAILED} finding naming it and
 * the reason (e.g. {@code "mime-sanity: timeout 200ms"}), never a silent pass. Analyzers the pool could not take
 * (its queue full, past the queue limit, shut down) are not the message's doing: one {@code ANALYZER_NOT_RUN}
 * finding names them all, so that whoever runs the pipeline can defer the message instead
 * ({@code analysis.when_busy} in the gateway).
 *
 * <p>Analyzers of one message run in parallel on the {@link ExecutorService} the caller supplies and owns: a
 * bounded pool (e.g. {@code Executors.newFixedThreadPool(n)}), shared by all sessions, never shut down here.
 * The budget counts from the moment an analyzer starts running, so a busy pool does not turn into timeouts;
 * an analyzer still queued after the queue limit (ten budgets by default) is not run at all ({@code ANALYZER_NOT_RUN}),
 * so a saturated pool cannot stall a session. A timed-out analyzer is cancelled and interrupted; one that ignores
 * interruption (a library caught in an endless loop) keeps its pool thread until it returns: the {@link Overruns}
 * given are told when such a run overran and when it returned, so that the pool can stand in for the thread meanwhile
 * ({@link AnalyzerPool}) and whoever runs the gateway can see it.
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
    /**
     * The code of the one finding that names the analyzers which never ran on a message because the pool had no
     * room for them: the gateway was overloaded, so the message was not (wholly) analysed, whatever it holds.
     */
    public static final String ANALYZER_NOT_RUN = "ANALYZER_NOT_RUN";
    /** The reason of an analyzer that the executor refused (queue full, or shut down). */
    private static final String REJECTED = "rejected by the executor";
    /** The start of the reason of an analyzer that waited for a thread past the queue limit. */
    private static final String NOT_STARTED = "not started within ";

    private final List<Analyzer> analyzers;
    private final FindingCatalogue catalogue;
    private final Duration budget;
    private final Duration queueLimit;
    private final ExecutorService executor;
    private final Overruns overruns;

    /**
     * Told of analyzer runs that go on after their budget ran out and they were interrupted, and of their return.
     * Called on the caller's thread ({@link #overran}) and on the analyzer's pool thread ({@link #returned}); must not
     * block or throw.
     */
    public interface Overruns {
        /** {@code analyzer}, running on {@code thread}, overran its budget and was interrupted but goes on. */
        void overran(String analyzer, Thread thread);

        /** A run reported to {@link #overran} returned at last, {@code late} after its budget ran out. */
        void returned(String analyzer, Duration late);

        /** Told nothing. */
        Overruns NONE = new Overruns() {
            @Override
            public void overran(String analyzer, Thread thread) {
            }

            @Override
            public void returned(String analyzer, Duration late) {
            }
        };
    }

    /** With the built-in catalogue and a queue limit of ten budgets. */
    public AnalysisPipeline(List<Analyzer> analyzers, Duration budgetPerAnalyzer, ExecutorService executor) {
        this(analyzers, FindingCatalogue.builtIn(), budgetPerAnalyzer, executor);
    }

    /** With a queue limit of ten budgets. */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            ExecutorService executor) {
        this(analyzers, catalogue, budgetPerAnalyzer, budgetPerAnalyzer.multipliedBy(10), executor);
    }

    /** On {@code pool}'s executor, telling it of overruns, with a queue limit of ten budgets. */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            AnalyzerPool pool) {
        this(analyzers, catalogue, budgetPerAnalyzer, budgetPerAnalyzer.multipliedBy(10), pool.executor(), pool);
    }

    /** Telling nobody of overruns. */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            Duration queueLimit, ExecutorService executor) {
        this(analyzers, catalogue, budgetPerAnalyzer, queueLimit, executor, Overruns.NONE);
    }

    /**
     * @param analyzers         analyzers with unique names, run in this order (findings keep it)
     * @param catalogue         known finding codes; must contain {@code ANALYZER_FAILED} and {@code ANALYZER_NOT_RUN}
     * @param budgetPerAnalyzer running time allowed to each analyzer per message
     * @param queueLimit        time an analyzer may wait for a pool thread before it counts as failed
     * @param executor          bounded pool owned by the caller
     * @param overruns          told of runs that go on after their budget
     * @throws IllegalArgumentException for duplicate or blank names, a declared code missing from the
     *                                  catalogue, or a non-positive duration
     */
    public AnalysisPipeline(List<Analyzer> analyzers, FindingCatalogue catalogue, Duration budgetPerAnalyzer,
            Duration queueLimit, ExecutorService executor, Overruns overruns) {
        this.overruns = Objects.requireNonNull(overruns, "overruns");
        this.analyzers = List.copyOf(analyzers);
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.budget = positive(budgetPerAnalyzer, "budgetPerAnalyzer");
        this.queueLimit = positive(queueLimit, "queueLimit");
        this.executor = Objects.requireNonNull(executor, "executor");
        for (String own : List.of(ANALYZER_FAILED, ANALYZER_NOT_RUN)) {
            if (catalogue.entry(own).isEmpty()) {
                throw new IllegalArgumentException("the finding catalogue has no " + own + " entry");
            }
        }
        Set<String> names = new HashSet<>();
        for (Analyzer a : this.analyzers) {
            String name = a.name();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("analyzer " + a.getClass().getName() + " has no name");
            }
            String failure = a.failureCode();
            if (!ANALYZER_FAILED.equals(failure) && !a.codes().contains(failure)) {
                throw new IllegalArgumentException("analyzer " + name + " reports its failures as " + failure
                        + ", which is not one of its codes");
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
        // reason -> the analyzers that never ran for it, in analyzer order
        Map<String, List<String>> notRun = new LinkedHashMap<>();
        boolean interrupted = false;
        for (Attempt attempt : attempts) {
            if (interrupted) {
                attempt.cancel();
                findings.add(failed(attempt.analyzer, "interrupted"));
                continue;
            }
            try {
                Outcome outcome = attempt.await();
                if (outcome.notRunReason() != null) {
                    notRun.computeIfAbsent(outcome.notRunReason(), r -> new ArrayList<>()).add(attempt.analyzer.name());
                } else {
                    findings.addAll(outcome.findings());
                }
            } catch (InterruptedException e) {
                interrupted = true;
                attempt.cancel();
                findings.add(failed(attempt.analyzer, "interrupted"));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!notRun.isEmpty()) {
            StringJoiner evidence = new StringJoiner("; ");
            notRun.forEach((reason, names) -> evidence.add(String.join(", ", names) + ": " + reason));
            findings.add(Finding.of(ANALYZER_NOT_RUN, evidence.toString()));
        }
        findings.addAll(catalogue.compositesOf(findings));
        return List.copyOf(findings);
    }

    /** An analyzer's findings, or why it never ran ({@code findings} then empty). */
    private record Outcome(List<Finding> findings, String notRunReason) {
        static Outcome ran(List<Finding> findings) {
            return new Outcome(findings, null);
        }

        static Outcome notRun(String reason) {
            return new Outcome(List.of(), reason);
        }
    }

    private Attempt submit(Analyzer analyzer, AnalysisInput input) {
        Attempt attempt = new Attempt(analyzer, System.nanoTime());
        try {
            attempt.future = executor.submit(() -> attempt.runOn(input));
        } catch (RejectedExecutionException e) {
            attempt.future = null;
        }
        return attempt;
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
        return new Finding(analyzer.failureCode(), 1.0, analyzer.name() + ": " + reason);
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /** One analyzer's run on one message. */
    private final class Attempt {
        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;
        /** Still running after its budget ran out and it was interrupted. */
        private static final int OVERRUN = 3;

        private final Analyzer analyzer;
        private final long submitted;
        private final AtomicLong started = new AtomicLong();
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private volatile Thread thread;
        /** Set by the submitting thread before it awaits; null when the executor refused the run. */
        private Future<List<Finding>> future;

        Attempt(Analyzer analyzer, long submitted) {
            this.analyzer = analyzer;
            this.submitted = submitted;
        }

        List<Finding> runOn(AnalysisInput input) throws Exception {
            thread = Thread.currentThread();
            started.set(System.nanoTime() | 1); // never 0, which means "not started"
            state.set(RUNNING);
            try {
                return analyzer.analyze(input);
            } finally {
                thread = null;
                if (state.getAndSet(DONE) == OVERRUN) {
                    overruns.returned(analyzer.name(),
                            Duration.ofNanos(Math.max(0, System.nanoTime() - started.get() - budget.toNanos())));
                }
            }
        }

        /** Cancels the run, interrupting it if it started (when the caller itself is interrupted). */
        void cancel() {
            if (future != null) {
                future.cancel(true);
            }
        }

        /**
         * Cancels the run at its deadline, interrupting it if it started (perhaps only just); one that goes on
         * regardless is reported to the overruns.
         */
        private void timedOut() {
            cancel();
            Thread running = thread;
            if (running != null && state.compareAndSet(RUNNING, OVERRUN)) {
                overruns.overran(analyzer.name(), running);
            }
        }

        Outcome await() throws InterruptedException {
            if (future == null) {
                return Outcome.notRun(REJECTED);
            }
            long pollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), budget.toNanos() / 10);
            while (true) {
                long start = started.get();
                long deadline = start != 0 ? start + budget.toNanos() : submitted + queueLimit.toNanos();
                long wait = deadline - System.nanoTime();
                if (wait <= 0 && !future.isDone()) {
                    timedOut();
                    return start != 0 ? Outcome.ran(List.of(failed(analyzer, "timeout " + budget.toMillis() + "ms")))
                            : Outcome.notRun(NOT_STARTED + queueLimit.toMillis() + "ms (executor saturated)");
                }
                try {
                    // While queued, look again soon: once it starts, its own budget applies.
                    List<Finding> result = future.get(start != 0 ? Math.max(wait, 0) : Math.min(Math.max(wait, 0), pollNanos),
                            TimeUnit.NANOSECONDS);
                    return Outcome.ran(checked(result));
                } catch (TimeoutException e) {
                    // loop: re-evaluate the deadline
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    logFailure(analyzer, cause);
                    return Outcome.ran(List.of(failed(analyzer, cause.getClass().getSimpleName())));
                } catch (CancellationException e) {
                    return Outcome.ran(List.of(failed(analyzer, "cancelled")));
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
