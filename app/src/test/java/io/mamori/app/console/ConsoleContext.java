package io.mamori.app.console;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import io.mamori.app.MamoriApplication;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.core.access.Role;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.gateway.testing.TestDnsServer;
import io.mamori.console.directory.Person;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.tls.ServerTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.Set;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One gateway for every console test class (Spring Boot starts once and is shared through the test context
 * cache): HTTPS with a self-signed certificate for {@code localhost}, a policy with access rules, loopback as the
 * trusted proxy (so tests choose their client address with {@code X-Forwarded-For}), and a clock the tests move.
 * Audit entries are read from the {@code mamori.audit} logger, where the gateway writes them. Metrics are exported as
 * in production (Spring Boot's tests leave the Prometheus endpoint out otherwise), so that who may read them is tested.
 */
@SpringBootTest(classes = {MamoriApplication.class, ConsoleContext.TestClock.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability(tracing = false)
abstract class ConsoleContext {

    static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    /** Wednesday 2 December 2026, 10:00 in Tokyo: inside the auditors' office hours. */
    static final Instant WEDNESDAY_MORNING = LocalDateTime.parse("2026-12-02T10:00:00").atZone(TOKYO).toInstant();
    static final String PASSWORD = "correct horse battery staple";
    static final MutableClock CLOCK = new MutableClock(WEDNESDAY_MORNING);
    static final TestDnsServer DNS = new TestDnsServer().start();
    /** The next hop of both directions: notices and released mail arrive here. */
    static final TestSmtpServer DOWNSTREAM = new TestSmtpServer().start();
    private static final List<TestSmtpServer.ReceivedMessage> UNCLAIMED = new ArrayList<>();
    static final Path DATA;
    static final Path POLICY;
    static final Path CERTIFICATE;
    static final ListAppender<ILoggingEvent> AUDIT = new ListAppender<>();

    static {
        try {
            DATA = Files.createTempDirectory("mamori-console");
            POLICY = DATA.resolve("policy.yaml");
            Files.writeString(POLICY, policy(""), StandardCharsets.UTF_8);
            ServerTls.selfSigned(DATA.resolve("tls"), "localhost", Clock.systemUTC());
            CERTIFICATE = DATA.resolve("tls").resolve("cert.pem");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        AUDIT.start();
    }

    /** The test policy; {@code employeeRule} is the body of an optional employee entry. */
    static String policy(String employeeRule) {
        return """
                version: 1
                organisation:
                  name: テスト株式会社
                  internal_domains: [example.co.jp]
                inbound:
                  thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
                outbound:
                  thresholds: { tag: 6 }
                access:
                  roles:
                    analyst:
                      networks: [192.0.2.0/24, "2001:db8::/32"]
                    auditor:
                      hours:
                        time_zone: Asia/Tokyo
                        windows:
                          - { days: weekdays, from: "08:00", to: "20:00" }
                      mfa_required: false
                """ + employeeRule;
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry r) {
        r.add("mamori.data-dir", DATA::toString);
        r.add("mamori.dns.server", () -> "127.0.0.1:" + DNS.address().getPort());
        r.add("mamori.policy.file", POLICY::toString);
        r.add("mamori.policy.reload-interval", () -> "200ms");
        r.add("mamori.hostname", () -> "mamori.test");
        r.add("mamori.smtp.inbound.bind", () -> "127.0.0.1");
        r.add("mamori.smtp.inbound.port", () -> "0");
        r.add("mamori.smtp.outbound.bind", () -> "127.0.0.1");
        r.add("mamori.smtp.outbound.port", () -> "0");
        r.add("mamori.relay.inbound.next-hop", () -> "127.0.0.1:" + DOWNSTREAM.port());
        r.add("mamori.relay.outbound.next-hop", () -> "127.0.0.1:" + DOWNSTREAM.port());
        // the test's next hop on loopback offers no TLS (GatewayEndToEndTest relays over verified TLS, the default)
        r.add("mamori.relay.inbound.tls", () -> "opportunistic");
        r.add("mamori.relay.outbound.tls", () -> "opportunistic");
        r.add("mamori.delivery.poll-interval", () -> "100ms");
        r.add("mamori.notices.setup-url", () -> "https://mamori.example.co.jp/login");
        r.add("mamori.console.trusted-proxies", () -> "127.0.0.1/32,::1/128");
        r.add("mamori.console.login.max-failures-per-address", () -> "20");
        r.add("mamori.console.initial-admin", () -> "first-admin@example.co.jp");
        r.add("server.ssl.certificate", () -> "file:" + CERTIFICATE);
        r.add("server.ssl.certificate-private-key", () -> "file:" + DATA.resolve("tls").resolve("key.pem"));
    }

    /** The gateway's clock, moved by the tests: lockouts, TOTP steps and office hours follow it. */
    @TestConfiguration(proxyBeanMethods = false)
    static class TestClock {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @Autowired
    ConsoleAccounts accounts;

    @Autowired
    JdbcDirectory directory;

    @Autowired
    PolicyHolder policy;

    @Autowired
    MessageStore store;

    @Autowired
    QuarantineService quarantineService;

    @LocalServerPort
    int port;

    @BeforeEach
    void morning() {
        CLOCK.set(WEDNESDAY_MORNING);
        // Spring Boot re-initialises logging when the context starts, so the capture is attached afterwards.
        Logger audit = (Logger) LoggerFactory.getLogger("mamori.audit");
        if (audit.getAppender(AUDIT.getName()) == null) {
            AUDIT.setName("audit-capture");
            audit.addAppender(AUDIT);
        }
    }

    /**
     * Writes the test policy with {@code employeeRule} appended under {@code access.roles} and waits until the
     * gateway's policy watcher has applied it.
     */
    void usePolicy(String employeeRule) throws Exception {
        Policy expected = new PolicyLoader(FindingCatalogue.builtIn()).parse(policy(employeeRule), "expected");
        Files.writeString(POLICY, policy(employeeRule), StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!policy.current().access().equals(expected.access())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the policy edit was not applied within 20 s");
            }
            Thread.sleep(50);
        }
    }

    String base() {
        return "https://localhost:" + port;
    }

    /** A fresh address, so that tests never share accounts. */
    static String newAddress(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.co.jp";
    }

    /** A user whose initial password has been replaced with {@link #PASSWORD}. */
    String userWithPassword(String email, String name, Role... roles) {
        String initial = accounts.createUser(email, name, "情報システム部", Set.of(roles));
        if (accounts.changePassword(email, initial, PASSWORD, PASSWORD).isPresent()) {
            throw new IllegalStateException("test password refused");
        }
        return email;
    }

    /** Enrolls TOTP for {@code email}; returns the key as the enrollment page shows it. */
    String enrollTotp(String email) {
        ConsoleAccounts.Enrollment e = accounts.startEnrollment(email, "Mamori");
        accounts.finishEnrollment(email, e, code(e.displaySecret(), CLOCK.instant())).orElseThrow();
        return e.displaySecret();
    }

    /** What an authenticator app shows for the displayed key at {@code at} (java-otp, independent of the gateway). */
    static String code(String displayedSecret, Instant at) {
        try {
            byte[] key = new Base32().decode(displayedSecret.replace(" ", ""));
            return new TimeBasedOneTimePasswordGenerator().generateOneTimePasswordString(new SecretKeySpec(key, "RAW"), at);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The gateway's administrator API token (the file it created under its data directory). */
    static String apiToken() throws IOException {
        return Files.readString(DATA.resolve("api-token"), StandardCharsets.US_ASCII).trim();
    }

    /** A person of {@code department} in the directory (no console account), for message scope. */
    void person(String email, String name, String department) {
        directory.save(new Person(email, name, department, null, Set.of(Role.EMPLOYEE), new java.util.TreeSet<>(), "ja",
                true, Person.Source.CONSOLE));
    }

    /** A user with {@link #PASSWORD} and an enrolled authenticator in {@code department}; returns the TOTP key. */
    String userWithTotp(String email, String name, String department, Role... roles) {
        String initial = accounts.createUser(email, name, department, Set.of(roles));
        if (accounts.changePassword(email, initial, PASSWORD, PASSWORD).isPresent()) {
            throw new IllegalStateException("test password refused");
        }
        return enrollTotp(email);
    }

    /**
     * Commits a message straight into the gateway's store as the reception pipeline would, with the given
     * verdict and state (the analysis itself is tested elsewhere; these tests are about the console).
     */
    StoredMessage commitMessage(Direction direction, String mailFrom, List<String> recipients, String subject,
            MessageState state, Action action, byte[] content, String... findingCodes) throws IOException {
        Envelope envelope = new Envelope(direction, mailFrom, recipients, "192.0.2.25", "mx.partner.example", null, true,
                CLOCK.instant());
        Verdict verdict = new Verdict(action, 12.0, java.util.Arrays.stream(findingCodes)
                .map(code -> Finding.of(code, "test")).toList());
        try (Spool spool = store.openSpool()) {
            try (java.io.OutputStream out = spool.output()) {
                out.write(content);
            }
            return store.commit(spool, new NewMessage(envelope, subject, verdict, state),
                    "Received: from mx.partner.example by mamori.test\r\n");
        }
    }

    /**
     * A client signed in (password, and TOTP when the policy requires it) as a new user with {@code roles}, from
     * an address every role's rule allows (the analysts' network).
     */
    ConsoleClient signedIn(String prefix, String name, Role... roles) throws Exception {
        String email = userWithPassword(newAddress(prefix), name, roles);
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10");
        c.signIn(email, PASSWORD);
        if (c.last.uri().getPath().equals("/login/totp") || c.last.uri().getPath().equals("/account/totp")) {
            String secret = enrollTotp(email);
            CLOCK.advance(Duration.ofSeconds(30));
            c = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10");
            c.signIn(email, PASSWORD);
            c.post("/login/totp", "code", code(secret, CLOCK.instant()));
            c.follow();
        }
        if (c.last.statusCode() != 200 || c.text("#current-user") == null) {
            throw new AssertionError("sign-in of " + email + " did not complete: " + c.last.statusCode() + " " + c.last.uri());
        }
        c.email = email;
        return c;
    }

    /**
     * The first message downstream that {@code wanted} accepts; messages other tests wait for are kept for them.
     */
    static TestSmtpServer.ReceivedMessage awaitDownstream(Predicate<TestSmtpServer.ReceivedMessage> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (UNCLAIMED) {
            for (Iterator<TestSmtpServer.ReceivedMessage> it = UNCLAIMED.iterator(); it.hasNext(); ) {
                TestSmtpServer.ReceivedMessage m = it.next();
                if (wanted.test(m)) {
                    it.remove();
                    return m;
                }
            }
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message downstream within " + timeout);
                }
                TestSmtpServer.ReceivedMessage m = DOWNSTREAM.takeMessage(Duration.ofNanos(left));
                if (wanted.test(m)) {
                    return m;
                }
                UNCLAIMED.add(m);
            }
        }
    }

    /** The audit lines recorded since {@code from} (an index into the log), as text. */
    static List<String> auditSince(int from) {
        synchronized (AUDIT.list) {
            return AUDIT.list.subList(from, AUDIT.list.size()).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    static int auditMark() {
        synchronized (AUDIT.list) {
            return AUDIT.list.size();
        }
    }

    /** A clock the tests move by hand (the JDK's Clock is the edge; nothing of ours is faked). */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("fixed to UTC");
        }
    }
}
