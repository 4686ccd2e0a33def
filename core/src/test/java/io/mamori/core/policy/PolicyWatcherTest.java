package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.mamori.core.analysis.Action;
import io.mamori.core.testing.ScriptedFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyWatcherTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final PolicyLoader loader = new PolicyLoader(TestCatalogue.CATALOGUE);

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("policy.yaml");
        Files.writeString(file, PolicyHolderTest.POLICY);
    }

    /** Saves the way most editors do: a new file renamed over the old one. */
    private void saveAtomically(String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "policy", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within " + BOUND).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void validEditIsAppliedWithinABoundedWait() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        List<Policy> heard = new CopyOnWriteArrayList<>();
        holder.subscribe(heard::add);

        try (PolicyWatcher watcher = PolicyWatcher.start(holder, Duration.ofMillis(20))) {
            saveAtomically(PolicyHolderTest.POLICY.replace("hold: 8", "hold: 9"));
            // Listeners run after the swap, so waiting for them also waits for the new policy.
            await(() -> !heard.isEmpty());
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0).inbound().thresholds()).containsEntry(Action.HOLD, 9.0);
            assertThat(holder.current()).isSameAs(heard.get(0));

            Files.writeString(file, PolicyHolderTest.POLICY.replace("hold: 8", "hold: 12"));
            await(() -> heard.stream().anyMatch(p -> p.inbound().thresholds().get(Action.HOLD) == 12.0));
            assertThat(holder.current().inbound().thresholds()).containsEntry(Action.HOLD, 12.0);
        }
    }

    @Test
    void invalidEditKeepsTheOldPolicyAndTheReloadResultCarriesTheErrors() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        Policy before = holder.current();

        try (PolicyWatcher watcher = PolicyWatcher.start(holder, Duration.ofMillis(20))) {
            saveAtomically(PolicyHolderTest.POLICY.replace("organisation:", "organisaton:"));
            await(() -> holder.lastReload().orElse(null) instanceof ReloadResult.Rejected);

            ReloadResult.Rejected rejected = (ReloadResult.Rejected) holder.lastReload().orElseThrow();
            assertThat(rejected.errors()).extracting(PolicyError::key, PolicyError::line, PolicyError::column)
                    .containsExactly(
                            tuple("organisation", 1, 1),
                            tuple("organisaton", 2, 1));
            assertThat(holder.current()).isSameAs(before);
        }
    }

    @Test
    void changeIsAppliedOnlyOnceTheContentHasSettledForOnePoll() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        Policy before = holder.current();
        PolicyWatcher watcher = new PolicyWatcher(holder);
        watcher.poll();
        watcher.poll();
        assertThat(holder.lastReload()).containsInstanceOf(ReloadResult.Unchanged.class);

        // A non-atomic writer caught half-way: this prefix is itself a valid but different policy.
        String full = PolicyHolderTest.POLICY.replace("hold: 8 }", "hold: 8, quarantine: 10 }");
        Files.writeString(file, PolicyHolderTest.POLICY.replace("hold: 8 }", "hold: 8, quarantine: 1"));
        watcher.poll();
        Files.writeString(file, full);
        watcher.poll();
        assertThat(holder.current()).as("nothing applied while the content keeps changing").isSameAs(before);

        watcher.poll();
        assertThat(holder.current().inbound().thresholds()).containsEntry(Action.QUARANTINE, 10.0);
    }

    @Test
    void whatIsAppliedIsTheContentThatSettledNotAWriteBegunAfterIt() throws Exception {
        String settled = PolicyHolderTest.POLICY + "first_contact:\n  window_days: 30\n";
        String halfWritten = PolicyHolderTest.POLICY + "first_contact:\n  window_days: 3";
        try (ScriptedFile changing = ScriptedFile.create(dir.resolve("changing.yaml"))) {
            changing.then(PolicyHolderTest.POLICY, settled, settled, halfWritten);
            PolicyHolder holder = new PolicyHolder(loader, changing.path());
            PolicyWatcher watcher = new PolicyWatcher(holder);
            watcher.poll();
            watcher.poll();
            assertThat(holder.lastReload()).containsInstanceOf(ReloadResult.Applied.class);
            assertThat(holder.current().firstContact().windowDays()).isEqualTo(30);
            assertThat(holder.currentSource()).isEqualTo(settled);
        }
    }

    @Test
    void aPollThatFailsWithAnErrorDoesNotEndHotReload() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        AtomicBoolean failed = new AtomicBoolean();
        holder.subscribe(p -> {
            if (failed.compareAndSet(false, true)) {
                throw new OutOfMemoryError("thrown by a test listener");
            }
        });

        try (PolicyWatcher watcher = PolicyWatcher.start(holder, Duration.ofMillis(20))) {
            saveAtomically(PolicyHolderTest.POLICY.replace("hold: 8", "hold: 9"));
            await(failed::get);

            saveAtomically(PolicyHolderTest.POLICY.replace("hold: 8", "hold: 12"));
            await(() -> holder.current().inbound().thresholds().get(Action.HOLD) == 12.0);
        }
    }

    @Test
    void aReloadThatThrowsIsTriedAgainAtTheNextPoll() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        PolicyWatcher watcher = new PolicyWatcher(holder);
        watcher.poll();
        AtomicBoolean failed = new AtomicBoolean();
        holder.subscribe(p -> {
            if (failed.compareAndSet(false, true)) {
                throw new OutOfMemoryError("thrown by a test listener");
            }
        });

        Files.writeString(file, PolicyHolderTest.POLICY.replace("hold: 8", "hold: 9"));
        watcher.poll();
        assertThatThrownBy(watcher::poll).isInstanceOf(OutOfMemoryError.class);
        assertThat(holder.lastReload()).containsInstanceOf(ReloadResult.Applied.class);

        watcher.poll();
        assertThat(holder.lastReload()).as("reloaded again, and found in force").containsInstanceOf(ReloadResult.Unchanged.class);
    }

    @Test
    void closeStopsPolling() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        PolicyWatcher watcher = PolicyWatcher.start(holder, Duration.ofMillis(10));
        watcher.close();
        Policy before = holder.current();

        saveAtomically(PolicyHolderTest.POLICY.replace("hold: 8", "hold: 9"));
        Thread.sleep(200);

        assertThat(holder.current()).isSameAs(before);
    }
}
