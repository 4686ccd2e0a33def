package io.mamori.gateway.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.malware.EngineStatus;
import io.mamori.core.malware.MalwareAnalyzer;
import io.mamori.core.message.Direction;
import io.mamori.core.message.MessageParser;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.verdict.MessageRewriter;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.receive.ReceptionPipeline;
import io.mamori.gateway.smtp.ListenerConfig;
import io.mamori.gateway.smtp.SmtpListener;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import io.mamori.gateway.tls.ServerTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Must-show case of the threat-detection issue: the EICAR test file inside a zip inside a zip, sent over
 * SMTP to the inbound listener, is caught by a real clamd and the message is quarantined; a clean zip is queued.
 * The analyzers are wired here as the integrator will wire them (defaults plus content and antivirus).
 */
class ClamdEndToEndTest {

    private static final String POLICY = """
            version: 1
            organisation:
              name: テスト
              internal_domains: [example.co.jp]
            inbound:
              thresholds: {tag: 4, hold: 8, quarantine: 10, reject: 30}
              forced:
                MALWARE_FOUND: QUARANTINE
                ENCRYPTED_ARCHIVE: QUARANTINE
            outbound:
              thresholds: {tag: 6}
              forced: {}
            """;

    @TempDir
    Path dir;

    private ClamdProcess clamd;
    private final EngineStatus antivirus = new EngineStatus(Clock.systemUTC(), EngineStatus.Listener.NONE);
    private HikariDataSource dataSource;
    private JdbcMessageStore store;
    private SmtpListener listener;
    private ExecutorService analysis;
    private volatile Policy policy;
    private Policy deliverPolicy;

    @BeforeEach
    void start() throws Exception {
        clamd = ClamdProcess.start();
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                JdbcMessageStore.Settings.under(dir), Clock.systemUTC());
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        policy = new PolicyLoader(catalogue).parse(POLICY, "policy.yaml");
        deliverPolicy = new PolicyLoader(catalogue).parse(POLICY + "antivirus: {when_unavailable: deliver}\n", "policy.yaml");
        PolicyEngine engine = new PolicyEngine(catalogue);
        List<Analyzer> analyzers = new ArrayList<>(Analyzers.local());
        analyzers.add(new AttachmentContentAnalyzer());
        analyzers.add(new MalwareAnalyzer(antivirus.watching(clamd.scanner())));
        analysis = Executors.newFixedThreadPool(4);
        MessageScanner scanner = new MessageScanner(new MessageParser(),
                new AnalysisPipeline(analyzers, catalogue, Duration.ofSeconds(20), analysis), engine, () -> policy);
        ReceptionPipeline reception = new ReceptionPipeline(store, scanner, engine, () -> policy, catalogue,
                new MessageRewriter(dir), "mx.example.co.jp", Clock.systemUTC(), new SimpleMeterRegistry(), null,
                Runnable::run, null);
        listener = new SmtpListener(ListenerConfig.defaults(Direction.INBOUND, InetAddress.getLoopbackAddress(), 0,
                "mx.example.co.jp"), ServerTls.selfSigned(dir.resolve("tls"), "mx.example.co.jp", Clock.systemUTC()),
                reception, "example.co.jp"::equals, (user, password) -> false, Clock.systemUTC(), new SimpleMeterRegistry());
        listener.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (store != null) {
            store.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        if (analysis != null) {
            analysis.shutdownNow();
        }
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
        return "From: billing@example.net\r\nTo: keiri@example.co.jp\r\nSubject: =?UTF-8?B?6KuL5rGC5pu4?=\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the invoice attached.\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"" + filename + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + filename + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(attachment) + "\r\n--b--\r\n";
    }

