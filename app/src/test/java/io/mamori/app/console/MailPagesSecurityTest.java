package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.api.ApiTokens;
import io.mamori.core.access.Role;
import io.mamori.core.analysis.Action;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Scope and refusals of the mail pages and the message API over real HTTPS: a department approver cannot read or
 * act on another department's message by changing an id in the URL or through the API, an employee sees only their
 * own mail and asks for its release, an auditor only reads, and forms without the CSRF token are refused. Every
 * refusal leaves the message as it was and is audited with the signed-in user as actor.
 */
class MailPagesSecurityTest extends ConsoleContext {

    @Autowired
    ApiTokens apiTokens;

    private ConsoleClient signedIn(String email, String secret) throws Exception {
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "198.51.100.7");
        assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(c.last.uri().getPath()).isEqualTo("/login/totp");
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.follow().statusCode()).isEqualTo(200);
        return c;
    }

    /** An analyst signed in from the network the test policy allows analysts. */
    private ConsoleClient signedInAsAnalyst(String email, String secret) throws Exception {
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "192.0.2.44");
        c.signIn(email, PASSWORD);
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.follow().statusCode()).isEqualTo(200);
        return c;
    }

    private StoredMessage quarantined(String recipient, String subject) throws Exception {
        return quarantined(recipient, subject, "ATTACHMENT_EXECUTABLE");
    }

    private StoredMessage quarantined(String recipient, String subject, String finding) throws Exception {
        return commitMessage(Direction.INBOUND, "billing@partner.example", List.of(recipient), subject,
                MessageState.QUARANTINED, Action.QUARANTINE,
                MailPagesBrowserTest.eml(recipient, UUID.randomUUID().toString(), subject, "Partner", "invoice.exe"),
                finding);
    }

    private MessageState state(StoredMessage m) {
        return store.find(m.id()).orElseThrow().state();
    }

    @Test
    void aDepartmentApproverCannotReadOrReleaseAnotherDepartmentsMessageByChangingTheId() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String approver = newAddress("approver");
        String secret = userWithTotp(approver, "営業 部長", "営業部", Role.APPROVER);
        String sales = newAddress("sales");
        String accounting = newAddress("acct");
        person(sales, "営業 一郎", "営業部");
        person(accounting, "経理 一郎", "経理部");
        StoredMessage ours = quarantined(sales, "営業部宛 " + marker);
        StoredMessage theirs = quarantined(accounting, "経理部の秘密 " + marker);
        ConsoleClient c = signedIn(approver, secret);
        int mark = auditMark();

        assertThat(c.get("/messages/" + ours.id()).statusCode()).isEqualTo(200);
        assertThat(c.text("#message-subject")).isEqualTo("営業部宛 " + marker);
        assertThat(c.get("/messages/" + theirs.id()).statusCode()).isEqualTo(404);
        assertThat(c.last.body()).doesNotContain("経理部の秘密").doesNotContain(accounting);
        assertThat(c.get("/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ").statusCode()).as("the same answer as no such message")
                .isEqualTo(404);
        assertThat(c.get("/messages?subject=" + marker).statusCode()).isEqualTo(200);
        assertThat(c.last.body()).contains(ours.id()).doesNotContain(theirs.id()).doesNotContain("経理部の秘密");
        assertThat(c.get("/quarantine").statusCode()).isEqualTo(200);
        assertThat(c.last.body()).contains(ours.id()).doesNotContain(theirs.id());
        assertThat(c.get("/dashboard").statusCode()).isEqualTo(200);

        c.get("/messages/" + ours.id());
        for (String action : List.of("release", "delete", "block-sender", "allow-sender", "request")) {
            assertThat(c.post("/messages/" + theirs.id() + "/" + action).statusCode()).as(action).isEqualTo(404);
            assertThat(c.last.body()).doesNotContain("経理部の秘密");
            c.get("/messages/" + ours.id());
        }
        assertThat(c.post("/quarantine/bulk", "ids", theirs.id(), "op", "release").statusCode()).isEqualTo(302);
        assertThat(state(theirs)).isEqualTo(MessageState.QUARANTINED);

        HttpResponse<String> api = c.call("GET", "/api/v1/messages/" + theirs.id(), null);
        assertThat(api.statusCode()).as("the API takes tokens, never the console session").isEqualTo(401);
        assertThat(api.body()).doesNotContain("経理部の秘密");
        assertThat(c.call("POST", "/api/v1/messages/" + theirs.id() + "/release", "").statusCode()).isEqualTo(401);
        assertThat(state(theirs)).isEqualTo(MessageState.QUARANTINED);

        c.get("/messages/" + ours.id());
        assertThat(c.post("/messages/" + ours.id() + "/release").statusCode()).isEqualTo(302);
        assertThat(state(ours)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(auditSince(mark))
                .anyMatch(l -> l.contains("action=message.view object=" + theirs.id()) && l.contains("ok=false")
                        && l.contains("actor=" + approver))
                .anyMatch(l -> l.contains("action=queue.release object=" + theirs.id()) && l.contains("ok=false")
                        && l.contains("actor=" + approver))
                .anyMatch(l -> l.contains("action=queue.delete object=" + theirs.id()) && l.contains("ok=false"))
                .anyMatch(l -> l.contains("action=queue.release object=" + ours.id()) && l.contains("ok=true")
                        && l.contains("actor=" + approver));
    }

    @Test
    void aMessageWhoseContentIsLostOpensAndSaysSoUnlikeADeletedOne() throws Exception {
        String analyst = newAddress("lost-analyst");
        String secret = userWithTotp(analyst, "分析 担当", "情報システム部", Role.ANALYST);
        String recipient = newAddress("lost-recipient");
        person(recipient, "経理 三郎", "経理部");
        // larger than the inline limit: its content is a file, which the disk then loses
        byte[] large = ("Subject: large\r\n\r\n" + "x".repeat(200 * 1024) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        StoredMessage lost = commitMessage(Direction.INBOUND, "billing@partner.example", List.of(recipient), "lost",
                MessageState.QUARANTINED, Action.QUARANTINE, large, "ATTACHMENT_EXECUTABLE");
        java.nio.file.Files.delete(DATA.resolve("messages").resolve(lost.id()));
        StoredMessage deleted = quarantined(recipient, "deleted");
        assertThat(store.transition(deleted.id(), MessageState.DELETED)).isTrue();
        ConsoleClient c = signedInAsAnalyst(analyst, secret);

        assertThat(c.get("/messages/" + lost.id()).statusCode()).isEqualTo(200);
        assertThat(c.text("#content-gone")).contains("本文を読み込めません");
        assertThat(c.get("/messages/" + deleted.id()).statusCode()).isEqualTo(200);
        assertThat(c.text("#content-gone")).isEqualTo("本文は削除済みです。");
    }

    @Test
    void aSubjectWithARightToLeftOverrideIsShownWithTheOverrideWrittenOutOnTheListAndTheMessagePage() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String analyst = newAddress("rlo-analyst");
        String secret = userWithTotp(analyst, "分析 担当", "情報システム部", Role.ANALYST);
        String recipient = newAddress("rlo-recipient");
        person(recipient, "経理 二郎", "経理部");
        StoredMessage m = quarantined(recipient, "Invoice " + marker + " \u202Efdp.exe");
        ConsoleClient c = signedInAsAnalyst(analyst, secret);

        assertThat(c.get("/messages/" + m.id()).statusCode()).isEqualTo(200);
        assertThat(c.text("#message-subject")).isEqualTo("Invoice " + marker + " <U+202E>fdp.exe");
        assertThat(c.get("/messages?subject=" + marker).statusCode()).isEqualTo(200);
        assertThat(c.last.body()).contains(marker + " &lt;U+202E&gt;fdp.exe").doesNotContain("\u202E");
    }

    @Test
    void anEmployeeSeesOnlyTheirOwnMailAndAsksForReleaseWhichTheirApproverApproves() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String employee = newAddress("employee");
        String employeeSecret = userWithTotp(employee, "営業 二郎", "営業部", Role.EMPLOYEE);
        String approver = newAddress("approver");
        String approverSecret = userWithTotp(approver, "営業 課長", "営業部", Role.APPROVER);
        String colleague = newAddress("sales");
        person(colleague, "営業 三郎", "営業部");
        StoredMessage own = quarantined(employee, "ご本人宛 " + marker);
        StoredMessage other = quarantined(colleague, "同僚宛 " + marker);

        ConsoleClient e = signedIn(employee, employeeSecret);
        assertThat(e.get("/quarantine").statusCode()).isEqualTo(200);
        assertThat(e.last.body()).contains(own.id()).doesNotContain(other.id());
        assertThat(e.get("/messages/" + other.id()).statusCode()).isEqualTo(404);
        assertThat(e.get("/messages/" + own.id()).statusCode()).isEqualTo(200);
        assertThat(e.page().select("#release")).as("inbound mail is released by others").isEmpty();
        assertThat(e.page().select("#request-release")).hasSize(1);
        assertThat(e.post("/messages/" + own.id() + "/release").statusCode()).isEqualTo(403);
        assertThat(state(own)).isEqualTo(MessageState.QUARANTINED);
        e.get("/messages/" + own.id());
        assertThat(e.post("/messages/" + own.id() + "/request", "comment", "取引先からの請求書です").statusCode()).isEqualTo(302);
        assertThat(e.follow().statusCode()).isEqualTo(200);
        assertThat(e.text("#mail-notice")).isEqualTo("解放を依頼しました。担当者の判断をお待ちください。");
        assertThat(e.get("/quarantine/requests").statusCode()).isEqualTo(200);
        assertThat(e.page().select("button.approve")).as("an employee does not decide").isEmpty();
        String requestRow = e.page().select("tr[id^=request-]").stream().filter(r -> r.text().contains(marker))
                .findFirst().orElseThrow().id();
        long requestId = Long.parseLong(requestRow.substring("request-".length()));

        ConsoleClient a = signedIn(approver, approverSecret);
        int mark = auditMark();
        assertThat(a.get("/quarantine/requests?status=PENDING").statusCode()).isEqualTo(200);
        assertThat(a.page().select("#approve-" + requestId)).hasSize(1);
        assertThat(a.post("/quarantine/requests/" + requestId + "/approve").statusCode()).isEqualTo(302);
        assertThat(state(own)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=quarantine.request.approve object=request #" + requestId)
                && l.contains("ok=true") && l.contains("actor=" + approver));
    }

    @Test
    void anAuditorReadsButEveryActionIsRefused() throws Exception {
        String auditor = userWithPassword(newAddress("auditor"), "監査 三郎", Role.AUDITOR);
        String recipient = newAddress("acct");
        person(recipient, "経理 四郎", "経理部");
        StoredMessage m = quarantined(recipient, "監査対象 " + UUID.randomUUID());
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "198.51.100.8");
        assertThat(c.signIn(auditor, PASSWORD).statusCode()).as("auditors need no MFA here").isEqualTo(200);
        int mark = auditMark();

        assertThat(c.get("/messages/" + m.id()).statusCode()).isEqualTo(200);
        assertThat(c.page().select("#actions, #release, #delete, #request-release, #block-sender")).isEmpty();
        assertThat(c.get("/quarantine").statusCode()).isEqualTo(200);
        assertThat(c.last.body()).contains(m.id());
        assertThat(c.page().select("#bulk-release, input.select")).isEmpty();
        for (String action : List.of("release", "delete", "block-sender", "request")) {
            assertThat(c.post("/messages/" + m.id() + "/" + action).statusCode()).as(action).isEqualTo(403);
            c.get("/quarantine");
        }
        assertThat(c.post("/quarantine/bulk", "ids", m.id(), "op", "delete").statusCode()).isEqualTo(403);
        c.get("/quarantine");
        assertThat(c.post("/quarantine/release-by", "finding", "ATTACHMENT_EXECUTABLE").statusCode()).isEqualTo(403);
        assertThat(state(m)).isEqualTo(MessageState.QUARANTINED);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=queue.release object=" + m.id())
                && l.contains("ok=false") && l.contains("actor=" + auditor));
    }

    @Test
    void mailFormsWithoutTheCsrfTokenAreRefused() throws Exception {
        String admin = newAddress("admin");
        String secret = userWithTotp(admin, "管理 四郎", "情報システム部", Role.ADMIN);
        StoredMessage m = quarantined(newAddress("sales"), "CSRF " + UUID.randomUUID());
        ConsoleClient c = signedIn(admin, secret);
        assertThat(c.postForm("/messages/" + m.id() + "/release", Map.of()).statusCode()).isEqualTo(403);
        assertThat(c.postForm("/quarantine/bulk", Map.of("ids", m.id(), "op", "delete")).statusCode()).isEqualTo(403);
        assertThat(c.postForm("/messages/" + m.id() + "/block-sender", Map.of("_csrf", "forged")).statusCode()).isEqualTo(403);
        assertThat(state(m)).isEqualTo(MessageState.QUARANTINED);
    }

    @Test
    void theApiTokenSearchesShowsContentAndReleasesAsAnAdministrator() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String recipient = newAddress("sales");
        StoredMessage m = quarantined(recipient, "API 検索 " + marker);
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, null);
        String bearer = "Bearer " + apiToken();
        int mark = auditMark();

        HttpResponse<String> search = c.call("GET", "/api/v1/messages?subject=" + marker + "&state=QUARANTINED", null,
                "Authorization", bearer);
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.body()).contains(m.id());
        HttpResponse<String> content = c.call("GET", "/api/v1/messages/" + m.id() + "/content", null, "Authorization", bearer);
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).contains("\"bodyFromHtml\":true").contains("https://phish.example/login")
                .contains("invoice.exe").contains("\"remoteContentBlocked\":1");
        assertThat(c.call("GET", "/api/v1/messages?from=yesterday", null, "Authorization", bearer).statusCode()).isEqualTo(400);
        // by finding code: the whole code, in any case
        assertThat(c.call("GET", "/api/v1/messages?subject=" + marker + "&finding=attachment_executable", null,
                "Authorization", bearer).body()).contains(m.id());
        assertThat(c.call("GET", "/api/v1/messages?subject=" + marker + "&finding=ATTACHMENT", null,
                "Authorization", bearer).body()).doesNotContain(m.id());
        assertThat(c.call("GET", "/api/v1/messages?finding=" + java.net.URLEncoder.encode("not a code!",
                java.nio.charset.StandardCharsets.UTF_8), null, "Authorization", bearer).statusCode()).isEqualTo(400);
        assertThat(c.call("POST", "/api/v1/messages/" + m.id() + "/release", "", "Authorization", bearer).statusCode())
                .isEqualTo(200);
        assertThat(state(m)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=message.search") && l.contains("actor=api-token"))
                .anyMatch(l -> l.contains("action=queue.release object=" + m.id()) && l.contains("actor=api-token"));
    }

    /** A scoped API token of {@code owner}, as an administrator issues it on the user's page. */
    private String tokenOf(String owner) {
        return "Bearer " + apiTokens.issue(owner, "script", Duration.ofDays(30), "first-admin@example.co.jp").token();
    }

    @Test
    void anApproversScopedTokenCannotReadOrReleaseAnotherDepartmentsMessageThroughTheApi() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String approver = newAddress("api-approver");
        accounts.createUser(approver, "営業 部長", "営業部", Set.of(Role.APPROVER));
        String sales = newAddress("sales");
        String accounting = newAddress("acct");
        person(sales, "営業 五郎", "営業部");
        person(accounting, "経理 五郎", "経理部");
        StoredMessage ours = quarantined(sales, "営業部宛 API " + marker);
        StoredMessage theirs = quarantined(accounting, "経理部の秘密 API " + marker);
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, null);
        String bearer = tokenOf(approver);
        int mark = auditMark();

        for (String path : List.of("/api/v1/messages/" + theirs.id(), "/api/v1/messages/" + theirs.id() + "/content")) {
            HttpResponse<String> r = c.call("GET", path, null, "Authorization", bearer);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).doesNotContain("経理部の秘密").doesNotContain(accounting);
        }
        HttpResponse<String> none = c.call("GET", "/api/v1/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ", null, "Authorization", bearer);
        assertThat(none.statusCode()).as("the same answer as no such message").isEqualTo(404);
        for (String action : List.of("release", "delete")) {
            HttpResponse<String> r = c.call("POST", "/api/v1/messages/" + theirs.id() + "/" + action, "", "Authorization", bearer);
            assertThat(r.statusCode()).as(action).isEqualTo(404);
            assertThat(r.body()).doesNotContain("経理部の秘密");
        }
        assertThat(c.call("POST", "/api/v1/quarantine/release", "{\"finding\": \"ATTACHMENT_EXECUTABLE\"}",
                "Authorization", bearer, "Content-Type", "application/json").statusCode())
                .as("bulk release spans departments").isEqualTo(403);
        assertThat(state(theirs)).isEqualTo(MessageState.QUARANTINED);

        HttpResponse<String> search = c.call("GET", "/api/v1/messages?subject=" + marker, null, "Authorization", bearer);
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.body()).contains(ours.id()).doesNotContain(theirs.id()).doesNotContain("経理部の秘密");
        HttpResponse<String> listed = c.call("GET", "/api/v1/quarantine?state=QUARANTINED&limit=1000", null, "Authorization", bearer);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(ours.id()).doesNotContain(theirs.id());
        assertThat(c.call("GET", "/api/v1/lists", null, "Authorization", bearer).statusCode())
                .as("the organisation-wide lists stay with administrators and analysts").isEqualTo(403);

        assertThat(c.call("GET", "/api/v1/messages/" + ours.id(), null, "Authorization", bearer).statusCode()).isEqualTo(200);
        HttpResponse<String> content = c.call("GET", "/api/v1/messages/" + ours.id() + "/content", null, "Authorization", bearer);
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).contains("invoice.exe").contains("\"canAct\":true");
        assertThat(c.call("POST", "/api/v1/messages/" + ours.id() + "/release", "", "Authorization", bearer).statusCode())
                .isEqualTo(200);
        assertThat(state(ours)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(auditSince(mark))
                .anyMatch(l -> l.contains("action=message.view object=" + theirs.id()) && l.contains("ok=false")
                        && l.contains("actor=" + approver))
                .anyMatch(l -> l.contains("action=queue.release object=" + theirs.id()) && l.contains("ok=false")
                        && l.contains("actor=" + approver))
                .anyMatch(l -> l.contains("action=queue.release object=" + ours.id()) && l.contains("ok=true")
                        && l.contains("actor=" + approver));
    }

    @Test
    void anEmployeesScopedTokenListsOnlyTheirOwnMailAndAsksForItsReleaseForThemselves() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String employee = newAddress("api-employee");
        String colleague = newAddress("sales");
        person(employee, "営業 六郎", "営業部");
        person(colleague, "営業 七郎", "営業部");
        StoredMessage own = quarantined(employee, "ご本人宛 API " + marker);
        StoredMessage other = quarantined(colleague, "同僚宛 API " + marker);
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, null);
        String bearer = tokenOf(employee);

        HttpResponse<String> search = c.call("GET", "/api/v1/messages?subject=" + marker, null, "Authorization", bearer);
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.body()).contains(own.id()).doesNotContain(other.id()).doesNotContain("同僚宛");
        HttpResponse<String> listed = c.call("GET", "/api/v1/quarantine?limit=1000", null, "Authorization", bearer);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(own.id()).doesNotContain(other.id());
        assertThat(c.call("GET", "/api/v1/messages/" + other.id(), null, "Authorization", bearer).statusCode()).isEqualTo(404);
        assertThat(c.call("GET", "/api/v1/messages/" + own.id() + "/content", null, "Authorization", bearer).statusCode())
                .isEqualTo(200);
        assertThat(c.call("POST", "/api/v1/messages/" + own.id() + "/release", "", "Authorization", bearer).statusCode())
                .as("inbound mail is released by others").isEqualTo(403);
        assertThat(c.call("POST", "/api/v1/quarantine/" + other.id() + "/requests", "{\"comment\": \"見せて\"}",
                "Authorization", bearer, "Content-Type", "application/json").statusCode()).isEqualTo(404);
        assertThat(c.call("POST", "/api/v1/quarantine/" + own.id() + "/requests",
                "{\"requester\": \"" + colleague + "\", \"comment\": \"代理\"}",
                "Authorization", bearer, "Content-Type", "application/json").statusCode())
                .as("an employee asks only for themselves").isEqualTo(403);
        HttpResponse<String> asked = c.call("POST", "/api/v1/quarantine/" + own.id() + "/requests",
                "{\"comment\": \"取引先からの請求書です\"}", "Authorization", bearer, "Content-Type", "application/json");
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
        assertThat(asked.body()).contains(employee);
        HttpResponse<String> requests = c.call("GET", "/api/v1/quarantine/requests?status=PENDING", null, "Authorization", bearer);
        assertThat(requests.statusCode()).isEqualTo(200);
        assertThat(requests.body()).contains(own.id()).doesNotContain(other.id());
        assertThat(state(own)).isEqualTo(MessageState.QUARANTINED);
        assertThat(state(other)).isEqualTo(MessageState.QUARANTINED);
    }

    @Test
    void anAuditorsScopedTokenReadsEveryMessageButCannotRelease() throws Exception {
        String auditor = newAddress("api-auditor");
        accounts.createUser(auditor, "監査 八郎", "監査室", Set.of(Role.AUDITOR));
        String recipient = newAddress("acct");
        person(recipient, "経理 八郎", "経理部");
        StoredMessage m = quarantined(recipient, "監査対象 API " + UUID.randomUUID());
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, null);
        String bearer = tokenOf(auditor);
        int mark = auditMark();

        assertThat(c.call("GET", "/api/v1/messages/" + m.id(), null, "Authorization", bearer).statusCode()).isEqualTo(200);
        HttpResponse<String> content = c.call("GET", "/api/v1/messages/" + m.id() + "/content", null, "Authorization", bearer);
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).contains("\"canAct\":false");
        for (String action : List.of("release", "delete")) {
            assertThat(c.call("POST", "/api/v1/messages/" + m.id() + "/" + action, "", "Authorization", bearer).statusCode())
                    .as(action).isEqualTo(403);
        }
        assertThat(c.call("POST", "/api/v1/quarantine/release", "{\"finding\": \"ATTACHMENT_EXECUTABLE\"}",
                "Authorization", bearer, "Content-Type", "application/json").statusCode()).isEqualTo(403);
        assertThat(c.call("POST", "/api/v1/quarantine/" + m.id() + "/requests", "{}",
                "Authorization", bearer, "Content-Type", "application/json").statusCode()).isEqualTo(403);
        assertThat(state(m)).isEqualTo(MessageState.QUARANTINED);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=queue.release object=" + m.id())
                && l.contains("ok=false") && l.contains("actor=" + auditor));
    }

    @Test
    void whyASenderCannotBeListedIsShownInTheOperatorsLanguage() throws Exception {
        String analyst = newAddress("analyst-lang");
        String secret = userWithTotp(analyst, "分析 六郎", "情報システム部", Role.ANALYST);
        String recipient = newAddress("sales");
        // An address literal is a valid envelope sender but not something a list can hold.
        StoredMessage literal = commitMessage(Direction.INBOUND, "someone@[192.0.2.1]", List.of(recipient), "literal",
                MessageState.QUARANTINED, Action.QUARANTINE, MailPagesBrowserTest.eml(recipient, "literal", "literal",
                        "Someone", "a.pdf"), "LURE_PAYMENT");
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "192.0.2.44"); // analysts' network
        c.signIn(analyst, PASSWORD);
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.follow().statusCode()).isEqualTo(200);

        assertThat(c.get("/messages/" + literal.id()).statusCode()).isEqualTo(200);
        assertThat(c.post("/messages/" + literal.id() + "/block-sender").statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#mail-failure")).isEqualTo(
                "送信者をリストに追加できません: 'someone@[192.0.2.1]' は正しいドメイン名ではありません");

        assertThat(c.post("/language", "lang", "en", "return", "/messages/" + literal.id()).statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.post("/messages/" + literal.id() + "/block-sender").statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#mail-failure")).isEqualTo(
                "the sender cannot be listed: 'someone@[192.0.2.1]' is not a valid domain name");
        assertThat(state(literal)).isEqualTo(MessageState.QUARANTINED);
    }

    @Test
    void anAnalystReleasesOrDeletesSelectedMessagesAndReleasesEveryMessageWithAFinding() throws Exception {
        String analyst = newAddress("analyst");
        String secret = userWithTotp(analyst, "分析 五郎", "情報システム部", Role.ANALYST);
        String recipient = newAddress("sales");
        StoredMessage first = quarantined(recipient, "選択1");
        StoredMessage second = quarantined(recipient, "選択2");
        StoredMessage third = quarantined(recipient, "選択3");
        // A finding no other console test uses, since release-by-finding covers the whole quarantine.
        StoredMessage rtf1 = quarantined(recipient, "RTF 1", "RTF_DISGUISED");
        StoredMessage rtf2 = quarantined(recipient, "RTF 2", "RTF_DISGUISED");
        ConsoleClient c = signedInAsAnalyst(analyst, secret);
        int mark = auditMark();

        assertThat(c.get("/quarantine").statusCode()).isEqualTo(200);
        String csrf = c.page().selectFirst("#bulk-form input[name=_csrf]").attr("value");
        HttpResponse<String> bulk = c.call("POST", "/quarantine/bulk", "_csrf=" + csrf + "&op=release&from=quarantine&ids="
                + first.id() + "&ids=" + second.id(), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(bulk.statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#mail-notice")).isEqualTo("2 件のメッセージを解放しました。");
        assertThat(state(first)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(state(second)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(state(third)).isEqualTo(MessageState.QUARANTINED);

        assertThat(c.post("/quarantine/bulk", "ids", third.id(), "op", "delete").statusCode()).isEqualTo(302);
        assertThat(state(third)).isEqualTo(MessageState.DELETED);
        c.get("/quarantine");
        assertThat(c.post("/quarantine/release-by", "finding", "RTF_DISGUISED").statusCode()).isEqualTo(302);
        assertThat(state(rtf1)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(state(rtf2)).isIn(MessageState.QUEUED, MessageState.DELIVERED);

        String sender = "promo-" + UUID.randomUUID().toString().substring(0, 8) + "@partner.example";
        StoredMessage promo = commitMessage(Direction.INBOUND, sender, List.of(recipient), "広告", MessageState.QUARANTINED,
                Action.QUARANTINE, MailPagesBrowserTest.eml(recipient, "promo", "広告", "Promo", "a.pdf"), "LURE_PAYMENT");
        c.get("/messages/" + promo.id());
        assertThat(c.post("/messages/" + promo.id() + "/block-sender").statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#mail-notice")).isEqualTo("送信者をブロックリストに追加しました。");
        assertThat(c.post("/messages/" + promo.id() + "/block-sender").statusCode()).isEqualTo(302);
        assertThat(c.follow().statusCode()).isEqualTo(200);
        assertThat(c.text("#mail-failure")).as("in the page's language").isEqualTo("すでに登録されています: " + sender);

        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=queue.release object=" + first.id())
                        && l.contains("actor=" + analyst) && l.contains("ok=true"))
                .anyMatch(l -> l.contains("action=lists.add") && l.contains(sender) && l.contains("ok=true")
                        && l.contains("actor=" + analyst))
                .anyMatch(l -> l.contains("action=queue.delete object=" + third.id()) && l.contains("ok=true"))
                .anyMatch(l -> l.contains("action=queue.release_bulk object=finding=RTF_DISGUISED")
                        && l.contains("actor=" + analyst));
    }
}
