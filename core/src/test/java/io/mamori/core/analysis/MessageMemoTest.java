package io.mamori.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageMemoTest {

    private static final MessageMemo.Key<String> TEXT = MessageMemo.Key.of("text");

    @Test
    void theFirstCallerComputesAndTheOthersWaitForItsValue() throws Exception {
        MessageMemo memo = new MessageMemo();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<String> first = pool.submit(() -> memo.computeIfAbsent(TEXT, () -> {
                runs.incrementAndGet();
                computing.countDown();
                release.await();
                return "value";
            }));
            assertThat(computing.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<String>> others = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                others.add(pool.submit(() -> memo.computeIfAbsent(TEXT, () -> {
                    runs.incrementAndGet();
                    return "other";
                })));
            }
            release.countDown();
            assertThat(first.get()).isEqualTo("value");
            for (Future<String> f : others) {
                assertThat(f.get()).isEqualTo("value");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(runs).hasValue(1);
        assertThat(memo.computations(TEXT)).isEqualTo(1);
    }

    @Test
    void aCallerInterruptedWhileWaitingStopsWaitingAndTheComputationIsStillKept() throws Exception {
        MessageMemo memo = new MessageMemo();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> memo.computeIfAbsent(TEXT, () -> {
                computing.countDown();
                release.await();
                return "value";
            }));
            assertThat(computing.await(10, TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    outcome.set(memo.computeIfAbsent(TEXT, () -> "other"));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            waiter.start();
            while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.BLOCKED) { // on the lock
                assertThat(waiter.isAlive()).isTrue();
                Thread.sleep(5);
            }
            waiter.interrupt(); // as the pipeline cancels an analyzer whose budget ran out
            waiter.join(10_000);
            assertThat(waiter.isAlive()).as("stopped waiting while the computation goes on").isFalse();
            assertThat(outcome.get()).isInstanceOf(java.util.concurrent.CancellationException.class);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("value");
        } finally {
            pool.shutdown();
        }
        assertThat(memo.computeIfAbsent(TEXT, () -> "again")).isEqualTo("value");
        assertThat(memo.computations(TEXT)).isEqualTo(1);
    }

    @Test
    void keysAreDistinctByIdentityAndMemosByInput() {
        MessageMemo memo = new MessageMemo();
        MessageMemo.Key<String> sameName = MessageMemo.Key.of("text");
        assertThat(memo.computeIfAbsent(TEXT, () -> "a")).isEqualTo("a");
        assertThat(memo.computeIfAbsent(sameName, () -> "b")).isEqualTo("b");
        assertThat(memo.computeIfAbsent(TEXT, () -> "c")).isEqualTo("a");
        assertThat(new MessageMemo().computeIfAbsent(TEXT, () -> "d")).isEqualTo("d");
        assertThat(memo.computations(TEXT)).isEqualTo(1);
        assertThat(memo.computations(MessageMemo.Key.of("never asked"))).isZero();
    }

    @Test
    void aValueComputedWhileTheThreadWasInterruptedIsReturnedButNotKept() {
        MessageMemo memo = new MessageMemo();
        String cut = memo.computeIfAbsent(TEXT, () -> {
            Thread.currentThread().interrupt(); // the analysis budget ran out meanwhile
            return "cut short";
        });
        assertThat(Thread.interrupted()).isTrue();
        assertThat(cut).isEqualTo("cut short");
        assertThat(memo.computeIfAbsent(TEXT, () -> "whole")).isEqualTo("whole");
        assertThat(memo.computeIfAbsent(TEXT, () -> "again")).isEqualTo("whole");
        assertThat(memo.computations(TEXT)).isEqualTo(2);
    }

    @Test
    void aValueTheKeyDoesNotTakeForWholeAndAFailedComputationAreNotKept() {
        MessageMemo memo = new MessageMemo();
        MessageMemo.Key<String> whole = MessageMemo.Key.of("whole only", v -> !v.startsWith("partial"));
        assertThat(memo.computeIfAbsent(whole, () -> "partial: deadline passed")).isEqualTo("partial: deadline passed");
        assertThatThrownBy(() -> memo.computeIfAbsent(whole, () -> {
            throw new InterruptedException("budget");
        })).isInstanceOf(InterruptedException.class);
        assertThat(memo.computeIfAbsent(whole, () -> "complete")).isEqualTo("complete");
        assertThat(memo.computeIfAbsent(whole, () -> "partial again")).isEqualTo("complete");
        assertThat(memo.computations(whole)).isEqualTo(3);
    }

    @Test
    void aComputationMayAskForAnotherKey() {
        MessageMemo memo = new MessageMemo();
        MessageMemo.Key<Integer> length = MessageMemo.Key.of("length");
        assertThat(memo.computeIfAbsent(length, () -> memo.computeIfAbsent(TEXT, () -> "four").length())).isEqualTo(4);
        assertThat(memo.computations(TEXT)).isEqualTo(1);
    }

    @Test
    void everyInputMadeWithoutAMemoGetsANewOne() {
        AnalysisInput a = new AnalysisInput(null, null);
        AnalysisInput b = new AnalysisInput(null, null);
        assertThat(a.memo()).isNotNull().isNotSameAs(b.memo());
    }
}
