package io.mamori.gateway.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.malware.MalwareAnalyzer;
import io.mamori.core.malware.MalwareScanner;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ClamdScanner} and the {@link MalwareAnalyzer} against a real clamd on loopback. */
class ClamdScannerTest {

    private static ClamdProcess clamd;

    @BeforeAll
    static void startClamd() throws Exception {
        clamd = ClamdProcess.start();
    }

    @AfterAll
    static void stopClamd() throws Exception {
        if (clamd != null) {
            clamd.close();
        }
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static String mail(String filename, byte[] attachment) {
        return "From: sender@example.net\r\nTo: taro@example.co.jp\r\nSubject: invoice\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease see the attachment.\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"" + filename + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + filename + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(attachment) + "\r\n--b--\r\n";
    }

    private static List<Finding> analyze(MalwareScanner scanner, String mail) throws Exception {
        Envelope envelope = new Envelope(Direction.INBOUND, "sender@example.net", List.of("taro@example.co.jp"),
                "192.0.2.1", "mail.example.net", null, false, Instant.parse("2025-04-01T00:00:00Z"));
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(mail.getBytes(StandardCharsets.US_ASCII)))) {
            return new MalwareAnalyzer(scanner).analyze(new AnalysisInput(envelope, m));
        }
    }

    @Test
    void theEicarStringBuiltAtRunTimeIsTheOfficialTestFile() throws Exception {
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ClamdProcess.eicar())))
                .isEqualTo("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
    }

    @Test
    void eicarInsideAZipInsideAZipIsMalwareFoundNamingTheAttachment() throws Exception {
        byte[] nested = zip("documents.zip", zip("readme.com", ClamdProcess.eicar()));

        assertThat(analyze(clamd.scanner(), mail("invoice.zip", nested)))
                .containsExactly(Finding.of("MALWARE_FOUND", ClamdProcess.EICAR_SIGNATURE + " in invoice.zip"));
    }

    @Test
    void aCleanZipRaisesNothing() throws Exception {
        byte[] clean = zip("minutes.txt", "議事録\r\n".repeat(100).getBytes(StandardCharsets.UTF_8));

        assertThat(analyze(clamd.scanner(), mail("minutes.zip", clean))).isEmpty();
    }

    @Test
    void aHashSignatureOfOurOwnDatabaseIsReportedByName() {
        assertThat(clamd.scanner().scan(new ByteArrayInputStream(ClamdProcess.TEST_HASH_CONTENT)))
                .isEqualTo(new MalwareScanner.Infected(ClamdProcess.TEST_HASH_SIGNATURE));
        assertThat(clamd.scanner().scan(new ByteArrayInputStream(new byte[0])))
                .isEqualTo(new MalwareScanner.Clean());
    }

    @Test
    void clamdDownIsAvUnavailableNeverASilentPass() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ClamdScanner down = new ClamdScanner("127.0.0.1", closedPort, Duration.ofSeconds(1), Duration.ofSeconds(1),
                25L * 1024 * 1024);

        List<Finding> findings = analyze(down, mail("invoice.zip", zip("readme.com", ClamdProcess.eicar())));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("AV_UNAVAILABLE");
            assertThat(f.evidence()).startsWith("clamd 127.0.0.1:" + closedPort + ": ").contains("refused");
        });
    }

    @Test
    void aClamdThatAcceptsButNeverAnswersTimesOutAsAvUnavailable() throws Exception {
        try (ServerSocket stalled = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = stalled.accept(); InputStream in = s.getInputStream()) {
                    in.transferTo(OutputStreamSink.INSTANCE);
                } catch (IOException e) {
                    // the scanner gave up and closed: expected
                }
            });
            acceptor.start();
            ClamdScanner slow = new ClamdScanner("127.0.0.1", stalled.getLocalPort(), Duration.ofSeconds(1),
                    Duration.ofMillis(300), 25L * 1024 * 1024);
            long start = System.nanoTime();

            MalwareScanner.Outcome outcome = slow.scan(new ByteArrayInputStream(ClamdProcess.eicar()));

            assertThat(outcome).isEqualTo(new MalwareScanner.Unavailable(
                    "clamd 127.0.0.1:" + stalled.getLocalPort() + " did not answer within 300ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            acceptor.join(5000);
        }
    }

    @Test
    void aFileOverClamdsStreamMaxLengthIsUnscannableFromClamdsOwnAnswer() {
        byte[] big = new byte[(int) ClamdProcess.STREAM_MAX_LENGTH + 512 * 1024];

        assertThat(clamd.scanner().scan(new ByteArrayInputStream(big)))
                .isEqualTo(new MalwareScanner.Unscannable("larger than clamd's StreamMaxLength"));
    }

    @Test
    void aFileOverTheConfiguredLimitIsNotSentAndIsUnscannable() throws Exception {
        ClamdScanner small = new ClamdScanner("127.0.0.1", clamd.port(), Duration.ofSeconds(1), Duration.ofSeconds(5), 1000);

        assertThat(small.scan(new ByteArrayInputStream(new byte[1001])))
                .isEqualTo(new MalwareScanner.Unscannable("larger than the 1000-byte scan limit"));
        assertThat(analyze(small, mail("big.zip", new byte[5000])))
                .containsExactly(Finding.of("ATTACHMENT_NOT_INSPECTED", "big.zip: antivirus: larger than the 1000-byte scan limit"));
    }

    @Test
    void clamdAnswersPing() {
        assertThat(clamd.scanner().ping()).isTrue();
    }

    /** Discards what the stalled peer receives. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
