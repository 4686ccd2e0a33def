package io.mamori.app;

import io.mamori.core.policy.PolicyHolder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Prints where the gateway can be reached once everything listens (the promise of {@code ./mamori start}). */
@Component
class StartupReport {

    private final GatewayConfiguration.Listeners listeners;
    private final MamoriProperties settings;
    private final PolicyHolder policy;

    StartupReport(GatewayConfiguration.Listeners listeners, MamoriProperties settings, PolicyHolder policy) {
        this.listeners = listeners;
        this.settings = settings;
        this.policy = policy;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int http = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        String inboundHop = settings.relay().inbound().nextHop();
        String outboundHop = settings.relay().outbound().nextHop();
        System.out.printf("""

                Mamori is running / Mamori が起動しました
                  SMTP inbound  (MX)          %s:%d  -> next hop %s
                  SMTP outbound (smart host)  %s:%d  -> %s  (STARTTLS; AUTH after STARTTLS; trusted %s)
                  HTTP                        http://localhost:%d  (/actuator/health, /actuator/prometheus, /api/v1/messages)
                  REST API token              %s
                  antivirus                   %s
                  data                        %s
                  policy                      %s (internal domains: %s)
                %n""",
                settings.smtp().inbound().bind(), listeners.inbound().port(),
                blank(inboundHop) ? "(not set: mail is queued until mamori.relay.inbound.next-hop is set)" : inboundHop,
                settings.smtp().outbound().bind(), listeners.outbound().port(),
                blank(outboundHop) ? "direct MX delivery" : outboundHop,
                String.join(",", settings.smtp().outbound().trustedNetworks()),
                http, settings.dataDir().resolve(ApiToken.FILE).toAbsolutePath().normalize(),
                settings.antivirus().configured() ? "clamd at " + settings.antivirus().clamd()
                        : "off (set mamori.antivirus.clamd=host:port)",
                settings.dataDir().toAbsolutePath().normalize(), settings.policy().file().toAbsolutePath().normalize(),
                String.join(", ", policy.current().organisation().internalDomains().stream()
                        .map(d -> (d.subdomains() ? "*." : "") + d.domain()).toList()));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
