package io.mamori.app;

import io.mamori.core.analysis.AnalyzerPool;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health of the gateway itself: the store answers, both SMTP listeners are bound, and the analyzers' pool still has
 * threads to stand in for analyzer runs stuck past their budget (when it has none left, every such run takes one of
 * its own threads until a restart: DOWN, so that whatever watches the gateway restarts it).
 */
@Component("gateway")
class GatewayHealth implements HealthIndicator {

    private final MessageStore store;
    private final GatewayConfiguration.Listeners listeners;
    private final AnalyzerPool analyzers;

    GatewayHealth(MessageStore store, GatewayConfiguration.Listeners listeners, AnalyzerPool analyzers) {
        this.store = store;
        this.listeners = listeners;
        this.analyzers = analyzers;
    }

    @Override
    public Health health() {
        if (listeners.inbound().port() <= 0 || listeners.outbound().port() <= 0) {
            return Health.down().withDetail("smtp", "listener not bound").build();
        }
        if (analyzers.standInsExhausted()) {
            return Health.down().withDetail("analysis", analyzers.overrunning()
                    + " analyzer runs stuck past their budget (see the log); restart the gateway").build();
        }
        try {
            Map<MessageState, Long> counts = store.countByState();
            return Health.up().withDetail("queued", counts.getOrDefault(MessageState.QUEUED, 0L))
                    .withDetail("smtpInbound", listeners.inbound().port())
                    .withDetail("smtpOutbound", listeners.outbound().port())
                    .withDetail("analyzersOverrunning", analyzers.overrunning()).build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("store", e.getClass().getSimpleName()).build();
        }
    }
}
