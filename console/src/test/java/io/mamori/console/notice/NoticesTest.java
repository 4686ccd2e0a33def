package io.mamori.console.notice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.TextBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notices rendered, written as MIME and committed to a real (H2) message store; parsed back with mime4j. */
class NoticesTest {

    @TempDir
    Path dir;

    HikariDataSource dataSource;
    JdbcMessageStore store;
    Policy policy;
    final Clock clock = Clock.fixed(Instant.parse("2026-11-28T01:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")),
                JdbcMessageStore.Settings.under(dir), clock);
        policy = new PolicyLoader(FindingCatalogue.builtIn()).parse("""
                version: 1
                organisation:
                  name: テスト株式会社
                  internal_domains: ["*.corp.example.co.jp", example.co.jp]
                inbound:
                  thresholds: { tag: 2, hold: 50, quarantine: 60, reject: 100 }
                outbound:
                  thresholds: { tag: 6, quarantine: 15 }
                """, "policy.yaml");
    }

    @AfterEach
    void close() {
        store.close();
        dataSource.close();
    }

    Notices notices(String from, String setupUrl) {
        return new Notices(store, new NoticeTemplates(dir.resolve("notices")), () -> policy,
                new Notices.Settings(from, setupUrl, "mamori.test", ZoneId.of("Asia/Tokyo")), clock);
    }

    Message parse(String id) throws Exception {
        try (InputStream in = store.openContent(id)) {
            return Message.Builder.of(in).build();
        }
    }

    static String text(Message m) throws Exception {
        try (InputStream in = ((TextBody) m.getBody()).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String raw(JdbcMessageStore store, String id) throws Exception {
        try (InputStream in = store.openContent(id)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void accessChangedForAUserOfUnknownLanguageIsJapaneseThenEnglishInOneQueuedMail() throws Exception {
        String id = notices("", "https://mamori.example.co.jp/console")
                .accessChanged("sato@example.co.jp", "佐藤 花子", "経理部", null, List.of(
                        new Notices.Change("役割: 承認者 → 管理者", "Roles: approver → administrator"),
                        new Notices.Change("許可ネットワーク: 192.0.2.0/24", "Allowed networks: 192.0.2.0/24")));

        StoredMessage stored = store.find(id).orElseThrow();
        assertThat(stored.state()).isEqualTo(MessageState.QUEUED);
        assertThat(stored.direction()).as("an internal recipient is routed to the mailbox service").isEqualTo(Direction.INBOUND);
        assertThat(stored.mailFrom()).isEqualTo("mamori-noreply@example.co.jp");
        assertThat(stored.recipients()).extracting(r -> r.address()).containsExactly("sato@example.co.jp");

        Message m = parse(id);
        assertThat(m.getSubject()).isEqualTo("【テスト株式会社】メールセキュリティ管理画面の権限が変更されました / "
                + "[テスト株式会社] Your access to the mail security console has changed");
        assertThat(stored.subject()).isEqualTo(m.getSubject());
        assertThat(m.getMimeType()).isEqualTo("text/plain");
        assertThat(m.getCharset()).isEqualToIgnoringCase("UTF-8");
        assertThat(m.getContentTransferEncoding()).isEqualTo("base64");
        assertThat(m.getMessageId()).matches("<notice\\.[0-9a-f]{24}@mamori\\.test>");
        assertThat(m.getDate()).isEqualTo(java.util.Date.from(clock.instant()));
        assertThat(m.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-generated");
        assertThat(m.getHeader().getField("Content-Language").getBody()).isEqualTo("ja, en");
        assertThat(m.getFrom().get(0).getAddress()).isEqualTo("mamori-noreply@example.co.jp");
        assertThat(m.getTo().flatten().get(0).getName()).isEqualTo("佐藤 花子");

        String body = text(m);
        assertThat(body).contains("経理部 佐藤 花子 様").contains("Dear 佐藤 花子 (経理部)")
                .contains("https://mamori.example.co.jp/console");
        assertThat(body.indexOf("様")).as("Japanese first").isLessThan(body.indexOf("Dear"));
        String japanese = body.substring(0, body.indexOf("Dear"));
        String english = body.substring(body.indexOf("Dear"));
        assertThat(japanese).as("the Japanese part lists the changes in Japanese")
                .contains("・役割: 承認者 → 管理者").contains("・許可ネットワーク: 192.0.2.0/24")
                .doesNotContain("Roles:").doesNotContain("Allowed networks:");
        assertThat(english).as("the English part lists the changes in English")
                .contains("- Roles: approver → administrator").contains("- Allowed networks: 192.0.2.0/24")
                .doesNotContain("役割").doesNotContain("許可ネットワーク");
        assertThat(body).doesNotContain("{").contains("\r\n").doesNotContain("\r\r");

        String raw = raw(store, id);
        assertThat(raw).startsWith("Received: by mamori.test (Mamori notice) id " + id)
                .containsPattern("(?m)^Subject: =\\?UTF-8\\?B\\?")
                .contains("Date: Sat, 28 Nov 2026 10:00:00 +0900");
        assertThat(raw.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(78));
    }

    @Test
    void aUserWhoseLanguageIsKnownGetsOnlyThatLanguage() throws Exception {
        Notices notices = notices("Mamori <security@example.co.jp>", "https://mamori.example.co.jp/mfa");

        Message en = parse(notices.mfaReminder("ito@partner.example", "Ken Ito", "Sales", "en-US"));
        assertThat(en.getSubject()).isEqualTo("[テスト株式会社] Please set up multi-factor authentication (MFA)");
        assertThat(text(en)).contains("Dear Ken Ito (Sales)").contains("https://mamori.example.co.jp/mfa").doesNotContain("様");
        assertThat(en.getHeader().getField("Content-Language").getBody()).isEqualTo("en");
        assertThat(en.getFrom().get(0).getName()).isEqualTo("Mamori");

        String jaId = notices.mfaReminder("yamada@tokyo.corp.example.co.jp", "山田 太郎", "", "ja");
        Message ja = parse(jaId);
        assertThat(ja.getSubject()).isEqualTo("【テスト株式会社】多要素認証（MFA）の設定をお願いします");
        assertThat(text(ja)).contains("山田 太郎 様").doesNotContain("Dear");
        assertThat(store.find(jaId).orElseThrow().direction()).isEqualTo(Direction.INBOUND);
        assertThat(store.find(jaId).orElseThrow().mailFrom()).isEqualTo("security@example.co.jp");
    }

    @Test
    void aRecipientOutsideTheOrganisationIsRoutedAsOutboundMail() throws Exception {
        String id = notices("", "https://m.example/mfa").mfaReminder("ito@partner.example", "Ito", "", "en");
        assertThat(store.find(id).orElseThrow().direction()).isEqualTo(Direction.OUTBOUND);
    }

    @Test
    void lineBreaksInValuesCannotAddHeaders() throws Exception {
        String id = notices("", "https://m.example/mfa").mfaReminder("sato@example.co.jp",
                "Sato\r\nBcc: evil@attacker.example", "Dept\nX-Injected: 1", "en");

        Message m = parse(id);
        assertThat(m.getHeader().getField("Bcc")).isNull();
        assertThat(m.getHeader().getField("X-Injected")).isNull();
        assertThat(m.getTo().flatten().get(0).getName()).isEqualTo("Sato  Bcc: evil@attacker.example");
        assertThat(m.getSubject()).doesNotContain("\n");
    }

    @Test
    void anEditedTemplateIsUsedForTheNextNotice() throws Exception {
        Notices notices = notices("", "https://m.example/mfa");
        new NoticeTemplates(dir.resolve("notices")).write(NoticeKind.MFA_REMINDER, NoticeLanguage.EN,
                "Subject: MFA for {userName} at {company}\n\nGo to {setupUrl} now.\n");

        Message m = parse(notices.mfaReminder("sato@example.co.jp", "Sato", "", "en"));

        assertThat(m.getSubject()).isEqualTo("MFA for Sato at テスト株式会社");
        assertThat(text(m)).isEqualTo("Go to https://m.example/mfa now.\r\n");
    }

    @Test
    void anInvalidOverrideIsASpecificErrorAndNothingIsQueued() throws Exception {
        Path file = Files.createDirectories(dir.resolve("notices")).resolve("mfa-reminder.ja.txt");
        Files.writeString(file, "Subject: {company}\n\n{setupUrl} {usr}\n");

        assertThatThrownBy(() -> notices("", "https://m.example/mfa").mfaReminder("sato@example.co.jp", "Sato", "", null))
                .isInstanceOf(NoticeTemplateException.class).hasMessageContaining("mfa-reminder.ja.txt:3:12: ")
                .hasMessageContaining("unknown placeholder {usr}");
        assertThat(store.list(null, 10)).isEmpty();
    }

    @Test
    void anAccessChangedNoticeInEnglishListsOnlyTheEnglishChanges() throws Exception {
        String id = notices("", "https://mamori.example.co.jp/console").accessChanged("ito@example.co.jp", "Ken Ito", "Sales",
                "en-US", List.of(new Notices.Change("役割: 一般社員 → 承認者", "Roles: employee → approver"),
                        new Notices.Change("アカウント: 無効 → 有効", "Account: inactive → active")));

        Message m = parse(id);
        assertThat(m.getHeader().getField("Content-Language").getBody()).isEqualTo("en");
        String body = text(m);
        assertThat(body).contains("Dear Ken Ito (Sales)").contains("- Roles: employee → approver")
                .contains("- Account: inactive → active")
                .doesNotContain("役割").doesNotContain("アカウント").doesNotContain("様");
    }

    @Test
    void badInputGetsClearErrors() {
        Notices notices = notices("", "");
        assertThatThrownBy(() -> notices.mfaReminder("sato@example.co.jp", "Sato", "", "ja"))
                .isInstanceOf(NoticeTemplateException.class).hasMessage("mfa-reminder.ja.txt: mamori.notices.setup-url が"
                        + "設定されていないため、{setupUrl} を使うこのテンプレートで通知を作れません / mamori.notices.setup-url is not"
                        + " set, and this template uses {setupUrl}");
        assertThatThrownBy(() -> notices.accessChanged("not an address", "x", "", "ja", List.of(new Notices.Change("a", "a"))))
                .isInstanceOfSatisfying(io.mamori.core.text.InvalidInput.class, e -> assertThat(e.bilingual())
                        .isEqualTo("'not an address' はメールアドレスではありません / 'not an address' is not an email address"));
        assertThatThrownBy(() -> notices.accessChanged("sato@example.co.jp", "x", "", "ja", List.of()))
                .hasMessageContaining("at least one change");
        assertThatThrownBy(() -> new Notices.Settings("not-an-address", "", "h", ZoneId.of("UTC")))
                .isInstanceOfSatisfying(io.mamori.core.text.InvalidInput.class, e -> assertThat(e.bilingual())
                        .isEqualTo("mamori.notices.from: 'not-an-address' はメールアドレスではありません / mamori.notices.from:"
                                + " 'not-an-address' is not an email address"));
        assertThatThrownBy(() -> new Notices.Settings("", "javascript:alert(1)", "h", ZoneId.of("UTC")))
                .isInstanceOfSatisfying(io.mamori.core.text.InvalidInput.class, e -> assertThat(e.messageJa())
                        .isEqualTo("mamori.notices.setup-url: http(s) の URL ではありません: javascript:alert(1)"));
    }

    @Test
    void aLongListOfChangesIsCut() throws Exception {
        List<Notices.Change> changes = java.util.stream.IntStream.range(0, 150)
                .mapToObj(i -> new Notices.Change("変更 " + i, "change " + i)).toList();
        Notices.Rendered r = notices("", "https://m.example/").render(NoticeKind.ACCESS_CHANGED,
                java.util.Optional.of(NoticeLanguage.EN), "x", "", changes);
        assertThat(r.body()).contains("- change 99").doesNotContain("change 100").contains("- and 50 more")
                .doesNotContain("変更");
        assertThatThrownBy(() -> new Notices.Change("役割", null)).isInstanceOf(NullPointerException.class);
    }
}
