package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The analyzers' pool with the real pipeline: runs that ignore interruption do not take the pool's capacity away. */
class AnalyzerPoolTest {

    private static final AnalysisInput INPUT = new AnalysisInput(
            new Envelope(Direction.INBOUND, "sender@example.net", List.of("keiri@example.co.jp"), "192.0.2.1",
                    "mail.example.net", null, false, Instant.EPOCH),
            Fixtures.parse("attachment/double-extension.eml"));

    private final AtomicBoolean stop = new AtomicBoolean();
    private AnalyzerPool pool;

    @AfterEach
    void release() {
        stop.set(true);
        if (pool != null) {
            pool.close();
        }
    }

    /** An analyzer named {@code name} that runs {@code body}. */
    private static Analyzer named(String name, java.util.concurrent.Callable<List<Finding>> body) {
        return new Analyzer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Finding> analyze(AnalysisInput input) throws Exception {
                return body.call();
            }
        };
    }

    /** Loops without looking at interruption until the test ends it, as a library caught in an endless loop. */
    private Analyzer spinning(String name) {
        return named(name, () -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
            return List.of();
        });
    }

    private static Analyzer quick(String name, String evidence) {
        return named(name, () -> List.of(Finding.of("MIME_LONG_LINE", evidence)));
    }

    private AnalysisPipeline pipeline(Analyzer... analyzers) {
        return new AnalysisPipeline(List.of(analyzers), FindingCatalogue.builtIn(), Duration.ofMillis(100), pool);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aRunThatLoopsPastItsBudgetGetsAThreadStandingInForItUntilItReturns() throws InterruptedException {
        pool = new AnalyzerPool("test-analyzer", 1, 16, 4);

        assertThat(pipeline(spinning("looping")).run(INPUT))
                .containsExactly(new Finding("ANALYZER_FAILED", 1.0, "looping: timeout 100ms"));
        assertThat(pool.overrunning()).isEqualTo(1);
        assertThat(pool.size()).as("one thread standing in").isEqualTo(2);
        assertThat(pool.standInsExhausted()).as("three more may stand in").isFalse();

        // With its only thread looping, a pool of one would leave this waiting until it counts as failed
        assertThat(pipeline(quick("next", "next message")).run(INPUT))
                .containsExactly(Finding.of("MIME_LONG_LINE", "next message"));

        stop.set(true);
        await(() -> pool.overrunning() == 0);
        assertThat(pool.size()).as("given back").isEqualTo(1);
        assertThat(pool.overruns()).isEqualTo(1);
    }

    @Test
    void theStandInThreadsAreCappedAndAnInterruptibleOverrunGivesItsThreadBackAtOnce() throws InterruptedException {
        pool = new AnalyzerPool("test-analyzer", 1, 16, 1);

        assertThat(pipeline(spinning("first")).run(INPUT)).extracting(Finding::code).containsExactly("ANALYZER_FAILED");
        assertThat(pipeline(spinning("second")).run(INPUT)).extracting(Finding::code).containsExactly("ANALYZER_FAILED");
        assertThat(pool.overrunning()).isEqualTo(2);
        assertThat(pool.size()).as("at most one extra thread").isEqualTo(2);
        assertThat(pool.standInsExhausted()).isTrue();

        // every thread is busy now: the next run waits and counts as not run, never hangs the caller
        assertThat(pipeline(quick("starved", "x")).run(INPUT)).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("ANALYZER_NOT_RUN");
            assertThat(f.evidence()).startsWith("starved: not started within");
        });

        stop.set(true);
        await(() -> pool.overrunning() == 0 && pool.size() == 1);
        assertThat(pool.standInsExhausted()).isFalse();

        // a run that sleeps is interrupted at its budget: it returns at once and the pool is as it was
        Analyzer sleeping = named("sleeping", () -> {
            Thread.sleep(60_000);
            return List.of();
        });
        assertThat(pipeline(sleeping).run(INPUT)).extracting(Finding::evidence).containsExactly("sleeping: timeout 100ms");
        await(() -> pool.overrunning() == 0 && pool.size() == 1);
        assertThat(pool.overruns()).isBetween(2L, 3L);
    }

    @Test
    void refusesAPoolWithoutThreads() {
        assertThatThrownBy(() -> new AnalyzerPool("x", 0, 16, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AnalyzerPool("x", 1, 16, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
