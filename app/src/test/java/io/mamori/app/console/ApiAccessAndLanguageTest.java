package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.api.ApiTokens;
import io.mamori.core.access.Role;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * REST API tokens obey the policy's access rules like console sessions do, and the console's language follows
 * the browser for a person without a language setting of their own — over real HTTPS, in the shared gateway.
 */
class ApiAccessAndLanguageTest extends ConsoleContext {

    @Autowired
    ApiTokens apiTokens;

    private String scopedToken(String owner) {
        return "Bearer " + apiTokens.issue(owner, "script", Duration.ofDays(30), "first-admin@example.co.jp").token();
    }

    private HttpResponse<String> api(String clientAddress, String bearer, String path) throws Exception {
        return new ConsoleClient(base(), CERTIFICATE, clientAddress).call("GET", path, null, "Authorization", bearer);
    }

    @Test
    void aScopedTokenFromANetworkItsUsersRoleMayNotUseIsRefusedWithAReasonAndAudited() throws Exception {
        String analyst = newAddress("api-analyst");
        accounts.createUser(analyst, "分析 三郎", "情報システム部", java.util.Set.of(Role.ANALYST));
        String bearer = scopedToken(analyst);
        int mark = auditMark();

        // X-Forwarded-For counts because loopback is a trusted proxy here (the console's ClientAddress logic).
        HttpResponse<String> refused = api("198.51.100.7", bearer, "/api/v1/messages");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(refused.body()).contains("\"error\":\"access_denied\"", "\"role\":\"analyst\"", "\"reason\":\"network\"",
                "192.0.2.0/24", "セキュリティ担当者", "このネットワーク", "The role \\\"Security analyst\\\" may not use the console from this network (198.51.100.7)");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=access.denied object=GET /api/v1/messages ok=false actor=" + analyst)
                && l.contains("source=198.51.100.7"));

