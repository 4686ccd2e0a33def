package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mamori.core.analysis.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class PolicyHolderTest {

    static final String POLICY = """
            version: 1
            organisation:
              name: Sample
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4, hold: 8 }
            outbound:
              thresholds: { tag: 6 }
            """;

    private final PolicyLoader loader = new PolicyLoader(TestCatalogue.CATALOGUE);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger holderLog = (Logger) LoggerFactory.getLogger(PolicyHolder.class);

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("policy.yaml");
        Files.writeString(file, POLICY);
        logs.start();
        holderLog.addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        holderLog.detachAppender(logs);
    }

    @Test
    void startUpWithAnInvalidFileThrowsSoTheApplicationRefusesToStart() throws Exception {
        Files.writeString(file, POLICY.replace("hold: 8", "hold: 2"));
        assertThatThrownBy(() -> new PolicyHolder(loader, file))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.errors()).containsExactly(
                        new PolicyError(file.toString(), 6, 31, "inbound.thresholds.hold", "must be ≥ tag (4)")));
    }

    @Test
    void startUpWithoutTheFileThrows() {
        assertThatThrownBy(() -> new PolicyHolder(loader, dir.resolve("missing.yaml")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("cannot read the file");
    }

    @Test
    void validEditReplacesThePolicyAndNotifiesListeners() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        Policy before = holder.current();
        List<Policy> heard = new ArrayList<>();
        holder.subscribe(heard::add);

        Files.writeString(file, POLICY.replace("tag: 4", "tag: 5"));
        ReloadResult result = holder.reload();

        assertThat(result).isInstanceOfSatisfying(ReloadResult.Applied.class, a -> {
            assertThat(a.previous()).isSameAs(before);
            assertThat(a.policy().inbound().thresholds()).containsEntry(Action.TAG, 5.0);
        });
        assertThat(holder.current()).isSameAs(result.policy());
        assertThat(heard).containsExactly(result.policy());
        assertThat(holder.lastReload()).contains(result);
        assertThat(logs.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).startsWith("Policy reloaded from " + file).contains("TAG≥5.0");
        });
    }

    @Test
    void invalidEditKeepsTheLastGoodPolicyAndLogsWhyAtWarn() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        Policy before = holder.current();
        List<Policy> heard = new ArrayList<>();
        holder.subscribe(heard::add);

        Files.writeString(file, POLICY.replace("thresholds: { tag: 6 }", "thresholds: { tag: 6, quarantine: QUARANTIN }"));
        ReloadResult result = holder.reload();

        PolicyError expected = new PolicyError(file.toString(), 8, 37, "outbound.thresholds.quarantine",
                "must be a number, got a string 'QUARANTIN'");
        assertThat(result).isEqualTo(new ReloadResult.Rejected(before, List.of(expected)));
        assertThat(holder.current()).isSameAs(before);
        assertThat(heard).isEmpty();
        assertThat(logs.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            // Japanese first, then English, for the warning and for each error (the error's Japanese text comes from
            // the loader, so it is taken from the result rather than written here)
            String bilingual = ((ReloadResult.Rejected) result).errors().get(0).renderBilingual();
            assertThat(bilingual).startsWith(file + ":8:37: outbound.thresholds.quarantine: ")
                    .endsWith(" / must be a number, got a string 'QUARANTIN'").isNotEqualTo(expected.render());
            assertThat(e.getFormattedMessage()).contains("直前の有効なポリシーを使い続けます")
                    .contains("keeping the last good policy").contains(bilingual);
        });
    }

    @Test
    void deletedFileKeepsTheLastGoodPolicy() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        Policy before = holder.current();
        Files.delete(file);

        ReloadResult result = holder.reload();

        assertThat(result).isInstanceOfSatisfying(ReloadResult.Rejected.class,
                r -> assertThat(r.errors().get(0).message()).startsWith("cannot read the file"));
        assertThat(holder.current()).isSameAs(before);
    }

    @Test
    void reloadOfUnchangedBytesDoesNothing() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        List<Policy> heard = new ArrayList<>();
        holder.subscribe(heard::add);

        assertThat(holder.reload()).isEqualTo(new ReloadResult.Unchanged(holder.current()));
        assertThat(heard).isEmpty();
    }

    @Test
    void failingListenerDoesNotStopTheOthersAndClosedSubscriptionsHearNothing() throws Exception {
        PolicyHolder holder = new PolicyHolder(loader, file);
        List<Policy> second = new ArrayList<>();
        List<Policy> closed = new ArrayList<>();
        holder.subscribe(p -> {
            throw new IllegalStateException("listener bug");
        });
        holder.subscribe(second::add);
        holder.subscribe(closed::add).close();

        Files.writeString(file, POLICY.replace("tag: 6", "tag: 7"));
        ReloadResult result = holder.reload();

        assertThat(result).isInstanceOf(ReloadResult.Applied.class);
        assertThat(second).containsExactly(holder.current());
        assertThat(closed).isEmpty();
    }
}
