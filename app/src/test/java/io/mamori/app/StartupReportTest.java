package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.policy.Policy;
import io.mamori.core.policy.Policy.Attachments.Handling;
import org.junit.jupiter.api.Test;

/** The start-up report's lines on password-protected attachments (PPAP) and on DNS block lists. */
class StartupReportTest {

    @Test
    void theEncryptedAttachmentsLineSaysWhatThePolicyDoesWithThem() {
        assertThat(StartupReport.encryptedAttachments(Policy.Attachments.DEFAULT)).isEqualTo(
                "quarantine; メールのパスワードで開けたもの: quarantine; パスワード別送メール: 30 分待つ (ポリシー attachments.*)"
                        + " / quarantine; opened with a password given by mail: quarantine; password mails looked for 30 min"
                        + " (policy attachments.*)");
        assertThat(StartupReport.encryptedAttachments(new Policy.Attachments(Handling.QUARANTINE, Handling.SCORE,
                Handling.SCORE, Handling.SCORE, 0))).isEqualTo(
                "quarantine; メールのパスワードで開けたもの: score; パスワード別送メール: 待たない (ポリシー attachments.*)"
                        + " / quarantine; opened with a password given by mail: score; password mails not looked for"
                        + " (policy attachments.*)");
    }

    @Test
    void theBlockListLineNamesTheZonesWithoutTheSubscribersKey() {
        assertThat(StartupReport.blocklists(Policy.Blocklists.NONE))
                .isEqualTo("問い合わせない (ポリシー blocklists で指定) / none asked (name zones in the policy's blocklists)");
        assertThat(StartupReport.blocklists(new Policy.Blocklists(java.util.List.of("k3y0fthesubscriber0123456.zen.dq.spamhaus.net"),
                java.util.List.of("k3y0fthesubscriber0123456.dbl.dq.spamhaus.net", "multi.uribl.com")))).isEqualTo(
                "IP: <key>.zen.dq.spamhaus.net; ドメイン / domains: <key>.dbl.dq.spamhaus.net, multi.uribl.com");
        // the key kept out of the policy, in the setting mamori.dns.blocklist-key: the zone as written
        assertThat(StartupReport.blocklists(new Policy.Blocklists(java.util.List.of("{key}.zen.dq.spamhaus.net"),
                java.util.List.of()))).isEqualTo("IP: {key}.zen.dq.spamhaus.net; ドメイン / domains: -");
    }

    @Test
    void eachBlockListIsCheckedAtTheStartOneLineEach() {
        io.mamori.core.auth.TableDnsResolver dns = io.mamori.core.auth.TableDnsResolver.builder()
                .add("2.0.0.127.zen.blocklist.test", io.mamori.core.auth.DnsResolver.Type.A, "127.0.0.2")
                .add("test.refusing.blocklist.test", io.mamori.core.auth.DnsResolver.Type.A, "127.255.255.254")
                .add("invalid.refusing.blocklist.test", io.mamori.core.auth.DnsResolver.Type.A, "127.255.255.254").build();
        assertThat(StartupReport.blocklistCheck(dns, Policy.Blocklists.NONE, java.util.Optional.empty())).isEmpty();
        assertThat(dns.lookupCount()).isZero();
        String lines = StartupReport.blocklistCheck(dns, new Policy.Blocklists(java.util.List.of("zen.blocklist.test"),
                java.util.List.of("refusing.blocklist.test", "{key}.dbl.blocklist.test")), java.util.Optional.empty());
        assertThat(lines.lines().skip(1).toList()).satisfiesExactly(
                l -> assertThat(l).startsWith("      zen.blocklist.test (IP): 動作しています / works"),
                l -> assertThat(l).startsWith("      refusing.blocklist.test (ドメイン / domain): エラー応答"),
                l -> assertThat(l).startsWith("      {key}.dbl.blocklist.test (ドメイン / domain): mamori.dns.blocklist-key が未設定"));
    }

    static final org.springframework.util.unit.DataSize SIZE = org.springframework.util.unit.DataSize.ofMegabytes(25);

    @Test
    void theAntivirusLineSaysWhetherClamdAnswersAtTheStart() throws Exception {
        assertThat(StartupReport.antivirus(new MamoriProperties.Antivirus("", null, null))).startsWith("無効");
        try (io.mamori.gateway.clamd.ClamdProcess clamd = io.mamori.gateway.clamd.ClamdProcess.start()) {
            assertThat(StartupReport.antivirus(new MamoriProperties.Antivirus("127.0.0.1:" + clamd.port(), null, SIZE)))
                    .isEqualTo("clamd 127.0.0.1:" + clamd.port() + " (応答あり / answering)");
        }
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = closed.getLocalPort();
            closed.close();
            assertThat(StartupReport.antivirus(new MamoriProperties.Antivirus("127.0.0.1:" + port, null, SIZE)))
                    .startsWith("clamd 127.0.0.1:" + port + " (応答なし").contains("not answering");
        }
    }
}
