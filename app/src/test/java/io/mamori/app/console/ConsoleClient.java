package io.mamori.app.console;

import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A browser-like HTTP client for the console: real HTTPS (trusting only the test certificate), a cookie jar, no
 * automatic redirects, and the CSRF token of the last page it read. Requests may claim a client address through
 * {@code X-Forwarded-For}, which the gateway believes because loopback is its trusted proxy in these tests.
 */
final class ConsoleClient {

    private final String base;
    private final HttpClient http;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final String forwardedFor;
    private String language = "ja";
    private String csrf;
    HttpResponse<String> last;
    /** The signed-in user's address, when known. */
    String email;

    ConsoleClient(String base, Path certificate, String forwardedFor) {
        this.base = base;
        this.forwardedFor = forwardedFor;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).sslContext(trusting(certificate)).build();
    }

    ConsoleClient acceptLanguage(String value) {
        this.language = value;
        return this;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    /** Posts a form with the CSRF token of the last page read. */
    HttpResponse<String> post(String path, String... nameValues) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        if (csrf != null) {
            form.put("_csrf", csrf);
        }
        for (int i = 0; i < nameValues.length; i += 2) {
            form.put(nameValues[i], nameValues[i + 1]);
        }
        return postForm(path, form);
    }

    /** Posts exactly these fields (no CSRF token unless given). */
    HttpResponse<String> postForm(String path, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A request with extra headers (e.g. {@code Authorization}) and no form; {@code body} null for GET. */
    HttpResponse<String> call(String method, String path, String body, String... headerPairs)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headerPairs.length; i += 2) {
            b.setHeader(headerPairs[i], headerPairs[i + 1]);
        }
        return send(b.build());
    }

    /** Posts a multipart form with one file and the CSRF token of the last page read. */
    HttpResponse<String> postFile(String path, String field, String fileName, byte[] content) throws IOException, InterruptedException {
        String boundary = "----mamori" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        if (csrf != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + csrf + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName
                + "\"\r\nContent-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    /** Follows one redirect (a {@code Location} on this site) with a GET. */
    HttpResponse<String> follow() throws IOException, InterruptedException {
        String location = last.headers().firstValue("Location").orElseThrow(() -> new AssertionError(
                "no redirect; status " + last.statusCode()));
        URI target = URI.create(base + "/").resolve(location);
        return get(target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
    }

    /** Signs in with the password, following the redirect to the next stage's page. */
    HttpResponse<String> signIn(String email, String password) throws IOException, InterruptedException {
        get("/login");
        post("/login", "email", email, "password", password);
        return last.statusCode() == 302 ? follow() : last;
    }

    /** Takes over a cookie (e.g. the browser's session) for this site. */
    void cookie(String name, String value) {
        HttpCookie c = new HttpCookie(name, value);
        c.setPath("/");
        c.setVersion(0);
        cookies.getCookieStore().add(URI.create(base + "/"), c);
    }

    String sessionId() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    Document page() {
        return Jsoup.parse(last.body());
    }

    String text(String cssSelector) {
        Element e = page().selectFirst(cssSelector);
        return e == null ? null : e.text();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept-Language", language)
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        last = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String type = last.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("text/html")) {
            Element token = Jsoup.parse(last.body()).selectFirst("input[name=_csrf]");
            if (token != null) {
                csrf = token.attr("value");
            }
        }
        return last;
    }

    private static SSLContext trusting(Path certificate) {
        try (InputStream in = Files.newInputStream(certificate)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("console", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the test certificate", e);
        }
    }
}
