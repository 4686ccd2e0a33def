package io.mamori.gateway.delivery;

import io.mamori.core.message.Direction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where each direction's mail goes, and how a message's recipients split into SMTP transactions.
 *
 * <p>Immutable and thread-safe; validated at construction: inbound mail needs a next hop (the
 * organisation's cloud mailbox service), outbound mail goes to its next hop (smart host) or, when none is
 * set, straight to each recipient domain's MX.
 */
public final class DeliveryRoutes {

    private final RouteConfig inbound;
    private final RouteConfig outbound;

    /** @throws IllegalArgumentException naming the missing or inconsistent setting */
    public DeliveryRoutes(RouteConfig inbound, RouteConfig outbound) {
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        if (inbound.direction() != Direction.INBOUND || outbound.direction() != Direction.OUTBOUND) {
            throw new IllegalArgumentException("route directions are swapped");
        }
    }

    /** Inbound mail waits in the queue (deferred, retried) until a next hop is configured. */
    public boolean inboundRouted() {
        return inbound.nextHop().isPresent();
    }

    public RouteConfig forDirection(Direction direction) {
        return direction == Direction.INBOUND ? inbound : outbound;
    }

    /** Where one group of recipients is sent. */
    public sealed interface Target {
        /** The configured next hop. */
        record NextHop(HostAndPort hop) implements Target {
        }

        /** The MX hosts of {@code domain} ("" when the recipient has no domain, which cannot be routed). */
        record DirectMx(String domain) implements Target {
        }

        /**
         * No route is configured (inbound without {@code mamori.relay.inbound.next-hop}): a temporary failure,
         * so the mail waits in the queue instead of looping back to our own MX.
         */
        record Unrouted(String reason) implements Target {
        }
    }

    /** Recipients that share one SMTP transaction. */
    public record RouteGroup(Target target, TlsPolicy tls, List<String> recipients) {
        public RouteGroup {
            recipients = List.copyOf(recipients);
        }
    }

    /**
     * Splits recipients into transactions: with a next hop, one per TLS policy (so a domain that requires TLS
     * cannot hold back the others); with direct MX delivery, one per recipient domain. Order follows the
     * first appearance of each group.
     */
    public List<RouteGroup> plan(Direction direction, List<String> recipients) {
        RouteConfig route = forDirection(direction);
        if (direction == Direction.INBOUND && route.nextHop().isEmpty()) {
            return List.of(new RouteGroup(new Target.Unrouted(
                    "mamori.relay.inbound.next-hop is not set: inbound mail waits for a route to the mailbox service"),
                    route.defaultTls(), recipients));
        }
        Map<Object, List<String>> groups = new LinkedHashMap<>();
        Map<Object, TlsPolicy> policies = new LinkedHashMap<>();
        for (String rcpt : recipients) {
            String domain = domainOf(rcpt);
            TlsPolicy tls = route.tlsFor(domain);
            Object key = route.nextHop().isPresent() ? tls : domain;
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(rcpt);
            policies.put(key, tls);
        }
        List<RouteGroup> plan = new ArrayList<>();
        groups.forEach((key, rcpts) -> {
            Target target = route.nextHop().<Target>map(Target.NextHop::new)
                    .orElseGet(() -> new Target.DirectMx((String) key));
            plan.add(new RouteGroup(target, policies.get(key), rcpts));
        });
        return plan;
    }

    /** The domain part of an address, lower case, or "" if it has none. */
    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : RouteConfig.normalise(address.substring(at + 1));
    }
}
