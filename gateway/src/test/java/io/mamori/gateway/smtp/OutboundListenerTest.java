package io.mamori.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.message.Direction;
import io.mamori.core.network.Cidr;
import io.mamori.core.message.Envelope;
import io.mamori.gateway.auth.AppPasswords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLSocket;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The smart-host listener: STARTTLS, AUTH with real app passwords (H2), trusted networks, TLS versions. */
class OutboundListenerTest {

    private static AppPasswords passwords;
    private static JdbcDataSource dataSource;
    private static String taroPassword;

    private final RecordingReceiver receiver = new RecordingReceiver();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<SmtpDialogue> clients = new ArrayList<>();
    private SmtpListener listener;

    @BeforeAll
    static void issuePasswords() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:outbound-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/h2").load().migrate();
        passwords = new AppPasswords(dataSource, Clock.systemUTC());
        taroPassword = passwords.issue("taro@example.co.jp", "Outlook on the office PC");
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

    private SmtpDialogue start(List<Cidr> trusted) throws IOException {
        ListenerConfig config = ListenerConfig.defaults(Direction.OUTBOUND, InetAddress.getLoopbackAddress(), 0, "relay.example.co.jp")
                .withTrustedNetworks(trusted);
        listener = new SmtpListener(config, TestTls.server(), receiver, domain -> false, passwords, Clock.systemUTC(), meters);
        listener.start();
        SmtpDialogue client = new SmtpDialogue(listener.port());
        clients.add(client);
        assertThat(client.reply()).isEqualTo("220 relay.example.co.jp ESMTP Mamori");
        return client;
    }

    private SmtpDialogue startedWithTls() throws IOException {
        SmtpDialogue client = start(List.of());
        client.command("EHLO pc.example.co.jp");
        client.startTls(TestTls.client());
        assertThat(client.command("EHLO pc.example.co.jp")).contains("250 AUTH PLAIN LOGIN");
        return client;
    }

