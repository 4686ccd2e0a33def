package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LinkDefangerTest {

    @Test
    void webLinksGetAMangledSchemeAndBracketedDots() {
        assertThat(LinkDefanger.shown("https://login.example.com/a.html?x=1", true))
                .isEqualTo("hxxps://login[.]example[.]com/a[.]html?x=1");
        assertThat(LinkDefanger.shown("HTTP://Example.COM", true)).isEqualTo("hxxp://Example[.]COM");
        assertThat(LinkDefanger.shown("ftp://files.example.org/x", true)).isEqualTo("fxp://files[.]example[.]org/x");
        assertThat(LinkDefanger.shown("http://192.0.2.7:8080/p", true)).isEqualTo("hxxp://192[.]0[.]2[.]7:8080/p");
    }

    @Test
    void aRunOfThousandsOfLabelsDoesNotOverflowTheStackAndIsNoHost() throws Exception {
        String text = "see " + "a.".repeat(20_000) + "com and evil.com/login";
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                outcome.set(LinkDefanger.defangText(text));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        assertThat(outcome.get()).isInstanceOf(String.class);
        assertThat((String) outcome.get()).endsWith("com and evil[.]com/login");
        assertThat(LinkDefanger.defangText("mail." + "a.".repeat(100) + "example.com")).contains("[.]");
    }

    @Test
    void aUrlHiddenInThePathCannotBeLinkifiedEither() {
        assertThat(LinkDefanger.shown("https://evil.example/?next=www.bank.example/login", true))
                .isEqualTo("hxxps://evil[.]example/?next=www[.]bank[.]example/login")
                .doesNotContain("www.");
    }

    @Test
    void userinfoTrickAndUnicodeHostShowWhatTheyReallyAre() {
        assertThat(LinkDefanger.shown("https://www.paypal.com@evil.example/", true))
                .isEqualTo("hxxps://www[.]paypal[.]com@evil[.]example/");
        // Cyrillic "а" in pаypal: shown as Punycode, so the look-alike is visible.
        assertThat(LinkDefanger.shown("https://p\u0430ypal.com/login", true)).isEqualTo("hxxps://xn--pypal-4ve[.]com/login");
        // a cut made for length never falls before the host: a long user part, a long chain of labels before the
        // real domain, or a long path are shortened, the host is shown in full
        String user = "a".repeat(130);
        assertThat(LinkDefanger.shown("https://" + user + "@evil.example/", true))
                .isEqualTo("hxxps://" + "a".repeat(20) + "…@evil[.]example/");
        String labels = "www.mufg.jp.login." + "secure.".repeat(20) + "evil.example";
        assertThat(LinkDefanger.shown("https://" + labels + "/x", true)).endsWith("secure[.]evil[.]example…");
        assertThat(LinkDefanger.shown("https://" + "h".repeat(100_000) + ".example/", false))
                .as("no host is that long: cut where DNS ends").startsWith("https://" + "h".repeat(253) + "…")
                .hasSizeLessThanOrEqualTo("https://".length() + 253 + 2);
        assertThat(LinkDefanger.shown("https://evil.example/" + "p".repeat(300), true))
                .startsWith("hxxps://evil[.]example/pppp").endsWith("…").hasSizeLessThan(140);
    }

    @Test
    void otherSchemesShowOnlyTheirNameAndRelativeLinksNothing() {
        assertThat(LinkDefanger.shown("javascript:alert(document.cookie)", true)).isEqualTo("javascript:…");
        assertThat(LinkDefanger.shown(" jav\tascript:alert(1)", true)).isEqualTo("javascript:…");
        assertThat(LinkDefanger.shown("data:text/html;base64,PHNjcmlwdD4=", true)).isEqualTo("data:…");
        assertThat(LinkDefanger.shown("www.:x", true)).isEqualTo("www[.]:…");
        assertThat(LinkDefanger.shown("mailto:taro.yamada@example.co.jp", true)).isEqualTo("mailto:taro[.]yamada@example[.]co[.]jp");
        assertThat(LinkDefanger.shown("#top", true)).isNull();
        assertThat(LinkDefanger.shown("/jump.htm?goto=x", true)).isNull();
        assertThat(LinkDefanger.shown("www.example.com/x", true)).isEqualTo("www[.]example[.]com/x");
        assertThat(LinkDefanger.shown("//cdn.example.net/x", true)).isEqualTo("hxxp://cdn[.]example[.]net/x");
    }

    @Test
    void longTargetsAreCutAndUndefangedOnesStayAsWritten() {
        String longUrl = "https://example.com/" + "a".repeat(300);
        // cut to MAX_SHOWN characters as written, then defanged (each dot of the host written "[.]")
        assertThat(LinkDefanger.shown(longUrl, false)).hasSize(LinkDefanger.MAX_SHOWN + 1).endsWith("…");
        assertThat(LinkDefanger.shown(longUrl, true)).hasSize(LinkDefanger.MAX_SHOWN + 1 + 2).endsWith("…");
        assertThat(LinkDefanger.shown("https://example.com/x", false)).isEqualTo("https://example.com/x");
    }

    @Test
    void urlsInTextAreDefangedAndJapaneseAroundThemIsKept() {
        assertThat(LinkDefanger.defangText("こちら→https://login.example.co/verify?id=1からログイン。詳しくは www.example.jp まで"))
                .isEqualTo("こちら→hxxps://login[.]example[.]co/verify?id=1からログイン。詳しくは www[.]example[.]jp まで");
        assertThat(LinkDefanger.defangText("version 1.2.3 and invoice.pdf stay")).isEqualTo("version 1.2.3 and invoice.pdf stay");
        // bare host names that webmail linkifies, when their top-level domain is one; not an address's domain
        assertThat(LinkDefanger.defangText("Sign in at secure-login.example.com/verify or paypal.co.jp, mail taro@example.co.jp"))
                .isEqualTo("Sign in at secure-login[.]example[.]com/verify or paypal[.]co[.]jp, mail taro@example.co.jp");
        assertThat(LinkDefanger.defangText("請求書はevil.zipからダウンロード")).isEqualTo("請求書はevil[.]zipからダウンロード");
        assertThat(LinkDefanger.defangText("node.js and config.yaml and Mr.Tanaka")).isEqualTo("node.js and config.yaml and Mr.Tanaka");
        // Japanese written without spaces: the URL starts right after a kanji or kana (a word character to \\b)
        assertThat(LinkDefanger.defangText("詳細はhttps://login.example.co/verify をご確認ください。こちらwww.example.jpへ"))
                .isEqualTo("詳細はhxxps://login[.]example[.]co/verify をご確認ください。こちらwww[.]example[.]jpへ");
    }

    /** A run without a place to cut longer than the buffer: the cut never splits a scheme, so the URL is defanged. */
    @Test
    void aRunLongerThanTheBufferIsNotCutInsideAScheme() throws Exception {
        for (int pad = 0; pad < 40; pad++) {
            // the scheme lands at every place around the end of the 64 K buffer
            String text = "x".repeat(64 * 1024 - 20 + pad) + "https://evil.example/login";
            java.io.StringWriter out = new java.io.StringWriter();
            LinkDefanger.defangStream(new StringReader(text), out);
            assertThat(out.toString()).as("pad %d", pad).endsWith("hxxps://evil[.]example/login")
                    .doesNotContain("https://");
        }
    }

    @Test
    void streamingCutsBetweenUrlsSoEveryOneIsFound() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("see https://host").append(i).append(".example/p ");
        }
        StringWriter out = new StringWriter();

        LinkDefanger.defangStream(new StringReader(text.toString()), out);

        assertThat(out.toString()).doesNotContain("https://").doesNotContain(".example");
        assertThat(out.toString()).contains("hxxps://host19999[.]example/p ");
        assertThat(out.toString().replace("hxxps", "https").replace("[.]", ".")).isEqualTo(text.toString());
    }
}
