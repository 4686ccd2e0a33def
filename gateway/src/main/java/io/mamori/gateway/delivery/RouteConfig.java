package io.mamori.gateway.delivery;

import io.mamori.core.message.Direction;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Delivery configuration of one direction ({@code mamori.relay.<direction>.*}).
 *
 * @param direction    which listener's mail this routes
 * @param nextHop      the fixed next hop (inbound: the cloud mailbox service; outbound: a smart host);
 *                     empty means direct delivery to each recipient domain's MX (outbound only)
 * @param perDomainTls TLS policy by recipient domain (exact, case-insensitive match), e.g.
 *                     {@code partner.example → REQUIRED} for {@code require_tls}
 * @param defaultTls   TLS policy of every other domain (normally {@link TlsPolicy#OPPORTUNISTIC})
 */
public record RouteConfig(Direction direction, Optional<HostAndPort> nextHop, Map<String, TlsPolicy> perDomainTls,
                          TlsPolicy defaultTls) {

    public RouteConfig {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(nextHop, "nextHop");
        Objects.requireNonNull(defaultTls, "defaultTls");
        Map<String, TlsPolicy> normalised = new LinkedHashMap<>();
        perDomainTls.forEach((domain, policy) -> normalised.put(normalise(domain), Objects.requireNonNull(policy, domain)));
        perDomainTls = Map.copyOf(normalised);
    }

    /** A route with one next hop and opportunistic TLS everywhere. */
    public static RouteConfig via(Direction direction, HostAndPort nextHop) {
        return new RouteConfig(direction, Optional.of(nextHop), Map.of(), TlsPolicy.OPPORTUNISTIC);
    }

    /** The TLS policy for mail to {@code domain}. */
    public TlsPolicy tlsFor(String domain) {
        return perDomainTls.getOrDefault(normalise(domain), defaultTls);
    }

    static String normalise(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
