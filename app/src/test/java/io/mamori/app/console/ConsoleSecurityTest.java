package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.access.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's defences over real HTTPS: CSRF, lockout, access rules by network and hour (at sign-in and on
 * every request, following policy edits), TOTP expiry and replay, session fixation, headers and cookies, and the
 * stateless token API beside it.
 */
class ConsoleSecurityTest extends ConsoleContext {

    private ConsoleClient client(String forwardedFor) {
        return new ConsoleClient(base(), CERTIFICATE, forwardedFor);
    }

    @Test
    void aFormPostWithoutTheCsrfTokenIsRefused() throws Exception {
        String email = userWithPassword(newAddress("csrf"), "CSRF 確認", Role.AUDITOR);
        ConsoleClient c = client("198.51.100.1");
        c.get("/login");
        assertThat(c.postForm("/login", Map.of("email", email, "password", PASSWORD)).statusCode()).isEqualTo(403);
        assertThat(c.postForm("/login", Map.of("email", email, "password", PASSWORD, "_csrf", "forged")).statusCode()).isEqualTo(403);
        assertThat(c.text("h1")).contains("エラー");

        assertThat(c.signIn(email, PASSWORD).statusCode()).as("auditors need no MFA here").isEqualTo(200);
        assertThat(c.text("#welcome")).contains("CSRF 確認");
        assertThat(c.postForm("/logout", Map.of()).statusCode()).isEqualTo(403);
        assertThat(c.postForm("/language", Map.of("lang", "en")).statusCode()).isEqualTo(403);
        assertThat(c.get("/").statusCode()).as("still signed in").isEqualTo(200);
        assertThat(c.post("/logout").statusCode()).isEqualTo(302);
        assertThat(c.get("/").statusCode()).isEqualTo(302);
    }

