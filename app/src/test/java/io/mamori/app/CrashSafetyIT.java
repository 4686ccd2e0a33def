package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.gateway.testing.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Nothing accepted with a 250 is lost: the gateway, as its own process, accepts N messages while the
 * downstream server is down, is killed with SIGKILL, restarts, and delivers all N once the downstream is up.
 */
class CrashSafetyIT {

    private static final int N = 40;
    private static final Pattern MARKER = Pattern.compile("crash-marker-(\\d+)");

    @Test
    void everyAcceptedMessageArrivesAfterSigkillAndRestart() throws Exception {
        Path data = Files.createTempDirectory("mamori-crash");
        Files.writeString(data.resolve("policy.yaml"), """
                version: 1
                organisation:
                  name: crash test
                  internal_domains: [example.co.jp]
                inbound:
                  thresholds: { tag: 4, quarantine: 10 }
                outbound:
                  thresholds: { tag: 6 }
                """);
        try (TestSmtpServer downstream = new TestSmtpServer().start();
             io.mamori.gateway.testing.TestDnsServer dns = new io.mamori.gateway.testing.TestDnsServer().start()) {
            int downstreamPort = downstream.port();
            // Every port is chosen while the downstream still holds its own, so none of the gateway's listeners
            // can take the downstream's port while it is down.
            GatewayProcess.Ports ports = GatewayProcess.Ports.free();
            int inbound = ports.inbound();
            downstream.stop();
            List<String> settings = List.of("--mamori.policy.file=" + data.resolve("policy.yaml"),
                    "--mamori.dns.server=127.0.0.1:" + dns.address().getPort(),
                    "--mamori.relay.inbound.next-hop=127.0.0.1:" + downstreamPort,
                    // the test's next hop offers no TLS (GatewayEndToEndTest relays over verified TLS, the default)
                    "--mamori.relay.inbound.tls=opportunistic",
                    "--mamori.delivery.retry-initial=1s", "--mamori.delivery.retry-max=1s",
                    "--mamori.delivery.poll-interval=100ms");

            GatewayProcess first = GatewayProcess.start(data.resolve("gw"), ports, settings);
            try (GatewayProcess.Client client = new GatewayProcess.Client(inbound)) {
                for (int i = 0; i < N; i++) {
                    client.send("sender@partner.example", "user" + i + "@example.co.jp",
                            "From: sender@partner.example\r\nTo: user" + i + "@example.co.jp\r\nSubject: crash " + i
                                    + "\r\n\r\ncrash-marker-" + i + "\r\n");
                }
            } finally {
                first.kill();
            }

            downstream.start();
            assertThat(downstream.port()).isEqualTo(downstreamPort);
            try (GatewayProcess second = GatewayProcess.start(data.resolve("gw"), ports, settings)) {
                Set<Integer> arrived = new HashSet<>();
                int deliveries = 0;
                while (arrived.size() < N) {
                    TestSmtpServer.ReceivedMessage m = downstream.takeMessage(Duration.ofSeconds(90));
                    deliveries++;
                    Matcher matcher = MARKER.matcher(m.dataAsString());
                    assertThat(matcher.find()).isTrue();
                    arrived.add(Integer.parseInt(matcher.group(1)));
                }
                assertThat(arrived).hasSize(N);
                assertThat(deliveries).as("nothing was delivered before the kill, so no duplicates").isEqualTo(N);
            }
        }
    }
}