    /** A plain SMTP client dialogue on a real socket; returns the reply to the end of DATA. */
    private String send(String message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            socket.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(reply(in)).startsWith("220 ");
            assertThat(command(out, in, "EHLO client.example.net")).startsWith("250");
            assertThat(command(out, in, "MAIL FROM:<billing@example.net>")).startsWith("250");
            assertThat(command(out, in, "RCPT TO:<keiri@example.co.jp>")).startsWith("250");
            assertThat(command(out, in, "DATA")).startsWith("354");
            out.write(message.getBytes(StandardCharsets.US_ASCII));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String result = reply(in);
            command(out, in, "QUIT");
            return result;
        }
    }

    private static String command(OutputStream out, BufferedReader in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    private static String reply(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            b.append(line).append('\n');
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        return b.toString().strip();
    }

    private StoredMessage stored(String reply) {
        assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
        String id = reply.substring("250 2.0.0 Ok: queued as ".length()).strip();
        return store.find(id).orElseThrow();
    }

    private String content(StoredMessage m) throws IOException {
        try (InputStream in = store.openContent(m.id())) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void whenClamdIsDownThePolicyDefaultAnswers451AndNothingIsStored() throws Exception {
        clamd.close();
        clamd = null;

        String reply = send(mail("report.zip", zip("report.txt", "quarterly numbers".getBytes(StandardCharsets.US_ASCII))));

        assertThat(reply).startsWith("451 4.7.1");
        assertThat(store.list(null, 10)).isEmpty();
    }

    @Test
    void whenClamdIsDownAndThePolicySaysDeliverTheMessageIsAcceptedWithAvUnavailable() throws Exception {
        clamd.close();
        clamd = null;
        policy = deliverPolicy;

        String reply = send(mail("report.zip", zip("report.txt", "quarterly numbers".getBytes(StandardCharsets.US_ASCII))));

        assertThat(reply).startsWith("250 2.0.0");
        assertThat(store.list(null, 10)).singleElement()
                .satisfies(m -> assertThat(m.findingCodes()).contains("AV_UNAVAILABLE"));
        // what the console's dashboard shows: the engine down since this message, and why
        assertThat(antivirus.view()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(EngineStatus.State.UNAVAILABLE);
            assertThat(v.reason()).startsWith("clamd ");
            assertThat(v.failed()).isEqualTo(1);
            assertThat(v.scanned()).isZero();
        });
    }

    @Test
    void eicarInAZipInAZipSentOverSmtpIsCaughtByClamdAndQuarantined() throws Exception {
        byte[] nested = zip("documents.zip", zip("readme.com", ClamdProcess.eicar()));

        StoredMessage m = stored(send(mail("invoice.zip", nested)));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.findingCodes()).contains("MALWARE_FOUND");
        assertThat(content(m)).contains("X-Mamori-Verdict: QUARANTINE; score=").contains("MALWARE_FOUND");
    }

    @Test
    void eicarPastTheThousandthPartIsCaughtByClamdInTheMessageSentWhole() throws Exception {
        // the parser records 1,000 parts; the file after them is never kept, so the analyzer sends the raw message
        StringBuilder message = new StringBuilder("From: billing@example.net\r\nTo: keiri@example.co.jp\r\n"
                + "Subject: notes\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < 1_000; i++) {
            message.append("--b\r\nContent-Type: text/plain\r\n\r\nnote ").append(i).append("\r\n");
        }
        message.append("--b\r\nContent-Type: application/octet-stream; name=\"setup.com\"\r\n"
                + "Content-Disposition: attachment; filename=\"setup.com\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .append(Base64.getMimeEncoder().encodeToString(ClamdProcess.eicar())).append("\r\n--b--\r\n");

        StoredMessage m = stored(send(message.toString()));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.findingCodes()).contains("MALWARE_FOUND", "MIME_TOO_MANY_PARTS");
        assertThat(content(m)).contains("MALWARE_FOUND");
    }

    @Test
    void eicarBehindABareCrInATextPartIsAPartOfItsOwnToTheAnalyzersAsToTheNextHop() throws Exception {
        // Read by LF alone, "see the file\r--b" is a line of the text part, whose body is never sent to the engine;
        // sent on, the CR becomes CRLF and the recipient's server sees a second part. The listener stores CRLF.
        String message = "From: billing@example.net\r\nTo: keiri@example.co.jp\r\nSubject: notes\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee the file\r--b\r\n"
                + "Content-Type: application/octet-stream; name=\"setup.com\"\r\n"
                + "Content-Disposition: attachment; filename=\"setup.com\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(ClamdProcess.eicar()) + "\r\n--b--\r\n";

        StoredMessage m = stored(send(message));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.findingCodes()).contains("MALWARE_FOUND");
        assertThat(content(m)).contains("see the file\r\n--b\r\n");
    }

    @Test
    void eicarCompressedInARarSentOverSmtpIsCaughtByClamdOnceLibarchiveUnpacksIt() throws Exception {
        // clamd from Debian cannot open compressed RAR (its unrar module is non-free); the analyzer hands it the
        // archive unpacked by libarchive as a tar stream
        byte[] rar = io.mamori.core.attachment.RarWriter.rar5()
                .add("請求書/readme.txt", io.mamori.core.attachment.RarWriter.Kind.PACKED,
                        "see the program".getBytes(StandardCharsets.US_ASCII))
                .add("請求書/setup.com", io.mamori.core.attachment.RarWriter.Kind.PACKED, ClamdProcess.eicar())
                .end();

        StoredMessage m = stored(send(mail("invoice.rar", rar)));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.findingCodes()).contains("MALWARE_FOUND");
        assertThat(content(m)).contains("MALWARE_FOUND");
    }

    @Test
    void eicarCompressedInARarInsideAZipIsCaughtToo() throws Exception {
        byte[] rar = io.mamori.core.attachment.RarWriter.rar5()
                .add("setup.com", io.mamori.core.attachment.RarWriter.Kind.PACKED, ClamdProcess.eicar())
                .end();
        byte[] zip = zip("documents/scan.rar", rar);

        StoredMessage m = stored(send(mail("invoice.zip", zip)));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(content(m)).contains("MALWARE_FOUND");
        assertThat(m.findingCodes()).contains("MALWARE_FOUND");
    }

    @Test
    void eicarCompressedInARarInsideACompressedRarIsCaughtToo() throws Exception {
        // the outer archive unpacked by libarchive holds the inner one, which clamd cannot open either
        byte[] inner = io.mamori.core.attachment.RarWriter.rar5()
                .add("setup.com", io.mamori.core.attachment.RarWriter.Kind.PACKED, ClamdProcess.eicar())
                .end();
        byte[] outer = io.mamori.core.attachment.RarWriter.rar5()
                .add("documents/scan.rar", io.mamori.core.attachment.RarWriter.Kind.PACKED, inner)
                .end();

        StoredMessage m = stored(send(mail("invoice.rar", outer)));

        assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(m.findingCodes()).contains("MALWARE_FOUND");
        assertThat(content(m)).contains("MALWARE_FOUND");
    }

    /**
     * Debian's clamd does not decompress zip entries compressed with Zstandard (method 93, which WinZip writes): it
     * found EICAR in such a zip "OK". The analyzer hands it each such entry's file, decoded, attached or nested (in a
     * deflated zip, or in another Zstandard entry).
     */
    @Test
    void eicarInAZstandardZipAttachedInsideAZipOrInsideAZstandardEntryIsCaught() throws Exception {
        byte[] zstd = io.mamori.core.attachment.ZstdZips.of("請求書.txt", ClamdProcess.eicar());
        assertThat(clamd.scanner().scan(new java.io.ByteArrayInputStream(zstd))).as("clamd alone").isInstanceOf(
                        io.mamori.core.malware.MalwareScanner.Clean.class);

        byte[] zstdInZstd = io.mamori.core.attachment.ZstdZips.of("documents/scan.zip", zstd);
        for (byte[] attachment : List.of(zstd, zip("documents/scan.zip", zstd), zstdInZstd)) {
            StoredMessage m = stored(send(mail("invoice.zip", attachment)));

            assertThat(m.state()).isEqualTo(MessageState.QUARANTINED);
            assertThat(m.findingCodes()).contains("MALWARE_FOUND").doesNotContain("ATTACHMENT_EXECUTABLE");
            assertThat(content(m)).contains("MALWARE_FOUND");
        }
    }

    @Test
    void eicarInAPasswordZipOr7zIsCaughtOnceThePasswordInTheMailOrASecondMailOpensIt() throws Exception {
        // PPAP, as Emotet spread: the engine cannot open the archive; the password in the body opens it. An AES zip,
        // and a 7-Zip AES-256 archive with its names hidden too (-mhe=on), written by the real 7z command.
        Map<String, byte[]> archives = new java.util.LinkedHashMap<>();
        archives.put("請求書.zip", io.mamori.core.attachment.EncryptedFiles.zip("Seikyu-2025", true, "請求書.com",
                ClamdProcess.eicar()));
        archives.put("請求書.7z", io.mamori.core.attachment.SevenZipArchives.encrypted("Seikyu-2025", true,
                "請求書/請求書.com", ClamdProcess.eicar()));
        List<StoredMessage> waiting = new ArrayList<>();
        for (Map.Entry<String, byte[]> a : archives.entrySet()) {
            String message = mail(a.getKey(), a.getValue()).replace("Please find the invoice attached.",
                    "The invoice is attached.\r\nPassword: Seikyu-2025");
            // malware, a program and an encrypted archive together score past the shipped policy's REJECT threshold
            assertThat(send(message)).as(a.getKey()).startsWith("550 5.7.1")
                    .contains("MALWARE_FOUND", "ENCRYPTED_ARCHIVE_OPENED", "ARCHIVE_PASSWORD_IN_MESSAGE");
            StoredMessage w = stored(send(message.replace("Password: Seikyu-2025", "The password follows in another mail.")));
            assertThat(w.state()).as("without the password the engine cannot see inside").isEqualTo(MessageState.QUARANTINED);
            assertThat(w.findingCodes()).as(a.getKey()).contains("ENCRYPTED_ARCHIVE").doesNotContain("MALWARE_FOUND");
            waiting.add(w);
        }

        // パスワード別送: the password in a second mail of the same sender opens both quarantined archives for clamd
        StoredMessage passwordMail = stored(send("From: billing@example.net\r\nTo: keiri@example.co.jp\r\n"
                + "Subject: password\r\n\r\nThe password of the invoice follows.\r\nPassword: Seikyu-2025\r\n"));
        assertThat(passwordMail.state()).isEqualTo(MessageState.QUEUED);
        for (StoredMessage w : waiting) {
            StoredMessage after = store.find(w.id()).orElseThrow();
            assertThat(after.state()).isEqualTo(MessageState.QUARANTINED);
            assertThat(after.findingCodes()).contains("MALWARE_FOUND", "ENCRYPTED_ARCHIVE_OPENED",
                    "ARCHIVE_PASSWORD_SENT_SEPARATELY");
        }
    }

    @Test
    void aCleanZipSentOverSmtpIsQueuedForDelivery() throws Exception {
        StoredMessage m = stored(send(mail("minutes.zip", zip("minutes.txt", "議事録".repeat(100).getBytes(StandardCharsets.UTF_8)))));

        assertThat(m.state()).isEqualTo(MessageState.QUEUED);
        assertThat(content(m)).contains("X-Mamori-Verdict: DELIVER; score=0.00; findings=none");
        assertThat(antivirus.view()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(EngineStatus.State.WORKING);
            assertThat(v.scanned()).isPositive();
            assertThat(v.infected()).isZero();
            assertThat(v.failed()).isZero();
        });
    }
}
