package io.mamori.core.impersonation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.auth.TableDnsResolver;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mail in the organisation's own name through the real sender authentication (DNS answers from a table): a forgery
 * from an outside server is reported whatever the domain publishes; a service the domain authorises, a partner's
 * failure (DMARC's business, not this) and a DNS outage are not.
 */
class OwnDomainAnalyzerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-05T00:00:00Z"), ZoneOffset.UTC);
    private static final String FORGER = "203.0.113.9";
    private static final String SURVEY_SERVICE = "198.51.100.7";
    /** The office copier, which sends scans to employees through the MX; named as an own sender by the policy. */
    private static final String COPIER = "192.0.2.25";

    private static List<Finding> analyze(DnsResolver dns, Direction direction, String from, String ip) throws IOException {
        byte[] raw = ("From: 総務部 <" + from + ">\r\nTo: keiri@mamori-shoji.co.jp\r\nSubject: パスワードの更新\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本日中に更新してください。\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Envelope envelope = new Envelope(direction, from, List.of("keiri@mamori-shoji.co.jp"), ip, "mail.sender.example",
                null, true, CLOCK.instant());
        AnalysisInput input = new AnalysisInput(envelope, new MessageParser().parse(new ByteArrayInputStream(raw)),
                RawMessage.of(raw));
        SenderAuthAnalyzer senderAuth = new SenderAuthAnalyzer(dns, SenderAuthSettings.defaults(), CLOCK);
        OwnDomainAnalyzer analyzer = new OwnDomainAnalyzer(senderAuth::evaluate, () -> new OwnDomainAnalyzer.Settings(
                d -> d.equals("mamori-shoji.co.jp") || d.endsWith(".mamori-shoji.co.jp"), COPIER::equals));
        return analyzer.analyze(input);
    }

    private static TableDnsResolver.Builder ownDomain() {
        return TableDnsResolver.builder().add("mamori-shoji.co.jp", Type.TXT, "v=spf1 ip4:198.51.100.0/24 -all");
    }

    @Test
    void theOwnDomainFromAnOutsideServerIsReportedWithOrWithoutADmarcRecord() throws IOException {
        assertThat(analyze(ownDomain().build(), Direction.INBOUND, "soumu@mamori-shoji.co.jp", FORGER))
                .containsExactly(Finding.of("OWN_DOMAIN_UNAUTHENTICATED",
                        "from=mamori-shoji.co.jp ip=203.0.113.9 (dmarc=none, no aligned SPF or DKIM pass)"));
        // p=none asks nothing of receivers; the forgery is the same
        DnsResolver monitoring = ownDomain().add("_dmarc.mamori-shoji.co.jp", Type.TXT, "v=DMARC1; p=none").build();
        assertThat(analyze(monitoring, Direction.INBOUND, "soumu@mamori-shoji.co.jp", FORGER))
                .containsExactly(Finding.of("OWN_DOMAIN_UNAUTHENTICATED",
                        "from=mamori-shoji.co.jp ip=203.0.113.9 (dmarc=fail)"));
        // a sub-domain of the organisation, and a domain that publishes no SPF at all
        assertThat(analyze(TableDnsResolver.builder().build(), Direction.INBOUND, "it@jinji.mamori-shoji.co.jp", FORGER))
                .containsExactly(Finding.of("OWN_DOMAIN_UNAUTHENTICATED",
                        "from=jinji.mamori-shoji.co.jp ip=203.0.113.9 (dmarc=none, no aligned SPF or DKIM pass)"));
    }

    @Test
    void aServiceTheDomainAuthorisesAPartnersFailureADnsOutageOutboundMailAndAnOfflineScanAreNot() throws IOException {
        assertThat(analyze(ownDomain().build(), Direction.INBOUND, "survey@mamori-shoji.co.jp", SURVEY_SERVICE)).isEmpty();
        assertThat(analyze(ownDomain().add("partner.example", Type.TXT, "v=spf1 -all").build(), Direction.INBOUND,
                "eigyo@partner.example", FORGER)).isEmpty();
        assertThat(analyze(TableDnsResolver.builder().tempFail("mamori-shoji.co.jp").tempFail("_dmarc.mamori-shoji.co.jp")
                .build(), Direction.INBOUND, "soumu@mamori-shoji.co.jp", FORGER)).isEmpty();
        assertThat(analyze(ownDomain().build(), Direction.OUTBOUND, "soumu@mamori-shoji.co.jp", FORGER)).isEmpty();
        // the copier the policy names as the organisation's own sender: its scans have no SPF or DKIM
        assertThat(analyze(ownDomain().build(), Direction.INBOUND, "scanner@mamori-shoji.co.jp", COPIER)).isEmpty();
        // a stored message scanned offline has no SMTP client address: SPF could not be asked
        assertThat(analyze(ownDomain().build(), Direction.INBOUND, "soumu@mamori-shoji.co.jp", "")).isEmpty();
    }

    @Test
    void theCodeIsInTheCatalogue() {
        OwnDomainAnalyzer analyzer = new OwnDomainAnalyzer(input -> null,
                () -> new OwnDomainAnalyzer.Settings(d -> false, ip -> false));
        assertThat(analyzer.codes()).containsExactly("OWN_DOMAIN_UNAUTHENTICATED");
        assertThat(FindingCatalogue.builtIn().entry("OWN_DOMAIN_UNAUTHENTICATED")).isPresent();
    }
}
