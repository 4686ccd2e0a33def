package io.mamori.gateway.clamd;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real ClamAV daemon (Debian's {@code clamav-daemon}) run as a child process on a loopback port with a
 * signature database written here: the EICAR test file's MD5 and one more test hash. Fails, never skips,
 * when clamd is not installed ({@code run-tests} installs it).
 */
public final class ClamdProcess implements AutoCloseable {

    /** Name under which clamd reports the EICAR file (clamd appends {@code .UNOFFICIAL} to our own signatures). */
    static final String EICAR_SIGNATURE = "Mamori.Test.EICAR.UNOFFICIAL";
    static final String TEST_HASH_SIGNATURE = "Mamori.Test.Hash.UNOFFICIAL";
    /** Content of the second test signature: harmless text that only this database calls malware. */
    static final byte[] TEST_HASH_CONTENT = "mamori antivirus test file, not malware\n".getBytes(StandardCharsets.US_ASCII);
    /** clamd's StreamMaxLength in this configuration. */
    static final long STREAM_MAX_LENGTH = 2L * 1024 * 1024;

    private static final Path CLAMD = Path.of("/usr/sbin/clamd");

    private final Process process;
    private final Path directory;
    private final int port;

    private ClamdProcess(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /**
     * The EICAR anti-virus test file (eicar.org), assembled at run time so that no copy of it is stored in the
     * repository where a developer's antivirus would quarantine the source.
     */
    static byte[] eicar() {
        String s = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static ClamdProcess start() throws IOException, InterruptedException {
        if (!Files.isExecutable(CLAMD)) {
            throw new IllegalStateException("clamd is not installed at " + CLAMD
                    + ": install Debian's clamav-daemon (apt-get install clamav-daemon clamav clamdscan; ./run-tests does)");
        }
        Path dir = Files.createTempDirectory("mamori-clamd-");
        Path db = Files.createDirectories(dir.resolve("db"));
        Files.writeString(db.resolve("mamori-test.hdb"),
                md5(eicar()) + ":" + eicar().length + ":Mamori.Test.EICAR\n"
                        + md5(TEST_HASH_CONTENT) + ":" + TEST_HASH_CONTENT.length + ":Mamori.Test.Hash\n",
                StandardCharsets.US_ASCII);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path conf = dir.resolve("clamd.conf");
        Files.writeString(conf, String.join("\n", List.of(
                "Foreground yes",
                "TCPSocket " + port,
                "TCPAddr 127.0.0.1",
                "DatabaseDirectory " + db,
                "TemporaryDirectory " + dir,
                "LogFile " + dir.resolve("clamd.log"),
                "SelfCheck 0",
                "StreamMaxLength " + STREAM_MAX_LENGTH,
                "")), StandardCharsets.US_ASCII);
        Process process = new ProcessBuilder(CLAMD.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("clamd.out").toFile())
                .start();
        ClamdProcess clamd = new ClamdProcess(process, dir, port);
        ClamdScanner probe = clamd.scanner();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!probe.ping()) {
            if (!process.isAlive()) {
                String out = Files.readString(dir.resolve("clamd.out"));
                clamd.close();
                throw new IllegalStateException("clamd exited with " + process.exitValue() + ": " + out);
            }
            if (System.nanoTime() > deadline) {
                clamd.close();
                throw new IllegalStateException("clamd did not answer PING within 60 s");
            }
            Thread.sleep(100);
        }
        return clamd;
    }

    public int port() {
        return port;
    }

    ClamdScanner scanner() {
        return new ClamdScanner("127.0.0.1", port, Duration.ofSeconds(2), Duration.ofSeconds(20), 25L * 1024 * 1024);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(directory)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
