package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.directory.Person;
import io.mamori.console.notice.NoticeKind;
import io.mamori.console.notice.NoticeLanguage;
import io.mamori.console.notice.NoticeTemplates;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.AppPasswords;
import io.mamori.gateway.testing.TestSmtpServer.ReceivedMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.TextBody;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Users and roles, notice templates and scoped API tokens over real HTTPS: editing a person (the access-changed
 * notice arrives at the real downstream SMTP server), CSV import with a dry run first, console account reset,
 * app passwords and API tokens shown once and revoked, MFA reminders, and the refusals.
 */
class ConsoleUsersPagesTest extends ConsoleContext {

    @Autowired
    AppPasswords appPasswords;

    @Autowired
    NoticeTemplates templates;

    @Test
    void changingAUsersRolesSendsAnAccessChangedNoticeThatArrivesDownstream() throws Exception {
        String taro = userWithPassword(newAddress("taro"), "山田 太郎", Role.EMPLOYEE);
        ConsoleClient admin = signedIn("users-admin", "ユーザー 管理者", Role.ADMIN);
        int mark = auditMark();

        admin.get("/users?q=" + taro);
        assertThat(admin.page().select("#people .email")).extracting(e -> e.text()).containsExactly(taro);
        admin.get("/users/person?email=" + taro);
        assertThat(admin.page().selectFirst("#role-employee").hasAttr("checked")).isTrue();
        admin.post("/users/person", "email", taro, "displayName", "山田 太郎", "department", "営業部", "managerEmail", admin.email,
                "roles", "approver", "approverDepartments", "", "language", "ja", "active", "true");
        assertThat(admin.last.statusCode()).isEqualTo(302);
        admin.follow();
        assertThat(admin.text("#outcome")).contains("通知しました");

        Person saved = directory.find(taro).orElseThrow();
        assertThat(saved.roles()).containsExactly(Role.APPROVER);
        assertThat(saved.approverDepartments()).containsExactly("営業部");
        assertThat(saved.managerEmail()).isEqualTo(admin.email);

        ReceivedMessage mail = awaitDownstream(m -> m.rcpts().contains(taro), Duration.ofSeconds(30));
        Message m = Message.Builder.of(new ByteArrayInputStream(mail.data())).build();
        assertThat(m.getSubject()).contains("権限が変更されました");
        String body;
        try (InputStream in = ((TextBody) m.getBody()).getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(body).contains("営業部 山田 太郎 様").contains("役割: 一般社員 → 承認者")
                .contains("承認する部署: なし → 営業部").contains("部署: 情報システム部 → 営業部");

        assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=user.update").contains("actor=" + admin.email)
                        .contains("before=name=山田 太郎 department=情報システム部").contains("roles=approver"))
                .anySatisfy(l -> assertThat(l).contains("action=notice.access-changed").contains("object=" + taro));
    }

    @Test
    void aFormProblemIsNamedAndTheLastAdministratorCannotBeDemoted() throws Exception {
        String hanako = userWithPassword(newAddress("hanako"), "佐藤 花子", Role.EMPLOYEE);
        ConsoleClient admin = signedIn("users-checks", "確認 管理者", Role.ADMIN);
        admin.get("/users/person?email=" + hanako);
        admin.post("/users/person", "email", hanako, "displayName", "佐藤 花子", "managerEmail", "nobody@example.co.jp",
                "roles", "employee", "language", "ja", "active", "true");
        assertThat(admin.text("#problem")).contains("上長");
        assertThat(directory.find(hanako).orElseThrow().managerEmail()).isNull();

        int mark = auditMark();
        admin.post("/users/person", "email", hanako, "displayName", "佐藤\u202E子花", "roles", "employee", "language", "ja",
                "active", "true");
        assertThat(admin.text("#problem")).contains("見えない書式文字");
        assertThat(directory.find(hanako).orElseThrow().displayName()).isEqualTo("佐藤 花子");
        assertThat(auditSince(mark)).as("a refused form is audited too").anySatisfy(l -> assertThat(l)
                .contains("action=user.update", "object=" + hanako, "ok=false", "problem=name"));
        admin.post("/users/person", "email", hanako, "displayName", "佐藤 花子", "managerEmail", "a@" + ".".repeat(200_000) + "@",
                "roles", "employee", "language", "ja", "active", "true");
        assertThat(admin.text("#problem")).as("refused at once, however long").contains("上長");
        assertThat(admin.get("/users/person?email=ghost@example.co.jp").statusCode()).isEqualTo(404);
    }

