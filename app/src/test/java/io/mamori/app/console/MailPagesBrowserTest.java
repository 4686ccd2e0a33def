package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.access.Role;
import io.mamori.core.analysis.Action;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.testing.TestSmtpServer.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The mail pages in a real headless Chromium: the dashboard (screenshot), the quarantine page (screenshot),
 * releasing a quarantined message with a click, after which it arrives at the real downstream SMTP server, and
 * script payloads in a subject, a sender's display name and an attachment name shown as inert text on every page.
 */
class MailPagesBrowserTest extends ConsoleContext {

    /** Markup that would run or add elements if a page ever printed it unescaped. */
    static final String SUBJECT_PAYLOAD = "<img id=\"xss-subject\" src=x onerror=\"alert('subject')\"><script>alert(1)</script>";
    static final String NAME_PAYLOAD = "<b id=xss-name>Boss</b><script>alert('name')</script>";
    static final String FILE_PAYLOAD = "<img id=\"xss-file\" src=x onerror=\"alert('file')\">.exe";

    private ConsoleBrowser browser;

    @BeforeEach
    void openBrowser() throws Exception {
        browser = new ConsoleBrowser(base());
    }

    @AfterEach
    void closeBrowser() throws Exception {
        browser.close();
    }

    private void signInAsAdmin(String name) {
        String email = newAddress("admin");
        String secret = userWithTotp(email, name, "情報システム部", Role.ADMIN);
        directory.setLanguage(email, "ja"); // the browser asks for English; the user's own setting wins
        CLOCK.advance(Duration.ofSeconds(30));
        browser.signIn(email, PASSWORD, code(secret, CLOCK.instant()));
    }

    static byte[] eml(String recipient, String marker, String subject, String displayName, String filename) {
        return ("From: \"" + displayName.replace("\"", "\\\"") + "\" <billing@partner.example>\r\n"
                + "To: " + recipient + "\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <" + marker + "@partner.example>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n"
                + "<html><body><p>Invoice " + marker + " <b id=\"xss-body\">due</b></p><script>alert('body')</script>"
                + "<img src=\"https://tracker.example/p.gif\"><a href=\"https://phish.example/login\">Sign in</a></body></html>\r\n"
                + "--b1\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename=\"" + filename.replace("\"", "\\\"") + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=\r\n"
                + "--b1--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAdministratorReleasesAQuarantinedMessageWhichThenArrivesDownstream() throws Exception {
        String marker = "release-" + UUID.randomUUID();
        String recipient = newAddress("sales");
        person(recipient, "営業 花子", "営業部");
        StoredMessage m = commitMessage(Direction.INBOUND, "billing@partner.example", List.of(recipient),
                "請求書のご確認 " + marker, MessageState.QUARANTINED, Action.QUARANTINE,
                eml(recipient, marker, "請求書のご確認 " + marker, "Partner Billing", "invoice.exe"),
                "ATTACHMENT_EXECUTABLE");
        StoredMessage held = commitMessage(Direction.OUTBOUND, "taro@example.co.jp", List.of("client@customer.example"), "見積書 " + marker,
                MessageState.HELD, Action.HOLD, eml("client@customer.example", marker, "見積書", "Taro", "quote.pdf"));
        signInAsAdmin("管理 一郎");
        int mark = auditMark();

        browser.open("/dashboard");
        new WebDriverWait(browser.driver, Duration.ofSeconds(15)).until(d ->
                "true".equals(browser.find("#traffic-chart").getAttribute("data-drawn")));
        assertThat(Long.parseLong(browser.find("#today-INBOUND-QUARANTINE").getText())).isPositive();
        assertThat(Long.parseLong(browser.find("#today-OUTBOUND-HOLD").getText())).isPositive();
        assertThat(browser.find("#top-findings").getText()).contains("ATTACHMENT_EXECUTABLE");
        browser.screenshot("20-dashboard");

        browser.open("/quarantine");
        assertThat(browser.find("#row-" + m.id()).getText()).contains("請求書のご確認 " + marker)
                .contains("ATTACHMENT_EXECUTABLE");
        browser.screenshot("21-quarantine");
        browser.open("/held");
        assertThat(browser.find("#row-" + held.id()).getText()).contains("見積書 " + marker);
        browser.screenshot("25-held");
        browser.open("/quarantine");
        browser.find("#row-" + m.id() + " a.subject").click();

        assertThat(browser.find("#message-id").getText()).isEqualTo(m.id());
        assertThat(browser.find("#attachments").getText()).contains("invoice.exe");
        assertThat(browser.find("#remote-blocked").getText()).contains("1");
        assertThat(browser.find("#links").getText()).contains("https://phish.example/login");
        assertThat(browser.driver.findElements(By.cssSelector("#links a"))).as("links are not clickable").isEmpty();
        browser.screenshot("22-quarantined-message");
        browser.click("#release");

        assertThat(browser.find("#mail-notice").getText()).isEqualTo("メッセージを解放しました。配送されます。");
        ReceivedMessage arrived = awaitDownstream(r -> r.dataAsString().contains(marker), Duration.ofSeconds(60));
        assertThat(arrived.rcpts()).containsExactly(recipient);
        assertThat(arrived.dataAsString()).contains("Message-ID: <" + marker + "@partner.example>");
        // The delivery worker records the attempt just after the downstream server's reply.
        Instant recorded = Instant.now().plus(Duration.ofSeconds(20));
        while (store.find(m.id()).orElseThrow().state() != MessageState.DELIVERED && Instant.now().isBefore(recorded)) {
            Thread.sleep(50);
        }
        assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.DELIVERED);
        browser.open("/messages/" + m.id());
        assertThat(browser.find("#message-state").getText()).isEqualTo("配送済み");
        assertThat(browser.driver.findElements(By.id("release"))).isEmpty();
        browser.screenshot("23-released-message");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=queue.release object=" + m.id()) && l.contains("ok=true"))
                .anyMatch(l -> l.contains("action=message.view object=" + m.id()));
    }

