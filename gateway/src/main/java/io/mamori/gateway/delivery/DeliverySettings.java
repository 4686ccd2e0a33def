package io.mamori.gateway.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the delivery workers ({@code mamori.delivery.*}).
 *
 * @param workers      delivery threads (default 4)
 * @param pollInterval how often an idle worker asks the store for due messages (default 1 s); a
 *                     {@link DeliveryService#wakeUp()} cuts the wait short
 * @param lease        how long a claimed message stays reserved for one worker (default 30 min), renewed when its
 *                     turn comes; one attempt is cut short a tenth of it (at most a minute) before it ends
 * @param claimBatch   messages a worker claims at once (default 1)
 * @param heloName     our host name for EHLO and for DSNs
 * @throws IllegalArgumentException naming the bad setting
 */
public record DeliverySettings(int workers, Duration pollInterval, Duration lease, int claimBatch, String heloName) {

    public DeliverySettings {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("mamori.delivery.workers must be 1..256: " + workers);
        }
        if (claimBatch < 1 || claimBatch > 100) {
            throw new IllegalArgumentException("mamori.delivery.claim-batch must be 1..100: " + claimBatch);
        }
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(lease, "lease");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("mamori.delivery.poll-interval must be positive: " + pollInterval);
        }
        if (lease.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("mamori.delivery.lease must be at least 10s: " + lease);
        }
        if (heloName == null || !heloName.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("mamori.delivery.helo-name must be a host name: " + heloName);
        }
    }

    public static DeliverySettings defaults(String heloName) {
        return new DeliverySettings(4, Duration.ofSeconds(1), Duration.ofMinutes(30), 1, heloName);
    }
}
