package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.gateway.delivery.DeliveryRoutes.RouteGroup;
import io.mamori.gateway.delivery.DeliveryRoutes.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeliveryRoutesTest {

    private static final HostAndPort MAILBOX = HostAndPort.parse("mailbox.cloud.test:25");
    private static final HostAndPort SMART_HOST = HostAndPort.parse("[::1]:2526");

    @Test
    void inboundWithoutNextHopIsUnroutedNamingTheSettingInsteadOfGoingToOurOwnMx() {
        RouteConfig inbound = new RouteConfig(Direction.INBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC);
        RouteConfig outbound = new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC);
        DeliveryRoutes routes = new DeliveryRoutes(inbound, outbound);

        List<RouteGroup> plan = routes.plan(Direction.INBOUND, List.of("a@example.co.jp", "b@example.jp"));

        assertThat(routes.inboundRouted()).isFalse();
        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).recipients()).containsExactly("a@example.co.jp", "b@example.jp");
        assertThat(plan.get(0).target()).isInstanceOfSatisfying(Target.Unrouted.class,
                u -> assertThat(u.reason()).contains("mamori.relay.inbound.next-hop"));
    }

    @Test
    void withANextHopRecipientsSplitOnlyByTlsPolicy() {
        DeliveryRoutes routes = new DeliveryRoutes(RouteConfig.via(Direction.INBOUND, MAILBOX),
                new RouteConfig(Direction.OUTBOUND, Optional.of(SMART_HOST), Map.of("bank.test", TlsPolicy.REQUIRED),
                        TlsPolicy.OPPORTUNISTIC));

        assertThat(routes.plan(Direction.OUTBOUND, List.of("a@x.test", "b@Bank.Test", "c@y.test"))).containsExactly(
                new RouteGroup(new Target.NextHop(SMART_HOST), TlsPolicy.OPPORTUNISTIC, List.of("a@x.test", "c@y.test")),
                new RouteGroup(new Target.NextHop(SMART_HOST), TlsPolicy.REQUIRED, List.of("b@Bank.Test")));
        assertThat(routes.plan(Direction.INBOUND, List.of("a@corp.test", "b@corp.test"))).containsExactly(
                new RouteGroup(new Target.NextHop(MAILBOX), TlsPolicy.OPPORTUNISTIC, List.of("a@corp.test", "b@corp.test")));
    }

    @Test
    void withoutASmartHostOutboundRecipientsGroupByDomain() {
        DeliveryRoutes routes = new DeliveryRoutes(RouteConfig.via(Direction.INBOUND, MAILBOX),
                new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of("y.test", TlsPolicy.REQUIRED), TlsPolicy.OPPORTUNISTIC));

        assertThat(routes.plan(Direction.OUTBOUND, List.of("a@X.test", "b@y.test", "c@x.test", "postmaster"))).containsExactly(
                new RouteGroup(new Target.DirectMx("x.test"), TlsPolicy.OPPORTUNISTIC, List.of("a@X.test", "c@x.test")),
                new RouteGroup(new Target.DirectMx("y.test"), TlsPolicy.REQUIRED, List.of("b@y.test")),
                new RouteGroup(new Target.DirectMx(""), TlsPolicy.OPPORTUNISTIC, List.of("postmaster")));
    }

    @Test
    void hostAndPortParsingNamesTheBadValue() {
        assertThat(HostAndPort.parse("Relay.Example.test.")).isEqualTo(new HostAndPort("relay.example.test", 25));
        assertThat(HostAndPort.parse("[2001:db8::1]:587")).isEqualTo(new HostAndPort("2001:db8::1", 587));
        assertThatThrownBy(() -> HostAndPort.parse("host:99999")).hasMessageContaining("host:99999");
        assertThatThrownBy(() -> HostAndPort.parse("2001:db8::1")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostAndPort.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
