package io.mamori.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged gateway ({@code target/mamori.jar}) run as its own process, as {@code ./mamori start} runs it. */
final class GatewayProcess implements AutoCloseable {

    final int inboundPort;
    final Path log;
    private final Process process;

    private GatewayProcess(Process process, int inboundPort, Path log) {
        this.process = process;
        this.inboundPort = inboundPort;
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Ports the gateway listens on; chosen once by the test so that no port changes owner between runs. */
    record Ports(int inbound, int outbound, int http) {
        static Ports free() throws IOException {
            // Held open together so that the three are distinct.
            try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                 ServerSocket c = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return new Ports(a.getLocalPort(), b.getLocalPort(), c.getLocalPort());
            }
        }
    }

    static GatewayProcess start(Path dataDir, Ports ports, List<String> settings) throws Exception {
        int inboundPort = ports.inbound();
        Path jar = Path.of("target", "mamori.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/mamori.jar is missing: integration tests run after `package`");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "start",
                "--mamori.data-dir=" + dataDir,
                "--mamori.hostname=mamori.test",
                "--mamori.smtp.inbound.bind=127.0.0.1", "--mamori.smtp.inbound.port=" + inboundPort,
                "--mamori.smtp.outbound.bind=127.0.0.1", "--mamori.smtp.outbound.port=" + ports.outbound(),
                "--server.port=" + ports.http(), "--server.address=127.0.0.1"));
        cmd.addAll(settings);
        Files.createDirectories(dataDir);
        Path log = Files.createTempFile(dataDir, "gateway", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, inboundPort, log);
        g.awaitSmtp(Duration.ofSeconds(120));
        return g;
    }

    private void awaitSmtp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", inboundPort), 500);
                s.setSoTimeout(5000);
                String greeting = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (greeting != null && greeting.startsWith("220")) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("gateway did not listen within " + timeout + ":\n" + Files.readString(log));
    }

    /** SIGKILL: no shutdown hooks, no flushing — what a power cut or OOM killer does to the process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A minimal SMTP client session that sends several transactions and asserts every reply. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
            expect("220");
            command("EHLO client.test", "250");
        }

        String send(String from, String to, String data) throws IOException {
            command("MAIL FROM:<" + from + ">", "250");
            command("RCPT TO:<" + to + ">", "250");
            command("DATA", "354");
            out.write(data.getBytes(StandardCharsets.ISO_8859_1));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return expect("250");
        }

        String command(String line, String expected) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return expect(expected);
        }

        private String expect(String code) throws IOException {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed while expecting " + code);
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new IOException("expected " + code + " but got: " + line);
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            try {
                command("QUIT", "221");
            } finally {
                socket.close();
            }
        }
    }
}
