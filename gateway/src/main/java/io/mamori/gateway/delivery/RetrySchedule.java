package io.mamori.gateway.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a deferred message again: exponential back-off with jitter, until a maximum lifetime measured
 * from the message's arrival, after which it bounces (like Postfix's {@code maximal_queue_lifetime}).
 *
 * <p>Immutable and thread-safe if {@code random} is (the JDK's generators used here are).
 */
public final class RetrySchedule {

    private final Duration initialDelay;
    private final double multiplier;
    private final Duration maxDelay;
    private final double jitter;
    private final Duration lifetime;
    private final Clock clock;
    private final RandomGenerator random;

    /**
     * @param initialDelay delay after the first failed attempt
     * @param multiplier   growth per further attempt (≥ 1)
     * @param maxDelay     cap on the delay
     * @param jitter       random spread as a fraction of the delay, 0 ≤ jitter < 1 (0.1 = ±10 %), so
     *                     messages deferred together do not all come back at once
     * @param lifetime     how long after arrival a message may stay queued (default 5 days)
     * @throws IllegalArgumentException naming the bad value
     */
    public RetrySchedule(Duration initialDelay, double multiplier, Duration maxDelay, double jitter, Duration lifetime,
                         Clock clock, RandomGenerator random) {
        this.initialDelay = positive(initialDelay, "initial delay");
        this.maxDelay = positive(maxDelay, "maximum delay");
        this.lifetime = positive(lifetime, "lifetime");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("retry multiplier must be at least 1: " + multiplier);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("retry jitter must be in [0, 1): " + jitter);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maximum delay " + maxDelay + " is below the initial delay " + initialDelay);
        }
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
    }

    /** 1 minute, doubling, capped at 1 hour, ±10 % jitter, 5 days lifetime. */
    public static RetrySchedule defaults(Clock clock) {
        return new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.1, Duration.ofDays(5), clock,
                RandomGenerator.getDefault());
    }

    /**
     * The time of the next attempt after {@code attempts} failed ones, or empty when the message has used up
     * its lifetime and must bounce. The last attempt is scheduled no later than the end of the lifetime, so a
     * message always gets one try at its deadline.
     *
     * @param receivedAt when the message arrived
     * @param attempts   attempts made so far, including the one that just failed (≥ 1)
     */
    public Optional<Instant> next(Instant receivedAt, int attempts) {
        Instant now = clock.instant();
        Instant deadline = receivedAt.plus(lifetime);
        if (!now.isBefore(deadline)) {
            return Optional.empty();
        }
        Instant next = now.plus(delay(attempts));
        return Optional.of(next.isAfter(deadline) ? deadline : next);
    }

    /** Whether a message that arrived at {@code receivedAt} is past its lifetime now. */
    public boolean expired(Instant receivedAt) {
        return !clock.instant().isBefore(receivedAt.plus(lifetime));
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Duration initialDelay() {
        return initialDelay;
    }

    /** The delay after {@code attempts} failures, jitter included. */
    Duration delay(int attempts) {
        double base = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempts - 1));
        double capped = Math.min(base, maxDelay.toMillis());
        double spread = jitter == 0 ? 0 : capped * jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(capped + spread)));
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("retry " + what + " must be positive: " + d);
        }
        return d;
    }
}
