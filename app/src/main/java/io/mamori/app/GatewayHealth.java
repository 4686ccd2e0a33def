package io.mamori.app;

import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** Health of the gateway itself: the store answers and both SMTP listeners are bound. */
@Component("gateway")
class GatewayHealth implements HealthIndicator {

    private final MessageStore store;
    private final GatewayConfiguration.Listeners listeners;

    GatewayHealth(MessageStore store, GatewayConfiguration.Listeners listeners) {
        this.store = store;
        this.listeners = listeners;
    }

    @Override
    public Health health() {
        if (listeners.inbound().port() <= 0 || listeners.outbound().port() <= 0) {
            return Health.down().withDetail("smtp", "listener not bound").build();
        }
        try {
            Map<MessageState, Long> counts = store.countByState();
            return Health.up().withDetail("queued", counts.getOrDefault(MessageState.QUEUED, 0L))
                    .withDetail("smtpInbound", listeners.inbound().port())
                    .withDetail("smtpOutbound", listeners.outbound().port()).build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("store", e.getClass().getSimpleName()).build();
        }
    }
}
