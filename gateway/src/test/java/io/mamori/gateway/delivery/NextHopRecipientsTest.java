package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.core.testing.MovingClock;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.testing.TestSmtpServer.FailureMode;
import io.mamori.gateway.testing.TestSmtpServer.Reply;
import io.mamori.gateway.testing.TestSmtpServer.Stage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recipient verification against a real SMTP peer on loopback standing in for the mailbox service. */
class NextHopRecipientsTest {

    private final MovingClock clock = new MovingClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final TestSmtpServer nextHop = new TestSmtpServer().start();
    private final SmtpClient client = new SmtpClient(SmtpTimeouts.all(Duration.ofSeconds(5)));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NextHopRecipients recipients = new NextHopRecipients(new DeliveryRoutes(
            RouteConfig.via(Direction.INBOUND, new HostAndPort("127.0.0.1", nextHop.port())),
            new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC)),
            client, "mx.corp.test", clock, meters);

    @AfterEach
    void close() {
        client.close();
        nextHop.close();
    }

    private double verifications(String result, boolean cached) {
        return meters.counter("mamori.smtp.recipient.verifications", "result", result, "cached", Boolean.toString(cached)).count();
    }

    @Test
    void anAddressTheNextHopTakesIsTakenAndRememberedWithoutMailBeingSent() {
        assertThat(recipients.refusal("taro@corp.test")).isNull();
        assertThat(recipients.refusal("Taro@Corp.Test")).as("remembered, whatever the case").isNull();

        assertThat(nextHop.connectionCount()).isEqualTo(1);
        assertThat(nextHop.commandLog()).containsSubsequence("MAIL FROM:<>", "RCPT TO:<taro@corp.test>", "QUIT")
                .noneMatch(c -> c.startsWith("DATA"));
        assertThat(nextHop.messageCount()).isZero();
        assertThat(verifications("exists", false)).isEqualTo(1);
        assertThat(verifications("exists", true)).isEqualTo(1);
    }

    @Test
    void anAddressTheNextHopRefusesIsRefusedWithOurOwnReplyForTenMinutes() {
        nextHop.enqueue(Reply.rcptReject("nobody@corp.test", 550));

        assertThat(recipients.refusal("nobody@corp.test")).isEqualTo("550 5.1.1 Recipient address rejected: no such mailbox");
        clock.advance(Duration.ofMinutes(9));
        assertThat(recipients.refusal("nobody@corp.test")).isEqualTo(NextHopRecipients.REFUSAL);
        assertThat(nextHop.connectionCount()).isEqualTo(1);

        // the mailbox was created meanwhile: asked again after ten minutes, the next hop takes it
        clock.advance(Duration.ofMinutes(2));
        assertThat(recipients.refusal("nobody@corp.test")).isNull();
        assertThat(nextHop.connectionCount()).isEqualTo(2);
        assertThat(verifications("unknown", false)).isEqualTo(1);
        assertThat(verifications("unknown", true)).isEqualTo(1);
    }

    @Test
    void aNextHopThatRefusesTheConnectionLetsTheAddressInAndIsAskedAgainAtTheNextRcpt() {
        nextHop.enqueue(FailureMode.REFUSE_CONNECTIONS);

        assertThat(recipients.refusal("a@corp.test")).isNull();
        nextHop.enqueue(Reply.rcptReject("b@corp.test", 550));
        assertThat(recipients.refusal("b@corp.test")).isEqualTo(NextHopRecipients.REFUSAL);
        assertThat(nextHop.connectionCount()).isEqualTo(2);
        assertThat(verifications("unverified", false)).isEqualTo(1);
    }

    @Test
    void aNextHopThatDoesNotAnswerInTimeLetsEveryAddressInAndIsNotAskedForAMinute() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // takes connections and never greets
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            NextHopRecipients patient = new NextHopRecipients(new DeliveryRoutes(
                    RouteConfig.via(Direction.INBOUND, new HostAndPort("127.0.0.1", silent.getLocalPort())),
                    new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC)),
                    client, "mx.corp.test", clock, meters, Duration.ofMillis(300));

            assertThat(patient.refusal("a@corp.test")).isNull();
            assertThat(patient.refusal("b@corp.test")).as("not asked: taken at once").isNull();
            clock.advance(NextHopRecipients.PAUSE_AFTER_FAILURE);
            assertThat(patient.refusal("c@corp.test")).as("asked again after the pause").isNull();

            assertThat(held).hasSize(2);
            assertThat(verifications("unverified", false)).isEqualTo(2);
            assertThat(verifications("unverified", true)).isEqualTo(1);
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aTemporaryRefusalOrARefusedNullSenderSaysNothingAboutTheAddress() {
        nextHop.enqueue(Reply.rcptReject("busy@corp.test", 450));
        assertThat(recipients.refusal("busy@corp.test")).isNull();

        clock.advance(NextHopRecipients.PAUSE_AFTER_FAILURE);
        nextHop.enqueue(Reply.at(Stage.MAIL, 550, "5.7.1 The null sender is not accepted here"));
        assertThat(recipients.refusal("jiro@corp.test")).isNull();
        assertThat(verifications("unverified", false)).isEqualTo(2);
        assertThat(verifications("unknown", false)).isZero();
    }

    @Test
    void withoutAnInboundNextHopThereIsNobodyToAsk() {
        DeliveryRoutes unrouted = new DeliveryRoutes(
                new RouteConfig(Direction.INBOUND, Optional.empty(), Map.of(), TlsPolicy.REQUIRED),
                new RouteConfig(Direction.OUTBOUND, Optional.empty(), Map.of(), TlsPolicy.OPPORTUNISTIC));

        assertThatThrownBy(() -> new NextHopRecipients(unrouted, client, "mx.corp.test", clock, meters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inbound next hop");
    }
}