    @Test
    void anAnalystOpensAPasswordProtectedZipWithThePasswordTheSenderGaveByTelephone() throws Exception {
        String marker = "ppap-" + UUID.randomUUID();
        String recipient = newAddress("sales");
        person(recipient, "営業 三郎", "営業部");
        byte[] eml = ("From: Partner <billing@partner.example>\r\nTo: " + recipient + "\r\nSubject: quote " + marker + "\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nパスワードはお電話でお伝えします。\r\n"
                + "--b1\r\nContent-Type: application/zip; name=\"mitsumori.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + io.mamori.app.EncryptedZips.base64("Tel-0120-77") + "\r\n--b1--\r\n")
                .getBytes(StandardCharsets.UTF_8);
        StoredMessage m = commitMessage(Direction.INBOUND, "billing@partner.example", List.of(recipient),
                "quote " + marker, MessageState.QUARANTINED, Action.QUARANTINE, eml, "ENCRYPTED_ARCHIVE");
        signInAsAdmin("管理 四郎");
        int mark = auditMark();

        browser.open("/messages/" + m.id());
        browser.type("#open-password", "Wrong-0120");
        browser.click("#open-with-password");
        assertThat(browser.find("#mail-notice").getText()).isEqualTo("そのパスワードでは開けませんでした。メッセージは隔離されたままです。");
        browser.type("#open-password", "Tel-0120-77");
        browser.screenshot("26-open-with-password");
        browser.click("#open-with-password");

        assertThat(browser.find("#mail-notice").getText())
                .isEqualTo("パスワードで開いて検査しました。検知内容を更新し、メッセージは隔離されたままです。");
        assertThat(browser.find("#findings").getText()).contains("ENCRYPTED_ARCHIVE_OPENED")
                .contains("ARCHIVE_PASSWORD_FROM_ANALYST").doesNotContain("ENCRYPTED_ARCHIVE ");
        assertThat(browser.driver.findElements(By.id("open-with-password"))).as("opened: nothing more to open").isEmpty();
        assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
        browser.screenshot("27-opened-with-password");
        // message tracking finds it by its new finding
        browser.open("/messages");
        browser.type("#q-finding", "encrypted_archive_opened");
        browser.type("#q-subject", marker);
        browser.click("#search");
        assertThat(browser.find("#row-" + m.id()).getText()).contains("quote " + marker);
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=quarantine.open-with-password object=" + m.id())
                && l.contains("ok=true")).noneMatch(l -> l.contains("Tel-0120-77") || l.contains("Wrong-0120"));
    }

    @Test
    void scriptInASubjectSenderNameAndAttachmentNameIsShownAsInertTextOnEveryPage() throws Exception {
        String marker = "xss-" + UUID.randomUUID();
        String recipient = newAddress("acct");
        person(recipient, "経理 次郎", "経理部");
        String subject = SUBJECT_PAYLOAD + " " + marker;
        StoredMessage m = commitMessage(Direction.INBOUND, "billing@partner.example", List.of(recipient), subject,
                MessageState.QUARANTINED, Action.QUARANTINE, eml(recipient, marker, subject, NAME_PAYLOAD, FILE_PAYLOAD),
                "ATTACHMENT_EXECUTABLE");
        quarantineService.requestRelease(m.id(), recipient, NAME_PAYLOAD, recipient, "192.0.2.1");
        signInAsAdmin("管理 二郎");

        for (String page : List.of("/quarantine", "/messages?subject=" + marker, "/messages/" + m.id(),
                "/quarantine/requests?status=PENDING", "/dashboard")) {
            browser.open(page);
            browser.find("main");
            assertThat(browser.alertOpen()).as("no dialog on %s", page).isFalse();
            assertThat(browser.driver.findElements(By.cssSelector("[id^=xss]"))).as("no injected element on %s", page).isEmpty();
            assertThat(browser.driver.findElements(By.cssSelector("main script:not([src])"))).as("no inline script on %s", page)
                    .isEmpty();
            if (!page.equals("/dashboard")) {
                assertThat(browser.find("main").getText()).as("the payload is shown as text on %s", page).contains(SUBJECT_PAYLOAD);
            }
        }
        browser.open("/messages/" + m.id());
        String text = browser.find("main").getText();
        assertThat(text).contains(NAME_PAYLOAD).contains(FILE_PAYLOAD);
        assertThat(browser.find("#body-text").getText()).contains("Invoice " + marker + " due").doesNotContain("alert('body')");
        browser.screenshot("24-script-payloads-inert");

        ConsoleClient http = new ConsoleClient(base(), CERTIFICATE, null);
        for (org.openqa.selenium.Cookie cookie : browser.driver.manage().getCookies()) {
            http.cookie(cookie.getName(), cookie.getValue());
        }
        assertThat(http.get("/messages/" + m.id()).statusCode()).isEqualTo(200);
        assertThat(http.last.body()).contains("&lt;img id=&quot;xss-subject&quot; src=x onerror=&quot;alert(&#39;subject&#39;)&quot;&gt;")
                .contains("&lt;b id=xss-name&gt;Boss&lt;/b&gt;")
                .contains("&lt;img id=&quot;xss-file&quot;")
                .doesNotContain("<img id=\"xss").doesNotContain("<b id=xss").doesNotContain("<script>alert");
    }
}
