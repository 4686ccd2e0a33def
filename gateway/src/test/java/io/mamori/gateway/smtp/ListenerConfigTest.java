package io.mamori.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerConfigTest {

    private final ListenerConfig defaults =
            ListenerConfig.defaults(Direction.INBOUND, InetAddress.getLoopbackAddress(), 2525, "mx.example.co.jp");

    @Test
    void defaultsAreThoseOfTheIssue() {
        assertThat(defaults.maxMessageSize()).isEqualTo(50L * 1024 * 1024);
        assertThat(defaults.maxRecipients()).isEqualTo(100);
        assertThat(defaults.maxLineLength()).isEqualTo(1000);
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.maxConnections()).isEqualTo(200);
        assertThat(defaults.maxConnectionsPerClient()).isEqualTo(20);
        assertThat(defaults.requireTls()).isFalse();
    }

    @Test
    void invalidValuesNameTheField() {
        assertThatThrownBy(() -> defaults.withMaxRecipients(0)).hasMessageStartingWith("maxRecipients");
        assertThatThrownBy(() -> defaults.withMaxLineLength(999)).hasMessageStartingWith("maxLineLength");
        assertThatThrownBy(() -> defaults.withConnectionLimits(10, 11)).hasMessageStartingWith("maxConnectionsPerClient");
        assertThatThrownBy(() -> defaults.withTimeouts(Duration.ZERO, Duration.ofMinutes(1))).hasMessageStartingWith("commandTimeout");
        assertThatThrownBy(() -> defaults.withMaxMessageSize(10)).hasMessageStartingWith("maxMessageSize");
        assertThatThrownBy(() -> ListenerConfig.defaults(Direction.INBOUND, InetAddress.getLoopbackAddress(), 70000, "mx"))
                .hasMessageStartingWith("port");
        assertThatThrownBy(() -> ListenerConfig.defaults(Direction.INBOUND, InetAddress.getLoopbackAddress(), 25, "bad host"))
                .hasMessageStartingWith("hostname");
    }

    @Test
    void trustedNetworksDecideTrust() throws Exception {
        ListenerConfig config = defaults.withTrustedNetworks(java.util.List.of(Cidr.parse("198.51.100.0/24")));
        assertThat(config.trusts(InetAddress.getByName("198.51.100.7"))).isTrue();
        assertThat(config.trusts(InetAddress.getByName("198.51.101.7"))).isFalse();
    }
}
