package io.mamori.core.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.impersonation.ImpersonationSettings;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));

    private final LinkAnalyzer analyzer = new LinkAnalyzer();

    private List<Finding> analyze(String fixture) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("link/" + fixture)));
    }

    private List<Finding> analyzeHtml(String html) {
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("From", "a@example.com")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        return analyzer.analyze(new AnalysisInput(ENVELOPE, message));
    }

    @Test
    void aPhishingPageReportsEveryKindOfBadLinkOnceWithItsEvidence() {
        assertThat(analyze("phishing-links.eml")).containsExactly(
                Finding.of("LINK_TEXT_MISMATCH", "shown=paypal.com href=paypa1-login.example"),
                new Finding("LINK_IP_LITERAL", 2.0, "192.0.2.10 (button); 198.51.100.7"),
                new Finding("LINK_PUNYCODE", 2.0, "xn--pypal-4ve.com (pаypal.com)"),
                Finding.of("LINK_SHORTENER", "bit.ly"),
                Finding.of("LINK_DANGEROUS_SCHEME", "javascript:"),
                Finding.of("HTML_CREDENTIAL_FORM", "password action=collect.example.net"),
                Finding.of("LINK_SUSPICIOUS_TLD", "secure-update.top"),
                Finding.of("LINK_BRAND_MISMATCH", "brand=PayPal href=paypa1-login.example; 192.0.2.10; bit.ly; example.net"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=paypal.com href=paypa1-login.example; 192.0.2.10; bit.ly; example.net"));
    }

    private List<Finding> analyzeProtected(String html) {
        LinkAnalyzer protecting = new LinkAnalyzer(() -> new ImpersonationSettings(Set.of("example.co.jp"),
                Set.of("partner.co.jp"), List.of()));
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("From", "info@service.example.net")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        return protecting.analyze(new AnalysisInput(ENVELOPE, message));
    }

    @Test
    void aLinkToALookalikeOfOurOwnOrAPartnersDomainIsReportedWithTheDomainItImitatesButNotOurOwnSites() {
        assertThat(analyzeProtected("<a href='https://examp1e.co.jp/login'>Sign in</a>")).contains(
                Finding.of("LINK_LOOKALIKE_DOMAIN", "examp1e.co.jp looks like example.co.jp (edit distance 1)"));
        assertThat(analyzeProtected("<a href='https://example.co.jp-login.test/share'>View document</a>")).contains(
                Finding.of("LINK_LOOKALIKE_DOMAIN",
                        "example.co.jp-login.test looks like example.co.jp (example.co.jp inside the host)"));
        assertThat(analyzeProtected("<a href='https://partner.co.jp.mail-gw.test/'>x</a>")).contains(
                Finding.of("LINK_LOOKALIKE_DOMAIN",
                        "partner.co.jp.mail-gw.test looks like partner.co.jp (partner.co.jp inside the host)"));
        // our own sub-domains, and our group's sites under another suffix, are not
        assertThat(analyzeProtected("<a href='https://intra.example.co.jp/login'>Sign in</a>"
                + "<a href='https://www.example.com/'>Group site</a><a href='https://www.partner.co.jp/'>x</a>"))
                .extracting(Finding::code).doesNotContain("LINK_LOOKALIKE_DOMAIN");
        // without protected organisations nothing is compared
        assertThat(analyzeHtml("<a href='https://examp1e.co.jp/login'>Sign in</a>"))
                .extracting(Finding::code).doesNotContain("LINK_LOOKALIKE_DOMAIN");
    }

    @Test
    void aRelativeLinkIsJudgedWhereTheBaseHrefSendsItNotWhereItsTextSays() {
        assertThat(analyzeHtml("<head><base href='https://evil.test/'></head>"
                + "<a href='share/login'>https://www.example.co.jp/share</a>")).contains(
                Finding.of("LINK_TEXT_MISMATCH", "shown=example.co.jp href=evil.test"));
        // a base that is no absolute web address is ignored, as browsers ignore it in a message
        assertThat(analyzeHtml("<base href='folder/'><a href='share/login'>https://www.example.co.jp/share</a>"))
                .extracting(Finding::code).doesNotContain("LINK_TEXT_MISMATCH");
    }

    @Test
    void linksThatOpenARemoteShareOrRunAWindowsProgramAreDangerousSchemesNamingTheirHost() {
        assertThat(analyzeHtml("<a href='search-ms:query=invoice&crumb=location:%5C%5Cevil.test@SSL%5CDavWWWRoot'>"
                + "請求書</a><a href='ms-msdt:/id PCWDiagnostic /skip force'>x</a><a href='file://files.evil.test/a.lnk'>"
                + "x</a><a href='\\\\share.evil.test\\docs\\a.pdf'>x</a><a href='ms-appinstaller:?source=x'>x</a>"))
                .contains(Finding.of("LINK_DANGEROUS_SCHEME",
                        "search-ms: evil.test; ms-msdt:; file: files.evil.test; UNC path share.evil.test; ms-appinstaller:"));
    }

    @Test
    void theDocumentAnOfficeUriOpensIsExaminedAsALink() {
        assertThat(analyzeHtml("<a href='ms-word:ofe|u|https://192.0.2.7/invoice.docx'>Invoice</a>")).contains(
                Finding.of("LINK_DANGEROUS_SCHEME", "ms-word: 192.0.2.7"),
                Finding.of("LINK_IP_LITERAL", "192.0.2.7"));
    }

    @Test
    void aFormSubmittedElsewhereByItsButtonsFormactionIsACredentialForm() {
        assertThat(analyzeHtml("<form><input name='id'><button formaction='https://evil.test/collect'>Login</button>"
                + "</form>")).contains(Finding.of("HTML_CREDENTIAL_FORM", "action=evil.test from=example.com"));
        assertThat(analyzeHtml("<form action='https://www.example.com/x'><input name='id'>"
                + "<input type='image' src='cid:b' formaction='https://evil.test/c'></form>"))
                .contains(Finding.of("HTML_CREDENTIAL_FORM", "action=evil.test from=example.com"));
        // a password form posting to the sender's site, whose button posts elsewhere
        assertThat(analyzeHtml("<form action='https://www.example.com/x'><input type='password'>"
                + "<button formaction='https://evil.test/c'>Login</button></form>")).contains(
                Finding.of("HTML_CREDENTIAL_FORM", "password action=www.example.com; password action=evil.test"));
    }

    @Test
    void aTextFieldMaskedOrNamedAsAPasswordIsAPasswordInput() {
        assertThat(analyzeHtml("<form action='https://www.example.com/x'><input name='id'>"
                + "<input name='secret' style='-webkit-text-security: disc'></form>"))
                .contains(Finding.of("HTML_CREDENTIAL_FORM", "password action=www.example.com"));
        assertThat(analyzeHtml("<input name='id'><input name='pw'>")).contains(
                Finding.of("HTML_CREDENTIAL_FORM", "password input"));
        assertThat(analyzeHtml("<input placeholder='パスワード'>")).contains(
                Finding.of("HTML_CREDENTIAL_FORM", "password input"));
        // a search box or a passport number is no password
        assertThat(analyzeHtml("<form action='https://www.example.com/s'><input name='q'><input name='passport'>"
                + "</form>")).extracting(Finding::code).doesNotContain("HTML_CREDENTIAL_FORM");
    }

    @Test
    void anchorTextWithIdeographicFullStopsShowsTheDomainItSpells() {
        assertThat(analyzeHtml("<a href='https://evil.test/'>www.example\u3002co\u3002jp</a>"
                + "<a href='https://evil2.test/'>www.paypal\uff61com</a>")).contains(
                Finding.of("LINK_TEXT_MISMATCH", "shown=example.co.jp href=evil.test; shown=paypal.com href=evil2.test"));
        // a 。 ending a sentence between two words is no dot
        assertThat(analyzeHtml("<a href='https://evil.test/'>Apple\u3002Google</a>")).extracting(Finding::code)
                .doesNotContain("LINK_TEXT_MISMATCH");
    }

    @Test
    void anSvgLinkWithOnlyXlinkHrefIsALink() {
        assertThat(analyzeHtml("<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>")).contains(
                Finding.of("LINK_DANGEROUS_SCHEME", "javascript:"));
    }

    @Test
    void anEncodedHostIsReadAsUtf8BytesAsTheBrowserReadsIt() {
        // %E4%BE%8B%E3%81%88 is the UTF-8 of 例え: the host is 例え.jp, not six Latin-1 letters
        assertThat(analyzeHtml("<a href='https://%E4%BE%8B%E3%81%88.jp/'>x</a>")).contains(
                Finding.of("LINK_OBFUSCATED", "encoded host %e4%be%8b%e3%81%88.jp = 例え.jp"));
    }

    @Test
    void urlsInPlainTextAreExaminedButMailAddressesAreNotLinks() {
        assertThat(analyze("text-urls.eml")).containsExactly(
                Finding.of("LINK_IP_LITERAL", "203.0.113.5"),
                Finding.of("LINK_SHORTENER", "tinyurl.com"),
                Finding.of("LINK_SUSPICIOUS_TLD", "www.example-shop.xyz"));
    }

    @Test
    void aNewsletterWithManyLinksToItsOwnDomainRaisesNothing() {
        assertThat(analyze("newsletter.eml")).isEmpty();
    }

    @Test
    void linkTextShowingTheSameOrganisationAsTheHrefIsNoMismatch() {
        assertThat(analyze("same-domain.eml")).isEmpty();
    }

    @Test
    void aFormPostingToAnotherOrganisationIsReportedButALegitimateJapaneseIdnIsNot() {
        // the fixture links to 日本語.jp: an internationalised name in one writing system deceives nobody
        assertThat(analyze("survey-form.eml")).containsExactly(
                Finding.of("HTML_CREDENTIAL_FORM", "action=survey.other.example from=sample-shoji.co.jp"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=sample-shoji.co.jp href=other.example"));
    }

    @Test
    void hiddenHostsAreFoundAsBrowsersWouldReadThem() {
        assertThat(LinkAnalyzer.host("http://www.paypal.com@evil.example:8080/x")).contains("evil.example");
        assertThat(LinkAnalyzer.host("https:\\\\Evil.Example.\\login")).contains("evil.example");
        assertThat(LinkAnalyzer.host("//cdn.example.org/a")).contains("cdn.example.org");
        assertThat(LinkAnalyzer.host("/relative/path")).isEmpty();
        assertThat(LinkAnalyzer.isIpLiteral("3232235777")).isTrue();
        assertThat(LinkAnalyzer.isIpLiteral("0x7f.1")).isTrue();
        assertThat(LinkAnalyzer.isIpLiteral("[2001:db8::1]")).isTrue();
        assertThat(LinkAnalyzer.isIpLiteral("cafe.be")).isFalse();
        assertThat(io.mamori.core.text.HostHomographs.mixesScripts("pаypal.com")).isTrue();
        assertThat(io.mamori.core.text.HostHomographs.mixesScripts("日本語ドメイン.jp")).isFalse();
        assertThat(io.mamori.core.text.HostHomographs.mixesScripts("sonyソニー.jp")).isFalse();
    }

    @Test
    void aButtonToAnAddressOnTheInternetWeighsTwiceAndOneToAnIntranetAddressDoesNot() {
        assertThat(analyzeHtml("<a href='http://203.0.113.80/secure/'>Sign in to continue</a>")).contains(
                new Finding("LINK_IP_LITERAL", 2.0, "203.0.113.80 (button)"));
        // the company's own workflow server, and a plain link to an address on the internet
        assertThat(analyzeHtml("<a href='http://192.168.10.5/workflow/'>承認はこちら</a>"
                + "<a href='http://[fd12:3456::5]/wiki/'>View</a><a href='http://203.0.113.80/'>203.0.113.80</a>"))
                .contains(Finding.of("LINK_IP_LITERAL", "192.168.10.5; [fd12:3456::5]; 203.0.113.80"));
        assertThat(LinkAnalyzer.isPublicAddress("8.8.8.8")).isTrue();
        assertThat(LinkAnalyzer.isPublicAddress("172.32.0.1")).isTrue();
        assertThat(LinkAnalyzer.isPublicAddress("0x7f.1")).as("written to hide it").isTrue();
        assertThat(LinkAnalyzer.isPublicAddress("[::ffff:203.0.113.80]")).isTrue();
        assertThat(LinkAnalyzer.isPublicAddress("[2001:db8::1]")).isTrue();
        for (String intranet : List.of("10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1",
                "169.254.1.1", "[::1]", "[0:0:0:0:0:0:0:1]", "[fe80::1]", "[fc00::5]", "[::ffff:10.0.0.1]")) {
            assertThat(LinkAnalyzer.isPublicAddress(intranet)).as(intranet).isFalse();
        }
    }

    @Test
    void dataAndVbscriptLinksAndIntegerHostsAreCaught() {
        assertThat(analyzeHtml("<a href=' DATA:text/html;base64,PHNjcmlwdD4='>x</a><a href='vbscript:msgbox'>y</a>"
                + "<a href='http://3232235777/'>z</a>")).containsExactly(
                Finding.of("LINK_IP_LITERAL", "3232235777"),
                Finding.of("LINK_DANGEROUS_SCHEME", "data:text/html; vbscript:"));
    }

    @Test
    void anchorTextInFullWidthLettersIsStillCompared() {
        assertThat(analyzeHtml("<a href='https://login.evil.example.net/'>ｗｗｗ．ａｍａｚｏｎ．ｃｏ．ｊｐ</a>"))
                .containsExactly(Finding.of("LINK_TEXT_MISMATCH", "shown=amazon.co.jp href=example.net"));
    }

    private List<Finding> analyzeHtmlFrom(String from, String html) {
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("From", from)),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        return analyzer.analyze(new AnalysisInput(ENVELOPE, message));
    }

    @Test
    void anotherSitesDomainInTheSubdomainsOrInUserInfoIsADeceptiveHost() {
        assertThat(analyzeHtml("<a href='https://www.paypal.com.account-review.example/'>x</a>")).containsExactly(
                Finding.of("LINK_DECEPTIVE_HOST", "paypal.com inside www.paypal.com.account-review.example"));
        assertThat(analyzeHtml("<a href='http://www.paypal.com@account-review.example/'>x</a>")).containsExactly(
                Finding.of("LINK_DECEPTIVE_HOST", "user info www.paypal.com before host account-review.example"));
        // a file name that happens to end in a TLD (.zip) is not a site name
        assertThat(analyzeHtml("<a href='https://files.example.com/reports/q1.zip'>x</a>")).isEmpty();
    }

    @Test
    void portsOtherThan80And443AreUnusualInMailLinks() {
        assertThat(analyzeHtml("<a href='http://shop.example:8081/login'>x</a><a href='https://shop.example:443/'>y</a>"))
                .containsExactly(Finding.of("LINK_UNUSUAL_PORT", "shop.example:8081"));
    }

    @Test
    void pagesOnFreeHostingServicesAreReportedButTheServicesOwnSiteIsNot() {
        assertThat(analyzeHtml("<a href='https://login-portal.pages.dev/'>a</a><a href='https://forms.gle/AbCdEf'>b</a>"
                + "<a href='https://pages.dev/'>c</a><a href='https://www.web.app/'>d</a>")).containsExactly(
                Finding.of("LINK_FREE_HOSTING", "login-portal.pages.dev; forms.gle"));
    }

    @Test
    void webPagesKeptInCloudStorageAreReportedButItsFilesAndTheProvidersOwnPagesAreNot() {
        // a sign-in page in a bucket, path and virtual-host style, S3 in a region, Azure Blob, with the reader's address
        // after "#" as kits add it; back-slashes read as browsers read them
        assertThat(analyzeHtml("<a href='https://storage.googleapis.com/x-bucket/index.html#keiri@example.co.jp'>"
                + "Sign in</a>"
                + "<a href='https://docs-share.s3.us-east-2.amazonaws.com/view/Login.HTM?id=1'>View</a>"
                + "<a href='https://acct1.blob.core.windows.net/$web/verify.html'>Verify</a>"
                + "<a href='https://s3-eu-west-1.amazonaws.com/b/inv.svg'>Invoice</a>"
                + "<a href='https:\\\\storage.googleapis.com\\x-bucket\\pay.html'>Pay</a>")).containsExactly(
                Finding.of("LINK_FREE_HOSTING",
                        "storage.googleapis.com; docs-share.s3.us-east-2.amazonaws.com; acct1.blob.core.windows.net; "
                                + "s3-eu-west-1.amazonaws.com"),
                Finding.of("LINK_STORAGE_PAGE", "storage.googleapis.com: index.html; "
                        + "docs-share.s3.us-east-2.amazonaws.com: login.htm; acct1.blob.core.windows.net: verify.html; "
                        + "s3-eu-west-1.amazonaws.com: inv.svg; storage.googleapis.com: pay.html"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=example.com href=storage.googleapis.com; "
                        + "docs-share.s3.us-east-2.amazonaws.com; acct1.blob.core.windows.net"));
        // a report to download from a bucket is only a file on a service anyone can use; a bucket's folder, a page
        // whose name only starts like one, web fonts, Amazon's notification service and a company's own page are none
        assertThat(analyzeHtml("<a href='https://reports.s3.ap-northeast-1.amazonaws.com/2024/report.pdf'>Download</a>"
                + "<a href='https://storage.googleapis.com/x-bucket/?page=a.html'>list</a>"
                + "<a href='https://storage.googleapis.com/x-bucket/a.html.pdf'>file</a>"))
                .containsExactly(Finding.of("LINK_FREE_HOSTING",
                        "reports.s3.ap-northeast-1.amazonaws.com; storage.googleapis.com"),
                        Finding.of("LINK_ACTION_ELSEWHERE",
                                "sender=example.com href=reports.s3.ap-northeast-1.amazonaws.com"));
        assertThat(analyzeHtml("<a href='https://fonts.googleapis.com/css?family=Roboto'>f</a>"
                + "<a href='https://sns.us-west-2.amazonaws.com/unsubscribe.html?SubscriptionArn=x'>unsubscribe</a>"
                + "<a href='https://www.example.com/campaign/index.html'>campaign</a>")).isEmpty();
    }

    @Test
    void aLinkThroughAnOpenRedirectorIsReportedAndItsDestinationExaminedAsTheLink() {
        // (the AMP link's destination, written in its path, is the open redirect, not a deceptive host as well)
        String bing = "a1" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("https://203.0.113.9/verify".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(analyzeHtml("<a href='https://www.google.com/url?sa=t&q=https%3A%2F%2Fsecure-login.top%2Fa&ust=1'>"
                + "Sign in</a><a href='https://www.bing.com/ck/a?!&&p=abc&u=" + bing + "&ntb=1'>Verify</a>"
                + "<a href='https://www.google.co.jp/amp/s/evil.example.net/doc'>y</a>")).containsExactly(
                new Finding("LINK_IP_LITERAL", 2.0, "203.0.113.9 (button)"),
                Finding.of("LINK_SUSPICIOUS_TLD", "secure-login.top"),
                Finding.of("LINK_OPEN_REDIRECT", "www.google.com to secure-login.top; www.bing.com to 203.0.113.9; "
                        + "www.google.co.jp to example.net"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=example.com href=secure-login.top; 203.0.113.9"));
        // Google's own notification links through its redirector: nothing (as before, the redirector is the link)
        assertThat(analyzeHtmlFrom("Google Alerts <googlealerts-noreply@google.com>",
                "<a href='https://www.google.com/url?rct=j&sa=t&url=https://news.example.org/a.html'>News</a>")).isEmpty();
        // nor the brand's: Facebook's notifications come from facebookmail.com and link out through l.facebook.com
        assertThat(analyzeHtmlFrom("Facebook <notification@facebookmail.com>",
                "<a href='https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.example.org%2F&h=x'>a post's link</a>"))
                .isEmpty();
        // a broken escape, a destination that is no web address, a redirector to its own site: nothing to follow
        assertThat(analyzeHtml("<a href='https://www.google.com/url?q=%zz'>a</a>"
                + "<a href='https://www.google.com/url?q=javascript:alert(1)'>b</a>"
                + "<a href='https://www.google.com/url?q=https://maps.google.com/x'>c</a>")).isEmpty();
    }

    @Test
    void aLinkOfAnySiteWhoseQueryHoldsAWebAddressAtABarePublicAddressGoesThere() {
        // an old-style open redirect of an auction site, as 2005 phishing used them (our own fixture)
        assertThat(analyzeHtml("<a href='http://cgi4.auction.example.net/ws/Api.dll?RedirectToDomain"
                + "&DomainUrl=http%3A%2F%2F198.51.100.23%2F%7Eupdate%2Fsignin.html'>Sign in to your account</a>"))
                .containsExactly(
                        new Finding("LINK_IP_LITERAL", 2.0, "198.51.100.23 (button)"),
                        Finding.of("LINK_OPEN_REDIRECT", "cgi4.auction.example.net to 198.51.100.23"),
                        Finding.of("LINK_ACTION_ELSEWHERE", "sender=example.com href=198.51.100.23"));
        // also on the site the From names: a spoofed sender's "own" redirector
        assertThat(analyzeHtmlFrom("Auction <aw-confirm@auction.example.net>", "<a href='http://cgi4.auction.example.net/"
                + "ws/Api.dll?RedirectToDomain&DomainUrl=http://198.51.100.23/signin.html'>Sign in</a>"))
                .extracting(Finding::code).containsExactly("LINK_IP_LITERAL", "LINK_OPEN_REDIRECT", "LINK_ACTION_ELSEWHERE");
        // a tracker to a named site, a company's own system at a private address, a value that only mentions an
        // address, a broken escape: nothing
        assertThat(analyzeHtml("<a href='https://click.news.example.org/t?u=https%3A%2F%2Fshop.example.org%2Fsale'>a</a>"
                + "<a href='https://intranet.example.net/go?to=http://192.168.10.5/wiki'>b</a>"
                + "<a href='https://search.example.org/q?text=http+servers+at+203.0.113.5'>c</a>"
                + "<a href='https://r.example.org/?u=http%zz203.0.113.5'>d</a>")).isEmpty();
    }

    @Test
    void aRewrittenOrTrackedLinkIsJudgedByItsDestinationWithoutAFindingOfItsOwn() {
        // a Safe Link of a forwarded message around a page in a bucket, shown as the site it really goes to
        String safe = "https://eur03.safelinks.protection.outlook.com/?url=" + java.net.URLEncoder.encode(
                "https://storage.googleapis.com/b/login.html", java.nio.charset.StandardCharsets.UTF_8) + "&data=x";
        assertThat(analyzeHtml("<a href='" + safe + "'>storage.googleapis.com</a>")).containsExactly(
                Finding.of("LINK_FREE_HOSTING", "storage.googleapis.com"),
                Finding.of("LINK_STORAGE_PAGE", "storage.googleapis.com: login.html"));
        // a newsletter's click tracking to the sender's own shop, shown as it: no text mismatch, no action elsewhere;
        // a Safe Link around a Google redirect is followed through both
        assertThat(analyzeHtmlFrom("Shop <news@shop.example.com>",
                "<a href='https://abc123.r.us-east-2.awstrack.me/L0/https:%2F%2Fwww.shop.example.com%2Fsale/1/0101'>"
                        + "Shop now at www.shop.example.com</a>"
                        + "<a href='https://nam02.safelinks.protection.outlook.com/?url=" + java.net.URLEncoder.encode(
                        "https://www.google.com/url?q=https://evil.example.net/", java.nio.charset.StandardCharsets.UTF_8)
                        + "'>x</a>")).containsExactly(
                Finding.of("LINK_OPEN_REDIRECT", "www.google.com to example.net"));
    }

    @Test
    void aNewslettersSearchBoxThroughItsAdServersClickTrackingIsNoFormPostingElsewhere() {
        // as 2004 auction newsletters wrote it (our own fixture): the "?" before the destination written %3f
        String form = "<form action='http://auction.doubleclick.net/clk;123;456;h%3fhttp%3a%2f%2fsearch.auction.example.net"
                + "/search.dll?krd=1&ht=1' method=get><input name=query><input type=image src='go.gif'></form>";
        assertThat(analyzeHtmlFrom("Auction <news@reply.auction.example.net>", form)).isEmpty();
        // the same tracking to another site: the form posts elsewhere, and the destination is judged as the link
        assertThat(analyzeHtmlFrom("Auction <news@reply.auction.example.net>", form.replace(
                "search.auction.example.net", "203.0.113.7"))).extracting(Finding::code)
                .containsExactly("LINK_IP_LITERAL", "HTML_CREDENTIAL_FORM", "LINK_ACTION_ELSEWHERE");
        // a plain "?" and a DoubleClick link that is no click link
        assertThat(analyzeHtmlFrom("Auction <news@reply.auction.example.net>", "<a href='https://ad.doubleclick.net/"
                + "clk;1;2;x?https://evil.example.org/login'>Sign in</a>")).extracting(Finding::evidence)
                .containsExactly("sender=example.net href=example.org");
        // letters whose lower case is longer (İ) before the marker, and a marker at the very end: nothing, no failure
        assertThat(analyzeHtml("<a href='https://ad.doubleclick.net/clk;" + "\u0130".repeat(12) + "%3f'>x</a>"
                + "<a href='https://ad.doubleclick.net/clk;1;2;x%3F'>y</a>")).isEmpty();
    }

    @Test
    void onlyHomographIdnsAreReported() {
        // all-Cyrillic look-alike letters: "аррӏе" is a whole-script homograph of apple
        assertThat(analyzeHtml("<a href='https://xn--80ak6aa92e.com/'>x</a>")).containsExactly(
                Finding.of("LINK_PUNYCODE", "xn--80ak6aa92e.com (аррӏе.com)"));
        assertThat(analyzeHtml("<a href='https://xn--bckg9lpd.xn--zckzah/'>x</a><a href='https://bücher.example/'>y</a>"))
                .isEmpty();
        assertThat(io.mamori.core.text.HostHomographs.wholeScriptLookalike("москва.рф")).isFalse();
    }

    @Test
    void aSenderWhoseMailLinksToItsOwnSiteButSendsSignInElsewhereIsReported() {
        assertThat(analyzeHtmlFrom("Support <support@bank-of-somewhere.example>",
                "<a href='https://www.bank-of-somewhere.example/privacy'>Privacy</a>"
                        + "<a href='https://secure-login.other.example/x'>Sign in to verify</a>")).containsExactly(
                Finding.of("LINK_SENDER_MISMATCH", "sender=bank-of-somewhere.example href=other.example"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=bank-of-somewhere.example href=other.example"));
        // a partner's notice with a sign-in link to its cloud service, and no link to its own site, is ordinary:
        // only the weightless note that the sign-in is elsewhere
        assertThat(analyzeHtmlFrom("人事部 <jinji@partner.example>",
                "<a href='https://partner.cloud-hr.example/login'>ログインしてください</a>")).containsExactly(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=partner.example href=cloud-hr.example"));
    }

    @Test
    void aButtonOrSignInLinkToAnotherOrganisationIsNotedButOrdinaryLinksAreNot() {
        assertThat(analyzeHtmlFrom("配送センター <info@delivery-notice.example>",
                "<a href='https://redelivery-check.example/jp'>再配達のお手続きはこちら</a>"
                        + "<a href='https://www.delivery-notice.example/'>ホーム</a>")).containsExactly(
                Finding.of("LINK_SENDER_MISMATCH", "sender=delivery-notice.example href=redelivery-check.example"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=delivery-notice.example href=redelivery-check.example"));
        // a generic Japanese call to click, written on without a space
        assertThat(analyzeHtmlFrom("配送センター <info@delivery-notice.example>",
                "<a href='https://redelivery-check.example/jp'>こちらをクリックしてください</a>")).contains(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=delivery-notice.example href=redelivery-check.example"));
        assertThat(analyzeHtmlFrom("カード会員センター <info@card-notice.example>",
                "<a href='https://card-check.example/jp'>Loginはこちら</a>")).contains(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=card-notice.example href=card-check.example"));
        assertThat(analyzeHtmlFrom("配送センター <info@delivery-notice.example>",
                "<a href='https://redelivery-check.example/jp'>ここの天気</a>")).doesNotContain(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=delivery-notice.example href=redelivery-check.example"));
        assertThat(analyzeHtmlFrom("eSign <notice@esign-mail.example>",
                "<a href='https://sign-docs.example/v'>REVIEW DOCUMENT</a><a href='https://files.example.org/'>Download</a>"))
                .containsExactly(Finding.of("LINK_ACTION_ELSEWHERE",
                        "sender=esign-mail.example href=sign-docs.example; example.org"));
        assertThat(analyzeHtmlFrom("Banco <aviso@banco-aviso.example>",
                "<a href='https://regulariza-conta.example/'>Acessar minha conta</a>"
                        + "<a href='https://konto-check.example/'>Jetzt bestätigen</a>")).containsExactly(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=banco-aviso.example href=regulariza-conta.example; konto-check.example"));
        assertThat(analyzeHtmlFrom("Bank <info@bank-bericht.example>",
                "<a href='https://rekening-check.example/'>Nu bevestigen</a>"
                        + "<a href='https://conto-verifica.example/'>Accedi al tuo conto</a>")).containsExactly(
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=bank-bericht.example href=rekening-check.example; conto-verifica.example"));
        // the same buttons on the sender's own site, links that ask nothing, and URLs in plain text are not noted
        assertThat(analyzeHtmlFrom("eSign <notice@esign-mail.example>",
                "<a href='https://app.esign-mail.example/v'>Review document</a><a href='https://news.example.org/'>Our blog</a>"
                        + "<a href='https://twitter.example/esign'><img src='cid:logo'></a>"
                        + "<p>Contracts signed this month: 42. Thank you for using our service.</p>")).isEmpty();
        assertThat(analyze("text-urls.eml")).extracting(Finding::code).doesNotContain("LINK_ACTION_ELSEWHERE");
    }

    @Test
    void aBrandsOwnDomainsAndItsSendersSiteAreNeverABrandMismatch() {
        assertThat(analyzeHtmlFrom("Amazon.co.jp <order@amazon.co.jp>",
                "<a href='https://www.amazon.co.jp/ap/signin'>ログイン</a><a href='https://www.amazon.com/'>click here</a>"))
                .isEmpty();
        assertThat(analyzeHtmlFrom("Amazon.co.jp <order@amazon.co.jp>",
                "<a href='https://amazon.account-check.example/'>ログイン</a>")).containsExactly(
                Finding.of("LINK_BRAND_MISMATCH", "brand=Amazon href=account-check.example"),
                Finding.of("LINK_ACTION_ELSEWHERE", "sender=amazon.co.jp href=account-check.example"));
    }

    @Test
    void aBrandNamedInDisguiseClaimsTheBrandForItsLinksToo() {
        assertThat(analyzeHtmlFrom("N e t f l i x <billing@promo-mail.example>",
                "<a href='https://account-check.example/'>Update payment</a>")).contains(
                Finding.of("LINK_BRAND_MISMATCH", "brand=Netflix href=account-check.example"));
    }

    @Test
    void aMessageThatIsAPictureWithALinkIsImageOnlyButAPictureWithACaptionIsNot() {
        assertThat(analyzeHtml("<p><a href='https://example.com/offer'><img src='cid:banner'></a></p><p>Hi!</p>"))
                .containsExactly(Finding.of("HTML_IMAGE_ONLY", "3 characters of text, 1 image(s), 1 link(s)"));
        assertThat(analyzeHtml("<p><a href='https://example.com/offer'><img src='cid:banner'></a></p>"
                + "<p>Our spring catalogue is out: twenty new products for the office.</p>")).isEmpty();
        assertThat(analyzeHtml("<p><img src='cid:photo'></p><p>写真です</p>")).isEmpty();
    }

    @Test
    void hiddenTextAndInvisiblePaddingDoNotMakeAPictureWithALinkATextBody() {
        assertThat(analyzeHtml("<div style='display:none'>Our spring catalogue is out: twenty new products for the office"
                + "</div><p><a href='https://example.com/offer'><img src='cid:banner'></a></p>"
                + "<p>Hi!" + "\u200C\u034F".repeat(40) + "</p>"))
                .containsExactly(Finding.of("HTML_IMAGE_ONLY", "3 characters of text, 1 image(s), 1 link(s)"));
    }

    @Test
    void evidenceListsAtMostFiveHostsAndSaysHowManyMore() {
        StringBuilder html = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            html.append("<a href='http://10.0.0.").append(i).append("/'>x</a>");
        }
        assertThat(analyzeHtml(html.toString())).containsExactly(Finding.of("LINK_IP_LITERAL",
                "10.0.0.0; 10.0.0.1; 10.0.0.2; 10.0.0.3; 10.0.0.4; +3 more"));
    }

    @Test
    void onlyTheFirstFiveHundredLinksAreExaminedAndAHugePageIsQuick() {
        String html = "<a href='https://example.com/'>x</a>".repeat(30_000) + "<a href='javascript:evil()'>late</a>";
        long start = System.nanoTime();
        assertThat(analyzeHtml(html)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogueAndThereIsNoManyLinksFinding() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        assertThat(analyzer.name()).isEqualTo("links");
        assertThat(analyzer.codes()).containsExactly("LINK_TEXT_MISMATCH", "LINK_IP_LITERAL", "LINK_PUNYCODE",
                "LINK_SHORTENER", "LINK_DANGEROUS_SCHEME", "HTML_CREDENTIAL_FORM", "LINK_SUSPICIOUS_TLD",
                "LINK_DECEPTIVE_HOST", "LINK_OBFUSCATED", "LINK_FREE_HOSTING", "LINK_STORAGE_PAGE", "LINK_OPEN_REDIRECT",
                "LINK_BRAND_MISMATCH",
                "LINK_SENDER_MISMATCH", "LINK_UNUSUAL_PORT", "HTML_IMAGE_ONLY", "LINK_ACTION_ELSEWHERE", "LINK_QR_CODE",
                "LINK_QR_CODE_DISGUISED", "LINK_IN_PDF", "LINK_IN_DOCUMENT", "LINK_LOOKALIKE_DOMAIN");
        for (String code : analyzer.codes()) {
            assertThat(catalogue.entry(code)).as(code).isPresent();
        }
        assertThat(catalogue.entry("LINK_MANY")).isEmpty();
    }

    @Test
    void schemeEndIsWhereTheSchemePatternEnds() {
        java.util.regex.Pattern scheme = java.util.regex.Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");
        for (String url : List.of("https://a.example/", "HTTP:x", "a:", ":x", "1http://x", "h-t.t+p://x", "mail to:x",
                "http//x", "//cdn.example", "", "h", "javascript:alert(1)", "ht\u00e9tp://x", "x1:y:z", "a_b:c")) {
            java.util.regex.Matcher m = scheme.matcher(url);
            assertThat(LinkAnalyzer.schemeEnd(url)).as(url).isEqualTo(m.find() ? m.end() : 0);
        }
    }

    @Test
    void theHostMemoOfOneMessageDoesNotCarryIntoTheNext() {
        String first = "<a href=\"https://paypa1-login.example/x\">https://paypa1-login.example</a>"
                + "<a href=\"https://bit.ly/a\">link</a>";
        String second = "<a href=\"https://bit.ly/b\">https://www.example.com/</a>";
        List<Finding> alone = new LinkAnalyzer().analyze(new AnalysisInput(ENVELOPE, new ParsedMessage(
                List.of(new HeaderField("From", "a@example.com")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, second.length(), second)), List.of(), 0,
                second.length())));
        analyzeHtml(first);
        assertThat(analyzeHtml(second)).isEqualTo(alone).contains(
                Finding.of("LINK_SHORTENER", "bit.ly"), Finding.of("LINK_TEXT_MISMATCH", "shown=example.com href=bit.ly"));
    }

    @Test
    void theDestinationOfAMetaRefreshIsJudgedAsALinksIs() {
        assertThat(analyze("meta-refresh.eml")).containsExactly(Finding.of("LINK_SHORTENER", "bit.ly"));
        assertThat(analyzeHtml("<meta http-equiv='refresh' content='0; url=http://198.51.100.7/login'><p>Loading</p>"))
                .containsExactly(Finding.of("LINK_IP_LITERAL", "198.51.100.7"));
        // a page that reloads itself, or names a refresh without http-equiv, sends the reader nowhere
        assertThat(analyzeHtml("<meta http-equiv='refresh' content='600'><meta name='refresh' content='0; url=https://bit.ly/x'>"
                + "<p>News of the week</p>")).isEmpty();
    }
}
