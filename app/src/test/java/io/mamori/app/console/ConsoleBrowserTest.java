package io.mamori.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.access.Role;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromedriver}): first sign-in with
 * the one-time password, password change, TOTP enrollment from the key the page shows, a later sign-in with a
 * code, the language switch, and the access-denied page. Screenshots go to {@code target/screenshots}.
 */
class ConsoleBrowserTest extends ConsoleContext {

    private ConsoleBrowser chrome;
    private ChromeDriver browser;

    /** A fresh chromedriver and profile per test (quitting a driver stops its service). */
    @BeforeEach
    void openBrowser() throws Exception {
        chrome = new ConsoleBrowser(base());
        browser = chrome.driver;
    }

    @AfterEach
    void closeBrowser() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
    }

    private void open(String path) {
        chrome.open(path);
    }

    private WebElement find(String css) {
        return chrome.find(css);
    }

    private void assertText(String css, String expected) {
        assertText(css, expected, "text of " + css);
    }

    /** Waits until the element shows {@code expected} (pages change after a click), then checks it. */
    private void assertText(String css, String expected, String why) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(15))
                    .until(ExpectedConditions.textToBe(By.cssSelector(css), expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            assertThat(browser.findElements(By.cssSelector(css))).as("element %s", css).isNotEmpty();
            assertThat(browser.findElement(By.cssSelector(css)).getText()).as(why).isEqualTo(expected);
        }
    }

    private void type(String css, String text) {
        chrome.type(css, text);
    }

    private void click(String css) {
        chrome.click(css);
    }

    private void screenshot(String name) throws Exception {
        chrome.screenshot(name);
    }

    private void signIn(String email, String password) {
        open("/login");
        type("#email", email);
        type("#password", password);
        click("#sign-in");
    }

    @Test
    void firstSignInChangesThePasswordEnrollsTotpAndLaterSignInsAskForACode() throws Exception {
        String email = newAddress("admin");
        String initial = accounts.createUser(email, "情報 太郎", "情報システム部", java.util.Set.of(Role.ADMIN));
        directory.setLanguage(email, "ja");
        int mark = auditMark();

        signIn(email, initial);
        // After the password the user's own setting counts (Japanese here), not the browser's English.
        assertThat(find("#password-initial").getText()).startsWith("初回ログインです。");
        screenshot("01-initial-password-change");
        type("#current", initial);
        type("#password", PASSWORD);
        type("#confirmation", PASSWORD);
        click("#change-password");

        String secret = find("#totp-secret").getText();
        assertThat(secret).matches("([A-Z2-7]{4} ){7}[A-Z2-7]{4}");
        assertThat(find("#totp-qr").getAttribute("src")).startsWith("data:image/png;base64,");
        assertThat((Boolean) browser.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 100",
                find("#totp-qr"))).as("the QR image loads under the content security policy").isTrue();
        screenshot("02-totp-enrollment");
        type("#code", code(secret, CLOCK.instant()));
        click("#enroll");

        find("#recovery-codes");
        List<WebElement> codes = browser.findElements(By.cssSelector("#recovery-codes li"));
        assertThat(codes).hasSize(10).allSatisfy(c -> assertThat(c.getText()).matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}"));
        String recovery = codes.get(0).getText();
        screenshot("03-recovery-codes");
        click("#continue");
        assertText("#welcome", "情報 太郎 さん、ようこそ");
        assertText("#roles", "管理者");
        screenshot("04-home");
        open("/account/recovery-codes");
        assertText("#welcome", "情報 太郎 さん、ようこそ", "the recovery codes are shown only once");

        click("#logout");
        assertText("#signed-out", "You have signed out.", "signed out, the browser's language again");

        CLOCK.advance(Duration.ofSeconds(30));
        signIn(email, PASSWORD);
        assertText("h1", "2段階認証");
        screenshot("05-totp-challenge");
        type("#code", code(secret, CLOCK.instant()));
        click("#verify");
        assertText("#welcome", "情報 太郎 さん、ようこそ");
        click("#logout");

        signIn(email, PASSWORD);
        type("#code", recovery);
        click("#verify");
        assertText("#welcome", "情報 太郎 さん、ようこそ");
        assertThat(find("main").getText()).contains("未使用 9 個");
        assertThat(auditSince(mark)).anyMatch(l -> l.contains("action=password.changed object=" + email))
                .anyMatch(l -> l.contains("action=mfa.enrolled object=" + email))
                .anyMatch(l -> l.contains("action=mfa.recovery-code.used object=" + email) && l.contains("remaining=9"))
                .anyMatch(l -> l.contains("action=logout object=" + email))
                .noneMatch(l -> l.contains(initial) || l.contains(PASSWORD) || l.contains(recovery) || l.contains(secret));
    }

    @Test
    void switchingTheLanguageChangesThePageTextAndIsRememberedForTheUser() throws Exception {
        open("/login");
        assertText("h1", "Sign in to the Mamori console", "from the browser's Accept-Language");
        click("#lang-ja");
        assertText("h1", "Mamori コンソールにログイン");
        assertText("#sign-in", "ログイン");
        screenshot("06-login-japanese");
        click("#lang-en");
        assertText("h1", "Sign in to the Mamori console");

        String email = userWithPassword(newAddress("auditor"), "監査 花子", Role.AUDITOR);
        signIn(email, PASSWORD);
        assertText("#welcome", "Welcome, 監査 花子", "no setting of their own: the language chosen before sign-in");
        assertThat(directory.find(email).orElseThrow().language()).isNull();
        click("#lang-ja");
        assertText("#welcome", "監査 花子 さん、ようこそ");
        assertThat(directory.find(email).orElseThrow().language()).isEqualTo("ja");
        click("#lang-en");
        assertText("#welcome", "Welcome, 監査 花子");
        assertText("#logout", "Sign out");
        screenshot("07-home-english");
        assertThat(directory.find(email).orElseThrow().language()).isEqualTo("en");
    }

    @Test
    void aSignInFromAForbiddenNetworkShowsTheDeniedPage() throws Exception {
        String email = userWithPassword(newAddress("analyst"), "分析 次郎", Role.ANALYST);
        signIn(email, PASSWORD);
        assertText("#denied", "Access denied");
        assertThat(find("main").getText()).contains("The role \"Security analyst\" may not use the console from this network");
        screenshot("08-access-denied");
    }

    @Test
    void thePolicyEditorShowsAnErrorBesideItsLineAndSavesAValidEditThatTheGatewayApplies() throws Exception {
        String email = userWithPassword(newAddress("browser-policy"), "ポリシー 編集者", Role.ADMIN);
        directory.setLanguage(email, "ja");
        String secret = enrollTotp(email);
        CLOCK.advance(Duration.ofSeconds(30));
        try {
            signIn(email, PASSWORD);
            type("#code", code(secret, CLOCK.instant()));
            click("#verify");
            find("#welcome");
            click("#nav-policy");
            String original = find("#policy-text").getAttribute("value");
            assertThat(original).contains("tag: 4, hold: 8");

            String broken = original.replace("tag: 4, hold", "tag: many, hold");
            type("#policy-text", broken);
            click("#validate");
            WebElement marked = find("li.error-line");
            int line = Integer.parseInt(marked.findElement(By.cssSelector(".ln")).getText());
            assertThat(broken.split("\n")[line - 1]).contains("tag: many");
            assertThat(marked.findElement(By.cssSelector(".line-error")).getText()).contains("inbound.thresholds.tag");
            assertThat(browser.findElements(By.cssSelector("#outcome"))).as("not saved, nothing to report").isEmpty();
            screenshot("10-policy-error-in-place");

            // The script (a file under /js, allowed by the content security policy) puts the cursor on the error.
            WebElement link = find("#errors a.goto");
            int column = Integer.parseInt(link.getAttribute("data-column"));
            link.click();
            long caret = (Long) browser.executeScript("return document.getElementById('policy-text').selectionStart;");
            String text = find("#policy-text").getAttribute("value");
            int lineStart = 0;
            for (int i = 1; i < line; i++) {
                lineStart = text.indexOf('\n', lineStart) + 1;
            }
            assertThat(caret).isEqualTo(lineStart + column - 1);

            String edited = original.replace("tag: 4, hold", "tag: 6, hold");
            type("#policy-text", edited);
            click("#diff");
            assertThat(find("#diff-view pre.diff").getText()).contains("+  thresholds: { tag: 6");
            click("#save");
            assertThat(find("#outcome").getText()).contains("保存しました");
            screenshot("11-policy-saved");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!edited.equals(policy.currentSource())) {
                assertThat(System.nanoTime()).as("the gateway applies the saved policy").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(policy.current().inbound().thresholds().get(io.mamori.core.analysis.Action.TAG)).isEqualTo(6.0);

            click("#history-link");
            assertThat(find("#versions tbody tr .author").getText()).isEqualTo(email);
            click("#nav-users");
            find("#people");
            screenshot("12-users");
            click("#nav-audit");
            click("#verify");
            assertThat(find("#chain-status").getText()).contains("改ざんは検出されませんでした");
            screenshot("13-audit-log");
        } finally {
            usePolicy("");
        }
    }
}
