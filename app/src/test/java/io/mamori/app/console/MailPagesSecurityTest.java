package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.access.Role;
import io.mamori.core.analysis.Action;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Scope and refusals of the mail pages and the message API over real HTTPS: a department approver cannot read or
 * act on another department's message by changing an id in the URL or through the API, an employee sees only their
 * own mail and asks for its release, an auditor only reads, and forms without the CSRF token are refused. Every
 * refusal leaves the message as it was and is audited with the signed-in user as actor.
 */
class MailPagesSecurityTest extends ConsoleContext {

    private ConsoleClient signedIn(String email, String secret) throws Exception {
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "198.51.100.7");
        assertThat(c.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(c.last.uri().getPath()).isEqualTo("/login/totp");
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
        assertThat(c.call("POST", "/api/v1/messages/" + m.id() + "/release", "", "Authorization", bearer).statusCode())
                .isEqualTo(200);
        assertThat(state(m)).isIn(MessageState.QUEUED, MessageState.DELIVERED);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=message.search") && l.contains("actor=api-token"))
                .anyMatch(l -> l.contains("action=queue.release object=" + m.id()) && l.contains("actor=api-token"));
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
        CLOCK.advance(Duration.ofSeconds(30));
        ConsoleClient c = new ConsoleClient(base(), CERTIFICATE, "192.0.2.44");
        c.signIn(analyst, PASSWORD);
        c.post("/login/totp", "code", code(secret, CLOCK.instant()));
        assertThat(c.follow().statusCode()).isEqualTo(200);
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
        assertThat(c.text("#mail-failure")).contains("already listed: " + sender);

        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=queue.release object=" + first.id())
                        && l.contains("actor=" + analyst) && l.contains("ok=true"))
                .anyMatch(l -> l.contains("action=lists.add") && l.contains(sender) && l.contains("ok=true")
                        && l.contains("actor=" + analyst))
                .anyMatch(l -> l.contains("action=queue.delete object=" + third.id()) && l.contains("ok=true"))
                .anyMatch(l -> l.contains("action=queue.release_bulk object=finding=RTF_DISGUISED")
                        && l.contains("actor=" + analyst));
    }
}
