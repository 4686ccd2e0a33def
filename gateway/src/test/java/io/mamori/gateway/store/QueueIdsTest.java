package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueIdsTest {

    @Test
    void idsAreUrlSafeUniqueAndSortByTime() {
        TestClock clock = new TestClock(Instant.parse("2026-11-28T04:00:00Z"));
        QueueIds ids = new QueueIds(clock, new SecureRandom());
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            made.add(ids.next());
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(made).allMatch(id -> id.matches("[0-9A-HJKMNP-TV-Z]{26}")).allMatch(QueueIds::isWellFormed);
        assertThat(new HashSet<>(made)).hasSize(made.size());
        assertThat(made).isSorted();
    }

    @Test
    void theTimePartEncodesTheMillisecondsSinceTheEpoch() {
        QueueIds ids = new QueueIds(new TestClock(Instant.ofEpochMilli(0)), new SecureRandom());
        assertThat(ids.next()).startsWith("0000000000");
        QueueIds later = new QueueIds(new TestClock(Instant.ofEpochMilli(32)), new SecureRandom());
        assertThat(later.next()).startsWith("0000000010");
    }

    @Test
    void onlyWellFormedIdsPassAsFileNames() {
        assertThat(QueueIds.isWellFormed("../../etc/passwd00000000000")).isFalse();
        assertThat(QueueIds.isWellFormed("01JAAAAAAAAAAAAAAAAAAAAAAO")).isFalse();
        assertThat(QueueIds.isWellFormed("01jaaaaaaaaaaaaaaaaaaaaaaa")).isFalse();
        assertThat(QueueIds.isWellFormed("01JAAAAAAAAAAAAAAAAAAAAAA")).isFalse();
        assertThat(QueueIds.isWellFormed(null)).isFalse();
        assertThat(QueueIds.isWellFormed("01JAAAAAAAAAAAAAAAAAAAAAAA")).isTrue();
    }
}
