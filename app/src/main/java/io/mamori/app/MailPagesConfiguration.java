package io.mamori.app;

import io.mamori.console.audit.AuditTrail;
import io.mamori.console.dashboard.Dashboard;
import io.mamori.console.identity.Scope;
import io.mamori.console.lists.ListService;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.console.quarantine.ScopedQuarantine;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.store.MessageStore;
import io.mamori.gateway.quarantine.ReleaseRequests;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the console's mail pages (dashboard, message tracking, quarantine and held mail): the time zone their
 * days and dates are in ({@code mamori.console.time-zone}, Asia/Tokyo by default) and the scoped services.
 */
@Configuration(proxyBeanMethods = false)
class MailPagesConfiguration {

    @Bean
    ZoneId consoleZone(@Value("${mamori.console.time-zone:Asia/Tokyo}") String zone) {
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("mamori.console.time-zone: not a time zone: '" + zone
                    + "' (e.g. Asia/Tokyo, UTC)", e);
        }
    }

    @Bean
    MessageTracking messageTracking(MessageStore store, Scope scope, FindingCatalogue catalogue, AuditTrail audit,
            Clock clock) {
        return new MessageTracking(store, scope, catalogue, audit, clock);
    }

    @Bean
    ScopedQuarantine scopedQuarantine(QuarantineService quarantine, ListService lists, ReleaseRequests requests,
            MessageTracking tracking, AuditTrail audit, Clock clock, MessageStore store,
            org.springframework.beans.factory.ObjectProvider<io.mamori.gateway.receive.ReceptionPipeline> reception) {
        io.mamori.gateway.receive.ReceptionPipeline pipeline = reception.getIfAvailable();
        return new ScopedQuarantine(quarantine, lists, requests, tracking, audit, clock, pipeline == null ? null
                : new io.mamori.console.quarantine.PasswordOpening(pipeline, store, quarantine, audit, clock));
    }

    @Bean
    Dashboard dashboard(MessageStore store, Scope scope, MessageTracking tracking, ZoneId consoleZone, Clock clock) {
        return new Dashboard(store, scope, tracking, consoleZone, clock);
    }
}