    /** One more session with the running listener, after STARTTLS. */
    private SmtpDialogue anotherSessionWithTls() throws IOException {
        SmtpDialogue client = new SmtpDialogue(listener.port());
        clients.add(client);
        client.reply();
        client.command("EHLO pc.example.co.jp");
        client.startTls(TestTls.client());
        client.command("EHLO pc.example.co.jp");
        return client;
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authIsOfferedOnlyAfterStartTls() throws IOException {
        SmtpDialogue client = start(List.of());
        assertThat(client.command("EHLO pc.example.co.jp")).isEqualTo(String.join("\n",
                "250-relay.example.co.jp", "250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME", "250-SMTPUTF8",
                "250-ENHANCEDSTATUSCODES", "250 STARTTLS"));
        client.startTls(TestTls.client());
        assertThat(client.command("EHLO pc.example.co.jp")).isEqualTo(String.join("\n",
                "250-relay.example.co.jp", "250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME", "250-SMTPUTF8",
                "250-ENHANCEDSTATUSCODES", "250 AUTH PLAIN LOGIN"));
        assertThat(client.command("STARTTLS")).isEqualTo("503 5.5.1 Error: TLS already active");
        assertThat(meters.counter("mamori.smtp.tls", "listener", "outbound", "result", "established").count()).isEqualTo(1.0);
    }

    @Test
    void authBeforeStartTlsIsRefusedWith538() throws IOException {
        SmtpDialogue client = start(List.of());
        client.command("EHLO pc.example.co.jp");
        assertThat(client.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0" + taroPassword)))
                .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
        assertThat(client.command("AUTH LOGIN")).isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
    }

    @Test
    void anUntrustedClientWithoutAuthCannotSend() throws IOException {
        SmtpDialogue client = start(List.of(Cidr.parse("192.0.2.0/24")));
        client.command("EHLO pc.example.co.jp");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("530 5.7.0 Authentication required");
        client.startTls(TestTls.client());
        client.command("EHLO pc.example.co.jp");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("530 5.7.0 Authentication required");
    }

    @Test
    void aClientInATrustedNetworkRelaysWithoutAuth() throws Exception {
        SmtpDialogue client = start(List.of(Cidr.parse("::1/128"), Cidr.parse("127.0.0.0/8")));
        client.command("EHLO m365.example.net");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<partner@customer.example>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("DATA")).startsWith("354 ");
        client.raw("Subject: hello\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        Envelope envelope = receiver.take().envelope();
        assertThat(envelope.direction()).isEqualTo(Direction.OUTBOUND);
        assertThat(envelope.recipients()).containsExactly("partner@customer.example");
        assertThat(envelope.authenticatedUser()).isNull();
    }

    @Test
    void authPlainWithAnIssuedAppPasswordSucceedsAndThenRelays() throws Exception {
        SmtpDialogue client = startedWithTls();
        // the login as typed, in any case: the envelope carries it as the app passwords know it
        assertThat(client.command("AUTH PLAIN " + b64("\0Taro@Example.co.jp\0" + taroPassword)))
                .isEqualTo("235 2.7.0 Authentication successful");
        assertThat(client.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0" + taroPassword)))
                .isEqualTo("503 5.5.1 Error: already authenticated");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<partner@customer.example>")).isEqualTo("250 2.1.5 Ok");
        client.command("DATA");
        client.raw("Subject: hello\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        Envelope envelope = receiver.take().envelope();
        assertThat(envelope.authenticatedUser()).isEqualTo("taro@example.co.jp");
        assertThat(envelope.tls()).isTrue();
        assertThat(meters.counter("mamori.smtp.auth", "listener", "outbound", "result", "success").count()).isEqualTo(1.0);
    }

    @Test
    void authPlainWithAChallengeSucceeds() throws IOException {
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH PLAIN")).isEqualTo("334 ");
        assertThat(client.command(b64("\0taro@example.co.jp\0" + taroPassword))).isEqualTo("235 2.7.0 Authentication successful");
    }

    @Test
    void authLoginWithAnIssuedAppPasswordSucceeds() throws IOException {
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
        assertThat(client.command(b64("taro@example.co.jp"))).isEqualTo("334 UGFzc3dvcmQ6");
        // Users may type the password without dashes and in capitals.
        assertThat(client.command(b64(taroPassword.replace("-", "").toUpperCase()))).isEqualTo("235 2.7.0 Authentication successful");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("250 2.1.0 Ok");
    }

    @Test
    void aWrongPasswordGets535AndTheThirdFailureClosesTheSession() throws IOException {
        SmtpDialogue client = startedWithTls();
        String wrong = "aaaa-bbbb-cccc-dddd-eeee-ffff";
        assertThat(client.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0" + wrong)))
                .isEqualTo("535 5.7.8 Authentication credentials invalid");
        assertThat(client.command("AUTH LOGIN " + b64("nobody@example.co.jp"))).isEqualTo("334 UGFzc3dvcmQ6");
        assertThat(client.command(b64(taroPassword))).isEqualTo("535 5.7.8 Authentication credentials invalid");
        assertThat(client.command("MAIL FROM:<taro@example.co.jp>")).isEqualTo("530 5.7.0 Authentication required");
        assertThat(client.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0" + "short")))
                .isEqualTo("421 4.7.0 Too many authentication failures, closing connection");
        assertThat(client.closedByServer()).isTrue();
        assertThat(meters.counter("mamori.smtp.auth", "listener", "outbound", "result", "failure").count()).isEqualTo(3.0);
    }

    @Test
    void malformedAndCancelledAuthExchangesGetSpecificReplies() throws IOException {
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH CRAM-MD5")).isEqualTo("504 5.5.4 Unrecognized authentication type");
        assertThat(client.command("AUTH PLAIN %%%notbase64")).isEqualTo("501 5.5.2 Cannot decode response");
        assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
        assertThat(client.command("*")).isEqualTo("501 5.7.0 Authentication aborted");
        assertThat(client.command("AUTH PLAIN " + b64("only-one-field"))).isEqualTo("501 5.5.2 Malformed PLAIN response");
    }

    @Test
    void aRevokedAppPasswordNoLongerAuthenticates() throws IOException {
        String password = passwords.issue("jiro@example.co.jp", "phone");
        long id = passwords.list("jiro@example.co.jp").get(0).id();
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH PLAIN " + b64("\0jiro@example.co.jp\0" + password))).startsWith("235 ");
        assertThat(passwords.revoke("jiro@example.co.jp", id)).isTrue();
        SmtpDialogue second = anotherSessionWithTls();
        assertThat(second.command("AUTH PLAIN " + b64("\0jiro@example.co.jp\0" + password)))
                .isEqualTo("535 5.7.8 Authentication credentials invalid");
    }

    @Test
    void aPasswordRevokedDuringASessionStopsThatSessionsNextMail() throws IOException {
        String password = passwords.issue("saburo@example.co.jp", "stolen phone");
        long id = passwords.list("saburo@example.co.jp").get(0).id();
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH PLAIN " + b64("\0saburo@example.co.jp\0" + password))).startsWith("235 ");
        assertThat(client.command("MAIL FROM:<saburo@example.co.jp>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RSET")).startsWith("250 ");

        assertThat(passwords.revoke("saburo@example.co.jp", id)).isTrue();

        assertThat(client.command("MAIL FROM:<saburo@example.co.jp>"))
                .isEqualTo("530 5.7.0 Authentication required: the credentials are no longer valid");
        assertThat(client.command("MAIL FROM:<saburo@example.co.jp>")).isEqualTo("530 5.7.0 Authentication required");
    }

    @Test
    void theAppPasswordsOfAPersonTheDirectoryDeactivatedNoLongerAuthenticate() throws Exception {
        String password = passwords.issue("shiro@example.co.jp", "phone");
        SmtpDialogue client = startedWithTls();
        assertThat(client.command("AUTH PLAIN " + b64("\0shiro@example.co.jp\0" + password))).startsWith("235 ");
        assertThat(client.command("MAIL FROM:<shiro@example.co.jp>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RSET")).startsWith("250 ");

        // shiro leaves the company: the directory (the console's, in the same database) marks him inactive
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO directory_person (email, display_name, active,"
                     + " source, created_at, updated_at) VALUES ('shiro@example.co.jp', '四郎', FALSE, 'CSV', NOW(), NOW())")) {
            ps.executeUpdate();
        }

        assertThat(client.command("MAIL FROM:<shiro@example.co.jp>")).startsWith("530 5.7.0");
        SmtpDialogue second = anotherSessionWithTls();
        assertThat(second.command("AUTH PLAIN " + b64("\0shiro@example.co.jp\0" + password)))
                .isEqualTo("535 5.7.8 Authentication credentials invalid");
    }

    @Test
    void aClientThatHangsUpAtTheAuthPromptEndsTheSessionQuietly() throws Exception {
        ch.qos.logback.classic.Logger sessions = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.subethamail.smtp.server.Session");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        sessions.addAppender(logged);
        try {
            SmtpDialogue client = startedWithTls();
            assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            client.close();
            SmtpDialogue next = anotherSessionWithTls();   // the listener goes on; give the first session time to end
            assertThat(next.command("NOOP")).startsWith("250 ");
            Thread.sleep(300);
            assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
        } finally {
            sessions.detachAppender(logged);
        }
    }

    @Test
    void anAddressThatFailedAuthTooOftenAcrossSessionsIsRefusedBeforeAnyPasswordIsChecked() throws Exception {
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        ListenerConfig config = ListenerConfig.defaults(Direction.OUTBOUND, InetAddress.getLoopbackAddress(), 0, "relay.example.co.jp");
        listener = new SmtpListener(config, TestTls.server(), receiver, domain -> false, (user, password) -> {
            checked.incrementAndGet();
            return passwords.verify(user, password);
        }, Clock.systemUTC(), meters);
        listener.start();
        int sessions = 0;
        while (checked.get() < SmtpCommands.AUTH_FAILURES_PER_ADDRESS) {
            SmtpDialogue guesser = anotherSessionWithTls();
            sessions++;
            for (int i = 0; i < 3 && checked.get() < SmtpCommands.AUTH_FAILURES_PER_ADDRESS; i++) {
                guesser.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0wrong-password-" + i + "-" + sessions));
            }
        }

        SmtpDialogue next = anotherSessionWithTls();
        assertThat(next.command("AUTH PLAIN " + b64("\0taro@example.co.jp\0" + taroPassword)))
                .isEqualTo("421 4.7.0 Too many authentication failures from your address, try again later");
        assertThat(checked.get()).as("no hash for the refused attempt").isEqualTo(SmtpCommands.AUTH_FAILURES_PER_ADDRESS);
    }

    @Test
    void tls12AndTls13HandshakesSucceed() throws IOException {
        for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
            SmtpDialogue client = start(List.of());
            client.command("EHLO pc.example.co.jp");
            SSLSocket ssl = client.startTls(TestTls.client(), protocol);
            assertThat(ssl.getSession().getProtocol()).isEqualTo(protocol);
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
            listener.close();
        }
    }

    @Test
    void closeEndsIdleTlsSessionsWithoutWaitingForTheirCommandTimeout() throws Exception {
        SmtpDialogue first = start(List.of());
        first.command("EHLO pc.example.co.jp");
        first.startTls(TestTls.client(), "TLSv1.3");
        assertThat(first.command("EHLO pc.example.co.jp")).startsWith("250");
        SmtpDialogue second = new SmtpDialogue(listener.port());
        clients.add(second);
        second.reply();
        second.command("EHLO pc.example.co.jp");
        second.startTls(TestTls.client(), "TLSv1.2");
        assertThat(second.command("NOOP")).isEqualTo("250 2.0.0 Ok");
        // Both session threads now block reading TLS records. The command timeout is 300 s; a close that only
        // closed the TLS sockets could wait that long (seen as a rare hang of this suite). JUnit's preemptive
        // timeout turns such a hang into a failure instead of a stuck build.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> listener.close());
        assertThat(listener.activeSessions()).isZero();
        assertThat(first.closedByServer()).isTrue();
        assertThat(second.closedByServer()).isTrue();
    }

    @Test
    void aTls11HandshakeIsRefused() throws IOException, InterruptedException {
        SmtpDialogue client = start(List.of());
        client.command("EHLO pc.example.co.jp");
        assertThat(client.command("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS");
        // A hand-made TLS 1.1 ClientHello: the JDK client refuses to offer TLS 1.1 at all, so it could not
        // show that the server is the one saying no.
        client.raw(tls11ClientHello());
        DataInputStream in = new DataInputStream(client.input());
        int contentType = in.readUnsignedByte();
        in.readUnsignedShort();
        int length = in.readUnsignedShort();
        byte[] alert = new byte[length];
        in.readFully(alert);
        assertThat(contentType).as("TLS record type: alert").isEqualTo(21);
        assertThat(alert[0]).as("fatal").isEqualTo((byte) 2);
        assertThat(alert[1]).as("protocol_version or handshake_failure").isIn((byte) 70, (byte) 40);
        assertThat(client.closedByServer()).isTrue();
        // the JDK closes the socket with its fatal alert, before the listener's handler counts the failure: wait for it
        long until = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (meters.counter("mamori.smtp.tls", "listener", "outbound", "result", "failed").count() < 1.0
                && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(meters.counter("mamori.smtp.tls", "listener", "outbound", "result", "failed").count()).isEqualTo(1.0);
    }

    private static byte[] tls11ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(2);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0);
        body.writeBytes(new byte[] {0, 4, (byte) 0xC0, 0x13, 0x00, 0x2F});
        body.writeBytes(new byte[] {1, 0});
        byte[] hello = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {0x16, 3, 2});
        int handshakeLength = hello.length + 4;
        record.write(handshakeLength >> 8);
        record.write(handshakeLength & 0xff);
        record.write(1);
        record.write(0);
        record.write(hello.length >> 8);
        record.write(hello.length & 0xff);
        record.writeBytes(hello);
        return record.toByteArray();
    }
}
