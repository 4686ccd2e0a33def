package io.mamori.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-04-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aSelfSignedCertificateIsGeneratedOnceWithAPrivateKeyFileAndReusedLater() throws Exception {
        Path tls = dir.resolve("data/tls");
        ServerTls first = ServerTls.selfSigned(tls, "mx.example.co.jp", CLOCK);
        X509Certificate cert = first.chain().get(0);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=mx.example.co.jp");
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, "mx.example.co.jp"));
        assertThat(cert.getNotBefore().toInstant()).isBefore(CLOCK.instant());
        assertThat(cert.getNotAfter().toInstant()).isAfter(CLOCK.instant().plusSeconds(4L * 365 * 86400));
        cert.verify(cert.getPublicKey());

        assertThat(Files.getPosixFilePermissions(tls.resolve("key.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(tls)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.readString(tls.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");

        ServerTls second = ServerTls.selfSigned(tls, "other.example", CLOCK);
        assertThat(second.chain().get(0)).isEqualTo(cert);
        try (var files = Files.list(tls)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("cert.pem", "key.pem");
        }
    }

    @Test
    void onlyTls13And12WithForwardSecretAeadSuitesAreEnabled() {
        ServerTls tls = ServerTls.selfSigned(dir, "mx.example.co.jp", CLOCK);
        SSLParameters parameters = tls.serverParameters();
        assertThat(parameters.getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(parameters.getCipherSuites()).isNotEmpty().allSatisfy(suite -> {
            assertThat(suite).containsAnyOf("GCM", "CHACHA20");
            assertThat(suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20") || suite.contains("DHE_")).isTrue();
        });
        assertThat(parameters.getCipherSuites()).contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void configuredPemAndPkcs12FilesAreLoaded() throws Exception {
        Path generated = dir.resolve("gen");
        ServerTls original = ServerTls.selfSigned(generated, "mail.example.co.jp", CLOCK);
        ServerTls pem = ServerTls.fromPem(generated.resolve("cert.pem"), generated.resolve("key.pem"));
        assertThat(pem.chain()).isEqualTo(original.chain());

        PrivateKey key;
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(generated.resolve("key.pem")))) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("mail", key, "secret".toCharArray(), original.chain().toArray(new Certificate[0]));
        Path p12 = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(p12)) {
            store.store(out, "secret".toCharArray());
        }
        assertThat(ServerTls.fromPkcs12(p12, "secret".toCharArray()).chain()).isEqualTo(original.chain());
        assertThatThrownBy(() -> ServerTls.fromPkcs12(p12, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server.p12");
    }

    @Test
    void missingOrWrongFilesGiveAnErrorNamingTheFile() throws Exception {
        Path cert = dir.resolve("cert.pem");
        assertThatThrownBy(() -> ServerTls.fromPem(cert, dir.resolve("key.pem"))).hasMessageContaining("cert.pem");
        ServerTls.selfSigned(dir.resolve("ok"), "mx.example.co.jp", CLOCK);
        Files.copy(dir.resolve("ok/cert.pem"), cert);
        Files.writeString(dir.resolve("key.pem"), "not a key\n");
        assertThatThrownBy(() -> ServerTls.fromPem(cert, dir.resolve("key.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key.pem");
    }
}
