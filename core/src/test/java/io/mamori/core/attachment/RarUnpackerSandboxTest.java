package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RAR unpacker's sandbox (bubblewrap, which the test command installs): a program run as the unpacker cannot
 * read the gateway's files, see /etc, write anywhere or reach the network, and bsdtar still unpacks in it.
 */
class RarUnpackerSandboxTest {

    @TempDir
    Path temp;

    /**
     * A stand-in for a compromised unpacker: it answers {@code --version} (the sandbox's probe) and otherwise reports on
     * standard output what it could do.
     */
    private Path snoop(Path secret, int port) throws IOException {
        Path script = temp.resolve("snoop");
        Files.writeString(script, "#!/bin/sh\n"
                + "[ \"$1\" = --version ] && exit 0\n"
                + "cat '" + secret + "' 2>/dev/null && echo read-secret\n"
                + "[ -e /etc/passwd ] && echo sees-etc\n"
                + "touch /usr/mamori-sandbox-test 2>/dev/null && echo writes-usr && rm -f /usr/mamori-sandbox-test\n"
                + "ls /proc/1/root >/dev/null 2>&1 && echo sees-processes\n"
                + "/usr/bin/python3 -c \"import socket; socket.create_connection(('127.0.0.1', " + port + "), 2)\" "
                + "2>/dev/null && echo connected\n"
                + "echo done\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        return script;
    }

    private static String run(RarUnpacker unpacker) throws IOException {
        return unpacker.asTar(new byte[] {'R', 'a', 'r', '!'}, in -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void theUnpackerCannotReadFilesWriteOrReachTheNetwork() throws Exception {
        Path secret = temp.resolve("keys.txt");
        Files.writeString(secret, "secret\n");
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
            Path program = snoop(secret, server.getLocalPort());

            // the same program without the sandbox: every probe succeeds, so each assertion below can fail
            assertThat(run(RarUnpacker.of(program, Duration.ofSeconds(20))))
                    .contains("secret", "read-secret", "sees-etc", "connected", "done");
            // the program said it connected; the accepting thread counts the connection a moment later
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (connections.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            int unconfined = connections.get();
            assertThat(unconfined).isEqualTo(1);

            RarUnpacker configured = RarUnpacker.find(program.toString());
            assertThat(configured.sandboxed()).as("bubblewrap is installed by the test command").isTrue();
            assertThat(run(configured)).isEqualTo("done\n");
            assertThat(connections.get()).isEqualTo(unconfined);
        }
    }

    @Test
    void theUnpackerSeesNoneOfTheGatewaysEnvironmentConfinedOrNot() throws Exception {
        // what a shell sets itself, and the two the unpacker is given
        java.util.Set<String> own = java.util.Set.of("LC_ALL", "PATH", "PWD", "OLDPWD", "SHLVL", "_");
        // the test JVM's environment (HOME, JAVA_HOME, Maven's …) stands in for the gateway's, which may hold the
        // database password: were it passed on, the program would print it
        assertThat(System.getenv().keySet()).as("the test's environment has variables to leak").isNotEmpty()
                .anyMatch(name -> !own.contains(name));
        Path script = temp.resolve("env");
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = --version ] && exit 0\n/usr/bin/env\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        for (RarUnpacker unpacker : java.util.List.of(RarUnpacker.of(script, Duration.ofSeconds(20)),
                RarUnpacker.find(script.toString()))) {
            java.util.List<String> names = run(unpacker).lines().map(line -> line.substring(0, line.indexOf('=')))
                    .toList();
            assertThat(names).as("sandboxed: " + unpacker.sandboxed()).contains("LC_ALL", "PATH")
                    .allMatch(own::contains);
        }
    }

    @Test
    void bsdtarUnpacksInTheSandbox() throws Exception {
        byte[] program = {'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0};
        byte[] rar = RarWriter.rar5().add("invoice.pdf", RarWriter.Kind.PACKED, program).end();
        RarUnpacker bsdtar = RarUnpacker.find("");
        assertThat(bsdtar.sandboxed()).isTrue();

        java.util.List<String> names = new java.util.ArrayList<>();
        byte[] content = bsdtar.asTar(rar, in -> {
            try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar =
                    new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(in)) {
                byte[] first = null;
                for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    names.add(e.getName());
                    first = first == null ? tar.readAllBytes() : first;
                }
                return first;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(names).containsExactly("invoice.pdf");
        assertThat(content).isEqualTo(program);
    }
}
