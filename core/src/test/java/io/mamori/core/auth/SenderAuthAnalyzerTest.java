package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.testing.HeldDns;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Fixture messages through {@link SenderAuthAnalyzer}: exact codes and evidence, and the benign look-alikes. */
class SenderAuthAnalyzerTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-05T00:00:00Z"), ZoneOffset.UTC);
    private static final String RSA_TEST_KEY = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3id"
            + "Y6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvH"
            + "O9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

    static byte[] bytes(String resource) {
        try (InputStream in = SenderAuthAnalyzerTest.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("no resource " + resource, e);
        }
    }

    static AnalysisInput input(String resource, Direction direction, String ip, String mailFrom) throws IOException {
        return input(bytes(resource), direction, ip, mailFrom);
    }

    static AnalysisInput input(byte[] raw, Direction direction, String ip, String mailFrom) throws IOException {
        Envelope envelope = new Envelope(direction, mailFrom, List.of("keiri@example.co.jp"), ip, "mail.sender.example",
                null, true, CLOCK.instant());
        return new AnalysisInput(envelope, new MessageParser().parse(new ByteArrayInputStream(raw)), RawMessage.of(raw));
    }

    static TableDnsResolver.Builder football() {
        return TableDnsResolver.builder()
                .add("brisbane._domainkey.football.example.com", Type.TXT, DkimConformanceTest.RFC8463_ED25519)
                .add("test._domainkey.football.example.com", Type.TXT, RSA_TEST_KEY)
                .add("football.example.com", Type.TXT, "v=spf1 ip4:192.0.2.0/24 -all")
                .add("_dmarc.football.example.com", Type.TXT, "v=DMARC1; p=reject; rua=mailto:d@football.example.com");
    }

    static SenderAuthAnalyzer analyzer(DnsResolver dns, String... trusted) {
        return new SenderAuthAnalyzer(dns, new SenderAuthSettings(Set.of(trusted)), CLOCK);
    }

    @Test
    void theAnalyzerAsksForAnAuthenticationResultsFieldNamingThisGateway() throws IOException {
        DnsResolver dns = TableDnsResolver.builder()
                .add("bank.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .build();
        AnalysisInput base = input("/messages/sender-auth/unsigned-bank.eml", Direction.INBOUND, "203.0.113.9",
                "support@bank.example");
        io.mamori.core.analysis.TraceFields trace = new io.mamori.core.analysis.TraceFields("mx.example.co.jp");

        analyzer(dns).analyze(new AnalysisInput(base.envelope(), base.message(), base.raw(), trace));

        assertThat(trace.fields()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("Authentication-Results");
            assertThat(f.value()).startsWith("mx.example.co.jp; spf=fail smtp.mailfrom=bank.example")
                    .contains("dmarc=fail");
        });
    }

    /**
     * A From domain with control characters (found by fuzzing: {@code MessageScannerFuzzTest}) went into the field's
     * value, the field was refused as not ASCII, and the analyzer failed: the message lost SPF, DKIM and DMARC
     * altogether. Such a From names no author domain ({@code FROM_INVALID}); and values taken from a signature (a
     * DKIM {@code d=} in UTF-8, a selector with a control character) are left out unless they are a host name or
     * selector, an internationalised name as its A-label.
     */
    @Test
    void valuesOutsidePrintableAsciiStillGetTheMessageItsAuthenticationResults() throws IOException {
        DnsResolver dns = TableDnsResolver.builder().build();
        String[][] cases = {
            {"From: Keiri <keiri@sample-shoji.\u007f\u0000.jp>\r\n", "dmarc=permerror", "FROM_INVALID"},
            {"From: Keiri <keiri@sample-shoji.example>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=例え.jp; s=se\u0001l;"
                    + " h=from; bh=AAAA; b=AAAA\r\n", "dkim=permerror (no key record at sel._domainkey..jp) header.b=AAAA;", "DKIM_PERMERROR"},
        };
        for (String[] c : cases) {
            byte[] raw = (c[0] + "To: keiri@example.co.jp\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n").getBytes(StandardCharsets.UTF_8);
            AnalysisInput base = input(raw, Direction.INBOUND, "203.0.113.9", "keiri@sample-shoji.example");
            io.mamori.core.analysis.TraceFields trace = new io.mamori.core.analysis.TraceFields("mx.example.co.jp");

            List<Finding> findings = analyzer(dns).analyze(new AnalysisInput(base.envelope(), base.message(), base.raw(),
                    trace));

            assertThat(findings).as(c[0]).extracting(Finding::code).contains(c[2]);
            assertThat(trace.fields()).as(c[0]).singleElement().satisfies(f -> assertThat(f.value())
                    .startsWith("mx.example.co.jp; spf=none smtp.mailfrom=sample-shoji.example").contains(c[1]));
        }
        // a signature's header is read as bytes, so a UTF-8 d= arrives as Latin-1 characters IDNA refuses (above);
        // an internationalised name that does arrive as such is written as its A-label
        assertThat(SenderAuthResult.domainName("例え.jp")).contains("xn--r8jz45g.jp");
        assertThat(SenderAuthResult.value("a b\"c\\")).isEqualTo("\"a b\\\"c\\\\\"");
    }

    /**
     * A signature's tags spelled a pass in our own field: {@code v=1 dkim=pass header.d=bank.example} came out as
     * {@code dkim=permerror (signature version 1 dkim=pass header.d=bank.example ...)}, and a transport rule or log
     * search for "dkim=pass header.d=bank.example" matches that, comment or not.
     */
    @Test
    void aSignatureCannotSpellAResultInsideOurAuthenticationResults() throws IOException {
        String forged = "dkim=pass header.d=bank.example header.s=s1";
        DnsResolver dns = TableDnsResolver.builder()
                .add("bank.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .add("key._domainkey.evil.example", Type.TXT, "v=DKIM1; k=" + forged + "; p=AAAA")
                .build();
        String[] signatures = {
            "v=1 " + forged + "; a=rsa-sha256; d=evil.example; s=x; h=from; bh=AAAA; b=AAAA",
            "v=1; a=" + forged + "; d=evil.example; s=x; h=from; bh=AAAA; b=AAAA",
            "v=1; a=rsa-sha256; c=" + forged + "; d=evil.example; s=x; h=from; bh=AAAA; b=AAAA",
            "v=1; a=rsa-sha256; q=" + forged + "; d=evil.example; s=x; h=from; bh=AAAA; b=AAAA",
            // the key record is the sender's text too: d= is theirs
            "v=1; a=rsa-sha256; d=evil.example; s=key; h=from; bh=AAAA; b=AAAA",
        };
        for (String signature : signatures) {
            byte[] raw = ("DKIM-Signature: " + signature + "\r\nFrom: <ceo@bank.example>\r\nSubject: x\r\n\r\nhello\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            AnalysisInput in = input(raw, Direction.INBOUND, "203.0.113.9", "a@evil.example");

            String value = analyzer(dns).evaluate(in).authenticationResults("mx.example.co.jp");

            assertThat(value).as(signature).contains("dkim=permerror").doesNotContain("dkim=pass")
                    .doesNotContain("header.d=bank.example").doesNotContain("header.s=s1");
        }
    }

    /**
     * Properties were written from whatever the message held: a From domain {@code evil.example;dmarc=pass} (IDNA
     * lets punctuation through) put a second result into our field, and a d= folded over forty lines came out as one
     * long line with its line breaks as {@code ??}. Only host names and selectors are written now.
     */
    @Test
    void onlyHostNamesAndSelectorsAreWrittenAsProperties() throws IOException {
        DnsResolver dns = TableDnsResolver.builder().build();
        StringBuilder foldedD = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            foldedD.append("label").append(i).append(".\r\n ");
        }
        String[][] cases = {
            {"From: <ceo@evil.example;dmarc=pass>\r\n", "a@evil.example", "header.from="},
            {"From: <ceo@bank.example>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=" + foldedD + "example; s=sel; h=from;"
                    + " bh=AAAA; b=AAAA\r\n", "a@evil.example", "header.d="},
            {"From: <ceo@bank.example>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=" + "s".repeat(65)
                    + "; h=from; bh=AAAA; b=AAAA\r\n", "a@evil.example", "header.s="},
            {"From: <ceo@bank.example>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=a b; h=from;"
                    + " bh=AAAA; b=AAAA\r\n", "a@evil.example", "header.s="},
            {"From: <ceo@bank.example>\r\n", "a@" + "a".repeat(64) + ".example", "smtp.mailfrom="},
        };
        for (String[] c : cases) {
            byte[] raw = (c[0] + "Subject: x\r\n\r\nhello\r\n").getBytes(StandardCharsets.UTF_8);

            String value = analyzer(dns).evaluate(input(raw, Direction.INBOUND, "203.0.113.9", c[1]))
                    .authenticationResults("mx.example.co.jp");

            assertThat(value).as(c[0]).doesNotContain(c[2]).doesNotContain("?").doesNotContain("dmarc=pass")
                    .hasSizeLessThan(400);
        }
        assertThat(SenderAuthResult.domainName("Mail.Example.COM.")).contains("Mail.Example.COM");
        assertThat(SenderAuthResult.domainName("a".repeat(63) + ".example")).isPresent();
        assertThat(SenderAuthResult.domainName("a".repeat(64) + ".example")).isEmpty();
        assertThat(SenderAuthResult.domainName("-a.example")).isEmpty();
        assertThat(SenderAuthResult.domainName("a.".repeat(125) + "jp")).isPresent();
        assertThat(SenderAuthResult.domainName("a.".repeat(126) + "jp")).isEmpty();
    }

    @Test
    void anUnsignedMessageFromAnUnauthorisedServerFailsSpfAndTheRejectPolicy() throws IOException {
        DnsResolver dns = TableDnsResolver.builder()
                .add("bank.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .build();
        List<Finding> findings = analyzer(dns).analyze(
                input("/messages/sender-auth/unsigned-bank.eml", Direction.INBOUND, "203.0.113.9", "support@bank.example"));
        assertThat(findings).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("SPF_FAIL", "mailfrom=bank.example ip=203.0.113.9"),
                tuple("DMARC_REJECT_POLICY_FAIL", "from=bank.example policy=reject"));
    }

    @Test
    void aNonExistentSubdomainGetsTheNpPolicyAndAnExistingOneTheSubdomainPolicy() throws IOException {
        TableDnsResolver.Builder records = TableDnsResolver.builder()
                .add("bank.example", Type.TXT, "v=spf1 -all")
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject; sp=quarantine; np=reject");
        java.util.function.Function<String, List<Finding>> from = domain -> {
            byte[] bytes = new String(bytes("/messages/sender-auth/unsigned-bank.eml"), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("<support@bank.example>\r\nTo:", "<support@" + domain + ">\r\nTo:")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Envelope envelope = new Envelope(Direction.INBOUND, "support@bank.example", List.of("a@example.co.jp"),
                    "203.0.113.9", "mx.bank.example", null, true, CLOCK.instant());
            try {
                return analyzer(records.build()).analyze(new AnalysisInput(envelope,
                        new MessageParser().parse(new ByteArrayInputStream(bytes)), RawMessage.of(bytes)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };

        // RFC 9989 np=: a made-up name under the bank's domain, which exists nowhere in the DNS
        assertThat(from.apply("login.bank.example")).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("SPF_FAIL", "mailfrom=bank.example ip=203.0.113.9"),
                tuple("DMARC_REJECT_POLICY_FAIL", "from=login.bank.example policy=reject"));
        records.add("news.bank.example", Type.MX, "mx.bank.example");
        assertThat(from.apply("news.bank.example")).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("SPF_FAIL", "mailfrom=bank.example ip=203.0.113.9"),
                tuple("DMARC_FAIL", "from=news.bank.example policy=quarantine"));
    }

    @Test
    void aSubdomainOfARejectDomainGetsTheSubdomainPolicyFromTheTreeWalk() throws IOException {
        DnsResolver dns = TableDnsResolver.builder()
                .add("bank.example", Type.TXT, "v=spf1 -all")
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject; sp=quarantine")
                .build();
        byte[] raw = bytes("/messages/sender-auth/unsigned-bank.eml");
        String changed = new String(raw, java.nio.charset.StandardCharsets.UTF_8)
                .replace("<support@bank.example>\r\nTo:", "<support@secure.mail.bank.example>\r\nTo:");
        byte[] bytes = changed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Envelope envelope = new Envelope(Direction.INBOUND, "support@bank.example", List.of("a@example.co.jp"),
                "203.0.113.9", "mx.bank.example", null, true, CLOCK.instant());
        List<Finding> findings = analyzer(dns).analyze(new AnalysisInput(envelope,
                new MessageParser().parse(new ByteArrayInputStream(bytes)), RawMessage.of(bytes)));
        assertThat(findings).extracting(Finding::code, Finding::evidence, Finding::multiplier).containsExactly(
                tuple("SPF_FAIL", "mailfrom=bank.example ip=203.0.113.9", 1.0),
                tuple("DMARC_FAIL", "from=secure.mail.bank.example policy=quarantine", 1.0));
    }

    @Test
    void theRfc8463ExampleWithBothSignaturesValidRaisesNothingAndPassesDmarc() throws IOException {
        TableDnsResolver dns = football().build();
        AnalysisInput in = input("/conformance/dkimpy/rfc6376.signed.msg", Direction.INBOUND, "203.0.113.9",
                "joe@football.example.com");
        SenderAuthAnalyzer analyzer = analyzer(dns);
        assertThat(analyzer.analyze(in)).isEmpty();
        SenderAuthResult r = analyzer.evaluate(in);
        assertThat(r.spf().kind()).isEqualTo(SpfResult.Kind.FAIL);
        assertThat(r.dmarc().kind()).isEqualTo(DmarcResult.Kind.PASS);
        assertThat(r.authenticationResults("mx.example.co.jp")).isEqualTo("mx.example.co.jp; "
                + "spf=fail smtp.mailfrom=football.example.com; "
                + "dkim=pass header.d=football.example.com header.s=brisbane header.b=\"9/dsDChY\"; "
                + "dkim=pass header.d=football.example.com header.s=test header.b=icKcLSEZ; "
                + "dmarc=pass header.from=football.example.com; arc=none");
    }

    @Test
    void anAlteredBodyFailsBothSignaturesWithEvidenceAndThenDmarc() throws IOException {
        List<Finding> findings = analyzer(football().build()).analyze(input(
                "/messages/sender-auth/rfc8463-body-altered.eml", Direction.INBOUND, "192.0.2.77", "bounce@other.example"));
        // both signatures fail for the same reason: one finding, counted once
        assertThat(findings).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("DKIM_FAIL", "d=football.example.com reason=body hash mismatch"),
                tuple("DMARC_REJECT_POLICY_FAIL", "from=football.example.com policy=reject"));
    }

    @Test
    void aSignaturesExpiryIsJudgedAtTheMessagesArrivalNotByTheAnalyzersClock() throws IOException {
        // signed 2020-09-13 12:26:40 UTC, valid for a day (x=); the analyzer's clock says 2026
        byte[] raw = ("DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=test; c=relaxed/relaxed;\r\n"
                + " h=from:subject; t=1600000000; x=1600086400; bh=zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=; b=AAAA\r\n"
                + "From: joe@football.example.com\r\nSubject: hello\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
        TableDnsResolver noKeys = TableDnsResolver.builder().build();
        Function<Instant, List<Finding>> arrivingAt = t -> analyzer(noKeys).analyze(new AnalysisInput(
                new Envelope(Direction.INBOUND, "", List.of("keiri@example.co.jp"), "", "", null, true, t),
                parse(raw), RawMessage.of(raw)));

        assertThat(arrivingAt.apply(Instant.parse("2020-09-13T13:00:00Z"))).extracting(Finding::code, Finding::evidence)
                .containsExactly(tuple("DKIM_PERMERROR",
                        "d=football.example.com reason=no key record at test._domainkey.football.example.com"));
        assertThat(arrivingAt.apply(Instant.parse("2020-09-15T00:00:00Z"))).extracting(Finding::code, Finding::evidence)
                .containsExactly(tuple("DKIM_FAIL", "d=football.example.com reason=signature expired"));
    }

    private static ParsedMessage parse(byte[] raw) {
        try {
            return new MessageParser().parse(new ByteArrayInputStream(raw));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A signature with l= shorter than the body verified as a pass and made DMARC pass, so anyone could append to a
     * genuinely signed message (a link, new payment instructions) and keep the From domain's authentication.
     */
    @Test
    void aSignatureWhoseLengthTagLeavesAppendedTextUnsignedIsNotAnAlignedPass() throws Exception {
        KeyPair key = rsaKeys();
        DnsResolver dns = TableDnsResolver.builder()
                .add("sel._domainkey.bank.example", Type.TXT,
                        "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getPublic().getEncoded()))
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .build();
        String headers = "From: info@bank.example\r\nSubject: invoice\r\n";
        String body = "Please pay invoice 42 to the account on file.\r\n";
        String signature = signedWithLength(headers, body, key.getPrivate());
        byte[] appended = (signature + headers + "\r\n" + body + "New account: 1234 at http://pay.evil.example/\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        AnalysisInput in = input(appended, Direction.INBOUND, "192.0.2.9", "bounce@other.example");
        SenderAuthResult r = analyzer(dns).evaluate(in);

        assertThat(r.dkim()).extracting(DkimResult::kind).containsExactly(DkimResult.Kind.POLICY);
        assertThat(r.dmarc().kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(analyzer(dns).analyze(in)).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("DKIM_PERMERROR", "d=bank.example reason=l= signs only part of the body (RFC 6376 section 8.2)"),
                tuple("DMARC_REJECT_POLICY_FAIL", "from=bank.example policy=reject"));
        assertThat(r.authenticationResults("mx")).contains("dkim=policy (l signs only part of the body");
        // the same signature over the whole body, as it was sent, still passes
        byte[] whole = (signature + headers + "\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        SenderAuthResult sent = analyzer(dns).evaluate(input(whole, Direction.INBOUND, "192.0.2.9", "bounce@other.example"));
        assertThat(sent.dkim()).extracting(DkimResult::kind).containsExactly(DkimResult.Kind.PASS);
        assertThat(sent.dmarc().kind()).isEqualTo(DmarcResult.Kind.PASS);
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** A DKIM-Signature field (with its CRLF), relaxed/relaxed, whose l= is the canonical length of {@code body}. */
    private static String signedWithLength(String headers, String body, PrivateKey key) throws Exception {
        RawMail mail = RawMail.read(new ByteArrayInputStream((headers + "\r\n" + body).getBytes(StandardCharsets.US_ASCII)));
        BodyHasher hasher = new BodyHasher(true, "SHA-256", -1);
        for (byte[] line = mail.nextLine(); line != null; line = mail.nextLine()) {
            hasher.line(line);
        }
        byte[] bodyHash = hasher.finish();
        String field = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=bank.example; s=sel; l="
                + hasher.canonicalLength() + "; h=from:subject; bh=" + Base64.getEncoder().encodeToString(bodyHash) + "; b=";
        StringBuilder data = new StringBuilder();
        for (RawMail.Field f : DkimSignatures.selectFields(mail.fields(), List.of("from", "subject"))) {
            data.append(DkimSignatures.canonicalHeader(f, true));
        }
        String self = DkimSignatures.canonicalHeader(new RawMail.Field("DKIM-Signature", field + "\r\n"), true);
        data.append(self, 0, self.length() - 2);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(data.toString().getBytes(StandardCharsets.US_ASCII));
        return field + Base64.getEncoder().encodeToString(rsa.sign()) + "\r\n";
    }

    @Test
    void aSignatureWhoseKeyRecordIsMissingIsAPermerrorThatDoesNotScore() throws IOException {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("test._domainkey.football.example.com", Type.TXT, RSA_TEST_KEY)
                .build();
        List<Finding> findings = analyzer(dns).analyze(input("/conformance/dkimpy/rfc6376.signed.msg", Direction.INBOUND,
                "203.0.113.9", "joe@football.example.com"));
        // the ed25519 signature's selector has no key record: RFC 6376 §6.1.2 "no key for signature", a permerror;
        // the RSA signature verifies, so nothing at all is reported
        assertThat(findings).isEmpty();

        TableDnsResolver noKeys = TableDnsResolver.builder().build();
        List<Finding> unverifiable = analyzer(noKeys).analyze(input("/conformance/dkimpy/rfc6376.signed.msg",
                Direction.INBOUND, "203.0.113.9", "joe@football.example.com"));
        assertThat(unverifiable).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("DKIM_PERMERROR", "d=football.example.com reason=no key record at brisbane._domainkey.football.example.com; "
                        + "d=football.example.com reason=no key record at test._domainkey.football.example.com"));
        assertThat(FindingCatalogue.builtIn().weight("DKIM_PERMERROR")).isZero();
    }

    @Test
    void anAlignedSpfPassSatisfiesDmarcAndSilencesTheBrokenSignatures() throws IOException {
        AnalysisInput in = input("/messages/sender-auth/rfc8463-body-altered.eml", Direction.INBOUND, "192.0.2.77",
                "bounce@football.example.com");
        assertThat(analyzer(football().build()).analyze(in)).isEmpty();
        assertThat(analyzer(football().build()).evaluate(in).dkim()).extracting(DkimResult::kind)
                .containsExactly(DkimResult.Kind.FAIL, DkimResult.Kind.FAIL);
    }

    @Test
    void dnsTimeoutsAreReportedAsTemporaryAndNeverAsFailures() throws IOException {
        TableDnsResolver dns = TableDnsResolver.builder().tempFail("bank.example").tempFail("_dmarc.bank.example").build();
        List<Finding> findings = analyzer(dns).analyze(
                input("/messages/sender-auth/unsigned-bank.eml", Direction.INBOUND, "203.0.113.9", "support@bank.example"));
        assertThat(findings).extracting(Finding::code).containsOnly("AUTH_TEMPFAIL");
        assertThat(findings).extracting(Finding::evidence).containsExactly(
                "spf bank.example: TXT bank.example: timeout (table) for bank.example TXT",
                "dmarc bank.example: DMARC record of bank.example: timeout (table) for _dmarc.bank.example TXT");
        assertThat(FindingCatalogue.builtIn().weight("AUTH_TEMPFAIL")).isZero();
    }

    /**
     * A spoofer of a p=reject domain whose own name server times out (a signature of its domain, its MAIL FROM, the
     * DMARC record of its domain) got dmarc=temperror, AUTH_TEMPFAIL of weight 0, instead of the reject policy's
     * failure: its domain could never have been aligned with the From domain.
     */
    @Test
    void aSpooferCannotEscapeTheRejectPolicyWithTimeOutsOfItsOwnNameServer() throws IOException {
        byte[] signedBySlow = ("DKIM-Signature: v=1; a=rsa-sha256; d=slow.example; s=sel; h=from; bh=AAAA; b=AAAA\r\n"
                + "From: ceo@bank.example\r\nSubject: invoice\r\n\r\nPlease pay invoice 42.\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] unsigned = ("From: ceo@bank.example\r\nSubject: invoice\r\n\r\nPlease pay invoice 42.\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        java.util.function.Supplier<TableDnsResolver.Builder> bank = () -> TableDnsResolver.builder()
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .add("evil.example", Type.TXT, "v=spf1 ip4:203.0.113.0/24 -all");
        record Case(String name, TableDnsResolver dns, byte[] raw, String mailFrom) {
        }
        List<Case> cases = List.of(
                new Case("key of d=slow.example times out", bank.get().tempFail("sel._domainkey.slow.example").build(),
                        signedBySlow, "x@evil.example"),
                new Case("SPF of slow.example times out", bank.get().tempFail("slow.example").build(), unsigned, "x@slow.example"),
                new Case("SPF of slow.example passes, its DMARC record times out", bank.get()
                        .add("slow.example", Type.TXT, "v=spf1 ip4:203.0.113.0/24 -all")
                        .tempFail("_dmarc.slow.example").build(), unsigned, "x@slow.example"));
        for (Case c : cases) {
            AnalysisInput in = input(c.raw(), Direction.INBOUND, "203.0.113.9", c.mailFrom());

            SenderAuthResult r = analyzer(c.dns()).evaluate(in);

            assertThat(r.dmarc().kind()).as(c.name()).isEqualTo(DmarcResult.Kind.FAIL);
            assertThat(analyzer(c.dns()).analyze(in)).as(c.name()).extracting(Finding::code)
                    .contains("DMARC_REJECT_POLICY_FAIL");
        }
    }

    @Test
    void aSenderWhoseNameServerAnswersSlowlyCannotOutlastTheEvaluationAndEscapeTheRejectPolicy() throws IOException {
        // every question about the sender's own domain answered after 400 ms, just inside any DNS timeout, through a
        // chain of SPF includes: ten of them would take four seconds, past an analyzer budget of two
        TableDnsResolver table = TableDnsResolver.builder()
                .add("_dmarc.bank.example", Type.TXT, "v=DMARC1; p=reject")
                .add("slow.example", Type.TXT, "v=spf1 include:s1.slow.example -all")
                .add("s1.slow.example", Type.TXT, "v=spf1 include:s2.slow.example -all")
                .add("s2.slow.example", Type.TXT, "v=spf1 include:s3.slow.example -all")
                .add("s3.slow.example", Type.TXT, "v=spf1 include:s4.slow.example -all")
                .add("s4.slow.example", Type.TXT, "v=spf1 include:s5.slow.example -all")
                .add("s5.slow.example", Type.TXT, "v=spf1 include:s6.slow.example -all")
                .add("s6.slow.example", Type.TXT, "v=spf1 include:s7.slow.example -all")
                .add("s7.slow.example", Type.TXT, "v=spf1 include:s8.slow.example -all")
                .add("s8.slow.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all").build();
        DnsResolver slowForItsOwn = new DnsResolver() {
            @Override
            public DnsAnswer lookup(String name, Type type) {
                return lookupAsync(name, type).join();
            }

            @Override
            public java.util.concurrent.CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
                // as the gateway's resolver: the question goes out, the answer comes when it comes
                long delay = name.endsWith("slow.example") ? 400 : 0;
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> table.lookup(name, type),
                        java.util.concurrent.CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS));
            }
        };
        SenderAuthAnalyzer analyzer = new SenderAuthAnalyzer(slowForItsOwn,
                new SenderAuthSettings(Set.of(), java.time.Duration.ofMillis(1500)), CLOCK);
        byte[] raw = "From: ceo@bank.example\r\nSubject: invoice\r\n\r\nPlease pay invoice 42.\r\n".getBytes(StandardCharsets.US_ASCII);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            io.mamori.core.analysis.AnalysisPipeline pipeline = new io.mamori.core.analysis.AnalysisPipeline(
                    List.of(analyzer), io.mamori.core.analysis.FindingCatalogue.builtIn(), java.time.Duration.ofSeconds(2), pool);

            List<Finding> findings = pipeline.run(input(raw, Direction.INBOUND, "203.0.113.9", "x@slow.example"));

            assertThat(findings).extracting(Finding::code).contains("DMARC_REJECT_POLICY_FAIL")
                    .doesNotContain("ANALYZER_FAILED");
            assertThat(findings).filteredOn(f -> f.code().equals("AUTH_TEMPFAIL")).extracting(Finding::evidence)
                    .anySatisfy(e -> assertThat(e).startsWith("spf slow.example"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The fixture's sealer recorded a bare {@code dmarc=pass}: a pass for no named From domain vouches for none. */
    @Test
    void aTrustedSealersDmarcPassThatNamesNoFromDomainDoesNotOverrideDmarc() throws IOException {
        TableDnsResolver dns = listDns();
        List<Finding> findings = analyzer(dns, "example.org").analyze(forwarded());
        assertThat(findings).extracting(Finding::code).containsExactly("SPF_FAIL", "DKIM_FAIL", "DMARC_REJECT_POLICY_FAIL");
        SenderAuthResult r = analyzer(dns, "example.org").evaluate(forwarded());
        assertThat(r.arc().kind()).isEqualTo(ArcResult.Kind.PASS);
        assertThat(r.effectiveDmarc()).isEqualTo(DmarcResult.Kind.FAIL);
    }

    @Test
    void theSameForwardedMessageFailsDmarcWhenItsSealerIsNotTrusted() throws IOException {
        List<Finding> findings = analyzer(listDns(), "google.com").analyze(forwarded());
        assertThat(findings).extracting(Finding::code).containsExactly("SPF_FAIL", "DKIM_FAIL", "DMARC_REJECT_POLICY_FAIL");
    }

    private static final ArcSealer TRUSTED_SEALER = new ArcSealer("trusted.example");
    private static final ArcSealer EVIL_SEALER = new ArcSealer("evil.example");
    private static final String INVOICE = "From: CEO <ceo@victim.example>\r\nTo: keiri@example.co.jp\r\n"
            + "Subject: invoice\r\n\r\nPlease pay invoice 42 to account 1234.\r\n";

    /** victim.example publishes p=reject and sends from 198.51.100.0/24; the sealers' keys; nothing signs with DKIM. */
    private static TableDnsResolver victimDns() {
        return TableDnsResolver.builder()
                .add("_dmarc.victim.example", Type.TXT, "v=DMARC1; p=reject")
                .add("victim.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
                .add("_dmarc.evil.example", Type.TXT, "v=DMARC1; p=none")
                .add("evil.example", Type.TXT, "v=spf1 ip4:203.0.113.0/24 -all")
                .add("_dmarc.xn--bcher-kva.example", Type.TXT, "v=DMARC1; p=reject")
                .add(TRUSTED_SEALER.keyName(), Type.TXT, TRUSTED_SEALER.keyRecord())
                .add(EVIL_SEALER.keyName(), Type.TXT, EVIL_SEALER.keyRecord())
                .build();
    }

    /** The message arrives from 203.0.113.5: SPF fails for victim.example, so DMARC fails unless ARC overrides it. */
    private static SenderAuthResult viaTrustedSealer(String message) throws IOException {
        return analyzer(victimDns(), "trusted.example").evaluate(input(message.getBytes(StandardCharsets.ISO_8859_1),
                Direction.INBOUND, "203.0.113.5", "bounce@victim.example"));
    }

    /**
     * RFC 8617 §5.2 verifies only the newest ARC-Message-Signature: an older set may come from any other message.
     * Here a trusted sealer's genuine set, recording dmarc=pass for the attacker's own earlier mail, is copied under
     * a new From (a p=reject domain) and body, and the attacker seals a valid set of their own on top. The chain
     * validates, and must not make the forgery pass DMARC.
     */
    @Test
    void aTrustedSealersPassReplayedBelowAnAttackersOwnSetDoesNotOverrideDmarc() throws IOException {
        String own = "From: me@evil.example\r\nTo: friend@trusted.example\r\nSubject: hi\r\n\r\nhi\r\n";
        String copied = TRUSTED_SEALER.set(own, "mx.trusted.example; spf=pass smtp.mailfrom=evil.example;"
                + " dmarc=pass header.from=evil.example");
        String forged = EVIL_SEALER.seal(copied + INVOICE, "mx.evil.example; dmarc=fail header.from=victim.example");

        SenderAuthResult r = viaTrustedSealer(forged);

        assertThat(r.arc().kind()).as(r.arc().reason()).isEqualTo(ArcResult.Kind.PASS);
        assertThat(r.arc().sets()).extracting(ArcResult.ArcSet::sealer).containsExactly("trusted.example", "evil.example");
        assertThat(r.arcOverride()).isEmpty();
        assertThat(r.effectiveDmarc()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(SenderAuthAnalyzer.findings(r)).extracting(Finding::code).contains("DMARC_REJECT_POLICY_FAIL")
                .doesNotContain("ARC_TRUSTED_OVERRIDE");
        // a set that names this very From domain, copied from a genuine newsletter of victim.example that reached the
        // attacker through the trusted sealer, vouches just as little for a new body under that From
        String newsletter = "From: news@victim.example\r\nTo: me@evil.example\r\nSubject: news\r\n\r\nnews\r\n";
        String genuine = TRUSTED_SEALER.set(newsletter, "mx.trusted.example; dmarc=pass header.from=victim.example");
        SenderAuthResult replayed = viaTrustedSealer(EVIL_SEALER.seal(genuine + INVOICE, "mx.evil.example; dmarc=pass"));
        assertThat(replayed.arc().kind()).as(replayed.arc().reason()).isEqualTo(ArcResult.Kind.PASS);
        assertThat(replayed.arcOverride()).isEmpty();
        assertThat(replayed.effectiveDmarc()).isEqualTo(DmarcResult.Kind.FAIL);
        // the same trusted record, had the trusted sealer been the last hop and named this From domain, would count
        String relayed = TRUSTED_SEALER.seal(EVIL_SEALER.seal(INVOICE, "mx.evil.example; dmarc=fail"),
                "mx.trusted.example; dmarc=pass header.from=victim.example");
        assertThat(viaTrustedSealer(relayed).arcOverride()).hasValueSatisfying(s -> assertThat(s.instance()).isEqualTo(2));
    }

    /**
     * The newest trusted set counts only where it records, as a result (not in a comment), that DMARC passed for
     * the From domain of the message as it is: the header.from property, compared as the author domain is (case,
     * IDNA). The forms Microsoft 365 and Gmail write pass.
     */
    @Test
    void aTrustedSealersDmarcPassCountsOnlyForTheFromDomainItNamesAsAResult() throws IOException {
        String[] honoured = {
            "mx.trusted.example; dmarc=pass header.from=victim.example",
            "mx.trusted.example 1; spf=pass smtp.mailfrom=victim.example; dmarc=pass action=none"
                    + " header.from=victim.example; dkim=none (message not signed) header.d=none; arc=none",
            "mx.trusted.example; dkim=pass header.i=@victim.example header.s=s1 header.b=Ab12;\r\n"
                    + "       spf=pass (trusted.example: domain of bounce@victim.example designates 198.51.100.7 as"
                    + " permitted sender) smtp.mailfrom=bounce@victim.example;\r\n"
                    + "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=victim.example",
            "mx.trusted.example; DMARC = Pass (comment) Header . From = VICTIM.Example",
            "mx.trusted.example; dmarc=pass header.from=\"victim.example\"",
        };
        for (String aar : honoured) {
            SenderAuthResult r = viaTrustedSealer(TRUSTED_SEALER.seal(INVOICE, aar));
            assertThat(r.arcOverride()).as(aar).isPresent();
            assertThat(SenderAuthAnalyzer.findings(r)).as(aar).extracting(Finding::code, Finding::evidence).containsExactly(
                    tuple("ARC_TRUSTED_OVERRIDE", "from=victim.example sealer=trusted.example i=1"));
        }
        String[] ignored = {
            "mx.trusted.example; dmarc=pass header.from=evil.example",
            "mx.trusted.example; dmarc=pass header.from=victim.example.evil.example",
            "mx.trusted.example; dmarc=pass",
            "mx.trusted.example; dmarc=fail (p=reject;dmarc=pass if forwarded) header.from=victim.example",
            "mx.trusted.example; spf=fail (;dmarc=pass header.from=victim.example) smtp.mailfrom=victim.example",
            "mx.trusted.example; dmarc=pass header.from=victim.example header.from=evil.example",
            "mx.trusted.example; dmarc=pass header.from=victim.example; dmarc=fail header.from=victim.example",
            "mx.trusted.example; dmarc=pass header.from=victim.example (unclosed",
            "; dmarc=pass header.from=victim.example",
        };
        for (String aar : ignored) {
            SenderAuthResult r = viaTrustedSealer(TRUSTED_SEALER.seal(INVOICE, aar));
            assertThat(r.arc().kind()).as(aar).isEqualTo(ArcResult.Kind.PASS);
            assertThat(r.arcOverride()).as(aar).isEmpty();
            assertThat(r.effectiveDmarc()).as(aar).isEqualTo(DmarcResult.Kind.FAIL);
        }
        // an internationalised From domain, written in UTF-8 (RFC 6532), and its A-label in the record
        String idn = new String("From: <ceo@B\u00fccher.example>\r\nTo: keiri@example.co.jp\r\nSubject: x\r\n\r\nx\r\n"
                .getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(viaTrustedSealer(TRUSTED_SEALER.seal(idn, "mx.trusted.example; dmarc=pass header.from=xn--bcher-kva.example"))
                .arcOverride()).isPresent();
    }

    private static TableDnsResolver listDns() {
        return TableDnsResolver.builder()
                .add("dummy._domainkey.example.org", Type.TXT, RSA_TEST_KEY)
                .add("test._domainkey.d1.example.org", Type.TXT, RSA_TEST_KEY)
                .add("d1.example.org", Type.TXT, "v=spf1 ip4:72.52.75.15 -all")
                .add("_dmarc.d1.example.org", Type.TXT, "v=DMARC1; p=reject")
                .build();
    }

    private static AnalysisInput forwarded() throws IOException {
        return input("/messages/sender-auth/forwarded-list-arc.eml", Direction.INBOUND, "198.51.100.25", "jqd@d1.example.org");
    }

    @Test
    void outboundMailIsNotCheckedAndCostsNoDnsQuestion() throws IOException {
        TableDnsResolver dns = football().build();
        assertThat(analyzer(dns).analyze(input("/messages/sender-auth/unsigned-bank.eml", Direction.OUTBOUND,
                "203.0.113.9", "support@bank.example"))).isEmpty();
        assertThat(dns.lookupCount()).isZero();
    }

    @Test
    void theFirstQuestionsOfSpfAndDmarcAndTheDkimKeysGoOutTogether() throws Exception {
        HeldDns dns = new HeldDns(football().build());
        AnalysisInput in = input("/conformance/dkimpy/rfc6376.signed.msg", Direction.INBOUND, "203.0.113.9",
                "joe@football.example.com");
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<SenderAuthResult> result = thread.submit(() -> analyzer(dns).evaluate(in));
            // the DMARC tree walk (RFC 9989 §4.10) asks every parent whatever the answers: all of it goes out at once
            assertThat(dns.answerAll(6)).as("one wave, before any answer").containsExactlyInAnyOrder(
                    "football.example.com", "_dmarc.football.example.com", "_dmarc.example.com", "_dmarc.com",
                    "brisbane._domainkey.football.example.com", "test._domainkey.football.example.com");
            SenderAuthResult r = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.dmarc().kind()).isEqualTo(DmarcResult.Kind.PASS);
            assertThat(r.spf().kind()).isEqualTo(SpfResult.Kind.FAIL);
            assertThat(dns.pendingCount()).isZero();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void eachDnsQuestionIsAskedOnlyOncePerMessage() throws IOException {
        TableDnsResolver dns = football().build();
        analyzer(dns).analyze(input("/conformance/dkimpy/rfc6376.signed.msg", Direction.INBOUND, "203.0.113.9",
                "joe@football.example.com"));
        // SPF TXT, two keys, and the DMARC tree walk: football.example.com, example.com, com (RFC 9989 §4.10)
        assertThat(dns.lookupCount()).isEqualTo(6);
    }

    @Test
    void withoutTheRawMessageDkimIsUncheckedAndDmarcDoesNotFailOnThatBlindSpot() throws IOException {
        AnalysisInput full = input("/messages/sender-auth/rfc8463-body-altered.eml", Direction.INBOUND, "192.0.2.77",
                "bounce@other.example");
        AnalysisInput parsedOnly = new AnalysisInput(full.envelope(), full.message());
        SenderAuthResult r = analyzer(football().build()).evaluate(parsedOnly);
        assertThat(SenderAuthAnalyzer.findings(r)).isEmpty();
        assertThat(r.authenticationResults("mx")).contains("dkim=none (raw message not available)");
    }

    private static List<Finding> fromFindings(byte[] raw, String mailFrom) throws IOException {
        AnalysisInput in = input(raw, Direction.INBOUND, "203.0.113.9", mailFrom);
        return analyzer(TableDnsResolver.builder().build()).analyze(in).stream()
                .filter(f -> f.code().equals("FROM_INVALID")).toList();
    }

    private static byte[] message(String header) {
        return (header + "To: keiri@example.co.jp\r\nSubject: お知らせ\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twoFromFieldsOfARealSpamAreReportedAsNoSingleAuthor() throws IOException {
        byte[] mbox = bytes("/messages/sender-auth/spamassassin-spam-008-two-from.mbox");
        int separator = new String(mbox, StandardCharsets.ISO_8859_1).indexOf('\n') + 1; // eval drops the "From " line
        byte[] raw = java.util.Arrays.copyOfRange(mbox, separator, mbox.length);

        assertThat(fromFindings(raw, "pertand@email.mondolink.com")).extracting(Finding::code, Finding::evidence)
                .containsExactly(tuple("FROM_INVALID", "2 From headers"));
    }

    @Test
    void aFromWithoutAnAuthorDomainIsReportedWithTheValueAsEvidence() throws IOException {
        assertThat(fromFindings(message(""), "x@sender.example")).extracting(Finding::evidence)
                .containsExactly("no From header");
        // a brand written where the domain belongs: no DMARC record can ever be asked for, so none fails
        assertThat(fromFindings(message("From: Correios <rastreio@correios>\r\n"), "x@sender.example"))
                .extracting(Finding::evidence)
                .containsExactly("From does not hold exactly one address with a domain: Correios <rastreio@correios>");
        assertThat(fromFindings(message("From: news@shop,example\r\n"), "x@sender.example")).hasSize(1);
        assertThat(fromFindings(message("From: 👉 test\r\n"), "x@sender.example")).hasSize(1);
        assertThat(fromFindings(message("From: a@one.example, b@two.example\r\n"), "x@sender.example"))
                .extracting(Finding::evidence)
                .containsExactly("From does not hold exactly one address with a domain: a@one.example, b@two.example");
    }

    @Test
    void bouncesFromAMailSystemWithoutADomainAreNotReported() throws IOException {
        // Sendmail's multipart/report from "Mail Delivery Subsystem <MAILER-DAEMON>", DragonFly's plain text from
        // "MAILER-DAEMON <>": real bounces, sent with the null reverse path
        assertThat(fromFindings(bytes("/messages/sender-auth/sisimai-lhost-sendmail-05.eml"), "")).isEmpty();
        assertThat(fromFindings(bytes("/messages/sender-auth/sisimai-lhost-dragonfly-02.eml"), "")).isEmpty();
        assertThat(fromFindings(message("From: Mailer Daemon <MAILER-DAEMON@localhost>\r\n"), "")).isEmpty();
        assertThat(fromFindings(message("From: postmaster\r\n"), "")).isEmpty();
        // the same brand trick from a "mailer" that is not the mail system's own mailbox is still reported
        assertThat(fromFindings(message("From: Correios <mailer@correios>\r\n"), "")).hasSize(1);
        // the null sender is a mail system's when unnamed or named as one; a brand's name on it is no bounce
        assertThat(fromFindings(message("From: <>\r\n"), "")).isEmpty();
        assertThat(fromFindings(message("From: Mail Delivery System <>\r\n"), "")).isEmpty();
        assertThat(fromFindings(message("From: \"Facebook\" <>\r\n"), "")).extracting(Finding::evidence)
                .containsExactly("From does not hold exactly one address with a domain: \"Facebook\" <>");
        // a null sender with addresses beside it is no bounce either
        assertThat(fromFindings(message("From: <>, ceo@one.example, cfo@two.example\r\n"), "")).hasSize(1);
    }

    @Test
    void benignLookAlikesOfABrokenFromAreNotReported() throws IOException {
        // RFC 5322 §4.4 obsolete syntax: a comment and spaces around the dot still make one address
        byte[] obsolete = message("From  : John Doe <jdoe@machine(comment).  example>\r\n");
        assertThat(fromFindings(obsolete, "jdoe@machine.example")).isEmpty();
        AnalysisInput in = input(obsolete, Direction.INBOUND, "203.0.113.9", "jdoe@machine.example");
        assertThat(analyzer(TableDnsResolver.builder().build()).evaluate(in).authenticationResults("mx"))
                .contains("header.from=machine.example");
        // an address in the display name is impersonation's business, not a broken From
        assertThat(fromFindings(message("From: \"support@bank.example\" <notice@mailer.example>\r\n"),
                "notice@mailer.example")).isEmpty();
        assertThat(fromFindings(message("From: =?UTF-8?B?5qCq5byP5Lya56S+?= <info@example.co.jp>\r\n"),
                "info@example.co.jp")).isEmpty();
    }

    /** victim.example asks for rejection; evil.example is the attacker's own domain, whose SPF passes from 203.0.113.0/24. */
    private static TableDnsResolver victimAndAttacker() {
        return TableDnsResolver.builder()
                .add("victim.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
                .add("_dmarc.victim.example", Type.TXT, "v=DMARC1; p=reject")
                .add("evil.example", Type.TXT, "v=spf1 ip4:203.0.113.0/24 -all")
                .add("_dmarc.evil.example", Type.TXT, "v=DMARC1; p=none")
                .build();
    }

    private static SenderAuthResult fromTheAttackersServer(String fromAsWritten) throws IOException {
        return analyzer(victimAndAttacker()).evaluate(input(message("From: " + fromAsWritten + "\r\n"), Direction.INBOUND,
                "203.0.113.5", "x@evil.example"));
    }

    /**
     * DMARC took the first {@code <…>} anywhere in the From value: the attacker's address in a comment, a quoted string,
     * a second mailbox or a group made DMARC judge (and pass) the attacker's own domain while the reader saw the
     * victim's. The author is now the one address a mail program reads, or none.
     */
    @Test
    void anAddressHiddenInACommentAQuotedStringOrASecondMailboxDoesNotChooseTheDmarcDomain() throws IOException {
        for (String from : new String[] {"ceo@victim.example (<x@evil.example>)", "(<x@evil.example>) ceo@victim.example",
            "\"<x@evil.example>\"@victim.example", "ceo@victim.example (\\) <x@evil.example>)"}) {
            SenderAuthResult r = fromTheAttackersServer(from);
            assertThat(r.dmarc().fromDomain()).as(from).isEqualTo("victim.example");
            assertThat(SenderAuthAnalyzer.findings(r)).as(from).extracting(Finding::code)
                    .contains("DMARC_REJECT_POLICY_FAIL");
        }
        for (String from : new String[] {"ceo@victim.example, <x@evil.example>", "CEO <ceo@victim.example>, x@evil.example",
            "Board: ceo@victim.example, <x@evil.example>;",
            // decoded, these are "( <ceo@…> ) <x@…>" and "\" ceo@… \", x@…": one address to a parser of decoded text
            "=?utf-8?q?=28?= <ceo@victim.example> =?utf-8?q?=29?= <x@evil.example>",
            "=?utf-8?q?=22?= ceo@victim.example =?utf-8?q?=22?=, x@evil.example"}) {
            SenderAuthResult r = fromTheAttackersServer(from);
            assertThat(r.dmarc().kind()).as(from).isEqualTo(DmarcResult.Kind.PERMERROR);
            assertThat(fromFindings(message("From: " + from + "\r\n"), "x@evil.example")).as(from).hasSize(1);
        }
        // the attacker's address where it is the address: the victim's is only the name
        assertThat(fromTheAttackersServer("\"ceo@victim.example\" <x@evil.example>").dmarc())
                .extracting(DmarcResult::kind, DmarcResult::fromDomain).containsExactly(DmarcResult.Kind.PASS, "evil.example");
        // a domain written as mail programs show it: full-width letters, an ideographic full stop, a soft hyphen
        for (String from : new String[] {"ceo@\uff56\uff49\uff43\uff54\uff49\uff4d.example", "ceo@victim\u3002example",
            "ceo@vic\u00adtim.example"}) {
            assertThat(fromTheAttackersServer(from).dmarc().fromDomain()).as(from).isEqualTo("victim.example");
        }
    }

    /**
     * The parser keeps 1000 header fields and drops the rest: a second From behind 1000 padding fields was not counted,
     * and DMARC passed for the first, the forger's own domain, while the reader's program showed either.
     */
    @Test
    void aSecondFromPastTheParsersHeaderLimitLeavesTheMessageWithoutAnAuthor() throws IOException {
        byte[] raw = ("From: x@evil.example\r\n" + "X-Pad: a\r\n".repeat(1000) + "From: ceo@victim.example\r\n"
                + "Subject: invoice\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
        AnalysisInput in = input(raw, Direction.INBOUND, "203.0.113.5", "x@evil.example");

        assertThat(analyzer(victimAndAttacker()).evaluate(in).dmarc().kind()).isEqualTo(DmarcResult.Kind.PERMERROR);
        assertThat(analyzer(victimAndAttacker()).analyze(in)).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("FROM_INVALID", "header not read in full (over the parser's limits); another From may follow"));
        assertThat(SenderAuthAnalyzer.authorDomain(in.message())).isEmpty();
    }

    @Test
    void everyCodeHasAWeightAndJapaneseAndEnglishReasons() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        for (String code : new SenderAuthAnalyzer(football().build(), SenderAuthSettings.defaults(), CLOCK).codes()) {
            assertThat(catalogue.entry(code)).as(code).hasValueSatisfying(e -> {
                assertThat(e.reasonJa()).matches(".*[\\p{IsHiragana}\\p{IsKatakana}\\p{IsHan}].*");
                assertThat(e.reasonEn()).matches("[\\x20-\\x7E]+");
            });
        }
        assertThat(catalogue.weight("DMARC_REJECT_POLICY_FAIL")).isEqualTo(5.0);
        assertThat(catalogue.weight("ARC_TRUSTED_OVERRIDE")).isZero();
    }
}
