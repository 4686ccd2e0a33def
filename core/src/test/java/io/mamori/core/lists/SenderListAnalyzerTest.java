package io.mamori.core.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.attachment.AttachmentNameAnalyzer;
import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.auth.TableDnsResolver;
import io.mamori.core.lure.LureWordingAnalyzer;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fixture messages through {@link SenderListAnalyzer} with real sender authentication on a DNS table: exact codes
 * and evidence naming the entry and its source, and what the policy engine then decides.
 */
class SenderListAnalyzerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-04-06T00:00:00Z"), ZoneOffset.UTC);
    private static final FindingCatalogue CATALOGUE = FindingCatalogue.builtIn();
    /**
     * partner.example sends from 192.0.2.0/24 and asks for rejection of anything else; nodmarc.example has no DMARC;
     * evil.example is the forger's own domain, which authorises the forger's server.
     */
    private static final TableDnsResolver DNS = TableDnsResolver.builder()
            .add("partner.example", Type.TXT, "v=spf1 ip4:192.0.2.0/24 -all")
            .add("_dmarc.partner.example", Type.TXT, "v=DMARC1; p=reject")
            .add("nodmarc.example", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all")
            .add("evil.example", Type.TXT, "v=spf1 ip4:203.0.113.0/24 -all")
            .add("_dmarc.evil.example", Type.TXT, "v=DMARC1; p=reject")
            .build();
    private static final String PARTNER_IP = "192.0.2.10";
    private static final String FORGER_IP = "203.0.113.66";

    private final SenderAuthAnalyzer senderAuth = new SenderAuthAnalyzer(DNS, SenderAuthSettings.defaults(), CLOCK);

    private static Policy policy(String listsYaml) throws PolicyException {
        String yaml = """
                version: 1
                organisation:
                  name: テスト株式会社
                  internal_domains: [example.co.jp]
                inbound:
                  thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
                  forced: { ATTACHMENT_EXECUTABLE: QUARANTINE, SENDER_BLOCKED: QUARANTINE, LINK_BLOCKED: QUARANTINE }
                outbound:
                  thresholds: { tag: 6 }
                """ + listsYaml;
        return new PolicyLoader(CATALOGUE).parse(yaml, "policy.yaml");
    }

    private SenderListAnalyzer analyzer(Policy policy, List<ListEntry> file, ListStore store) {
        return new SenderListAnalyzer(() -> policy.lists().entries(), () -> file, store, new DmarcAlignment(senderAuth));
    }

    private static AnalysisInput input(byte[] raw, String mailFrom, String ip, String... recipients) throws IOException {
        Envelope envelope = new Envelope(Direction.INBOUND, mailFrom, List.of(recipients.length == 0
                ? new String[] {"sato@example.co.jp"} : recipients), ip, "mail.sender.example", null, true, CLOCK.instant());
        return new AnalysisInput(envelope, new MessageParser().parse(new ByteArrayInputStream(raw)), RawMessage.of(raw));
    }

    private static AnalysisInput fixture(String name, String mailFrom, String ip, String... recipients) throws IOException {
        return input(Fixtures.bytes("lists/" + name), mailFrom, ip, recipients);
    }

    /** A database list of fixed entries, with the contract's filtering by recipient. */
    private static ListStore store(ListEntry... entries) {
        return (Collection<String> recipients) -> List.of(entries).stream()
                .filter(e -> e.source() == ListSource.GLOBAL || recipients.contains(e.owner())).toList();
    }

    private static ListEntry user(ListKind kind, String owner, String value, long id) {
        return new ListEntry(kind, ListTarget.SENDER, ListPattern.parse(ListTarget.SENDER, value), ListSource.USER, owner,
                Long.toString(id));
    }

    @Test
    void aSenderDomainInThePolicyBlockListBlocksItsSubdomainsWithTheEntryAndItsKeyAsEvidence() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [other.example, spam.example]
                """);
        List<Finding> findings = analyzer(policy, List.of(), ListStore.NONE)
                .analyze(fixture("blocked-sender.eml", "bounce@mailer.example", FORGER_IP));

        assertThat(findings).containsExactly(Finding.of("SENDER_BLOCKED",
                "from=offers@news.spam.example entry=spam.example source=policy:lists.block.senders[1]"));
        Verdict verdict = new PolicyEngine(CATALOGUE).decide(policy, Direction.INBOUND, findings);
        assertThat(verdict.action()).isEqualTo(Action.QUARANTINE);
    }

    /**
     * A sender's domain was read with the host-name rules (STD3) an entry is typed with: a label with an underscore or a
     * leading hyphen, which the DNS and mail servers carry, gave no domain at all, and no domain entry matched it.
     */
    @Test
    void aBlockedDomainCatchesSubdomainsWhoseLabelsAreNoHostNames() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                """);
        for (String from : List.of("offers@news_1.spam.example", "offers@-x.spam.example",
                "offers@" + "a".repeat(64) + ".spam.example")) {
            AnalysisInput in = input(partnerInvoiceFrom(from), "bounce@mailer.example", FORGER_IP);

            assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(in)).as(from).containsExactly(Finding.of(
                    "SENDER_BLOCKED", "from=" + from + " entry=spam.example source=policy:lists.block.senders[0]"));
        }
    }

    @Test
    void aBlockedAddressAfterTenOthersInTheFromFieldIsStillBlocked() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                """);
        StringBuilder from = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            from.append("a").append(i).append("@filler.example, ");
        }
        from.append("offers@spam.example");
        AnalysisInput in = input(partnerInvoiceFrom(from.toString()), "bounce@mailer.example", FORGER_IP);

        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(in)).extracting(Finding::code)
                .containsExactly("SENDER_BLOCKED");
    }

    @Test
    void theEnvelopeSenderIsBlockedTooAndAnAddressEntryMatchesOnlyThatAddress() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [bounce@mailer.example, someone@news.spam.example]
                """);
        List<Finding> findings = analyzer(policy, List.of(), ListStore.NONE)
                .analyze(fixture("blocked-sender.eml", "<Bounce@Mailer.example>", FORGER_IP));

        assertThat(findings).containsExactly(Finding.of("SENDER_BLOCKED",
                "mailfrom=bounce@mailer.example entry=bounce@mailer.example source=policy:lists.block.senders[0]"));
    }

    @Test
    void blockedLinkDomainsAndUrlsFromTheListFileAreNamedWithFileAndLine() throws Exception {
        List<ListEntry> file = ListFile.parse("""
                # links we never want clicked
                block link evil.example
                block link https://bit.ly/3abcdef
                """.getBytes(StandardCharsets.UTF_8), "lists.txt");
        List<Finding> findings = analyzer(policy(""), file, ListStore.NONE)
                .analyze(fixture("blocked-links.eml", "support@service.example", FORGER_IP));

        // Text part first, then the HTML links in order; bit.ly/3abcdefg is another short link and is not listed.
        assertThat(findings).containsExactly(Finding.of("LINK_BLOCKED",
                "host=evil.example entry=evil.example source=file:lists.txt:2; "
                        + "host=login.evil.example entry=evil.example source=file:lists.txt:2; "
                        + "host=bit.ly entry=https://bit.ly/3abcdef source=file:lists.txt:3"));
    }

    @Test
    void aBlockedDomainAnAttachedPageSendsTheBrowserToByMetaRefreshIsBlockedAndNamedSo() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    links: [evil.example]
                """);
        assertThat(analyzer(policy, List.of(), ListStore.NONE)
                .analyze(fixture("meta-refresh-attachment.eml", "accounts@service.example", FORGER_IP)))
                .containsExactly(Finding.of("LINK_BLOCKED",
                        "host=portal.evil.example (meta refresh) entry=evil.example source=policy:lists.block.links[0]"));
        // a newsletter that reloads itself, with a refresh named but not declared: nothing blocked
        assertThat(analyzer(policy, List.of(), ListStore.NONE)
                .analyze(fixture("meta-refresh-newsletter.eml", "news@service.example", FORGER_IP))).isEmpty();
    }

    /** An inbound message from other.example with one body part. */
    private static AnalysisInput mail(String contentType, String body) throws IOException {
        String raw = "From: a@other.example\r\nTo: sato@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + contentType + "; charset=utf-8\r\n\r\n" + body + "\r\n";
        return input(raw.getBytes(StandardCharsets.UTF_8), "a@other.example", FORGER_IP);
    }

    private List<Finding> blockedLinks(String linksYaml, AnalysisInput input) throws Exception {
        return analyzer(policy("lists:\n  block:\n    links: " + linksYaml + "\n"), List.of(), ListStore.NONE).analyze(input);
    }

    @Test
    void aBlockedDomainWrittenWithPercentEscapesInTheHostIsStillBlocked() throws Exception {
        assertThat(blockedLinks("[evil.example]", mail("text/plain", "see https://%65vil.example/login now")))
                .containsExactly(Finding.of("LINK_BLOCKED", "host=evil.example entry=evil.example source=policy:lists.block.links[0]"));
        assertThat(blockedLinks("[evil.example]", mail("text/plain", "see https://evil%2Eexample/login now")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
        assertThat(blockedLinks("[\"https://evil.example/login\"]", mail("text/html", "<a href=\"https://%65vil.example/login?u=1\">x</a>")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
    }

    @Test
    void aBlockedIpAddressMatchesLinksToItInEverySpellingABrowserAccepts() throws Exception {
        for (String link : List.of("http://3221225985/x", "http://0xc0000201/x", "http://192.0.513/x", "http://0300.0.2.1/x",
                "http://192.0.2.1./x")) {
            assertThat(blockedLinks("[\"http://192.0.2.1/\"]", mail("text/plain", "see " + link + " now"))).as(link)
                    .containsExactly(Finding.of("LINK_BLOCKED", "host=192.0.2.1 entry=https://192.0.2.1/ source=policy:lists.block.links[0]"));
        }
        assertThat(blockedLinks("[\"http://192.0.2.1/\"]", mail("text/html", "<a href=\"http://[::ffff:192.0.2.1]/x\">x</a>")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
        assertThat(blockedLinks("[\"http://192.0.2.1/\"]", mail("text/plain", "see http://[::ffff:192.0.2.1]/x now")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
        // and the other way round: an entry written in another spelling blocks the plain address
        assertThat(blockedLinks("[\"http://0xc0000201/login\"]", mail("text/plain", "see http://192.0.2.1/login now")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
        assertThat(blockedLinks("[\"http://[2001:db8:0:0::1]/\"]", mail("text/html", "<a href=\"http://[2001:DB8::0:1]/\">x</a>")))
                .extracting(Finding::code).containsExactly("LINK_BLOCKED");
    }

    @Test
    void aBlockedLinkAfterFiveHundredHiddenDecoyLinksIsStillBlocked() throws Exception {
        StringBuilder html = new StringBuilder("<div style=\"display:none\">");
        for (int i = 0; i < 500; i++) {
            html.append("<a href=\"https://cdn.other.example/p").append(i).append("\">.</a>");
        }
        html.append("</div><a href=\"https://login.evil.example/\">請求書を確認</a>");
        assertThat(blockedLinks("[evil.example]", mail("text/html", html.toString()))).containsExactly(Finding.of(
                "LINK_BLOCKED", "host=login.evil.example entry=evil.example source=policy:lists.block.links[0]"));
    }

    @Test
    void aBlockedLinkPastTheFirst200000CharactersOfPlainTextIsStillBlocked() throws Exception {
        String text = "ご確認ください。\r\n".repeat(25_000) + "https://login.evil.example/verify\r\n";
        assertThat(text.length()).isGreaterThan(200_000);
        assertThat(blockedLinks("[evil.example]", mail("text/plain", text))).extracting(Finding::code)
                .containsExactly("LINK_BLOCKED");
    }

    @Test
    void aLinkInAnAttachedHtmlPageIsCheckedButOneInAnAttachedTextFileIsNot() throws Exception {
        String raw = "From: a@other.example\r\nTo: sato@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
                + "--b\r\nContent-Type: text/html; name=invoice.html\r\nContent-Disposition: attachment; filename=invoice.html\r\n\r\n"
                + "<a href=\"https://login.evil.example/\">open</a>\r\n"
                + "--b\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\n"
                + "https://files.evil.example/\r\n--b--\r\n";
        assertThat(blockedLinks("[evil.example]", input(raw.getBytes(StandardCharsets.UTF_8), "a@other.example", FORGER_IP)))
                .containsExactly(Finding.of("LINK_BLOCKED",
                        "host=login.evil.example entry=evil.example source=policy:lists.block.links[0]"));
    }

    @Test
    void aPartLongerThanTheParserKeepsIsReportedAsLinksNotAllChecked() throws Exception {
        String html = "<p>" + "x".repeat(1_100_000) + "</p><a href=\"https://login.evil.example/\">open</a>";
        List<Finding> findings = blockedLinks("[evil.example]", mail("text/html", html));
        assertThat(findings).containsExactly(Finding.of("LINK_CHECK_INCOMPLETE",
                "not read for links: part 1 text/html: the parser kept 1048576 characters of 1100055 bytes"));
        // without link entries there is nothing to check, and nothing to report
        assertThat(analyzer(policy("lists:\n  block:\n    senders: [spam.example]\n"), List.of(), ListStore.NONE)
                .analyze(mail("text/html", html))).isEmpty();
    }

    @Test
    void anAllowNeverOverridesLinksNotAllChecked() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [keiri@partner.example]
                  block:
                    links: [evil.example]
                """);
        String raw = "From: keiri@partner.example\r\nTo: sato@example.co.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>" + "x".repeat(1_100_000)
                + "</p><a href=\"https://login.evil.example/\">open</a>\r\n";
        List<Finding> findings = analyzer(policy, List.of(), ListStore.NONE)
                .analyze(input(raw.getBytes(StandardCharsets.UTF_8), "keiri@partner.example", PARTNER_IP));

        assertThat(findings).extracting(Finding::code).containsExactly("LINK_CHECK_INCOMPLETE", "SENDER_ALLOWED");
        assertThat(new PolicyEngine(CATALOGUE).decide(policy, Direction.INBOUND, findings).score())
                .isEqualTo(CATALOGUE.weight("LINK_CHECK_INCOMPLETE")).isPositive();
    }

    @Test
    void aNewsletterWithManyLinksRaisesNothingWhenNoneIsListed() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                    links: [evil.example]
                """);
        assertThat(analyzer(policy, List.of(), ListStore.NONE)
                .analyze(input(Fixtures.bytes("link/newsletter.eml"), "news@shop.example", FORGER_IP))).isEmpty();
    }

    @Test
    void anAllowListedPartnerThatPassesDmarcIsAllowedAndItsLureWordingNoLongerCounts() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [partner.example]
                """);
        AnalysisInput in = fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP);
        List<Finding> findings = new ArrayList<>(new LureWordingAnalyzer().analyze(in));
        List<Finding> lures = List.copyOf(findings);
        findings.addAll(analyzer(policy, List.of(), ListStore.NONE).analyze(in));

        assertThat(lures).as("the fixture is lure-like on purpose").isNotEmpty();
        assertThat(findings.get(findings.size() - 1)).isEqualTo(Finding.of("SENDER_ALLOWED",
                "from=keiri@partner.example entry=partner.example source=policy:lists.allow.senders[0] (dmarc=pass)"));
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        assertThat(engine.decide(policy, Direction.INBOUND, lures).score()).isPositive();
        Verdict allowed = engine.decide(policy, Direction.INBOUND, findings);
        assertThat(allowed.action()).isEqualTo(Action.DELIVER);
        assertThat(allowed.score()).isZero();
        assertThat(allowed.findings()).as("the verdict still shows every finding").isEqualTo(findings);
    }

    @Test
    void theSenderAuthAnalyzerAndTheAllowListCheckEvaluateOncePerMessageInParallel() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [partner.example]
                """);
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("partner.example", Type.TXT, "v=spf1 ip4:192.0.2.0/24 -all")
                .add("_dmarc.partner.example", Type.TXT, "v=DMARC1; p=reject")
                .build();
        SenderAuthAnalyzer auth = new SenderAuthAnalyzer(dns, SenderAuthSettings.defaults(), CLOCK);
        SenderListAnalyzer lists = new SenderListAnalyzer(() -> policy.lists().entries(), List::of, ListStore.NONE,
                new DmarcAlignment(auth));
        // the questions one evaluation asks
        auth.evaluate(fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP));
        int once = dns.lookupCount();
        assertThat(once).isPositive();

        AnalysisInput in = fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<List<Finding>> authFindings = pool.submit(() -> {
                start.await();
                return auth.analyze(in);
            });
            java.util.concurrent.Future<List<Finding>> listFindings = pool.submit(() -> {
                start.await();
                return lists.analyze(in);
            });
            start.countDown();
            assertThat(authFindings.get()).isEmpty();
            assertThat(listFindings.get()).containsExactly(Finding.of("SENDER_ALLOWED",
                    "from=keiri@partner.example entry=partner.example source=policy:lists.allow.senders[0] (dmarc=pass)"));
        } finally {
            pool.shutdown();
        }
        assertThat(dns.lookupCount()).as("one evaluation for both").isEqualTo(2 * once);
        assertThat(in.trace().fields()).hasSize(1);
        // another input (another scan of the message) is evaluated anew, once for both again
        AnalysisInput again = fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP);
        lists.analyze(again);
        auth.analyze(again);
        assertThat(dns.lookupCount()).isEqualTo(3 * once);
    }

    @Test
    void aForgedFromOfAnAllowListedDomainThatFailsDmarcIsNotAllowed() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [partner.example]
                """);
        AnalysisInput in = fixture("spoofed-partner.eml", "keiri@partner.example", FORGER_IP);
        List<Finding> findings = new ArrayList<>(senderAuth.analyze(in));
        findings.addAll(new LureWordingAnalyzer().analyze(in));
        List<Finding> withoutLists = List.copyOf(findings);
        List<Finding> listFindings = analyzer(policy, List.of(), ListStore.NONE).analyze(in);
        findings.addAll(listFindings);

        assertThat(listFindings).containsExactly(Finding.of("SENDER_ALLOW_UNVERIFIED",
                "from=keiri@partner.example entry=partner.example source=policy:lists.allow.senders[0]"
                        + " (dmarc=fail; allow not applied)"));
        assertThat(findings).extracting(Finding::code).contains("DMARC_REJECT_POLICY_FAIL").doesNotContain("SENDER_ALLOWED");
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        Verdict verdict = engine.decide(policy, Direction.INBOUND, findings);
        assertThat(verdict.score()).isEqualTo(engine.decide(policy, Direction.INBOUND, withoutLists).score()).isPositive();
    }

    private static byte[] partnerInvoiceFrom(String from) {
        return new String(Fixtures.bytes("lists/partner-invoice.eml"), StandardCharsets.UTF_8)
                .replaceFirst("(?m)^From: .*$", java.util.regex.Matcher.quoteReplacement("From: " + from))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The allow entry was matched by the lists' reading of the From field and DMARC judged another: for
     * {@code "<x@evil.example>"ceo@partner.example} the lists saw partner.example and DMARC passed evil.example, the
     * forger's own domain, so the forger's mail was allowed. Both read the same author now, whose DMARC fails.
     */
    @Test
    void anAddressQuotedBeforeThePartnersDoesNotLetTheForgersOwnDmarcPassApplyThePartnersAllowEntry() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [partner.example]
                """);
        AnalysisInput in = input(partnerInvoiceFrom("\"<x@evil.example>\"ceo@partner.example"), "x@evil.example", FORGER_IP);

        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(in)).containsExactly(Finding.of(
                "SENDER_ALLOW_UNVERIFIED", "from=\"<x@evil.example>\"ceo@partner.example entry=partner.example"
                        + " source=policy:lists.allow.senders[0] (dmarc=fail; allow not applied)"));
        assertThat(senderAuth.evaluate(in).dmarc().fromDomain()).isEqualTo("partner.example");
    }

    /**
     * The allow check asked only whether "the author" was authenticated, not whether the authenticated domain was the
     * one that matched the entry: any difference between the lists' reading of the From field and DMARC's let the
     * forger's own DMARC pass vouch for a partner's allow entry. A pass counts only for the matched domain now.
     */
    @Test
    void aDmarcPassForTheForgersDomainDoesNotVerifyAnAllowEntryMatchedByThePartnersDomain() throws Exception {
        AnalysisInput in = input(partnerInvoiceFrom("x@evil.example"), "x@evil.example", FORGER_IP);
        DmarcAlignment alignment = new DmarcAlignment(senderAuth);

        assertThat(alignment.verify(in, "partner.example")).isEqualTo(new SenderVerifier.Verification(false,
                "authentication judged evil.example, not partner.example"));
        assertThat(alignment.verify(in, "evil.example")).isEqualTo(new SenderVerifier.Verification(true, "dmarc=pass"));
    }

    /** Bare words before the address counted as mailboxes and pushed it past the ten From addresses looked at. */
    @Test
    void wordsPaddingTheFromFieldDoNotHideTheAuthorFromABlockEntry() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                """);
        AnalysisInput in = input(partnerInvoiceFrom("a, b, c, d, e, f, g, h, i, j, k, offers@news.spam.example"),
                "bounce@mailer.example", FORGER_IP);

        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(in)).containsExactly(Finding.of("SENDER_BLOCKED",
                "from=offers@news.spam.example entry=spam.example source=policy:lists.block.senders[0]"));
    }

    /**
     * A From field too broken to hold a mailbox (no author, FROM_INVALID's case) still shows its reader an address: a
     * block entry matches it as a lenient mail program would read it.
     */
    @Test
    void aFromTooBrokenToHoldAMailboxIsStillMatchedByABlockEntry() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                """);
        for (String from : List.of("\"x\"\toffers@news.spam.example", "Spam Co offers@news.spam.example",
                "a, b, c, d, e, f, g, h, i, j, k, Spam Co offers@news.spam.example")) {
            AnalysisInput in = input(partnerInvoiceFrom(from), "bounce@mailer.example", FORGER_IP);

            assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(in)).as(from).containsExactly(Finding.of(
                    "SENDER_BLOCKED", "from=offers@news.spam.example entry=spam.example source=policy:lists.block.senders[0]"));
        }
    }

    @Test
    void aPartnerWithoutDmarcIsAllowedOnAnAlignedSpfPassButNotFromAnotherServer() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [nodmarc.example]
                """);
        byte[] raw = new String(Fixtures.bytes("lists/partner-invoice.eml"), StandardCharsets.US_ASCII)
                .replace("keiri@partner.example", "keiri@nodmarc.example").getBytes(StandardCharsets.US_ASCII);

        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(input(raw, "keiri@nodmarc.example", "198.51.100.7")))
                .extracting(Finding::code, Finding::evidence).containsExactly(tuple("SENDER_ALLOWED",
                        "from=keiri@nodmarc.example entry=nodmarc.example source=policy:lists.allow.senders[0]"
                                + " (spf=pass aligned (no DMARC record))"));
        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(input(raw, "keiri@nodmarc.example", FORGER_IP)))
                .extracting(Finding::code, Finding::evidence).containsExactly(tuple("SENDER_ALLOW_UNVERIFIED",
                        "from=keiri@nodmarc.example entry=nodmarc.example source=policy:lists.allow.senders[0]"
                                + " (dmarc=none, no aligned SPF or DKIM pass; allow not applied)"));
    }

    @Test
    void anAllowNeverOverridesAnExecutableAttachment() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [keiri@partner.example]
                """);
        AnalysisInput in = fixture("partner-exe.eml", "keiri@partner.example", PARTNER_IP);
        List<Finding> findings = new ArrayList<>(new AttachmentNameAnalyzer().analyze(in));
        findings.addAll(analyzer(policy, List.of(), ListStore.NONE).analyze(in));

        assertThat(findings).extracting(Finding::code).containsExactly("ATTACHMENT_EXECUTABLE", "SENDER_ALLOWED");
        Verdict verdict = new PolicyEngine(CATALOGUE).decide(policy, Direction.INBOUND, findings);
        assertThat(verdict.action()).isEqualTo(Action.QUARANTINE);
        assertThat(verdict.score()).isEqualTo(CATALOGUE.weight("ATTACHMENT_EXECUTABLE"));
    }

    @Test
    void oneRecipientsBlockEntryBlocksTheMessageAndNamesTheUserList() throws Exception {
        ListStore store = store(user(ListKind.BLOCK, "suzuki@example.co.jp", "spam.example", 7));
        List<Finding> findings = analyzer(policy(""), List.of(), store).analyze(
                fixture("blocked-sender.eml", "", FORGER_IP, "sato@example.co.jp", "Suzuki@example.co.jp"));

        assertThat(findings).containsExactly(Finding.of("SENDER_BLOCKED",
                "from=offers@news.spam.example entry=spam.example source=user:suzuki@example.co.jp#7"));
        assertThat(analyzer(policy(""), List.of(), store)
                .analyze(fixture("blocked-sender.eml", "", FORGER_IP, "sato@example.co.jp")))
                .as("another recipient's list does not apply").isEmpty();
    }

    @Test
    void aRecipientsAllowEntryCountsOnlyWhenEveryRecipientAllowsTheSender() throws Exception {
        ListStore store = store(user(ListKind.ALLOW, "sato@example.co.jp", "partner.example", 3),
                user(ListKind.ALLOW, "suzuki@example.co.jp", "keiri@partner.example", 4));
        SenderListAnalyzer analyzer = analyzer(policy(""), List.of(), store);

        assertThat(analyzer.analyze(fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP,
                "sato@example.co.jp", "suzuki@example.co.jp"))).containsExactly(Finding.of("SENDER_ALLOWED",
                        "from=keiri@partner.example entry=partner.example source=user:sato@example.co.jp#3"
                                + " (and the lists of all 2 recipients) (dmarc=pass)"));
        assertThat(analyzer.analyze(fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP,
                "sato@example.co.jp", "tanaka@example.co.jp"))).as("tanaka has not allowed it").isEmpty();
    }

    @Test
    void aBlockWinsOverAnAllowForTheSameSender() throws Exception {
        Policy policy = policy("""
                lists:
                  allow:
                    senders: [partner.example]
                """);
        ListStore store = store(new ListEntry(ListKind.BLOCK, ListTarget.SENDER,
                ListPattern.parse(ListTarget.SENDER, "keiri@partner.example"), ListSource.GLOBAL, null, "12"));

        assertThat(analyzer(policy, List.of(), store).analyze(fixture("partner-invoice.eml", "keiri@partner.example", PARTNER_IP)))
                .containsExactly(Finding.of("SENDER_BLOCKED",
                        "from=keiri@partner.example entry=keiri@partner.example source=global#12; "
                                + "mailfrom=keiri@partner.example entry=keiri@partner.example source=global#12"));
    }

    @Test
    void outboundMailIsNotChecked() throws Exception {
        Policy policy = policy("""
                lists:
                  block:
                    senders: [spam.example]
                """);
        byte[] raw = Fixtures.bytes("lists/blocked-sender.eml");
        Envelope envelope = new Envelope(Direction.OUTBOUND, "offers@news.spam.example", List.of("a@spam.example"),
                "127.0.0.1", "client", null, false, CLOCK.instant());
        assertThat(analyzer(policy, List.of(), ListStore.NONE).analyze(new AnalysisInput(envelope,
                new MessageParser().parse(new ByteArrayInputStream(raw)), RawMessage.of(raw)))).isEmpty();
    }

    @Test
    void theAnalyzerDeclaresItsCodesAndTheyAreInTheCatalogue() {
        SenderListAnalyzer analyzer = analyzer(new PolicyLoader(CATALOGUE).defaults(), List.of(), ListStore.NONE);
        assertThat(analyzer.codes()).containsExactlyInAnyOrder("SENDER_BLOCKED", "LINK_BLOCKED", "LINK_CHECK_INCOMPLETE",
                "SENDER_ALLOWED", "SENDER_ALLOW_UNVERIFIED");
        assertThat(analyzer.codes()).allSatisfy(code -> assertThat(CATALOGUE.entry(code)).isPresent());
        assertThat(Set.of("SENDER_ALLOWED", "SENDER_ALLOW_UNVERIFIED")).allSatisfy(c -> assertThat(CATALOGUE.weight(c)).isZero());
    }
}
