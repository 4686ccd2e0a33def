package io.mamori.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.gateway.delivery.DeliveryRoutes;
import io.mamori.gateway.delivery.HostAndPort;
import io.mamori.gateway.delivery.NextHopRecipients;
import io.mamori.gateway.delivery.RouteConfig;
import io.mamori.gateway.delivery.SmtpClient;
import io.mamori.gateway.delivery.SmtpTimeouts;
import io.mamori.gateway.receive.ReceiveResult;
import io.mamori.gateway.testing.TestSmtpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MX listener driven over real loopback sockets with a raw SMTP dialogue. */
class InboundListenerTest {

    private static final Instant NOW = Instant.parse("2025-04-01T09:30:00Z");

    private final RecordingReceiver receiver = new RecordingReceiver();
    private final Set<String> internalDomains = ConcurrentHashMap.newKeySet();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<SmtpDialogue> clients = new ArrayList<>();
    private SmtpListener listener;

    InboundListenerTest() {
        internalDomains.add("example.co.jp");
    }

    @AfterEach
    void stop() throws IOException {
        for (SmtpDialogue client : clients) {
            client.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    private ListenerConfig config() {
        return ListenerConfig.defaults(Direction.INBOUND, InetAddress.getLoopbackAddress(), 0, "mx.example.co.jp");
    }

    private SmtpDialogue start(ListenerConfig config) throws IOException {
        listener = new SmtpListener(config, TestTls.server(), receiver, internalDomains::contains,
                (user, password) -> true, Clock.fixed(NOW, ZoneOffset.UTC), meters);
        listener.start();
        return connect();
    }

    private SmtpDialogue connect() throws IOException {
        SmtpDialogue client = new SmtpDialogue(listener.port());
        clients.add(client);
        return client;
    }

    private SmtpDialogue startedAndGreeted() throws IOException {
        SmtpDialogue client = start(config());
        assertThat(client.reply()).isEqualTo("220 mx.example.co.jp ESMTP Mamori");
        assertThat(client.command("EHLO client.example.net")).startsWith("250-mx.example.co.jp");
        return client;
    }

    /**
     * Sends {@code piece} every 100 ms until the server answers or closes, at most 300 times (30 s); returns how many
     * were sent.
     */
    private static int trickle(SmtpDialogue client, byte[] piece) throws Exception {
        int sent = 0;
        try {
            while (sent < 300 && client.input().available() == 0) {
                client.raw(piece);
                sent++;
                Thread.sleep(100);
            }
        } catch (java.net.SocketException closed) {
            // the server closed first
        }
        return sent;
    }

    private static void openTransaction(SmtpDialogue client) throws IOException {
        assertThat(client.command("MAIL FROM:<sender@example.net>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<taro@example.co.jp>")).isEqualTo("250 2.1.5 Ok");
    }

    @Test
    void ehloAdvertisesTheExtensionsWithStartTlsAndWithoutAuth() throws IOException {
        SmtpDialogue client = start(config());
        assertThat(client.reply()).isEqualTo("220 mx.example.co.jp ESMTP Mamori");
        assertThat(client.command("EHLO client.example.net")).isEqualTo(String.join("\n",
                "250-mx.example.co.jp",
                "250-PIPELINING",
                "250-SIZE 52428800",
                "250-8BITMIME",
                "250-SMTPUTF8",
                "250-ENHANCEDSTATUSCODES",
                "250 STARTTLS"));
    }

    @Test
    void afterStartTlsEhloNoLongerOffersStartTlsAndStillNoAuth() throws Exception {
        SmtpDialogue client = startedAndGreeted();
        client.startTls(TestTls.client());
        String ehlo = client.command("EHLO client.example.net");
        assertThat(ehlo).startsWith("250-mx.example.co.jp").endsWith("250 ENHANCEDSTATUSCODES")
                .doesNotContain("STARTTLS").doesNotContain("AUTH");
        assertThat(client.command("AUTH PLAIN AHVzZXIAcGFzcw==")).isEqualTo("503 5.5.1 Error: authentication not enabled");
        openTransaction(client);
        assertThat(client.command("DATA")).startsWith("354 ");
        client.raw("Subject: tls\r\n\r\nhello\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(receiver.take().envelope().tls()).isTrue();
    }

    @Test
    void relayToAnExternalDomainIsDenied() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        assertThat(client.command("MAIL FROM:<sender@example.net>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<someone@elsewhere.example>")).isEqualTo("550 5.7.1 Relaying denied");
        assertThat(client.command("RCPT TO:<someone@example.co.jp.evil.example>")).isEqualTo("550 5.7.1 Relaying denied");
        assertThat(client.command("DATA")).isEqualTo("554 5.5.1 Error: no valid recipients");
    }

    @Test
    void withRecipientVerificationAnAddressTheNextHopRefusesIsRefusedAtRcptAndTheOthersAreTaken() throws Exception {
        try (TestSmtpServer nextHop = new TestSmtpServer().start();
             SmtpClient probes = new SmtpClient(SmtpTimeouts.all(Duration.ofSeconds(5)))) {
            nextHop.enqueue(TestSmtpServer.Reply.rcptReject("nobody@example.co.jp", 550));
            DeliveryRoutes routes = new DeliveryRoutes(
                    RouteConfig.via(Direction.INBOUND, new HostAndPort("127.0.0.1", nextHop.port())),
                    RouteConfig.via(Direction.OUTBOUND, new HostAndPort("127.0.0.1", nextHop.port())));
            listener = new SmtpListener(config(), TestTls.server(), receiver, internalDomains::contains,
                    new NextHopRecipients(routes, probes, "mx.example.co.jp", Clock.fixed(NOW, ZoneOffset.UTC), meters),
                    (user, password) -> true, Clock.fixed(NOW, ZoneOffset.UTC), meters);
            listener.start();
            SmtpDialogue client = connect();
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.command("EHLO client.example.net")).startsWith("250-mx.example.co.jp");

            assertThat(client.command("MAIL FROM:<sender@example.net>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<nobody@example.co.jp>"))
                    .isEqualTo("550 5.1.1 Recipient address rejected: no such mailbox");
            assertThat(client.command("RCPT TO:<someone@elsewhere.example>")).as("not ours: the next hop is not asked")
                    .isEqualTo("550 5.7.1 Relaying denied");
            assertThat(client.command("RCPT TO:<taro@example.co.jp>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.command("DATA")).startsWith("354 ");
            client.raw("Subject: hi\r\n\r\nhello\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.reply()).startsWith("250 2.0.0 Ok");

            assertThat(receiver.take().envelope().recipients()).containsExactly("taro@example.co.jp");
            assertThat(nextHop.commandLog()).filteredOn(c -> c.startsWith("RCPT"))
                    .containsExactly("RCPT TO:<nobody@example.co.jp>", "RCPT TO:<taro@example.co.jp>");
            assertThat(nextHop.messageCount()).isZero();
        }
    }

    @Test
    void internalRecipientIsAcceptedAndTheReceivedBytesEqualTheSentBytesDotUnstuffedWithBareCrAsCrLf() throws Exception {
        SmtpDialogue client = startedAndGreeted();
        assertThat(client.command("MAIL FROM:<sender@example.net> BODY=8BITMIME SIZE=200")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<Taro@EXAMPLE.CO.JP>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("RCPT TO:<hanako@example.co.jp.>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("DATA")).isEqualTo("354 End data with <CR><LF>.<CR><LF>");
        String message = "Subject: =?UTF-8?B?5pel5pys6Kqe?=\r\n"
                + "\r\n"
                + "Line one\r\n"
                + ".a line that starts with a dot\r\n"
                + "..two dots\r\n"
                + ".\r"
                + "X not the end\r\n"
                + "bare\n.\nLF dot LF is not the end\r\n"
                + "日本語の本文\r\n";
        String stuffed = message.replace("\r\n.", "\r\n..");
        client.raw((stuffed + ".\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");

        RecordingReceiver.Received received = receiver.take();
        // the one bare CR (".\rX") is stored as CRLF, as the delivery side sends it on (DotTerminatedData)
        assertThat(received.data()).isEqualTo(message.replace(".\rX", ".\r\nX").getBytes(StandardCharsets.UTF_8));
        Envelope envelope = received.envelope();
        assertThat(envelope.direction()).isEqualTo(Direction.INBOUND);
        assertThat(envelope.mailFrom()).isEqualTo("sender@example.net");
        assertThat(envelope.recipients()).containsExactly("Taro@EXAMPLE.CO.JP", "hanako@example.co.jp.");
        assertThat(envelope.clientAddress()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
        assertThat(envelope.helo()).isEqualTo("client.example.net");
        assertThat(envelope.authenticatedUser()).isNull();
        assertThat(envelope.tls()).isFalse();
        assertThat(envelope.receivedAt()).isEqualTo(NOW);
        assertThat(meters.counter("mamori.smtp.messages", "listener", "inbound", "result", "accepted").count()).isEqualTo(1.0);
    }

    @Test
    void theInternalDomainPolicyIsAskedAgainOnEveryRecipient() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        assertThat(client.command("MAIL FROM:<>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<a@new.example>")).isEqualTo("550 5.7.1 Relaying denied");
        internalDomains.add("new.example");
        assertThat(client.command("RCPT TO:<a@new.example>")).isEqualTo("250 2.1.5 Ok");
    }

    @Test
    void pipelinedCommandsAndCommandsAfterTheFinalDotAreAllAnswered() throws Exception {
        SmtpDialogue client = startedAndGreeted();
        client.raw(("MAIL FROM:<a@example.net>\r\nRCPT TO:<taro@example.co.jp>\r\nRCPT TO:<x@other.example>\r\nDATA\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.1.0 Ok");
        assertThat(client.reply()).isEqualTo("250 2.1.5 Ok");
        assertThat(client.reply()).isEqualTo("550 5.7.1 Relaying denied");
        assertThat(client.reply()).startsWith("354 ");
        client.raw("Subject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<b@example.net>\r\nRCPT TO:<jiro@example.co.jp>\r\nDATA\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(client.reply()).isEqualTo("250 2.1.0 Ok");
        assertThat(client.reply()).isEqualTo("250 2.1.5 Ok");
        assertThat(client.reply()).startsWith("354 ");
        client.raw("Subject: two\r\n\r\nbody\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q2");
        assertThat(client.reply()).isEqualTo("221 2.0.0 Bye");
        assertThat(new String(receiver.take().data(), StandardCharsets.US_ASCII)).isEqualTo("Subject: one\r\n\r\nbody\r\n");
        RecordingReceiver.Received second = receiver.take();
        assertThat(second.envelope().mailFrom()).isEqualTo("b@example.net");
        assertThat(new String(second.data(), StandardCharsets.US_ASCII)).isEqualTo("Subject: two\r\n\r\nbody\r\n");
    }

    @Test
    void sizeParameterAboveTheLimitIsRefused() throws IOException {
        SmtpDialogue client = start(config().withMaxMessageSize(10_000));
        client.reply();
        assertThat(client.command("EHLO c.example")).contains("250-SIZE 10000");
        assertThat(client.command("MAIL FROM:<a@example.net> SIZE=10001"))
                .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(client.command("MAIL FROM:<a@example.net> SIZE=99999999999999999999"))
                .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(client.command("MAIL FROM:<a@example.net> SIZE=10000")).isEqualTo("250 2.1.0 Ok");
    }

    @Test
    void oversizeDataIsRefusedAfterTheFinalDotAndTheSessionGoesOn() throws Exception {
        SmtpDialogue client = start(config().withMaxMessageSize(10_000));
        client.reply();
        client.command("EHLO c.example");
        openTransaction(client);
        assertThat(client.command("DATA")).startsWith("354 ");
        // Exactly at the limit passes ...
        byte[] body = ("x".repeat(98) + "\r\n").repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat(body).hasSize(10_000);
        client.raw(body);
        client.raw(".\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(receiver.take().data()).isEqualTo(body);
        // ... one byte more does not, and nothing reaches a 250.
        openTransaction(client);
        assertThat(client.command("DATA")).startsWith("354 ");
        client.raw(body);
        client.raw("y\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(receiver.readFailure()).isInstanceOf(DotTerminatedData.LimitExceeded.class);
        assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
    }

    @Test
    void theHundredAndFirstRecipientGets452() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("250 2.1.0 Ok");
        for (int i = 1; i <= 100; i++) {
            assertThat(client.command("RCPT TO:<user" + i + "@example.co.jp>")).as("recipient %d", i).isEqualTo("250 2.1.5 Ok");
        }
        assertThat(client.command("RCPT TO:<user101@example.co.jp>")).isEqualTo("452 4.5.3 Too many recipients");
        assertThat(client.command("DATA")).startsWith("354 ");
        client.raw("\r\nhi\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).startsWith("250 2.0.0");
    }

    @Test
    void anOverLongCommandLineGets500AndTheConnectionIsClosed() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        // subethasmtp accepts command lines of up to 997 characters plus CRLF (RFC 5321 §4.5.3.1.4 asks for 512).
        assertThat(client.command("NOOP " + "x".repeat(992))).as("999 bytes with CRLF").isEqualTo("250 2.0.0 Ok");
        assertThat(client.command("NOOP " + "x".repeat(993))).isEqualTo("500 5.5.2 Line too long, closing connection");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void anOverLongLineInDataGets554AfterTheFinalDot() throws Exception {
        SmtpDialogue client = startedAndGreeted();
        openTransaction(client);
        assertThat(client.command("DATA")).startsWith("354 ");
        client.raw(("Subject: long\r\n\r\n" + "a".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        client.raw(("b".repeat(999) + "\r\nmore\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("554 5.6.0 Message contains a line longer than 1000 bytes (RFC 5322 section 2.1.1)");
        assertThat(client.command("RSET")).isEqualTo("250 2.0.0 Ok");
    }

    @Test
    void aReceiverExceptionIsATemporaryFailure() throws Exception {
        receiver.answer((envelope, data) -> {
            throw new IOException("spool disk full");
        });
        SmtpDialogue client = startedAndGreeted();
        openTransaction(client);
        client.command("DATA");
        client.raw("Subject: x\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("451 4.3.0 Temporary failure, try again later");

        receiver.answer((envelope, data) -> {
            throw new IllegalStateException("bug");
        });
        openTransaction(client);
        client.command("DATA");
        client.raw("Subject: y\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("451 4.3.0 Temporary failure, try again later");
    }

    @Test
    void aReceiverRefusalIsAnsweredWithItsCode() throws Exception {
        receiver.answer((envelope, data) -> new ReceiveResult.Refused(550, "5.7.1", "Message rejected by policy"));
        SmtpDialogue client = startedAndGreeted();
        openTransaction(client);
        client.command("DATA");
        client.raw("Subject: x\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("550 5.7.1 Message rejected by policy");
        receiver.answer((envelope, data) -> new ReceiveResult.Refused(451, "4.7.1", "Try later"));
        openTransaction(client);
        client.command("DATA");
        client.raw("Subject: x\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("451 4.7.1 Try later");
    }

    @Test
    void aStalledDataPhaseIsClosedAfterTheDataTimeout() throws Exception {
        SmtpDialogue client = start(config().withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(400)));
        client.reply();
        client.command("EHLO c.example");
        openTransaction(client);
        client.command("DATA");
        client.raw("Subject: stalled\r\n\r\npart".getBytes(StandardCharsets.US_ASCII));
        long started = System.nanoTime();
        assertThat(client.reply()).isEqualTo("421 4.4.2 Timeout waiting for data, closing connection");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(client.closedByServer()).isTrue();
        assertThat(receiver.readFailure()).isInstanceOf(java.net.SocketTimeoutException.class);
    }

    @Test
    void aDataPhaseTricklingInEachByteWithinTheReadTimeoutIsClosedAtItsDeadline() throws Exception {
        // read timeout 300 ms, so the whole DATA has ten of them: 3 s
        SmtpDialogue client = start(config().withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(300)));
        client.reply();
        client.command("EHLO c.example");
        openTransaction(client);
        assertThat(client.command("DATA")).startsWith("354");
        client.raw("Subject: slow\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // a short line every 100 ms (each line in time): far past the deadline unless the session is closed
        assertThat(trickle(client, new byte[] {'x', '\r', '\n'})).as("lines trickled before the session was closed")
                .isLessThan(300);
        assertThat(client.reply()).isEqualTo("421 4.4.2 Timeout waiting for data, closing connection");
        assertThat(client.closedByServer()).isTrue();
        assertThat(receiver.readFailure()).isInstanceOf(java.net.SocketTimeoutException.class)
                .hasMessage("DATA did not complete in the time allowed");
    }

    @Test
    void aCommandLineTrickledInAByteAtATimeIsClosedOnceItTakesLongerThanTheCommandTimeout() throws Exception {
        SmtpDialogue client = start(config().withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(30)));
        client.reply();
        assertThat(client.command("EHLO c.example")).startsWith("250-");
        // each byte well within the read timeout
        assertThat(trickle(client, new byte[] {'N'})).as("bytes trickled before the session was closed").isLessThan(300);
        assertThat(client.reply()).isEqualTo("421 4.4.2 Timeout waiting for a command, closing connection");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void anIdleSessionIsClosedAfterTheCommandTimeout() throws IOException {
        SmtpDialogue client = start(config().withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(30)));
        client.reply();
        assertThat(client.reply()).isEqualTo("421 4.4.2 Timeout waiting for a command, closing connection");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void connectionsBeyondThePerClientLimitGet421AndAreClosed() throws Exception {
        SmtpDialogue first = start(config().withConnectionLimits(10, 2));
        assertThat(first.reply()).startsWith("220 ");
        SmtpDialogue second = connect();
        assertThat(second.reply()).startsWith("220 ");
        SmtpDialogue third = connect();
        assertThat(third.reply()).isEqualTo("421 4.7.0 Too many connections from your address");
        assertThat(third.closedByServer()).isTrue();
        assertThat(meters.counter("mamori.smtp.connections", "listener", "inbound", "result", "rejected").count()).isEqualTo(1.0);
        // A slot frees up when a session ends.
        assertThat(second.command("QUIT")).isEqualTo("221 2.0.0 Bye");
        assertThat(second.closedByServer()).isTrue();
        awaitActiveSessions(1);
        SmtpDialogue fourth = connect();
        assertThat(fourth.reply()).startsWith("220 ");
    }

    @Test
    void thePerClientLimitCountsAnIpv6ClientByItsSlash64() throws Exception {
        InetAddress one = InetAddress.getByName("2001:db8:1:2::10");
        InetAddress sameNetwork = InetAddress.getByName("2001:db8:1:2:ffff:ffff:ffff:1");
        InetAddress otherNetwork = InetAddress.getByName("2001:db8:1:3::10");
        assertThat(SmtpListener.limitedAs(one)).isEqualTo(SmtpListener.limitedAs(sameNetwork))
                .isEqualTo(InetAddress.getByName("2001:db8:1:2::"));
        assertThat(SmtpListener.limitedAs(otherNetwork)).isNotEqualTo(SmtpListener.limitedAs(one));
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        assertThat(SmtpListener.limitedAs(v4)).isEqualTo(v4);
    }

    @Test
    void connectionsBeyondTheTotalLimitGet421WithAnEnhancedCode() throws Exception {
        SmtpDialogue first = start(config().withConnectionLimits(1, 1));
        assertThat(first.reply()).startsWith("220 ");
        SmtpDialogue second = connect();
        assertThat(second.reply()).isEqualTo("421 4.3.2 Too many connections, try again later");
        assertThat(second.closedByServer()).isTrue();
    }

    @Test
    void aHeloNameWithControlCharactersOrReceivedHeaderSyntaxIsRefusedAndASloppyOneIsNot() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        // a NUL would be refused only by the store, after the whole analysis, on every retry
        for (String bad : List.of("a\u0000b", "a\tb", "mx;by evil", "mx(comment)", "x".repeat(256))) {
            assertThat(client.command("EHLO " + bad)).as(bad).isEqualTo("501 5.5.4 Syntax: EHLO hostname");
            assertThat(client.command("HELO " + bad)).as(bad).isEqualTo("501 5.5.4 Syntax: HELO hostname");
        }
        assertThat(client.command("HELO my_host")).startsWith("250 ");
        assertThat(client.command("EHLO [192.0.2.1]")).startsWith("250-");
    }

    @Test
    void aSessionWithTwentyErrorRepliesIsClosedAtItsNextCommand() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        openTransaction(client);
        // an address harvester: refused recipients and unknown commands, ours and the library's replies alike
        for (int i = 0; i < 10; i++) {
            assertThat(client.command("RCPT TO:<user" + i + "@elsewhere.example>")).startsWith("5");
            assertThat(client.command("FROB " + i)).startsWith("500 ");
        }
        assertThat(client.command("RCPT TO:<taro@example.co.jp>")).isEqualTo("421 4.7.0 Too many errors, closing connection");
        assertThat(client.closedByServer()).isTrue();
        assertThat(meters.counter("mamori.smtp.connections", "listener", "inbound", "result", "too-many-errors").count())
                .isEqualTo(1.0);
    }

    @Test
    void nineteenErrorRepliesStillLetTheSessionSendMail() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        openTransaction(client);
        for (int i = 0; i < 19; i++) {
            assertThat(client.command("RCPT TO:<user" + i + "@elsewhere.example>")).startsWith("5");
        }
        assertThat(client.command("RCPT TO:<hanako@example.co.jp>")).startsWith("250");
    }

    @Test
    void unknownAndMalformedCommandsGetEnhancedCodes() throws IOException {
        SmtpDialogue client = startedAndGreeted();
        assertThat(client.command("FROB x")).isEqualTo("500 5.5.1 Command unrecognized");
        assertThat(client.command("RCPTX TO:<a@example.co.jp>")).isEqualTo("500 5.5.1 Command unrecognized");
        assertThat(client.command("AB")).isEqualTo("500 5.5.2 Syntax error, command unrecognized");
        assertThat(client.command("RCPT TO:<a@example.co.jp>")).isEqualTo("503 5.5.1 Error: need MAIL command");
        assertThat(client.command("MAIL FROM:a@example.net")).isEqualTo("501 5.5.4 Syntax: MAIL FROM:<address>");
        assertThat(client.command("MAIL FROM:<a@example.net> RET=FULL")).isEqualTo("555 5.5.4 Unsupported parameter RET");
        assertThat(client.command("MAIL FROM:<not an address>")).isEqualTo("553 5.1.7 Bad sender address syntax");
        assertThat(client.command("MAIL FROM:<山田@example.net>")).isEqualTo("553 5.6.7 Non-ASCII address requires SMTPUTF8");
        assertThat(client.command("MAIL FROM:<山田@example.net> SMTPUTF8")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("503 5.5.1 Error: nested MAIL command");
        assertThat(client.command("BDAT 10 LAST")).isEqualTo("502 5.5.1 BDAT not supported");
        assertThat(client.command("VRFY root")).isEqualTo("502 5.5.1 VRFY command is disabled");
    }

    @Test
    void mailBeforeHeloIsRefusedAndRequireTlsRefusesMailBeforeStartTls() throws IOException {
        SmtpDialogue client = start(config().withRequireTls(true));
        client.reply();
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("503 5.5.1 Error: send HELO/EHLO first");
        client.command("EHLO c.example");
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        client.startTls(TestTls.client());
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("503 5.5.1 Error: send HELO/EHLO first");
        client.command("EHLO c.example");
        assertThat(client.command("MAIL FROM:<a@example.net>")).isEqualTo("250 2.1.0 Ok");
    }

    private void awaitActiveSessions(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (listener.activeSessions() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(listener.activeSessions()).isEqualTo(expected);
    }
}
