package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnalysisPipelineTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    private static final AnalysisInput INPUT = new AnalysisInput(
            new Envelope(Direction.INBOUND, "sender@example.net", List.of("keiri@example.co.jp"), "192.0.2.1",
                    "mail.example.net", null, false, Instant.EPOCH),
            Fixtures.parse("attachment/double-extension.eml"));

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** A test analyzer: an input to the pipeline, not a mock of it. */
    private record Scripted(String name, Behaviour behaviour) implements Analyzer {
        interface Behaviour {
            List<Finding> run() throws Exception;
        }

        @Override
        public List<Finding> analyze(AnalysisInput input) throws Exception {
            return behaviour.run();
        }
    }

    private AnalysisPipeline pipeline(Duration budget, Analyzer... analyzers) {
        return new AnalysisPipeline(List.of(analyzers), FindingCatalogue.builtIn(), budget, pool);
    }

    @Test
    void shippedAnalyzersReportTheirFindingsInOrder() {
        List<Finding> findings = pipeline(Duration.ofSeconds(5), io.mamori.core.scan.Analyzers.local().toArray(Analyzer[]::new)).run(INPUT);

        assertThat(findings).containsExactly(
                Finding.of("ATTACHMENT_EXECUTABLE", "請求書.pdf.exe"),
                Finding.of("ATTACHMENT_DOUBLE_EXTENSION", "請求書.pdf.exe"));
    }

    @Test
    void anAntivirusScanThatOverrunsItsBudgetIsAnUnavailableEngineNotAFailedAnalyzer() {
        // a scanner that answers, but slower than the budget: the attachments are not scanned, so the policy's
        // antivirus.when_unavailable (451 by default) must decide, not ANALYZER_FAILED's TAG
        io.mamori.core.malware.MalwareScanner slow = content -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new io.mamori.core.malware.MalwareScanner.Clean();
        };

        List<Finding> findings = pipeline(Duration.ofMillis(300), new io.mamori.core.malware.MalwareAnalyzer(slow)).run(INPUT);

        assertThat(findings).containsExactly(Finding.of("AV_UNAVAILABLE", "antivirus: timeout 300ms"));
    }

    @Test
    void anAnalyzerWhoseFailureCodeIsNotItsOwnIsRefused() {
        Analyzer odd = new Analyzer() {
            @Override
            public String name() {
                return "odd";
            }

            @Override
            public List<Finding> analyze(AnalysisInput input) {
                return List.of();
            }

            @Override
            public String failureCode() {
                return "MALWARE_FOUND";
            }
        };

        assertThatThrownBy(() -> pipeline(Duration.ofSeconds(1), odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("analyzer odd reports its failures as MALWARE_FOUND, which is not one of its codes");
    }

    @Test
    void anAnalyzerThatThrowsIsReportedByNameAndExceptionType() {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                AnalysisPipeline.class);
        logs.start();
        log.addAppender(logs);
        List<Finding> findings;
        try {
            findings = pipeline(Duration.ofSeconds(5),
                    new Scripted("exploding", () -> {
                        throw new IllegalStateException("boom from keiri@example.co.jp");
                    }),
                    new Scripted("fine", () -> List.of(Finding.of("MIME_LONG_LINE", "line 3")))).run(INPUT);
        } finally {
            log.detachAppender(logs);
        }

        assertThat(findings).containsExactly(
                new Finding("ANALYZER_FAILED", 1.0, "exploding: IllegalStateException"),
                Finding.of("MIME_LONG_LINE", "line 3"));
        // the defect is logged with where it happened, but not with the exception's message, which may quote the mail
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("exploding");
            assertThat(e.getThrowableProxy().getMessage()).contains("java.lang.IllegalStateException")
                    .doesNotContain("keiri@example.co.jp");
            assertThat(e.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
        });
    }

    @Test
    void anAnalyzerThatStallsIsCancelledInterruptedAndReportedAsTimeout() throws InterruptedException {
        CountDownLatch interrupted = new CountDownLatch(1);
        Analyzer stalling = new Scripted("stalling", () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return List.of();
        });

        long start = System.nanoTime();
        List<Finding> findings = pipeline(Duration.ofMillis(200), stalling).run(INPUT);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(findings).containsExactly(new Finding("ANALYZER_FAILED", 1.0, "stalling: timeout 200ms"));
        assertThat(elapsedMs).isBetween(190L, 2_000L);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBusyLoopIgnoringInterruptionStillYieldsATimeoutAndTheRunReturns() {
        AtomicBoolean stop = new AtomicBoolean();
        Analyzer spinning = new Scripted("spinning", () -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
            return List.of();
        });
        try {
            List<Finding> findings = pipeline(Duration.ofMillis(100), spinning).run(INPUT);
            assertThat(findings).containsExactly(new Finding("ANALYZER_FAILED", 1.0, "spinning: timeout 100ms"));
        } finally {
            stop.set(true);
        }
    }

    @Test
    void nullResultsNullFindingsAndUnknownCodesAreContractViolations() {
        List<Finding> withNull = new ArrayList<>();
        withNull.add(null);
        List<Finding> findings = pipeline(Duration.ofSeconds(5),
                new Scripted("returns-null", () -> null),
                new Scripted("null-finding", () -> withNull),
                new Scripted("inventive", () -> List.of(Finding.of("NOT_A_CODE", "x"), Finding.of("MIME_LONG_LINE", "y"))))
                .run(INPUT);

        assertThat(findings).containsExactly(
                new Finding("ANALYZER_FAILED", 1.0, "returns-null: returned null"),
                new Finding("ANALYZER_FAILED", 1.0, "null-finding: returned a null finding"),
                new Finding("ANALYZER_FAILED", 1.0, "inventive: unknown code NOT_A_CODE"),
                Finding.of("MIME_LONG_LINE", "y"));
    }

    @Test
    void analyzersOfOneMessageRunInParallelEachWithItsOwnBudget() {
        Analyzer slowA = new Scripted("slow-a", () -> {
            Thread.sleep(300);
            return List.of(Finding.of("MIME_LONG_LINE", "a"));
        });
        Analyzer slowB = new Scripted("slow-b", () -> {
            Thread.sleep(300);
            return List.of(Finding.of("MIME_LONG_LINE", "b"));
        });

        long start = System.nanoTime();
        List<Finding> findings = pipeline(Duration.ofMillis(500), slowA, slowB).run(INPUT);

        assertThat(findings).extracting(Finding::evidence).containsExactly("a", "b");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(550);
    }

    @Test
    void aSaturatedPoolYieldsFailuresInsteadOfAHang() throws InterruptedException {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            single.submit(() -> {
                release.await();
                return null;
            });
            AnalysisPipeline p = new AnalysisPipeline(List.of(new Scripted("queued", List::of),
                    new Scripted("also-queued", List::of)), FindingCatalogue.builtIn(), Duration.ofMillis(50),
                    Duration.ofMillis(200), single);

            // the gateway was too busy, not the message's doing: one finding names every analyzer that never ran
            assertThat(p.run(INPUT)).containsExactly(Finding.of("ANALYZER_NOT_RUN",
                    "queued, also-queued: not started within 200ms (executor saturated)"));
        } finally {
            release.countDown();
            single.shutdownNow();
        }
    }

    @Test
    void aShutDownExecutorYieldsFailures() {
        pool.shutdown();
        List<Finding> findings = pipeline(Duration.ofSeconds(1), new Scripted("any", List::of),
                new Scripted("other", List::of)).run(INPUT);
        assertThat(findings).containsExactly(Finding.of("ANALYZER_NOT_RUN", "any, other: rejected by the executor"));
    }

    @Test
    void duplicateNamesAndUndeclaredCodesAreRefusedAtConstruction() {
        Analyzer a = new Scripted("same", List::of);
        Analyzer b = new Scripted("same", List::of);
        Analyzer declaresUnknown = new Analyzer() {
            @Override
            public String name() {
                return "declares-unknown";
            }

            @Override
            public List<Finding> analyze(AnalysisInput input) {
                return List.of();
            }

            @Override
            public Set<String> codes() {
                return Set.of("NO_SUCH_CODE");
            }
        };

        assertThatThrownBy(() -> pipeline(Duration.ofSeconds(1), a, b)).hasMessage("two analyzers are named same");
        assertThatThrownBy(() -> pipeline(Duration.ofSeconds(1), declaresUnknown))
                .hasMessage("analyzer declares-unknown declares code NO_SUCH_CODE, which is not in the finding catalogue");
        assertThatThrownBy(() -> pipeline(Duration.ZERO, a)).hasMessageContaining("budgetPerAnalyzer");
        FindingCatalogue withoutNotRun = new FindingCatalogue(Map.of("ANALYZER_FAILED",
                FindingCatalogue.builtIn().entry("ANALYZER_FAILED").orElseThrow()));
        assertThatThrownBy(() -> new AnalysisPipeline(List.of(), withoutNotRun, Duration.ofSeconds(1), pool))
                .hasMessage("the finding catalogue has no ANALYZER_NOT_RUN entry");
    }

    @Test
    void anInterruptedCallerGetsFailuresAndKeepsItsInterruptFlag() {
        Analyzer slow = new Scripted("slow", () -> {
            Thread.sleep(10_000);
            return List.of();
        });
        Thread.currentThread().interrupt();
        try {
            assertThat(pipeline(Duration.ofSeconds(5), slow).run(INPUT))
                    .containsExactly(new Finding("ANALYZER_FAILED", 1.0, "slow: interrupted"));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
