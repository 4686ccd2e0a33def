package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.gateway.delivery.DeliveryResult.Outcome;
import io.mamori.gateway.delivery.DeliveryResult.SessionFailure.Kind;
import io.mamori.gateway.testing.TestCertificates;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.testing.TestSmtpServer.FailureMode;
import io.mamori.gateway.testing.TestSmtpServer.ReceivedMessage;
import io.mamori.gateway.testing.TestSmtpServer.Reply;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmtpClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CONTENT = ("From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: dots\r\n\r\n"
            + "first line\r\n.hidden line starts with a dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n"
            + "日本語の本文\r\n").getBytes(StandardCharsets.UTF_8);

    private final SmtpClient client = new SmtpClient(SmtpTimeouts.all(Duration.ofSeconds(5)));
    private TestSmtpServer server = new TestSmtpServer().start();

    @AfterEach
    void tearDown() {
        server.close();
        client.close();
    }

    private HostAndPort hop() {
        return new HostAndPort("127.0.0.1", server.port());
    }

    private DeliveryResult send(List<String> rcpts, TlsPolicy tls) {
        return client.deliver(hop(), "gw.test", "a@sender.test", rcpts, new ByteArrayInputStream(CONTENT), CONTENT.length, tls);
    }

    @Test
    void deliveredBytesEqualTheContentIncludingLinesStartingWithADot() {
        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients()).extracting(DeliveryResult.RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(result.recipients().get(0).reply()).startsWith("250 2.0.0");
        assertThat(result.failure()).isEmpty();
        ReceivedMessage m = server.takeMessage(WAIT);
        assertThat(m.data()).isEqualTo(CONTENT);
        assertThat(m.mailFrom()).isEqualTo("a@sender.test");
        assertThat(m.rcpts()).containsExactly("b@rcpt.test");
        assertThat(m.tls()).isFalse();
    }

    @Test
    void consecutiveMessagesToOneHopTravelOverOneConnectionWithoutANewGreeting() {
        for (int i = 0; i < 3; i++) {
            DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
            assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        }

        assertThat(server.messageCount()).isEqualTo(3);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.commandLog()).filteredOn(c -> c.startsWith("EHLO")).hasSize(1);
        assertThat(server.commandLog()).filteredOn(c -> c.startsWith("MAIL FROM")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(server.takeMessage(WAIT).data()).isEqualTo(CONTENT);
        }
    }

    @Test
    void aReusedConnectionThePeerClosedMeanwhileIsReplacedAndTheMessageStillDelivered() {
        send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        server.dropConnections();

        DeliveryResult second = send(List.of("c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(second.addressesWith(Outcome.DELIVERED)).containsExactly("c@rcpt.test");
        assertThat(second.failure()).isEmpty();
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.messageCount()).isEqualTo(2);
    }

    @Test
    void aReusedConnectionAnswering421ToMailIsReplacedAndTheMessageStillDelivered() {
        send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        server.enqueue(Reply.at(TestSmtpServer.Stage.MAIL, 421, "4.4.2 Idle timeout, closing connection"));

        DeliveryResult second = send(List.of("c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(second.addressesWith(Outcome.DELIVERED)).containsExactly("c@rcpt.test");
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void aConnectionIsNotReusedAfterATemporaryFailure() {
        server.enqueue(Reply.tempFail451());
        send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        DeliveryResult second = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(second.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.commandLog()).filteredOn("QUIT"::equals).hasSize(1);
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterTheIdleTimeout() throws Exception {
        try (SmtpClient shortIdle = new SmtpClient(SmtpTimeouts.all(WAIT), SmtpClient.trusting(null), Duration.ofMillis(200))) {
            shortIdle.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"), new ByteArrayInputStream(CONTENT),
                    TlsPolicy.OPPORTUNISTIC);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!server.commandLog().contains("QUIT") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.commandLog()).contains("QUIT");

            shortIdle.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"), new ByteArrayInputStream(CONTENT),
                    TlsPolicy.OPPORTUNISTIC);
            assertThat(server.connectionCount()).isEqualTo(2);
            assertThat(server.messageCount()).isEqualTo(2);
        }
    }

    @Test
    void aConnectionIsOnlyReusedUnderTheEhloNameItWasOpenedWith() {
        send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        client.deliver(hop(), "other-gw.test", "a@sender.test", List.of("b@rcpt.test"), new ByteArrayInputStream(CONTENT),
                TlsPolicy.OPPORTUNISTIC);

        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void mailFromCarriesSizeAndEightBitWhenOffered() {
        send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(server.commandLog()).contains("MAIL FROM:<a@sender.test> SIZE=" + CONTENT.length + " BODY=8BITMIME");
    }

    @Test
    void hostWithoutEightBitMimeGetsTheContentInSevenBit() throws IOException {
        server.close();
        server = new TestSmtpServer().eightBitMime(false).start();

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        byte[] data = server.takeMessage(WAIT).data();
        for (byte b : data) {
            assertThat(b).as("every octet 7-bit (RFC 6152 §3)").isPositive();
        }
        String text = new String(data, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: dots\r\n")
                .contains("Content-Transfer-Encoding: quoted-printable\r\n");
        byte[] body = java.util.Arrays.copyOfRange(data, text.indexOf("\r\n\r\n") + 4, data.length);
        String contentText = new String(CONTENT, StandardCharsets.UTF_8);
        try (InputStream decoder = new org.apache.james.mime4j.codec.QuotedPrintableInputStream(new ByteArrayInputStream(body), true)) {
            assertThat(new String(decoder.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(contentText.substring(contentText.indexOf("\r\n\r\n") + 4));
        }
    }

    @Test
    void theSizeDeclaredToAHostWithoutEightBitMimeIsThatOfTheConvertedMessageItReceives() {
        server.close();
        server = new TestSmtpServer().eightBitMime(false).start();

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        TestSmtpServer.ReceivedMessage received = server.takeMessage(WAIT);
        // RFC 1870: SIZE is the size of the message sent, which the conversion made larger than the stored one
        assertThat(received.data().length).isNotEqualTo(CONTENT.length);
        assertThat(received.mailParameters()).containsExactly(java.util.Map.entry("SIZE", String.valueOf(received.data().length)));
    }

    @Test
    void sevenBitContentGoesUnchangedToAHostWithoutEightBitMime() {
        server.close();
        server = new TestSmtpServer().eightBitMime(false).start();
        byte[] ascii = "From: a@sender.test\r\nSubject: plain\r\n\r\n.dot line\r\nend\r\n".getBytes(StandardCharsets.US_ASCII);

        DeliveryResult result = client.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                new ByteArrayInputStream(ascii), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(server.takeMessage(WAIT).data()).isEqualTo(ascii);
    }

    @Test
    void messageThatCannotBeConvertedForAHostWithoutEightBitMimeIsReturnedWith563AndNothingIsDelivered() {
        server.close();
        server = new TestSmtpServer().eightBitMime(false).start();
        byte[] content = ("From: a@sender.test\r\nX-Long: " + "x".repeat(1024 * 1024 + 10) + "\r\n\r\n日本語\r\n")
                .getBytes(StandardCharsets.UTF_8);

        DeliveryResult result = client.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                new ByteArrayInputStream(content), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.PERM_FAILED);
            assertThat(r.reply()).startsWith("554 5.6.3 ").contains("does not offer 8BITMIME");
        });
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.LOCAL));
        assertThat(server.messageCount()).isZero();
        assertThat(server.commandLog()).as("no transaction begun").containsExactly("EHLO gw.test", "QUIT");
    }

    @Test
    void nonAsciiAddressesAskForSmtpUtf8() {
        DeliveryResult result = client.deliver(hop(), "gw.test", "送信者@example.test", List.of("受信者@example.test"),
                new ByteArrayInputStream(CONTENT), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("受信者@example.test");
        assertThat(server.commandLog()).anyMatch(c -> c.startsWith("MAIL FROM:<送信者@example.test>") && c.endsWith(" SMTPUTF8"));
        assertThat(server.takeMessage(WAIT).rcpts()).containsExactly("受信者@example.test");
    }

    @Test
    void aThreeHundredReplyToARecipientOrToTheEndOfDataIsNoAcceptance() {
        // a broken server: RFC 5321 gives 3xx only to DATA (354); anything else is not "accepted"
        server.enqueue(Reply.at(TestSmtpServer.Stage.DATA_END, 354, "go on"));
        DeliveryResult end = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(end.recipients()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.TEMP_FAILED);
            assertThat(r.reply()).startsWith("354 go on");
        });

        server.enqueue(Reply.at(TestSmtpServer.Stage.RCPT, 354, "maybe"));
        DeliveryResult rcpt = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(rcpt.addressesWith(Outcome.TEMP_FAILED)).containsExactly("b@rcpt.test");
        assertThat(rcpt.addressesWith(Outcome.DELIVERED)).containsExactly("c@rcpt.test");
    }

    @Test
    void aPeerDrippingItsReplyAByteAtATimeIsGivenUpOnceTheReplyTakesLongerThanItsTimeout() throws Exception {
        // each byte well within the read timeout (500 ms); the whole greeting would take 30 s
        try (java.net.ServerSocket dripping = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             SmtpClient impatient = new SmtpClient(SmtpTimeouts.all(Duration.ofMillis(500)))) {
            int[] sent = {0};
            Thread peer = new Thread(() -> {
                try (java.net.Socket s = dripping.accept()) {
                    java.io.OutputStream out = s.getOutputStream();
                    for (byte b : ("220-" + "x".repeat(296)).getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        sent[0]++;
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the client gave up: what the test expects
                }
            });
            peer.start();

            DeliveryResult result = impatient.deliver(new HostAndPort("127.0.0.1", dripping.getLocalPort()), "gw.test",
                    "a@sender.test", List.of("b@rcpt.test"), new ByteArrayInputStream(CONTENT), CONTENT.length,
                    TlsPolicy.OPPORTUNISTIC);

            assertThat(result.addressesWith(Outcome.TEMP_FAILED)).containsExactly("b@rcpt.test");
            assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TIMEOUT));
            peer.join(40_000);
            assertThat(sent[0]).as("bytes dripped before the client gave up").isLessThan(300);
        }
    }

    @Test
    void aReplyDrippedOverTlsIsGivenUpAtItsDeadlineAlthoughEachTlsRecordReadWaitsForTheWholeRecord() throws Exception {
        // After STARTTLS the peer writes its EHLO reply as one TLS record, one byte every 200 ms (about a minute in
        // all): each byte arrives well within the read timeout, and the TLS layer waits for the whole record.
        SSLContext serverTls = TestCertificates.selfSigned("drip.test").server();
        try (DrippingServerSocket listener = new DrippingServerSocket();
             SmtpClient impatient = new SmtpClient(SmtpTimeouts.all(Duration.ofSeconds(3)))) {
            Thread peer = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write("220 drip.test\r\n".getBytes(StandardCharsets.US_ASCII));
                    readLine(in);
                    out.write("250-drip.test\r\n250 STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                    readLine(in);
                    out.write("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                    SSLSocket tls = (SSLSocket) serverTls.getSocketFactory().createSocket(s, null, s.getPort(), true);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    readLine(tls.getInputStream());
                    listener.dripping.set(true);
                    tls.getOutputStream().write(("250-drip.test " + "x".repeat(250) + "\r\n250 OK\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the client gave up: what the test expects
                }
            });
            peer.start();
            long start = System.nanoTime();

            DeliveryResult result = impatient.deliver(new HostAndPort("127.0.0.1", listener.getLocalPort()), "gw.test",
                    "a@sender.test", List.of("b@rcpt.test"), new ByteArrayInputStream(CONTENT), CONTENT.length,
                    TlsPolicy.OPPORTUNISTIC, Duration.ofSeconds(5));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(listener.dripped.get()).as("the dripped record was under way").isPositive();
            assertThat(result.addressesWith(Outcome.TEMP_FAILED)).containsExactly("b@rcpt.test");
            assertThat(result.failure()).hasValueSatisfying(f -> {
                assertThat(f.kind()).isEqualTo(Kind.TIMEOUT);
                assertThat(f.detail()).isEqualTo("timeout waiting for the reply to EHLO from " + result.hop());
            });
            peer.join(10_000);
        }
    }

    @Test
    void tempFailureThenSuccessDeliversOnce() {
        server.enqueue(Reply.tempFail451());

        DeliveryResult first = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(first.recipients()).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.TEMP_FAILED);
            assertThat(r.reply()).startsWith("451 4.3.0");
        });
        assertThat(server.messageCount()).isZero();

        DeliveryResult second = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(second.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test", "c@rcpt.test");
        assertThat(server.messageCount()).isEqualTo(1);
        assertThat(server.takeMessage(WAIT).data()).isEqualTo(CONTENT);
    }

    @Test
    void oneRecipientRefusedWith550AmongAcceptedOnes() {
        server.enqueue(Reply.rcptReject("c@rcpt.test", 550));

        DeliveryResult result = send(List.of("b@rcpt.test", "c@rcpt.test", "d@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test", "d@rcpt.test");
        assertThat(result.addressesWith(Outcome.PERM_FAILED)).containsExactly("c@rcpt.test");
        assertThat(result.recipients().get(1).reply()).startsWith("550 5.1.1");
        assertThat(server.takeMessage(WAIT).rcpts()).containsExactly("b@rcpt.test", "d@rcpt.test");
    }

    @Test
    void recipientDeferredWith450StaysTemporaryWhileOthersAreDelivered() {
        server.enqueue(Reply.rcptReject("b@rcpt.test", 450));

        DeliveryResult result = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.TEMP_FAILED)).containsExactly("b@rcpt.test");
        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("c@rcpt.test");
        assertThat(result.allTempFailed()).isFalse();
    }

    @Test
    void everyRecipientRefusedSendsNoData() {
        server.enqueue(Reply.rcptReject("b@rcpt.test", 550));

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.PERM_FAILED)).containsExactly("b@rcpt.test");
        assertThat(server.messageCount()).isZero();
    }

    @Test
    void rejectionAfterDataFailsEveryAcceptedRecipientPermanently() {
        server.enqueue(Reply.reject550());

        DeliveryResult result = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients()).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.PERM_FAILED);
            assertThat(r.reply()).isEqualTo("550 5.7.1 Message rejected");
        });
    }

    @Test
    void senderRefusedAtMailFromFailsAllRecipientsWithThatReply() {
        server.enqueue(Reply.at(TestSmtpServer.Stage.MAIL, 452, "4.3.1 Insufficient system storage"));

        DeliveryResult result = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients()).allSatisfy(r -> assertThat(r.reply()).isEqualTo("452 4.3.1 Insufficient system storage"));
        assertThat(result.allTempFailed()).isTrue();
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.REPLY));
    }

    @Test
    void disconnectAfterDataIsATemporaryFailure() {
        server.enqueue(FailureMode.DISCONNECT_AFTER_DATA);

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(Kind.CONNECT);
            assertThat(f.detail()).contains("end of data");
        });
        assertThat(server.messageCount()).isZero();
    }

    @Test
    void stalledServerTimesOutAsATemporaryFailure() {
        server.enqueue(FailureMode.STALL);
        SmtpTimeouts shortEnd = new SmtpTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(700));
        long start = System.nanoTime();
        DeliveryResult result;
        try (SmtpClient impatient = new SmtpClient(shortEnd)) {
            result = impatient.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                    new ByteArrayInputStream(CONTENT), TlsPolicy.OPPORTUNISTIC);
        }

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TIMEOUT));
    }

    @Test
    void theTransactionsTimeLimitCutsAStalledReplyShortOfItsOwnTimeout() {
        server.enqueue(FailureMode.STALL);
        long start = System.nanoTime();

        DeliveryResult result = client.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                new ByteArrayInputStream(CONTENT), CONTENT.length, TlsPolicy.OPPORTUNISTIC, Duration.ofMillis(800));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the reply timeout is 5 s").isLessThan(Duration.ofSeconds(4));
        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(f.detail()).isEqualTo("time limit of the delivery attempt reached during end of data with " + hop());
        });
    }

    @Test
    void aRecipientProbeAsksWithTheNullSenderAndSendsNoMail() {
        server.enqueue(TestSmtpServer.Reply.rcptReject("gone@rcpt.test", 550));

        DeliveryResult known = client.verifyRecipient(hop(), "gw.test", "b@rcpt.test", TlsPolicy.OPPORTUNISTIC, WAIT);
        DeliveryResult gone = client.verifyRecipient(hop(), "gw.test", "gone@rcpt.test", TlsPolicy.OPPORTUNISTIC, WAIT);

        assertThat(known.recipients()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.DELIVERED);
            assertThat(r.reply()).startsWith("250");
        });
        assertThat(gone.recipients()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.PERM_FAILED);
            assertThat(r.reply()).startsWith("550 5.1.1");
        });
        assertThat(server.commandLog()).filteredOn(c -> c.startsWith("MAIL FROM")).containsOnly("MAIL FROM:<>");
        assertThat(server.commandLog()).noneMatch(c -> c.startsWith("DATA"));
        assertThat(server.messageCount()).isZero();
    }

    @Test
    void noConnectionIsOpenedWhenTheTransactionHasNoTimeLeft() {
        DeliveryResult result = client.deliver(hop(), "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                new ByteArrayInputStream(CONTENT), CONTENT.length, TlsPolicy.OPPORTUNISTIC, Duration.ZERO);

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TIMEOUT));
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void serverThatDropsConnectionsBeforeTheGreetingIsATemporaryFailure() {
        server.enqueue(FailureMode.REFUSE_CONNECTIONS);

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.allTempFailed()).isTrue();
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.CONNECT));
    }

    @Test
    void downstreamThatIsDownGetsTheMailOnceItIsBack() {
        server.stop();
        DeliveryResult whileDown = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(whileDown.allTempFailed()).as("%s", whileDown).isTrue();
        assertThat(whileDown.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.CONNECT));

        server.start();
        DeliveryResult afterwards = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);
        assertThat(afterwards.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(server.takeMessage(WAIT).data()).isEqualTo(CONTENT);
    }

    @Test
    void worksWithoutPipelining() {
        server.close();
        server = new TestSmtpServer().pipelining(false).start();
        server.enqueue(Reply.rcptReject("c@rcpt.test", 550));

        DeliveryResult result = send(List.of("b@rcpt.test", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(result.addressesWith(Outcome.PERM_FAILED)).containsExactly("c@rcpt.test");
        assertThat(server.takeMessage(WAIT).data()).isEqualTo(CONTENT);
    }

    @Test
    void messageLargerThanTheServersSizeLimitFailsPermanentlyWithoutSendingIt() {
        server.close();
        server = new TestSmtpServer().maxMessageSize(100).start();

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.PERM_FAILED);
        assertThat(result.recipients().get(0).reply()).startsWith("552 5.3.4");
        assertThat(server.commandLog()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void requiredTlsAgainstAServerWithoutStartTlsFailsTemporarilyAndSendsNothing() {
        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.REQUIRED);

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.recipients().get(0).reply()).contains("TLS required but not available");
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TLS));
        assertThat(server.commandLog()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void requiredTlsWithATrustedCertificateForTheHostDelivers() throws Exception {
        TestCertificates.Issued cert = TestCertificates.selfSigned("mx.partner.test");
        server.close();
        server = new TestSmtpServer(cert.server()).start();
        HostAndPort mx = new HostAndPort("mx.partner.test", server.port(), InetAddress.getByName("127.0.0.1"));

        DeliveryResult result;
        try (SmtpClient verifying = new SmtpClient(SmtpTimeouts.all(WAIT), SmtpClient.trusting(cert.trust()))) {
            result = verifying.deliver(mx, "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                    new ByteArrayInputStream(CONTENT), TlsPolicy.REQUIRED);
        }

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(result.tls()).isTrue();
        ReceivedMessage m = server.takeMessage(WAIT);
        assertThat(m.tls()).isTrue();
        assertThat(m.data()).isEqualTo(CONTENT);
        assertThat(server.commandLog()).containsSubsequence("EHLO gw.test", "STARTTLS", "EHLO gw.test");
    }

    @Test
    void requiredTlsRefusesACertificateForAnotherHostName() throws Exception {
        TestCertificates.Issued cert = TestCertificates.selfSigned("other.test");
        server.close();
        server = new TestSmtpServer(cert.server()).start();
        HostAndPort mx = new HostAndPort("mx.partner.test", server.port(), InetAddress.getByName("127.0.0.1"));

        DeliveryResult result;
        try (SmtpClient verifying = new SmtpClient(SmtpTimeouts.all(WAIT), SmtpClient.trusting(cert.trust()))) {
            result = verifying.deliver(mx, "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                    new ByteArrayInputStream(CONTENT), TlsPolicy.REQUIRED);
        }

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TLS));
        assertThat(server.messageCount()).isZero();
    }

    @Test
    void requiredTlsRefusesACertificateOutsideTheTrustStore() throws Exception {
        TestCertificates.Issued cert = TestCertificates.selfSigned("mx.partner.test");
        server.close();
        server = new TestSmtpServer(cert.server()).start();
        HostAndPort mx = new HostAndPort("mx.partner.test", server.port(), InetAddress.getByName("127.0.0.1"));

        DeliveryResult result = client.deliver(mx, "gw.test", "a@sender.test", List.of("b@rcpt.test"),
                new ByteArrayInputStream(CONTENT), TlsPolicy.REQUIRED);

        assertThat(result.recipients().get(0).outcome()).isEqualTo(Outcome.TEMP_FAILED);
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.TLS));
        assertThat(server.messageCount()).isZero();
    }

    @Test
    void opportunisticTlsEncryptsEvenWithAnUntrustedCertificate() {
        server.close();
        server = new TestSmtpServer(TestCertificates.selfSigned("self.signed.test").server()).start();

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(result.tls()).isTrue();
        assertThat(server.takeMessage(WAIT).tls()).isTrue();
    }

    @Test
    void failedOpportunisticHandshakeIsRetriedInPlainText() throws Exception {
        javax.net.ssl.SSLContext withoutCertificate = javax.net.ssl.SSLContext.getInstance("TLS");
        withoutCertificate.init(null, null, null);
        server.close();
        server = new TestSmtpServer(withoutCertificate).start();

        DeliveryResult result = send(List.of("b@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("b@rcpt.test");
        assertThat(result.tls()).isFalse();
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.takeMessage(WAIT).data()).isEqualTo(CONTENT);
    }

    @Test
    void addressWithALineBreakIsRefusedLocallyAndNeverSent() {
        DeliveryResult result = send(List.of("b@rcpt.test>\r\nRSET", "c@rcpt.test"), TlsPolicy.OPPORTUNISTIC);

        assertThat(result.addressesWith(Outcome.PERM_FAILED)).containsExactly("b@rcpt.test>\r\nRSET");
        assertThat(result.addressesWith(Outcome.DELIVERED)).containsExactly("c@rcpt.test");
        assertThat(server.commandLog()).noneMatch(c -> c.equals("RSET"));
    }

    /**
     * Accepts connections whose writes, once {@link #dripping} is set, go out one byte every 200 ms; a server TLS socket
     * layered on such a connection writes its records through it.
     */
    private static final class DrippingServerSocket extends ServerSocket {
        final AtomicBoolean dripping = new AtomicBoolean();
        final AtomicInteger dripped = new AtomicInteger();

        DrippingServerSocket() throws IOException {
            super(0, 1, InetAddress.getLoopbackAddress());
        }

        @Override
        public Socket accept() throws IOException {
            Socket s = new Socket() {
                @Override
                public OutputStream getOutputStream() throws IOException {
                    OutputStream raw = super.getOutputStream();
                    return new FilterOutputStream(raw) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            if (!dripping.get()) {
                                raw.write(b, off, len);
                                return;
                            }
                            for (int i = 0; i < len; i++) {
                                raw.write(b[off + i]);
                                raw.flush();
                                dripped.incrementAndGet();
                                try {
                                    Thread.sleep(200);
                                } catch (InterruptedException e) {
                                    throw new InterruptedIOException();
                                }
                            }
                        }
                    };
                }
            };
            implAccept(s);
            return s;
        }
    }

    private static void readLine(InputStream in) throws IOException {
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException();
            }
        }
    }
}
