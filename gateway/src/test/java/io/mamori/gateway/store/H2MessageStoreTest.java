package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class H2MessageStoreTest extends MessageStoreContract {

    @Override
    Databases.Settings freshDatabase(Path dir) {
        return Databases.Settings.embedded(dir.resolve("db"));
    }

    @Test
    void leasesLeftByAStoppedProcessAreReleasedAtTheNextStartSoTheMessageIsDueAtOnce() throws Exception {
        StoredMessage m = commit("x".getBytes(StandardCharsets.US_ASCII), MessageState.QUEUED, "s", "a@example.jp");
        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(30))).extracting(StoredMessage::id)
                .containsExactly(m.id());
        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(30))).as("leased").isEmpty();

        store.close();   // as after a crash: the lease is still in the table
        store = newStore();

        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(30))).extracting(StoredMessage::id)
                .containsExactly(m.id());
    }
}
