package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static final Instant NOW = Instant.parse("2025-04-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static RetrySchedule noJitter(Clock clock) {
        return new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0, Duration.ofDays(5), clock, new Random(1));
    }

    @Test
    void delayDoublesFromOneMinuteUpToOneHour() {
        RetrySchedule retry = noJitter(CLOCK);

        assertThat(retry.next(NOW, 1)).contains(NOW.plus(Duration.ofMinutes(1)));
        assertThat(retry.next(NOW, 2)).contains(NOW.plus(Duration.ofMinutes(2)));
        assertThat(retry.next(NOW, 4)).contains(NOW.plus(Duration.ofMinutes(8)));
        assertThat(retry.next(NOW, 7)).contains(NOW.plus(Duration.ofHours(1)));
        assertThat(retry.next(NOW, 500)).contains(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void jitterSpreadsDelaysWithinItsFraction() {
        RetrySchedule retry = new RetrySchedule(Duration.ofMinutes(10), 2.0, Duration.ofHours(1), 0.1, Duration.ofDays(5),
                CLOCK, new Random(7));
        long distinct = java.util.stream.IntStream.range(0, 50).mapToObj(i -> retry.delay(1)).distinct().count();

        for (int i = 0; i < 200; i++) {
            assertThat(retry.delay(1)).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(11));
        }
        assertThat(distinct).isGreaterThan(10);
    }

    @Test
    void lastAttemptIsScheduledAtTheEndOfTheLifetime() {
        Instant receivedAt = NOW.minus(Duration.ofDays(5)).plus(Duration.ofMinutes(20));

        assertThat(noJitter(CLOCK).next(receivedAt, 30)).contains(receivedAt.plus(Duration.ofDays(5)));
    }

    @Test
    void afterTheLifetimeThereIsNoNextAttempt() {
        Instant receivedAt = NOW.minus(Duration.ofDays(5));
        RetrySchedule retry = noJitter(CLOCK);

        assertThat(retry.next(receivedAt, 30)).isEqualTo(Optional.empty());
        assertThat(retry.expired(receivedAt)).isTrue();
        assertThat(retry.expired(receivedAt.plusSeconds(1))).isFalse();
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(1), 0.5, Duration.ofHours(1), 0, Duration.ofDays(5), CLOCK, new Random()))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(1), 2, Duration.ofHours(1), 1.5, Duration.ofDays(5), CLOCK, new Random()))
                .hasMessageContaining("jitter");
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofHours(2), 2, Duration.ofHours(1), 0, Duration.ofDays(5), CLOCK, new Random()))
                .hasMessageContaining("maximum delay");
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(1), 2, Duration.ofHours(1), 0, Duration.ZERO, CLOCK, new Random()))
                .hasMessageContaining("lifetime");
    }
}
