package io.mamori.gateway.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.contact.InMemorySenderHistory;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.contact.ContactRecorder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reception pipeline's transforms against a real store (embedded H2, encrypted content): what is stored,
 * in which state, with which X-Mamori-Verdict, for the cases the SMTP end-to-end test does not reach.
 */
class ReceptionTransformsTest {

    private static final String HOST = TestReception.HOST;
    private static final String POLICY = """
            version: 1
            organisation:
              name: テスト
              internal_domains: [example.co.jp]
            inbound:
              thresholds: {tag: 40, quarantine: 50}
              forced: {ATTACHMENT_EXECUTABLE: QUARANTINE}
            outbound:
              thresholds: {tag: 40}
            disarm:
              enabled: true
            """;

    @TempDir
    Path dir;

    private TestReception.Rig rig;
    private ReceptionPipeline reception;

    @BeforeEach
    void start() throws Exception {
        rig = TestReception.Rig.open(dir);
        reception = pipeline(POLICY, null);
    }

    private ReceptionPipeline pipeline(String policyText, ContactRecorder contacts) throws Exception {
        return TestReception.pipeline(rig, dir, policyText, contacts, null, null, List.of());
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private StoredMessage receive(Direction direction, String message) throws Exception {
        Envelope envelope = new Envelope(direction, "a@partner.example", List.of("b@example.co.jp"), "192.0.2.10",
                "client.partner.example", null, false, Instant.now());
        ReceiveResult r = reception.receive(envelope, new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
        assertThat(r).isInstanceOf(ReceiveResult.Accepted.class);
        return rig.store().find(((ReceiveResult.Accepted) r).queueId()).orElseThrow();
    }

    @Test
    void theLogLineOfAnAuthenticatedSubmissionNamesTheLoginBesideTheEnvelopeSender() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("mamori.message");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            reception = TestReception.pipeline(rig, dir, POLICY.replace("  thresholds: {tag: 40}\n",
                    "  thresholds: {tag: 40}\n  forced: {SEND_AS_NOT_PERMITTED: REJECT}\n"), null, null, null,
                    List.of(new io.mamori.core.auth.SendAsAnalyzer(() -> io.mamori.core.policy.Policy.SendAs.NONE)));
            // taro logged in, and says the CEO sends it
            Envelope envelope = new Envelope(Direction.OUTBOUND, "ceo@example.co.jp", List.of("partner@customer.example"),
                    "192.0.2.10", "pc.example.co.jp", "taro@example.co.jp", true, Instant.now());
            ReceiveResult r = reception.receive(envelope, new ByteArrayInputStream(
                    "From: ceo@example.co.jp\r\nTo: partner@customer.example\r\nSubject: hi\r\n\r\nhello\r\n"
                            .getBytes(StandardCharsets.UTF_8)));
            // refused as the shipped policy refuses it (SEND_AS_NOT_PERMITTED), and the log says who tried
            assertThat(r).isEqualTo(new ReceiveResult.Refused(550, "5.7.1",
                    "Message rejected by policy (SEND_AS_NOT_PERMITTED)"));
            assertThat(logged.list).extracting(e -> e.getFormattedMessage())
                    .anyMatch(m -> m.contains("client=192.0.2.10 auth=taro@example.co.jp from=<ceo@example.co.jp>")
                            && m.contains("action=REJECT") && m.contains("findings=SEND_AS_NOT_PERMITTED"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    private String content(StoredMessage m) throws Exception {
        try (InputStream in = rig.store().openContent(m.id())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The header block of stored content, one line per element. */
    private static List<String> headerLines(String content) {
        return List.of(content.substring(0, content.indexOf("\r\n\r\n")).split("\r\n", -1));
    }

    /**
     * Eight signatures with a long d= folded over forty lines gave an Authentication-Results line of 4,895
     * characters, with the line breaks of d= as {@code ??}: more than the 998 RFC 5322 allows, and more than our own
     * listener takes from a next hop's point of view.
     */
    @Test
    void theAuthenticationResultsOfEightLongSignaturesIsFoldedIntoLinesOfAtMost998() throws Exception {
        reception = TestReception.pipeline(rig, dir, POLICY, null, null, null, List.of(new io.mamori.core.auth.SenderAuthAnalyzer(
                io.mamori.core.auth.TableDnsResolver.builder().build(), io.mamori.core.auth.SenderAuthSettings.defaults(),
                java.time.Clock.systemUTC())));
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            d.append("label").append(i).append(".\r\n ");
        }
        StringBuilder signatures = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            signatures.append("DKIM-Signature: v=1; a=rsa-sha256; d=").append(d).append("example; s=sel").append(i)
                    .append("; h=from; bh=AAAA; b=AAAA\r\n");
        }

        StoredMessage m = receive(Direction.INBOUND, signatures + "From: <ceo@bank.example>\r\nTo: b@example.co.jp\r\n"
                + "Subject: x\r\n\r\nhello\r\n");

        String content = content(m);
        assertThat(headerLines(content)).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(998));
        var field = java.util.regex.Pattern.compile("Authentication-Results: (?:[^\r\n]*\r\n\t)*[^\r\n]*\r\n")
                .matcher(content);
        assertThat(field.find()).as(content).isTrue();
        assertThat(field.group()).doesNotContain("?").contains(";\r\n\tdkim=permerror").contains("header.s=sel7")
                .startsWith("Authentication-Results: " + HOST + ";");
        assertThat(field.group().split("\r\n")).hasSizeGreaterThan(8);
    }

    /** X-Mamori-Verdict names every finding code, and a message may raise a hundred: the field is folded too. */
    @Test
    void anXMamoriVerdictWithEveryFindingCodeIsFoldedIntoLinesOfAtMost998() throws Exception {
        // all but the two that defer the message (analysis not run, antivirus unavailable)
        List<String> every = FindingCatalogue.builtIn().entries().keySet().stream()
                .filter(c -> !c.equals("ANALYZER_NOT_RUN") && !c.equals("AV_UNAVAILABLE")).toList();
        reception = TestReception.pipeline(rig, dir, POLICY, null, null, null, List.of(new io.mamori.core.analysis.Analyzer() {
            @Override
            public String name() {
                return "every-code";
            }

            @Override
            public List<io.mamori.core.analysis.Finding> analyze(io.mamori.core.analysis.AnalysisInput input) {
                return every.stream().map(c -> new io.mamori.core.analysis.Finding(c, 1.0, "")).toList();
            }
        }));

        StoredMessage m = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: x\r\n"
                + "\r\nhello\r\n");

        String content = content(m);
        assertThat(String.join(",", every).length()).as("the test's premise").isGreaterThan(998);
        assertThat(headerLines(content)).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(998));
        var field = java.util.regex.Pattern.compile("X-Mamori-Verdict: (?:[^\r\n]*\r\n\t)*[^\r\n]*\r\n").matcher(content);
        assertThat(field.find()).as(content).isTrue();
        // unfolded (RFC 5322 §2.2.3), it names every code
        String unfolded = field.group().replace("\r\n", "");
        assertThat(every).allSatisfy(code -> assertThat(unfolded).containsPattern("[=,\t]" + code + "(,|;|$)"));
    }

    @Test
    void anOverloadedGatewayDefersTheMessageInsteadOfPassingItUnanalysed() throws Exception {
        // the analyzers' pool refuses work, as when it is shut down or its queue is full
        rig.analysis().shutdown();
        Envelope envelope = new Envelope(Direction.INBOUND, "a@partner.example", List.of("b@example.co.jp"), "192.0.2.10",
                "client.partner.example", null, false, Instant.now());

        ReceiveResult r = reception.receive(envelope, new ByteArrayInputStream(("From: a@partner.example\r\n"
                + "To: b@example.co.jp\r\nSubject: x\r\n\r\nhello\r\n").getBytes(StandardCharsets.UTF_8)));

        assertThat(r).isEqualTo(new ReceiveResult.Refused(451, "4.3.2", "Too busy to analyze the message, try again later"));
        assertThat(rig.store().list(null, 10)).as("nothing accepted").isEmpty();
    }

    @Test
    void aSiteThatPrefersAvailabilityGetsTheUnanalysedMessageWithItsFindingAndForcedAction() throws Exception {
        reception = pipeline(POLICY.replace("forced: {ATTACHMENT_EXECUTABLE: QUARANTINE}",
                "forced: {ATTACHMENT_EXECUTABLE: QUARANTINE, ANALYZER_NOT_RUN: TAG}")
                + "analysis:\n  when_busy: deliver\n", null);
        rig.analysis().shutdown();

        StoredMessage m = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: x\r\n"
                + "\r\nhello\r\n");

        assertThat(m.state()).isEqualTo(MessageState.QUEUED);
        assertThat(m.action()).as("the forced action, not the score (far below tag: 40)").isEqualTo("TAG");
        assertThat(m.findingCodes()).isEqualTo("ANALYZER_NOT_RUN");
        assertThat(content(m)).containsPattern("X-Mamori-Verdict: TAG; score=1\\.00; findings=ANALYZER_NOT_RUN");
    }

