package io.mamori.gateway.smtp;

import io.mamori.gateway.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** One self-signed server identity for all listener tests, and a client that trusts exactly it. */
final class TestTls {

    private static ServerTls server;
    private static SSLContext client;

    private TestTls() {
    }

    static synchronized ServerTls server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("mamori-tls-test");
                server = ServerTls.selfSigned(dir.resolve("tls"), "localhost", Clock.systemUTC());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** Verifies the server certificate against the test identity (no trust-all). */
    static synchronized SSLContext client() {
        if (client == null) {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("server", server().chain().get(0));
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                client = SSLContext.getInstance("TLS");
                client.init(null, tmf.getTrustManagers(), null);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return client;
    }
}