    @Test
    void tenWrongPasswordsLockTheAccountUntilTheLockExpires() throws Exception {
        String email = userWithPassword(newAddress("lock"), "ロック 確認", Role.AUDITOR);
        ConsoleClient c = client("198.51.100.2");
        int mark = auditMark();
        for (int i = 1; i <= 9; i++) {
            c.get("/login");
            c.post("/login", "email", email, "password", "wrong password " + i);
            assertThat(c.last.statusCode()).as("attempt %d: %s", i, c.last.body()).isEqualTo(302);
            assertThat(c.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        }
        c.get("/login");
        c.post("/login", "email", email, "password", "wrong password 10");
        assertThat(c.last.statusCode()).isEqualTo(429);
        assertThat(c.text("#locked")).isEqualTo("一時的にログインできません");
        assertThat(c.last.body()).contains("15 分後");

        CLOCK.advance(Duration.ofMinutes(14));
        c.get("/login");
        c.post("/login", "email", email, "password", PASSWORD);
        assertThat(c.last.statusCode()).as("the right password during the lock").isEqualTo(429);
        assertThat(c.last.body()).contains("1 分後");

        CLOCK.advance(Duration.ofMinutes(1));
        assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(c.text("#welcome")).contains("ロック 確認");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=login.failure object=" + email + " ok=false"))
                .anyMatch(l -> l.contains("action=login.locked object=" + email) && l.contains("locked now"))
                .anyMatch(l -> l.contains("action=login.locked object=" + email) && l.contains("attempt while locked"))
                .anyMatch(l -> l.contains("action=login.success object=" + email + " ok=true actor=" + email + " source=198.51.100.2"))
                .noneMatch(l -> l.contains(PASSWORD) || l.contains("wrong password"));
    }

    @Test
    void manyFailuresFromOneAddressAreRefusedForEveryAccount() throws Exception {
        String email = userWithPassword(newAddress("throttle"), "スロットル", Role.AUDITOR);
        ConsoleClient attacker = client("203.0.113.77");
        for (int i = 0; i < 20; i++) {
            attacker.get("/login");
            attacker.post("/login", "email", "guess" + i + "@example.co.jp", "password", "guess");
        }
        attacker.get("/login");
        attacker.post("/login", "email", email, "password", PASSWORD);
        assertThat(attacker.last.statusCode()).isEqualTo(429);
        assertThat(attacker.last.body()).contains("このネットワークからのログインの失敗が多すぎる");
        assertThat(client("203.0.113.78").signIn(email, PASSWORD).statusCode()).as("another address").isEqualTo(200);
    }

    @Test
    void refusalsByTheAccessRulesCountAsFailuresOfTheAddress() throws Exception {
        // each refusal tells that the address has an account: asking for many must be throttled as guessing is
        String email = userWithPassword(newAddress("probed"), "探索 対象", Role.ANALYST);
        ConsoleClient prober = client("203.0.113.99");
        for (int i = 0; i < 20; i++) {
            assertThat(prober.signIn(email, "any password").statusCode()).as("refusal %d", i).isEqualTo(403);
        }
        assertThat(prober.signIn(email, "any password").statusCode()).isEqualTo(429);
    }

    @Test
    void aPasswordTypedIntoTheAddressFieldIsNotKeptInTheAuditLogAndAReturnPathIsOnlyAPath() throws Exception {
        int mark = auditMark();
        ConsoleClient c = client("198.51.100.61");
        c.get("/login");
        c.post("/login", "email", "Tr0ub4dor&3-secret", "password", "x");
        c.post("/login", "email", "nobody@example.co.jp", "password", "x");
        assertThat(auditSince(mark)).noneMatch(l -> l.contains("Tr0ub4dor"))
                .anySatisfy(l -> assertThat(l).contains("action=login.failure").contains("(not an address)"))
                .anySatisfy(l -> assertThat(l).contains("action=login.failure").contains("nobody@example.co.jp"));

        c.get("/login");
        assertThat(c.post("/language", "lang", "en", "return", "/{x}").statusCode()).as("not an error page").isEqualTo(302);
        assertThat(c.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/"));
    }

    @Test
    void aSignInFromANetworkThePolicyForbidsGetsTheDeniedPage() throws Exception {
        String email = userWithPassword(newAddress("analyst"), "分析 担当", Role.ANALYST);
        int mark = auditMark();
        ConsoleClient outside = client("203.0.113.5").acceptLanguage("en-US,en;q=0.8");
        HttpResponse<String> denied = outside.signIn(email, PASSWORD);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(outside.text("#denied")).isEqualTo("Access denied");
        assertThat(outside.text("main")).contains("The role \"Security analyst\" may not use the console from this network (203.0.113.5)")
                .contains("192.0.2.0/24");
        assertThat(client("203.0.113.5").signIn(email, "wrong").statusCode())
                .as("refused before the password is checked").isEqualTo(403);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=access.denied object=" + email)
                && l.contains("reason=network") && l.contains("source=203.0.113.5"));

        ConsoleClient office = client("192.0.2.44");
        assertThat(office.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(office.last.uri().getPath()).as("MFA enrollment comes next").isEqualTo("/account/totp");
        assertThat(client("2001:db8:5::9").signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(client(null).signIn(email, PASSWORD).statusCode()).as("loopback itself is outside").isEqualTo(403);
    }

    @Test
    void aSignInAtAnHourThePolicyForbidsIsRefusedAndAnOpenSessionEndsWithTheHours() throws Exception {
        String email = userWithPassword(newAddress("auditor"), "監査 担当", Role.AUDITOR);
        CLOCK.set(LocalDateTime.parse("2026-12-05T10:00:00").atZone(TOKYO).toInstant());
        ConsoleClient c = client("198.51.100.3");
        assertThat(c.signIn(email, PASSWORD).statusCode()).as("Saturday").isEqualTo(403);
        assertThat(c.last.body()).contains("現在の時間帯のアクセスが許可されていません").contains("08:00-20:00 (Asia/Tokyo)");

        CLOCK.set(LocalDateTime.parse("2026-12-04T19:59:00").atZone(TOKYO).toInstant());
        assertThat(c.signIn(email, PASSWORD).statusCode()).as("Friday 19:59").isEqualTo(200);
        assertThat(c.get("/").statusCode()).isEqualTo(200);
        int mark = auditMark();
        CLOCK.set(LocalDateTime.parse("2026-12-04T20:00:00").atZone(TOKYO).toInstant());
        assertThat(c.get("/").statusCode()).isEqualTo(403);
        assertThat(c.text("#denied")).isEqualTo("アクセスが拒否されました");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=access.denied object=/") && l.contains("reason=hours"));
        CLOCK.set(LocalDateTime.parse("2026-12-07T09:00:00").atZone(TOKYO).toInstant());
        assertThat(c.get("/").statusCode()).as("the session was ended").isEqualTo(302);
    }

    @Test
    void aPolicyEditAppliesToSessionsAlreadyOpen() throws Exception {
        String email = userWithPassword(newAddress("employee"), "社員 花子", Role.EMPLOYEE);
        String secret = enrollTotp(email);
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = client("198.51.100.4");
        c.signIn(email, PASSWORD);
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.follow().statusCode()).isEqualTo(200);
        try {
            usePolicy("""
                        employee:
                          networks: [10.0.0.0/8]
                    """);
            assertThat(c.get("/").statusCode()).isEqualTo(403);
            assertThat(c.text("main")).contains("10.0.0.0/8");
        } finally {
            usePolicy("");
        }
    }

    @Test
    void aSessionWithoutSecondFactorMustPassOneOnceThePolicyRequiresIt() throws Exception {
        try {
            usePolicy("""
                        employee:
                          mfa_required: false
                    """);
            String email = userWithPassword(newAddress("nomfa"), "社員 次郎", Role.EMPLOYEE);
            ConsoleClient c = client("198.51.100.8");
            assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
            assertThat(c.text("#welcome")).contains("社員 次郎");

            usePolicy("");
            assertThat(c.get("/").statusCode()).isEqualTo(302);
            assertThat(c.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/account/totp"));
            assertThat(c.follow().statusCode()).isEqualTo(200);
            String secret = c.text("#totp-secret");
            c.post("/account/totp", "code", code(secret, CLOCK.instant()));
            assertThat(c.follow().statusCode()).isEqualTo(200);
            assertThat(c.page().select("#recovery-codes li")).hasSize(10);
            assertThat(c.get("/").statusCode()).isEqualTo(200);
        } finally {
            usePolicy("");
        }
    }

    @Test
    void anExpiredOrReusedTotpCodeIsRefused() throws Exception {
        String email = userWithPassword(newAddress("totp"), "二段階 確認", Role.ADMIN);
        String secret = enrollTotp(email);
        CLOCK.advance(Duration.ofMinutes(5));
        ConsoleClient c = client("198.51.100.6");
        assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(c.last.uri().getPath()).isEqualTo("/login/totp");
        assertThat(c.get("/").statusCode()).as("no page before the second factor").isEqualTo(302);
        c.get("/login/totp");

        c.post("/login/totp", "code", code(secret, CLOCK.instant().minus(Duration.ofMinutes(2))));
        assertThat(c.last.statusCode()).isEqualTo(401);
        assertThat(c.text("#totp-error")).isEqualTo("このコードは有効期限が切れています。アプリに表示されている現在のコードを入力してください。");

        String current = code(secret, CLOCK.instant());
        c.post("/login/totp", "code", current);
        assertThat(c.last.statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#welcome")).contains("二段階 確認");

        ConsoleClient replay = client("198.51.100.6");
        replay.signIn(email, PASSWORD);
        replay.post("/login/totp", "code", current);
        assertThat(replay.last.statusCode()).isEqualTo(401);
        assertThat(replay.text("#totp-error")).isEqualTo("このコードはすでに使用されています。次のコードが表示されてから入力してください。");
        assertThat(replay.get("/").statusCode()).isEqualTo(302);
    }

    @Test
    void aTotpKeyThatCannotBeDecryptedRefusesTheSignInAndIsAuditedAsAFailure() throws Exception {
        String email = userWithPassword(newAddress("unreadable"), "鍵 不明", Role.ADMIN);
        String secret = enrollTotp(email);
        // as if the master key that encrypted it had been destroyed: sealed under a keyset the gateway does not hold
        byte[] foreign = io.mamori.gateway.crypto.MasterKeys.openOrCreate(Files.createTempDirectory("other-keys"))
                .encryptSecret(new org.apache.commons.codec.binary.Base32().decode(secret.replace(" ", "")), "totp:" + email);
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(
                io.mamori.gateway.store.Databases.Settings.embedded(DATA.resolve("db")).url(), "sa", "");
             java.sql.PreparedStatement update = db.prepareStatement("UPDATE console_account SET totp_secret = ? WHERE email = ?")) {
            update.setString(1, java.util.Base64.getEncoder().encodeToString(foreign));
            update.setString(2, email);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = client("198.51.100.7");
        assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(c.last.uri().getPath()).isEqualTo("/login/totp");
        int mark = auditMark();

        c.post("/login/totp", "code", code(secret, CLOCK.instant()));

        assertThat(c.last.statusCode()).isEqualTo(401);
        assertThat(c.text("#totp-error")).isEqualTo("サーバーで2段階認証の鍵を読み取れないため、確認コードを照合できません。"
                + "リカバリーコードを使うか、管理者に連絡してください。");
        assertThat(c.get("/").statusCode()).as("not signed in").isEqualTo(302);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=login.failure object=" + email + " ok=false")
                && l.contains("second factor unreadable"));
    }

    @Test
    void theSessionIdChangesAtEveryStepOfTheSignIn() throws Exception {
        String email = userWithPassword(newAddress("fixation"), "固定化 確認", Role.ADMIN);
        String secret = enrollTotp(email);
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = client("198.51.100.7");
        c.get("/login");
        String anonymous = c.sessionId();
        assertThat(anonymous).isNotNull();
        c.post("/login", "email", email, "password", PASSWORD);
        String afterPassword = c.sessionId();
        assertThat(afterPassword).isNotEqualTo(anonymous);
        c.follow();
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.sessionId()).isNotEqualTo(afterPassword).isNotEqualTo(anonymous);
        assertThat(c.follow().statusCode()).isEqualTo(200);
    }

    @Test
    void pagesCarryStrictSecurityHeadersAndTheSessionCookieIsSecureHttpOnlyAndSameSite() throws Exception {
        ConsoleClient c = client(null);
        HttpResponse<String> login = c.get("/login");
        String csp = login.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "img-src 'self' data:")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(login.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(login.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(login.headers().firstValue("Strict-Transport-Security")).hasValueSatisfying(
                v -> assertThat(v).contains("max-age=31536000").contains("includeSubDomains"));
        String cookie = login.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith("JSESSIONID=")).findFirst().orElseThrow();
        assertThat(cookie).contains("Secure").contains("HttpOnly").contains("SameSite=Strict");
        assertThat(login.body()).doesNotContain("<script").doesNotContain("style=");
    }

    @Test
    void theTokenApiStaysStatelessWithoutCsrfAndWithoutCookies() throws Exception {
        String token = Files.readString(DATA.resolve("api-token")).trim();
        ConsoleClient c = client(null);
        HttpResponse<String> anonymous = c.get("/api/v1/messages/counts");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("unauthorized");

        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(sslFor(c)).build();
        HttpResponse<String> counts = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base() + "/api/v1/messages/counts"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(counts.statusCode()).isEqualTo(200);
        assertThat(counts.headers().allValues("Set-Cookie")).isEmpty();
        HttpResponse<String> release = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base() + "/api/v1/messages/nope/release"))
                .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(release.statusCode()).as("no CSRF token needed, the message just does not exist").isEqualTo(404);
        HttpResponse<String> wrong = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base() + "/api/v1/messages/counts"))
                .header("Authorization", "Bearer " + token.substring(1)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    @Test
    void monitoringEndpointsStayOpenAndEverythingElseNeedsASignIn() throws Exception {
        ConsoleClient c = client(null);
        assertThat(c.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(c.get("/").statusCode()).isEqualTo(302);
        assertThat(c.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(c.get("/account/totp").statusCode()).isEqualTo(302);
        assertThat(c.get("/css/console.css").statusCode()).isEqualTo(200);
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.mamori.console.api.ApiTokens apiTokens;

    @Test
    void prometheusIsReadFromTheMetricsNetworksOrWithAnAdministratorsOrAuditorsToken() throws Exception {
        ConsoleClient local = client(null);
        HttpResponse<String> scraped = local.get("/actuator/prometheus");
        assertThat(scraped.statusCode()).as("loopback, where a local agent scrapes").isEqualTo(200);
        assertThat(scraped.body()).contains("jvm_memory_used_bytes");

        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(sslFor(local)).build();
        java.util.function.Function<String, HttpResponse<String>> from = bearer -> {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base() + "/actuator/prometheus")).header("X-Forwarded-For", "192.0.2.9");
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        HttpResponse<String> anonymous = from.apply(null);
        assertThat(anonymous.statusCode()).as("another network needs a token").isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"mamori\"");
        assertThat(anonymous.body()).doesNotContain("jvm_memory");
        assertThat(from.apply("not-a-token").statusCode()).isEqualTo(401);

        assertThat(from.apply(Files.readString(DATA.resolve("api-token")).trim()).statusCode()).isEqualTo(200);
        String auditor = userWithPassword(newAddress("metrics-auditor"), "監査 指標", Role.AUDITOR);
        String analyst = userWithPassword(newAddress("metrics-analyst"), "分析 指標", Role.ANALYST);
        HttpResponse<String> audited = from.apply(apiTokens.issue(auditor, "prometheus", Duration.ofDays(30),
                "first-admin@example.co.jp").token());
        assertThat(audited.statusCode()).isEqualTo(200);
        assertThat(audited.body()).contains("jvm_memory_used_bytes");
        assertThat(from.apply(apiTokens.issue(analyst, "prometheus", Duration.ofDays(30), "first-admin@example.co.jp")
                .token()).statusCode()).as("an analyst's token is not for metrics").isEqualTo(403);
        assertThat(client("192.0.2.9").get("/actuator/health").statusCode()).as("health stays open").isEqualTo(200);
        // the same counts are not to be had from a console session either
        ConsoleClient employee = signedIn("metrics-employee", "社員 指標", Role.EMPLOYEE);
        assertThat(employee.get("/actuator/metrics/mamori.queue.depth").statusCode()).isNotEqualTo(200);
        assertThat(employee.last.body()).doesNotContain("measurements");
    }

    static javax.net.ssl.SSLContext sslFor(ConsoleClient c) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(CERTIFICATE)) {
            trust.setCertificateEntry("console", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