    @Test
    void aNonAdministratorCannotOpenOrChangeUsersAndAFormWithoutCsrfIsRefused() throws Exception {
        String jiro = userWithPassword(newAddress("jiro"), "鈴木 次郎", Role.EMPLOYEE);
        ConsoleClient auditor = signedIn("users-auditor", "監査 担当", Role.AUDITOR);
        int mark = auditMark();
        assertThat(auditor.get("/users").statusCode()).isEqualTo(403);
        auditor.get("/");
        assertThat(auditor.post("/users/person", "email", jiro, "displayName", "乗っ取り", "roles", "admin", "active", "true")
                .statusCode()).isEqualTo(403);
        assertThat(auditor.post("/users/person/app-passwords", "email", jiro).statusCode()).isEqualTo(403);
        assertThat(auditor.post("/users/person/api-tokens", "email", auditor.email).statusCode()).isEqualTo(403);
        assertThat(auditor.get("/notices/templates").statusCode()).isEqualTo(403);
        assertThat(directory.find(jiro).orElseThrow().roles()).containsExactly(Role.EMPLOYEE);
        // each refusal is in the audit log, with who tried what
        assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=access.denied")
                .contains("actor=" + auditor.email).contains("POST /users/person/api-tokens").contains("ok=false"));
        assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=access.denied")
                .contains("GET /notices/templates"));

        ConsoleClient admin = signedIn("users-csrf", "CSRF 管理者", Role.ADMIN);
        assertThat(admin.postForm("/users/person", Map.of("email", jiro, "displayName", "x", "roles", "admin", "active", "true"))
                .statusCode()).isEqualTo(403);
        assertThat(directory.find(jiro).orElseThrow().roles()).containsExactly(Role.EMPLOYEE);
    }

    @Test
    void aDirectoryFileOfSeveralMegabytesIsCheckedNotRefusedByTheUploadLimit() throws Exception {
        ConsoleClient admin = signedIn("users-import-large", "大量 管理者", Role.ADMIN);
        StringBuilder csv = new StringBuilder("email,display_name\n");
        String name = "名".repeat(100);   // 300 bytes in UTF-8
        for (int i = 0; i < 8000; i++) {
            csv.append("bulk").append(i).append("@example.co.jp,").append(name).append('\n');
        }
        byte[] file = csv.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(file.length).as("past the servlet container's default limit of 1 MB").isGreaterThan(2_000_000);

        admin.get("/users/import");
        admin.postFile("/users/import", "file", "many.csv", file);

        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.page().select("#report .added")).hasSize(8000);
        assertThat(directory.find("bulk0@example.co.jp")).as("a dry run changes nothing").isEmpty();
    }

    @Test
    void aCsvImportIsCheckedFirstThenAppliedAndNotifiesPeopleWhoseAccessChanged() throws Exception {
        ConsoleClient admin = signedIn("users-import", "取込 管理者", Role.ADMIN);
        String ichiro = newAddress("ichiro");
        String first = "email,display_name,department,roles\n" + ichiro + ",高橋 一郎,経理部,\n";
        admin.get("/users/import");
        admin.postFile("/users/import", "file", "people.csv", first.getBytes(StandardCharsets.UTF_8));
        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.page().select("#report .added")).extracting(e -> e.text()).containsExactly("+ " + ichiro);
        assertThat(directory.find(ichiro)).as("a dry run changes nothing").isEmpty();
        String hash = admin.page().selectFirst("input[name=hash]").attr("value");
        admin.post("/users/import/apply", "hash", hash);
        assertThat(admin.text("#report h2")).contains("取り込みました");
        assertThat(directory.find(ichiro)).hasValueSatisfying(p -> assertThat(p.department()).isEqualTo("経理部"));
        assertThat(admin.post("/users/import/apply", "hash", hash).statusCode()).isEqualTo(200);
        assertThat(admin.text("#problem")).as("a dry run applies once").contains("確認済みのファイルがありません");

        String bad = "email,display_name,manager_email\n" + ichiro + ",高橋 一郎,taro@\n";
        admin.postFile("/users/import", "file", "bad.csv", bad.getBytes(StandardCharsets.UTF_8));
        assertThat(admin.text("#csv-problems")).as("in the page's language")
                .contains("bad.csv:2: 3 列目 (manager_email): 'taro@' はメールアドレスではありません");
        assertThat(admin.page().selectFirst("#apply")).isNull();

        String second = "email,display_name,department,roles,approver_departments\n" + ichiro + ",高橋 一郎,経理部,approver,経理部\n";
        admin.postFile("/users/import", "file", "people.csv", second.getBytes(StandardCharsets.UTF_8));
        assertThat(admin.text("#report .updated")).contains("roles: employee → approver");
        admin.post("/users/import/apply", "hash", admin.page().selectFirst("input[name=hash]").attr("value"));
        assertThat(directory.find(ichiro).orElseThrow().roles()).containsExactly(Role.APPROVER);

        ReceivedMessage mail = awaitDownstream(m -> m.rcpts().contains(ichiro), Duration.ofSeconds(30));
        String body;
        try (InputStream in = ((TextBody) Message.Builder.of(new ByteArrayInputStream(mail.data())).build().getBody()).getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(body).contains("役割: 一般社員 → 承認者").contains("承認する部署: なし → 経理部");
        assertThat(body.substring(body.indexOf("Dear"))).as("no language set: the English part lists the changes in English")
                .contains("- Roles: employee → approver").contains("- Approves for: none → 経理部").doesNotContain("役割");
    }

    @Test
    void aResetByAnAdministratorEndsTheUsersOpenSessions() throws Exception {
        ConsoleClient auditor = signedIn("users-reset-victim", "監査 被害", Role.AUDITOR);
        assertThat(auditor.get("/").statusCode()).isEqualTo(200);
        ConsoleClient admin = signedIn("users-reset-admin", "リセット 管理者", Role.ADMIN);
        int mark = auditMark();

        // the account is thought compromised (a lost phone): a new password, the TOTP key cleared
        admin.get("/users/person?email=" + auditor.email);
        admin.post("/users/person/reset", "email", auditor.email, "clearTotp", "true");
        assertThat(admin.text("#one-time-password")).isNotBlank();

        assertThat(auditor.get("/audit").statusCode()).as("the open session is over").isEqualTo(302);
        assertThat(auditor.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(auditor.get("/").statusCode()).isEqualTo(302);
        assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=session.ended")
                .contains("actor=" + auditor.email).contains("credentials changed"));
        assertThat(admin.get("/").statusCode()).as("the administrator's own session goes on").isEqualTo(200);

        // a session that changes its own password goes on with it; the account's other sessions end
        ConsoleClient other = new ConsoleClient(base(), CERTIFICATE, "192.0.2.12");
        other.signIn(admin.email, PASSWORD);
        admin.get("/account/password");
        admin.post("/account/password", "current", PASSWORD, "password", "a much newer passphrase 2026",
                "confirmation", "a much newer passphrase 2026");
        assertThat(admin.get("/").statusCode()).isEqualTo(200);
        assertThat(admin.text("#welcome")).contains("リセット 管理者");
        // (it was part-way through signing in, at its second factor): ended, back to the password
        assertThat(other.get("/").statusCode()).as("the other session of the account").isEqualTo(302);
        assertThat(other.last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    @Test
    void accountsAreCreatedAndResetAndAppPasswordsShownOnceThenRevoked() throws Exception {
        ConsoleClient admin = signedIn("users-accounts", "口座 管理者", Role.ADMIN);
        String saburo = newAddress("saburo");
        directory.save(new Person(saburo, "田中 三郎", "総務部", null, Set.of(Role.EMPLOYEE), new java.util.TreeSet<>(), "ja", true,
                Person.Source.CONSOLE));
        admin.get("/users/person?email=" + saburo);
        admin.post("/users/person/account", "email", saburo);
        String initial = admin.text("#one-time-password");
        assertThat(initial).isNotBlank();
        ConsoleClient user = new ConsoleClient(base(), CERTIFICATE, "192.0.2.11");
        user.signIn(saburo, initial);
        assertThat(user.last.uri().getPath()).isEqualTo("/account/password");

        admin.post("/users/person/reset", "email", saburo, "clearTotp", "true");
        String reset = admin.text("#one-time-password");
        assertThat(reset).isNotEqualTo(initial);
        ConsoleClient again = new ConsoleClient(base(), CERTIFICATE, "192.0.2.11");
        again.signIn(saburo, initial);
        assertThat(again.last.uri().getPath()).as("the old password no longer works").isEqualTo("/login");
        again.signIn(saburo, reset);
        assertThat(again.last.uri().getPath()).isEqualTo("/account/password");

        // a label the gateway would refuse (a control character) is the page's problem, not an error page
        admin.post("/users/person/app-passwords", "email", saburo, "label", "Out\u0007look");
        assertThat(admin.last.statusCode()).isEqualTo(200);
        assertThat(admin.text("#problem")).contains("制御文字");
        assertThat(appPasswords.list(saburo)).isEmpty();

        admin.post("/users/person/app-passwords", "email", saburo, "label", "Outlook");
        String appPassword = admin.text("#app-password");
        assertThat(appPasswords.verify(saburo, appPassword)).isTrue();
        admin.get("/users/person?email=" + saburo);
        assertThat(admin.last.body()).as("shown once").doesNotContain(appPassword);
        String id = admin.page().selectFirst("#app-passwords .app-password td").text();
        admin.post("/users/person/app-passwords/revoke", "email", saburo, "id", id);
        admin.follow();
        assertThat(admin.text("#outcome")).contains("失効");
        assertThat(appPasswords.verify(saburo, appPassword)).isFalse();
        assertThat(auditSince(0)).anySatisfy(l -> assertThat(l).contains("action=user.app-password.add").contains("object=" + saburo)
                .doesNotContain(appPassword));
    }

    @Test
    void mfaRemindersGoToActiveConsoleUsersWithoutAnAuthenticator() throws Exception {
        String shiro = userWithPassword(newAddress("shiro"), "伊藤 四郎", Role.EMPLOYEE);
        String goro = userWithPassword(newAddress("goro"), "渡辺 五郎", Role.EMPLOYEE);
        enrollTotp(goro);
        ConsoleClient admin = signedIn("users-mfa", "MFA 管理者", Role.ADMIN);
        admin.get("/users");
        admin.post("/users/mfa-reminders");
        admin.follow();
        assertThat(admin.text("#reminded")).contains("人に送りました");
        ReceivedMessage mail = awaitDownstream(m -> m.rcpts().contains(shiro), Duration.ofSeconds(30));
        assertThat(Message.Builder.of(new ByteArrayInputStream(mail.data())).build().getSubject()).contains("多要素認証");
        assertThat(auditSince(0)).noneSatisfy(l -> assertThat(l).contains("action=notice.mfa-reminder").contains("object=" + goro));
    }

    @Test
    void anAccountCreatedForAnInactivePersonReactivatesThemAndSendsTheNotice() throws Exception {
        ConsoleClient admin = signedIn("users-reactivate", "再開 管理者", Role.ADMIN);
        String rokuro = newAddress("rokuro");
        directory.save(new Person(rokuro, "伊藤 六郎", "総務部", null, Set.of(Role.EMPLOYEE), new java.util.TreeSet<>(), "en", false,
                Person.Source.CONSOLE));
        int mark = auditMark();
        admin.get("/users/person?email=" + rokuro);
        admin.post("/users/person/account", "email", rokuro);
        assertThat(admin.text("#one-time-password")).isNotBlank();
        assertThat(directory.find(rokuro).orElseThrow().active()).isTrue();
        ReceivedMessage mail = awaitDownstream(m -> m.rcpts().contains(rokuro), Duration.ofSeconds(30));
        assertThat(Message.Builder.of(new ByteArrayInputStream(mail.data())).build().getSubject())
                .contains("Your access to the mail security console has changed");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=user.created object=" + rokuro) && l.contains("actor=" + admin.email))
                .anyMatch(l -> l.contains("action=notice.access-changed object=" + rokuro) && l.contains("ok=true"));
    }

    @Test
    void noticeTemplatesAreCheckedInPlaceSavedAndReset() throws Exception {
        ConsoleClient admin = signedIn("users-templates", "テンプレート 管理者", Role.ADMIN);
        admin.get("/notices/templates/mfa-reminder/en");
        String original = admin.page().selectFirst("#template-text").wholeText();
        try {
            String broken = original + "\n{nope}\n";
            admin.post("/notices/templates/mfa-reminder/en", "text", broken, "action", "save");
            assertThat(admin.text("#errors")).contains("{nope}");
            assertThat(templates.overridden(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isFalse();
            String edited = original.replace("multi-factor", "two-factor");
            admin.post("/notices/templates/mfa-reminder/en", "text", edited, "action", "save");
            assertThat(admin.last.statusCode()).isEqualTo(302);
            assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isEqualTo(edited);
            admin.follow();
            admin.post("/notices/templates/mfa-reminder/en", "text", "", "action", "reset");
            assertThat(templates.overridden(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isFalse();
        } finally {
            templates.reset(NoticeKind.MFA_REMINDER, NoticeLanguage.EN);
        }
    }

    @Test
    void aTemplateFileThatIsNotUtf8OpensWithItsProblemAndASaveReplacesIt() throws Exception {
        ConsoleClient admin = signedIn("users-templates-sjis", "テンプレート 管理者", Role.ADMIN);
        java.nio.file.Path file = templates.file(NoticeKind.MFA_REMINDER, NoticeLanguage.JA);
        java.nio.file.Files.createDirectories(file.getParent());
        // saved by a Windows editor as Shift_JIS
        java.nio.file.Files.write(file, "件名: 多要素認証の設定をお願いします\n".getBytes(java.nio.charset.Charset.forName("Shift_JIS")));
        try {
            assertThat(admin.get("/notices/templates/mfa-reminder/ja").statusCode()).isEqualTo(200);
            assertThat(admin.text("#outcome")).contains("読み込めませんでした");
            assertThat(admin.text("#errors")).contains("UTF-8 で保存してください");
            String shipped = admin.page().selectFirst("#template-text").wholeText();

            int mark = auditMark();
            admin.post("/notices/templates/mfa-reminder/ja", "text", shipped, "action", "save");
            assertThat(admin.last.statusCode()).isEqualTo(302);
            assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.JA)).isEqualTo(shipped.replace("\r\n", "\n"));
            assertThat(auditSince(mark)).anySatisfy(l -> assertThat(l).contains("action=notice.template.save", "ok=true"));
        } finally {
            templates.reset(NoticeKind.MFA_REMINDER, NoticeLanguage.JA);
        }
    }

    @Test
    void scopedApiTokensActWithTheirUsersRolesAndStopWhenRevokedOrExpired() throws Exception {
        ConsoleClient admin = signedIn("tokens-admin", "トークン 管理者", Role.ADMIN);
        String auditor = userWithPassword(newAddress("token-auditor"), "監査 トークン", Role.AUDITOR);
        String employee = userWithPassword(newAddress("token-employee"), "社員 トークン", Role.EMPLOYEE);
        String auditorToken = issue(admin, auditor, 30);
        String employeeToken = issue(admin, employee, 1);
        HttpClient http = HttpClient.newBuilder().sslContext(ConsoleSecurityTest.sslFor(admin)).build();

        assertThat(api(http, auditorToken, "/api/v1/audit?limit=1").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = api(http, auditorToken, "/api/v1/lists");
        assertThat(refused.statusCode()).as("an auditor's token is not an administrator's").isEqualTo(403);
        assertThat(refused.body()).contains("forbidden");
        assertThat(api(http, auditorToken, "/api/v1/messages/counts").statusCode()).as("auditors read every message")
                .isEqualTo(200);
        assertThat(api(http, employeeToken, "/api/v1/audit").statusCode()).isEqualTo(403);
        assertThat(api(http, auditorToken, "/api/v1/status").statusCode()).as("auditors read the services' status")
                .isEqualTo(200);
        assertThat(api(http, employeeToken, "/api/v1/status").statusCode()).isEqualTo(403);
        assertThat(api(http, employeeToken, "/api/v1/lists").statusCode()).isEqualTo(403);
        assertThat(api(http, auditorToken, "/api/v1/audit.csv?action=login.*").statusCode()).isEqualTo(200);
        HttpResponse<String> exported = api(http, auditorToken, "/api/v1/audit?action=audit.export&actor=" + auditor);
        assertThat(exported.body()).as("the audit actor is the token's user").contains("\"actor\":\"" + auditor + "\"");

        HttpResponse<String> spec = api(http, employeeToken, "/api/v1/openapi.json");
        assertThat(spec.statusCode()).isEqualTo(200);
        assertThat(spec.body()).contains("\"openapi\"").contains("/api/v1/audit").contains("/api/v1/status").contains("bearer").doesNotContain("/policy/save");
        assertThat(api(http, "mmr_unknown", "/api/v1/openapi.json").statusCode()).isEqualTo(401);
        String adminToken = Files.readString(DATA.resolve("api-token")).trim();
        assertThat(api(http, adminToken, "/api/v1/messages/counts").statusCode()).as("the administrator token still works").isEqualTo(200);

        CLOCK.advance(Duration.ofDays(2));
        assertThat(api(http, employeeToken, "/api/v1/openapi.json").statusCode()).as("expired").isEqualTo(401);
        CLOCK.set(WEDNESDAY_MORNING);

        admin.get("/users/person?email=" + auditor);
        String id = admin.page().selectFirst("#api-tokens .api-token td").text();
        admin.post("/users/person/api-tokens/revoke", "email", auditor, "id", id);
        assertThat(api(http, auditorToken, "/api/v1/audit?limit=1").statusCode()).as("revoked").isEqualTo(401);
        assertThat(auditSince(0)).anySatisfy(l -> assertThat(l).contains("action=api-token.issue").contains("object=" + auditor)
                .doesNotContain(auditorToken));
    }

    private String issue(ConsoleClient admin, String owner, int days) throws Exception {
        admin.get("/users/person?email=" + owner);
        admin.post("/users/person/api-tokens", "email", owner, "label", "script", "days", String.valueOf(days));
        String token = admin.text("#api-token");
        assertThat(token).startsWith("mmr_");
        return token;
    }

    private HttpResponse<String> api(HttpClient http, String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