        assertThat(api("192.0.2.10", bearer, "/api/v1/messages").statusCode()).as("from the analysts' network").isEqualTo(200);
        assertThat(api("2001:db8::5", bearer, "/api/v1/messages").statusCode()).isEqualTo(200);
    }

    @Test
    void aScopedTokenOutsideItsUsersHoursIsRefused() throws Exception {
        String auditor = newAddress("api-auditor");
        accounts.createUser(auditor, "監査 四郎", "監査室", java.util.Set.of(Role.AUDITOR));
        String bearer = scopedToken(auditor);
        assertThat(api("198.51.100.9", bearer, "/api/v1/audit").statusCode()).as("in office hours").isEqualTo(200);

        CLOCK.set(LocalDateTime.parse("2026-12-02T23:30:00").atZone(TOKYO).toInstant());
        int mark = auditMark();
        HttpResponse<String> refused = api("198.51.100.9", bearer, "/api/v1/audit");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"reason\":\"hours\"", "08:00-20:00", "現在の時間帯", "may not use the console at this time");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=access.denied object=GET /api/v1/audit ok=false actor=" + auditor));
    }

    @Test
    void theAdministratorTokenObeysTheAdministratorsRule() throws Exception {
        String bearer = "Bearer " + apiToken();
        try {
            usePolicy("""
                        admin:
                          networks: [192.0.2.0/24]
                    """);
            int mark = auditMark();
            HttpResponse<String> refused = api("198.51.100.20", bearer, "/api/v1/messages");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("\"role\":\"admin\"", "\"reason\":\"network\"", "管理者", "Administrator");
            assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=access.denied") && l.contains("actor=api-token")
                    && l.contains("source=198.51.100.20"));
            assertThat(api("192.0.2.20", bearer, "/api/v1/messages").statusCode()).isEqualTo(200);
        } finally {
            usePolicy("");
        }
        assertThat(api("198.51.100.20", bearer, "/api/v1/messages").statusCode()).as("rule removed").isEqualTo(200);
    }

    @Test
    void aPersonWithoutALanguageSettingGetsTheBrowsersLanguageAfterSignIn() throws Exception {
        String email = userWithPassword(newAddress("lang-auditor"), "言語 未設定", Role.AUDITOR);
        assertThat(directory.find(email).orElseThrow().language()).as("not set by add-user").isNull();

        ConsoleClient english = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10").acceptLanguage("en-US,en;q=0.9,ja;q=0.5");
        assertThat(english.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(english.text("#welcome")).isEqualTo("Welcome, 言語 未設定");
        assertThat(english.page().selectFirst("html").attr("lang")).isEqualTo("en");

        ConsoleClient japanese = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10").acceptLanguage("ja,en;q=0.5");
        assertThat(japanese.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(japanese.text("#welcome")).isEqualTo("言語 未設定 さん、ようこそ");
    }

    @Test
    void anExplicitLanguageSettingWinsOverTheBrowser() throws Exception {
        String email = userWithPassword(newAddress("lang-set"), "言語 設定済", Role.AUDITOR);
        directory.setLanguage(email, "ja");
        ConsoleClient english = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10").acceptLanguage("en-US,en");
        assertThat(english.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(english.text("#welcome")).isEqualTo("言語 設定済 さん、ようこそ");

        directory.setLanguage(email, "en");
        ConsoleClient japanese = new ConsoleClient(base(), CERTIFICATE, "192.0.2.10").acceptLanguage("ja");
        assertThat(japanese.signIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(japanese.text("#welcome")).isEqualTo("Welcome, 言語 設定済");
    }

    private HttpResponse<String> call(String bearer, String method, String path, String json) throws Exception {
        return new ConsoleClient(base(), CERTIFICATE, "192.0.2.10").call(method, path, json, "Authorization", bearer,
                "Content-Type", "application/json");
    }

    private static String idOf(HttpResponse<String> created) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(created.body());
        assertThat(m.find()).as(created.body()).isTrue();
        return m.group(1);
    }

    @Test
    void anEmployeesTokenManagesOnlyTheirOwnListEntries() throws Exception {
        String employee = newAddress("list-employee");
        String colleague = newAddress("list-colleague");
        String analyst = newAddress("list-analyst");
        accounts.createUser(employee, "社員 リスト", "営業部", java.util.Set.of(Role.EMPLOYEE));
        person(colleague, "同僚 リスト", "営業部");
        accounts.createUser(analyst, "分析 リスト", "情報システム部", java.util.Set.of(Role.ANALYST));
        String mine = scopedToken(employee);
        String analysts = scopedToken(analyst);
        String marker = java.util.UUID.randomUUID().toString().substring(0, 8);
        int mark = auditMark();

        HttpResponse<String> added = call(mine, "POST", "/api/v1/lists/block",
                "{\"value\": \"news-" + marker + ".example\", \"user\": \"" + employee.toUpperCase() + "\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        String own = idOf(added);
        assertThat(call(mine, "GET", "/api/v1/lists?user=" + employee, null).body()).contains("news-" + marker + ".example");

        assertThat(call(mine, "GET", "/api/v1/lists", null).statusCode()).as("the organisation's lists").isEqualTo(403);
        assertThat(call(mine, "GET", "/api/v1/lists?user=" + colleague, null).statusCode()).isEqualTo(403);
        assertThat(call(mine, "POST", "/api/v1/lists/allow", "{\"value\": \"partner.example\"}").statusCode())
                .as("organisation-wide").isEqualTo(403);
        HttpResponse<String> foreign = call(mine, "POST", "/api/v1/lists/allow",
                "{\"value\": \"x-" + marker + ".example\", \"user\": \"" + colleague + "\"}");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("\"error\":\"forbidden\"", "your own list");

        HttpResponse<String> theirs = call(analysts, "POST", "/api/v1/lists/block",
                "{\"value\": \"theirs-" + marker + ".example\", \"user\": \"" + colleague + "\"}");
        assertThat(theirs.statusCode()).as("analysts manage everyone's lists").isEqualTo(201);
        String colleagues = idOf(theirs);
        assertThat(call(mine, "DELETE", "/api/v1/lists/entries/" + colleagues, null).statusCode())
                .as("someone else's entry is answered as if it did not exist").isEqualTo(404);
        assertThat(call(analysts, "GET", "/api/v1/lists?user=" + colleague, null).body()).contains("theirs-" + marker);
        assertThat(call(analysts, "GET", "/api/v1/lists", null).statusCode()).isEqualTo(200);

        assertThat(call(mine, "DELETE", "/api/v1/lists/entries/" + own, null).statusCode()).isEqualTo(200);
        assertThat(call(mine, "GET", "/api/v1/lists?user=" + employee, null).body()).doesNotContain("news-" + marker);
        assertThat(auditSince(mark))
                .anyMatch(l -> l.contains("action=lists.add") && l.contains("ok=true actor=" + employee))
                .anyMatch(l -> l.contains("action=lists.add") && l.contains("user=" + colleague) && l.contains("ok=false actor=" + employee))
                .anyMatch(l -> l.contains("action=lists.remove object=#" + colleagues + " ok=false actor=" + employee))
                .anyMatch(l -> l.contains("action=lists.remove object=#" + own) && l.contains("ok=true actor=" + employee));
    }

    @Test
    void listErrorsCarryTheReasonInJapaneseAndEnglish() throws Exception {
        String analyst = newAddress("list-errors");
        accounts.createUser(analyst, "分析 エラー", "情報システム部", java.util.Set.of(Role.ANALYST));
        String bearer = scopedToken(analyst);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();

        HttpResponse<String> suffix = call(bearer, "POST", "/api/v1/lists/block", "{\"value\": \"co.jp\"}");
        assertThat(suffix.statusCode()).isEqualTo(400);
        com.fasterxml.jackson.databind.JsonNode body = json.readTree(suffix.body());
        assertThat(body.get("error").asText()).isEqualTo("invalid");
        assertThat(body.get("message_ja").asText()).isEqualTo("'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます");
        assertThat(body.get("message_en").asText()).isEqualTo("'co.jp' is a public suffix; it would match every domain under it");
        assertThat(body.get("message").asText()).as("the field older clients read: both, Japanese first")
                .isEqualTo(body.get("message_ja").asText() + " / " + body.get("message_en").asText());

        body = json.readTree(call(bearer, "POST", "/api/v1/lists/block", "{\"value\": \"taro@@partner.example\"}").body());
        assertThat(body.get("message_ja").asText()).isEqualTo("'taro@@partner.example' はメールアドレスではありません");
        assertThat(body.get("message_en").asText()).isEqualTo("'taro@@partner.example' is not an e-mail address");

        int mark = auditMark();
        HttpResponse<String> unknownList = call(bearer, "POST", "/api/v1/lists/link", "{\"value\": \"x.example\"}");
        assertThat(unknownList.statusCode()).isEqualTo(400);
        assertThat(json.readTree(unknownList.body()).get("message").asText()).isEqualTo(
                "不明なリスト 'link' です。allow か block を指定してください / unknown list 'link'; expected allow or block");
        assertThat(call(bearer, "POST", "/api/v1/lists/block", "{\"comment\": \"no value\"}").statusCode()).isEqualTo(400);
        assertThat(auditSince(mark)).as("refused before they reached the lists, and still recorded")
                .anyMatch(l -> l.contains("action=lists.add object=link ok=false actor=" + analyst))
                .anyMatch(l -> l.contains("action=lists.add object=block ok=false actor=" + analyst));

        // what Spring refuses before a controller runs gets the same kind of answer
        HttpResponse<String> notANumber = call(bearer, "DELETE", "/api/v1/lists/entries/abc", null);
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(json.readTree(notANumber.body()).get("message").asText())
                .isEqualTo("id の値が正しくありません(long) / id is not a valid long");
        HttpResponse<String> notJson = call(bearer, "POST", "/api/v1/lists/block", "{\"value\": ");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json.readTree(notJson.body()).get("error").asText()).isEqualTo("invalid");
        assertThat(json.readTree(notJson.body()).get("message").asText())
                .isEqualTo("リクエスト本文の JSON を読めません / the request body is not valid JSON of the expected form");

        HttpResponse<String> missing = call(bearer, "DELETE", "/api/v1/lists/entries/987654321", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        body = json.readTree(missing.body());
        assertThat(body.get("error").asText()).isEqualTo("not_found");
        assertThat(body.get("message_ja").asText()).isEqualTo("リストに #987654321 の項目はありません");
        assertThat(body.get("message_en").asText()).isEqualTo("no list entry #987654321");
    }

    @Test
    void releaseRequestsRefusedForTheirFormOrForAskingForAnotherPersonAreAudited() throws Exception {
        String employee = newAddress("request-employee");
        String analyst = newAddress("request-analyst");
        accounts.createUser(employee, "社員 依頼", "営業部", java.util.Set.of(Role.EMPLOYEE));
        accounts.createUser(analyst, "分析 依頼", "情報システム部", java.util.Set.of(Role.ANALYST));
        int mark = auditMark();

        assertThat(call(scopedToken(employee), "POST", "/api/v1/quarantine/01NOSUCHMESSAGE/requests",
                "{\"requester\": \"someone-else@example.co.jp\"}").statusCode()).isEqualTo(403);
        assertThat(call(scopedToken(analyst), "POST", "/api/v1/quarantine/01NOSUCHMESSAGE/requests", "{}").statusCode())
                .isEqualTo(400);

        assertThat(auditSince(mark))
                .anyMatch(l -> l.contains("action=quarantine.request.create object=01NOSUCHMESSAGE requester=someone-else@example.co.jp ok=false actor=" + employee))
                .anyMatch(l -> l.contains("action=quarantine.request.create object=01NOSUCHMESSAGE ok=false actor=" + analyst));
    }

    @Test
    void anAuditorsTokenReadsItsOwnListButChangesNothing() throws Exception {
        String auditor = newAddress("list-auditor");
        accounts.createUser(auditor, "監査 リスト", "監査室", java.util.Set.of(Role.AUDITOR));
        String bearer = scopedToken(auditor);
        assertThat(call(bearer, "GET", "/api/v1/lists?user=" + auditor, null).statusCode()).isEqualTo(200);
        assertThat(call(bearer, "POST", "/api/v1/lists/block", "{\"value\": \"ro.example\", \"user\": \"" + auditor + "\"}")
                .statusCode()).isEqualTo(403);
        // an auditor is also an employee of the organisation: still read-only, as on the console's pages
        String both = newAddress("list-auditor-employee");
        accounts.createUser(both, "監査 社員", "監査室", java.util.Set.of(Role.AUDITOR, Role.EMPLOYEE));
        String theirs = scopedToken(both);
        assertThat(call(theirs, "POST", "/api/v1/lists/block", "{\"value\": \"ro.example\", \"user\": \"" + both + "\"}")
                .statusCode()).isEqualTo(403);
    }
}
