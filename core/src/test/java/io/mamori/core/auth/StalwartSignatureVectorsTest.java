package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsResolver.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DKIM and ARC vectors of Stalwart's mail-auth ({@code conformance/stalwart/dkim/*.txt}, {@code arc/*.txt}): real
 * messages of ietf.org, facebookmail.com, topicbox.com and github.com, test domains and the RFC 8463 example; each
 * file its key records ("name value" lines), an empty line, then the message with LF line ends, which the suite's
 * driver turns into CRLF as SMTP would deliver it. The driver checks at 2022-11-07 (Unix time 1667843664, so that signatures with an expiry are in date)
 * that the message's last DKIM signature verifies, and that its ARC chain does.
 */
class StalwartSignatureVectorsTest {

    static final Clock WHEN = Clock.fixed(Instant.ofEpochSecond(1667843664L), ZoneOffset.UTC);

    record Vector(TableDnsResolver dns, byte[] message) {
    }

    static Vector read(String path) throws IOException {
        String text = Files.readString(DkimConformanceTest.resource(path), StandardCharsets.UTF_8);
        int split = text.indexOf("\n\n");
        TableDnsResolver.Builder dns = TableDnsResolver.builder();
        for (String line : text.substring(0, split).split("\n")) {
            int sp = line.indexOf(' ');
            dns.add(line.substring(0, sp), Type.TXT, line.substring(sp + 1));
        }
        String message = text.substring(split + 2).replace("\r\n", "\n").replace("\n", "\r\n");
        return new Vector(dns.build(), message.getBytes(StandardCharsets.UTF_8));
    }

    static SignatureChecks.Outcome check(Vector v) throws IOException {
        DkimVerifier dkim = new DkimVerifier(v.dns(), WHEN, DkimVerifier.Settings.RFC_8301);
        return new SignatureChecks(dkim, new ArcVerifier(v.dns(), dkim)).run(RawMessage.of(v.message()));
    }

    static Stream<String> files(String folder) throws IOException {
        try (Stream<Path> s = Files.list(DkimConformanceTest.resource("stalwart/" + folder))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    static Stream<String> dkimFiles() throws IOException {
        return files("dkim");
    }

    static Stream<String> arcFiles() throws IOException {
        return files("arc");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dkimFiles")
    void theLastDkimSignatureVerifies(String file) throws IOException {
        List<DkimResult> results = check(read("stalwart/dkim/" + file)).dkim();
        assertThat(results).as(file).isNotEmpty();
        assertThat(results.get(results.size() - 1).kind()).as("%s: %s", file, results).isEqualTo(DkimResult.Kind.PASS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arcFiles")
    void theArcChainVerifies(String file) throws IOException {
        ArcResult arc = check(read("stalwart/arc/" + file)).arc();
        assertThat(arc.kind()).as("%s: %s", file, arc.reason()).isEqualTo(ArcResult.Kind.PASS);
    }
}
