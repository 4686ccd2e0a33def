package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsResolver.Type;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The order of RFC 6376 §6.1 in the one pass over a message: every signature's key is fetched before the body, and a
 * body whose signatures have no key to be checked against is not read (offline evaluation, forged signatures of
 * domains that publish no key).
 */
class SignatureChecksTest {

    private static final String SIGNED = "dkimpy/rfc6376.signed.msg";
    private static final int PADDING = 4 << 20;

    /** A raw message that counts the bytes its readers take. */
    private record Counted(RawMessage raw, AtomicLong read) {
        static Counted of(byte[] bytes) {
            AtomicLong read = new AtomicLong();
            RawMessage raw = () -> new FilterInputStream(new ByteArrayInputStream(bytes)) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        read.incrementAndGet();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) {
                        read.addAndGet(n);
                    }
                    return n;
                }
            };
            return new Counted(raw, read);
        }
    }

    private static SignatureChecks.Outcome run(DnsResolver dns, RawMessage raw) throws IOException {
        DkimVerifier dkim = new DkimVerifier(dns, DkimConformanceTest.CLOCK, DkimVerifier.Settings.RFC_8301);
        return new SignatureChecks(dkim, new ArcVerifier(dns, dkim)).run(raw);
    }

    /** The RFC 8463 example with a body of several megabytes appended (which breaks its body hash). */
    private static byte[] padded() throws IOException {
        byte[] signed = Files.readAllBytes(DkimConformanceTest.resource(SIGNED));
        byte[] line = "All work and no play makes Jack a dull boy.\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[signed.length + PADDING / line.length * line.length];
        System.arraycopy(signed, 0, out, 0, signed.length);
        for (int at = signed.length; at + line.length <= out.length; at += line.length) {
            System.arraycopy(line, 0, out, at, line.length);
        }
        return out;
    }

    @Test
    void withBothKeysPublishedTheBodyIsReadAndHashed() throws IOException {
        byte[] signed = Files.readAllBytes(DkimConformanceTest.resource(SIGNED));
        Counted counted = Counted.of(signed);
        DnsResolver dns = SenderAuthAnalyzerTest.football().build();

        SignatureChecks.Outcome outcome = run(dns, counted.raw());

        assertThat(outcome.dkim()).extracting(DkimResult::kind, DkimResult::selector).containsExactly(
                tuple(DkimResult.Kind.PASS, "brisbane"), tuple(DkimResult.Kind.PASS, "test"));
        assertThat(counted.read().get()).isEqualTo(signed.length);
    }

    @Test
    void aLongerBodyWithTheKeysPublishedFailsOnItsBodyHash() throws IOException {
        byte[] padded = padded();
        Counted counted = Counted.of(padded);

        SignatureChecks.Outcome outcome = run(SenderAuthAnalyzerTest.football().build(), counted.raw());

        assertThat(outcome.dkim()).extracting(DkimResult::kind, DkimResult::reason).containsExactly(
                tuple(DkimResult.Kind.FAIL, "body hash mismatch"), tuple(DkimResult.Kind.FAIL, "body hash mismatch"));
        assertThat(counted.read().get()).isEqualTo(padded.length);
    }

    @Test
    void whenNoKeyCanBeFetchedTheSignaturesAreTemporaryErrorsAndTheBodyIsNotRead() throws IOException {
        byte[] padded = padded();
        Counted counted = Counted.of(padded);
        DnsResolver dns = TableDnsResolver.builder()
                .tempFail("brisbane._domainkey.football.example.com")
                .tempFail("test._domainkey.football.example.com")
                .build();

        SignatureChecks.Outcome outcome = run(dns, counted.raw());

        assertThat(outcome.dkim()).extracting(DkimResult::kind).containsExactly(
                DkimResult.Kind.TEMPERROR, DkimResult.Kind.TEMPERROR);
        assertThat(outcome.dkim().get(0).reason()).startsWith("key brisbane._domainkey.football.example.com: ");
        assertThat(counted.read().get()).isLessThan(PADDING / 4);
    }

    @Test
    void whenOneKeyIsMissingAndTheOtherPublishedOnlyThatOneNeedsTheBody() throws IOException {
        byte[] signed = Files.readAllBytes(DkimConformanceTest.resource(SIGNED));
        DnsResolver dns = TableDnsResolver.builder()
                .add("brisbane._domainkey.football.example.com", Type.TXT, DkimConformanceTest.RFC8463_ED25519)
                .build();

        SignatureChecks.Outcome outcome = run(dns, RawMessage.of(signed));

        assertThat(outcome.dkim()).extracting(DkimResult::kind, DkimResult::reason).containsExactly(
                tuple(DkimResult.Kind.PASS, ""),
                tuple(DkimResult.Kind.PERMERROR, "no key record at test._domainkey.football.example.com"));
    }
}
