package io.mamori.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server side of TLS for the SMTP listeners: a certificate chain with its private key, and the
 * {@link SSLContext} and {@link SSLParameters} built from them.
 *
 * <p>Only TLS 1.3 and TLS 1.2 are enabled, with forward-secret AEAD cipher suites only (RFC 8996 deprecates
 * TLS 1.0/1.1; the TLS 1.2 list follows the Mozilla "intermediate" profile). The JDK cannot restrict an
 * {@code SSLContext} itself without a global system property, so every socket must be configured with
 * {@link #serverParameters()} (or created through {@link #wrap}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ServerTls {

    /** Protocols offered, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final List<String> PREFERRED_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");

    static final String CERT_FILE = "cert.pem";
    static final String KEY_FILE = "key.pem";
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(5 * 365);

    private final SSLContext context;
    private final SSLParameters parameters;
    private final List<X509Certificate> chain;

    private ServerTls(PrivateKey key, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
        this.chain = List.copyOf(chain);
        try {
            char[] pass = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, pass, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, pass);
            context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
        }
        parameters = context.getDefaultSSLParameters();
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setCipherSuites(PREFERRED_CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        parameters.setNeedClientAuth(false);
    }

    /** Loads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1). */
    public static ServerTls fromPem(Path certificateChain, Path privateKey) {
        List<X509Certificate> chain = readCertificates(certificateChain);
        return new ServerTls(readPrivateKey(privateKey), chain);
    }

    /** Loads the first key entry of a PKCS#12 file. */
    public static ServerTls fromPkcs12(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, password);
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : store.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    return new ServerTls(key, chain);
                }
            }
            throw new IllegalArgumentException(file + ": no private key entry in the PKCS#12 file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read PKCS#12 file: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": invalid PKCS#12 file: " + e.getMessage(), e);
        }
    }

    /**
     * Uses {@code cert.pem} and {@code key.pem} in {@code directory}; if they do not exist, generates a
     * self-signed RSA 2048 certificate for {@code hostname} into it first (directory mode 0700, key mode 0600).
     * Later starts reuse the same files, so clients that pinned the certificate keep working.
     */
    public static ServerTls selfSigned(Path directory, String hostname, Clock clock) {
        Path cert = directory.resolve(CERT_FILE);
        Path key = directory.resolve(KEY_FILE);
        if (!Files.exists(cert) || !Files.exists(key)) {
            generate(directory, hostname, clock);
        }
        return fromPem(cert, key);
    }

    public SSLContext sslContext() {
        return context;
    }

    /** A fresh copy of the server parameters: TLS 1.3/1.2 and the cipher suites above. */
    public SSLParameters serverParameters() {
        SSLParameters copy = new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
        copy.setUseCipherSuitesOrder(true);
        return copy;
    }

    /** The certificate chain, leaf first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * Layers a server-mode TLS socket over an accepted plain socket (STARTTLS). The handshake is not started.
     *
     * @param autoClose whether closing the TLS socket closes {@code plain}
     */
    public SSLSocket wrap(Socket plain, boolean autoClose) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(
                plain, plain.getInetAddress().getHostAddress(), plain.getPort(), autoClose);
        ssl.setUseClientMode(false);
        ssl.setSSLParameters(serverParameters());
        return ssl;
    }

    private static List<X509Certificate> readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : factory.generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(file + ": no certificate found");
            }
            return chain;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read certificate: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": invalid certificate: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException(file + ": no unencrypted private key found (PKCS#8, PKCS#1 or SEC1 PEM)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read private key: " + e.getMessage(), e);
        }
    }

    private static void generate(Path directory, String hostname, Clock clock) {
        try {
            createPrivateDirectory(directory);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500Name("CN=" + hostname.replaceAll("[,=+<>#;\"\\\\]", ""));
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(128, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(SELF_SIGNED_VALIDITY)),
                    subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            // Key first: a certificate without its key would make later starts fail, a key without a
            // certificate is simply regenerated.
            writeAtomically(directory.resolve(KEY_FILE), pem(pair.getPrivate()), true);
            writeAtomically(directory.resolve(CERT_FILE), pem(certificate), false);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed certificate to " + directory, e);
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (posix(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(directory);
        }
    }

    private static boolean posix(Path path) {
        Path existing = path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        FileAttribute<?>[] attributes = posix(target)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"))}
                : new FileAttribute<?>[0];
        // The file is created with its final mode, so the key is never readable by others, not even briefly.
        Path temp = Files.createTempFile(target.getParent(), ".tmp-", ".pem", attributes);
        try {
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (FileAlreadyExistsException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
                    : object);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "ServerTls[" + chain.get(0).getSubjectX500Principal().getName() + ", protocols="
                + Arrays.toString(parameters.getProtocols()) + "]";
    }
}