    @Test
    void aMessageDisarmCannotRewriteIsQuarantinedWholeInsteadOfDeliveredUndisarmed() throws Exception {
        // A header field of 1.5 MB (folded into short lines): the Mime4j tree refuses header fields over 1 MiB.
        String huge = "X-Padding: " + "a".repeat(70) + ("\r\n " + "b".repeat(70)).repeat(21_000) + "\r\n";
        StoredMessage m = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: x\r\n"
                + huge + "Content-Type: text/html\r\n\r\n<script>alert(1)</script><a href=\"https://evil.example/\">x</a>\r\n");

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.action()).isEqualTo("QUARANTINE");
        assertThat(content(m)).containsPattern("X-Mamori-Verdict: QUARANTINE; [^\r\n]*; rewrite=failed\r\n");
    }

    @Test
    void aMessageWhoseRewriteTheDiskRefusesIsDeferredNotQuarantined() throws Exception {
        // the rewrite sets bodies over 256 KiB aside on disk, here in a directory no one can create files in
        Files.writeString(dir.resolve("plain-file"), "x");
        reception = TestReception.pipeline(rig, dir.resolve("plain-file").resolve("rewrites"), POLICY, null, null, null,
                List.of());
        String body = "<p>" + "お知らせ ".repeat(60_000) + "</p><script>alert(1)</script>";
        Envelope envelope = new Envelope(Direction.INBOUND, "a@partner.example", List.of("b@example.co.jp"), "192.0.2.10",
                "client.partner.example", null, false, Instant.now());
        int before = rig.store().list(null, 100).size();

        assertThatThrownBy(() -> reception.receive(envelope, new ByteArrayInputStream(("From: a@partner.example\r\n"
                + "To: b@example.co.jp\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n")
                .getBytes(StandardCharsets.UTF_8)))).as("the session answers 451, the sender tries again")
                .isInstanceOf(io.mamori.core.message.StorageFailure.class);
        assertThat(rig.store().list(null, 100)).as("nothing stored, nothing quarantined").hasSize(before);

        // a message small enough to rewrite on the heap is disarmed as ever
        StoredMessage small = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: y\r\n"
                + "Content-Type: text/html\r\n\r\n<p>hello</p><script>alert(1)</script>\r\n");
        assertThat(content(small)).containsPattern("X-Mamori-Verdict: DELIVER; [^\r\n]*; disarmed=1\r\n");
    }

    @Test
    void aUnicodeClientNameIsWrittenInAsciiInTheReceivedField() throws Exception {
        for (String helo : new String[] {"メール.example.jp", "bad\u00ffname"}) {
            Envelope envelope = new Envelope(Direction.INBOUND, "a@partner.example", List.of("b@example.co.jp"),
                    "192.0.2.10", helo, null, false, Instant.now());
            ReceiveResult r = reception.receive(envelope, new ByteArrayInputStream(("From: a@partner.example\r\n"
                    + "To: b@example.co.jp\r\nSubject: x\r\n\r\nhello\r\n").getBytes(StandardCharsets.UTF_8)));
            String stored = content(rig.store().find(((ReceiveResult.Accepted) r).queueId()).orElseThrow());
            String received = stored.substring(0, stored.indexOf("\r\n\tby "));
            assertThat(received).startsWith("Received: from ").matches("[\\x20-\\x7e]+");
        }
        assertThat(ReceptionPipeline.asciiHelo("メール.example.jp")).isEqualTo("xn--4dkua4c.example.jp");
        assertThat(ReceptionPipeline.asciiHelo("mail.example.jp")).isEqualTo("mail.example.jp");
    }

    @Test
    void aQuarantinedMessageIsStoredWithoutTheForgedFieldAndNotDisarmed() throws Exception {
        String html = "<html><body><script>x()</script><p>hello</p></body></html>";
        StoredMessage m = receive(Direction.INBOUND, "Authentication-Results: " + HOST + "; dmarc=pass\r\n"
                + "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\n"
                + "Content-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nMZ\r\n--b--\r\n");

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        String stored = content(m);
        assertThat(stored).contains("; forged-authres-removed=1\r\n").doesNotContain("disarmed=1")
                .doesNotContain("Authentication-Results: " + HOST + "; dmarc=pass")
                .contains(html);
    }

    @Test
    void outboundMailIsNeitherDisarmedNorCleaned() throws Exception {
        String sent = "Authentication-Results: " + HOST + "; spf=pass\r\nFrom: b@example.co.jp\r\nTo: a@partner.example\r\n"
                + "Subject: y\r\nContent-Type: text/html\r\n\r\n<p>see <a href=\"https://example.com/\">this</a></p>\r\n";

        StoredMessage m = receive(Direction.OUTBOUND, sent);

        assertThat(m.state()).isEqualTo(MessageState.QUEUED);
        String stored = content(m);
        assertThat(stored).endsWith("X-Mamori-Verdict: DELIVER; score=0.00; findings=none\r\n" + sent);
    }

    @Test
    void inboundDeliveredMailIsDisarmedAndSaysSo() throws Exception {
        StoredMessage m = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\nSubject: z\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\nreset at https://evil.example/reset\r\n");

        assertThat(m.state()).isEqualTo(MessageState.QUEUED);
        assertThat(content(m)).containsPattern("X-Mamori-Verdict: DELIVER; [^\r\n]*; disarmed=1\r\n");
    }

    /** A ZipCrypto-encrypted zip from zip4j's test archives (see files/README.md). */
    private static byte[] encryptedZip() throws Exception {
        try (InputStream in = ReceptionTransformsTest.class.getResourceAsStream("/files/zip4j/store_compression_made_with_v1.3.3.zip")) {
            return in.readAllBytes();
        }
    }

    @Test
    void anAttachmentThatCouldNotBeInspectedIsStrippedWhenThePolicySaysSoAndTheOriginalKept() throws Exception {
        reception = pipeline(POLICY + "attachments:\n  uninspected: strip\n", null);
        // a zip cut off inside its only entry: its content cannot be inspected
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("report.txt"));
            byte[] text = new byte[20_000];
            new java.util.Random(5).nextBytes(text);
            zip.write(text);
            zip.closeEntry();
        }
        byte[] cut = java.util.Arrays.copyOf(out.toByteArray(), 5_000);

        StoredMessage delivered = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\n"
                + "Subject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee the report\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"report.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"report.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(cut) + "\r\n--b--\r\n");

        assertThat(delivered.state()).isEqualTo(MessageState.QUEUED);
        String content = content(delivered);
        assertThat(content).contains("ATTACHMENT_NOT_INSPECTED").doesNotContain("Content-Type: application/zip");
        var original = java.util.regex.Pattern.compile("; stripped=1; original=([0-9A-Z]{26})\r\n").matcher(content);
        assertThat(original.find()).as(content).isTrue();
        assertThat(rig.store().find(original.group(1)).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
    }

    @Test
    void aPartToStripThatTheRewriteCannotFindQuarantinesTheWholeMessageInsteadOfDeliveringIt() throws Exception {
        reception = pipeline(POLICY + "attachments:\n  encrypted: strip\n", null);
        // the whole message is an attached message (message/rfc822 at the top): its encrypted zip is part "2" to the
        // parser, but the rewriter does not number the inside of a top-level message
        String inner = "From: c@partner.example\r\nTo: b@example.co.jp\r\nSubject: inner\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=i\r\n\r\n"
                + "--i\r\nContent-Type: text/plain\r\n\r\nthe files\r\n"
                + "--i\r\nContent-Type: application/zip; name=\"files.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"files.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(encryptedZip()) + "\r\n--i--\r\n";

        StoredMessage stored = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\n"
                + "Subject: forwarded\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n" + inner);

        assertThat(stored.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(content(stored)).contains("strip=part-not-found");
        assertThat(rig.store().list(MessageState.QUEUED, 100)).as("nothing delivered").isEmpty();
    }

    @Test
    void onlyTheDeliveredCopyOfAStrippedMessageMakesItsSenderAKnownContact() throws Exception {
        InMemorySenderHistory history = new InMemorySenderHistory();
        String policyText = POLICY + "attachments:\n  encrypted: strip\n";
        Policy policy = new PolicyLoader(FindingCatalogue.builtIn()).parse(policyText, "policy.yaml");
        reception = pipeline(policyText, new ContactRecorder(history, () -> policy));
        String zip = java.util.Base64.getMimeEncoder().encodeToString(encryptedZip());

        StoredMessage delivered = receive(Direction.INBOUND, "From: a@partner.example\r\nTo: b@example.co.jp\r\n"
                + "Subject: quote\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee the quote\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"mitsumori.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + zip + "\r\n--b--\r\n");

        assertThat(delivered.state()).isEqualTo(MessageState.QUEUED);
        var original = java.util.regex.Pattern.compile("; stripped=1; original=([0-9A-Z]{26})\r\n").matcher(content(delivered));
        assertThat(original.find()).as(content(delivered)).isTrue();
        assertThat(rig.store().find(original.group(1)).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(history.lastContact("partner.example")).as("the delivered copy counts, once")
                .map(io.mamori.core.contact.SenderHistory.Contact::count).contains(1L);

        StoredMessage quarantined = receive(Direction.INBOUND, "From: x@other.example\r\nTo: b@example.co.jp\r\n"
                + "Subject: run\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nrun it\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\n"
                + "Content-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nMZ\r\n--b--\r\n");
        assertThat(quarantined.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(history.lastContact("other.example")).as("quarantined mail makes nobody known").isEmpty();
    }
}
