package io.mamori.gateway.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mamori.core.message.Direction;
import java.time.Duration;

/** Delivery meters; every method is a no-op without a registry. Thread-safe. */
final class DeliveryMetrics {

    private final MeterRegistry registry;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One recipient's outcome of one attempt: delivered, temp_failed, perm_failed, expired. */
    void recipient(Direction direction, String outcome) {
        if (registry != null) {
            Counter.builder("mamori.delivery.recipients").description("Recipient outcomes of delivery attempts")
                    .tag("direction", direction.lowerName()).tag("outcome", outcome).register(registry).increment();
        }
    }

    /**
     * A failure by kind: connect, timeout, tls, protocol, reply, local, dns, mx_address (MX hosts only at addresses
     * mail must not go to), rejected, expired, internal.
     */
    void failure(Direction direction, String kind) {
        if (registry != null) {
            Counter.builder("mamori.delivery.failures").description("Delivery failures by kind")
                    .tag("direction", direction.lowerName()).tag("kind", kind).register(registry).increment();
        }
    }

    /** From arrival to the hop's 250, per delivered recipient group. */
    void latency(Direction direction, Duration sinceArrival) {
        if (registry != null) {
            Timer.builder("mamori.delivery.latency").description("Time from arrival to delivery")
                    .tag("direction", direction.lowerName()).register(registry).record(sinceArrival);
        }
    }

    /** Duration of one SMTP transaction with one hop. */
    void attempt(Direction direction, Duration took) {
        if (registry != null) {
            Timer.builder("mamori.delivery.attempt").description("Duration of one SMTP transaction")
                    .tag("direction", direction.lowerName()).register(registry).record(took);
        }
    }

    void dsn() {
        if (registry != null) {
            Counter.builder("mamori.delivery.dsn").description("Delivery status notifications queued")
                    .register(registry).increment();
        }
    }
}
