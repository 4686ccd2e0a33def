package io.mamori.app;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.reputation.BlocklistCheck;
import java.util.Optional;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Prints where the gateway can be reached once everything listens (the promise of {@code ./mamori start}), each row
 * in Japanese and English. A
 * fresh gateway has no console account: then the first administrator is created here and its one-time password
 * printed on standard output only (never logged), as long as nobody has used it.
 */
@Component
class StartupReport {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StartupReport.class);

    private final GatewayConfiguration.Listeners listeners;
    private final MamoriProperties settings;
    private final PolicyHolder policy;
    private final ConsoleAccounts accounts;
    private final AuditTrail audit;
    private final io.mamori.core.auth.DnsResolver resolver;

    StartupReport(GatewayConfiguration.Listeners listeners, MamoriProperties settings, PolicyHolder policy,
            ConsoleAccounts accounts, AuditTrail audit, io.mamori.gateway.dns.DnsjavaResolver resolver) {
        this.listeners = listeners;
        this.settings = settings;
        this.policy = policy;
        this.accounts = accounts;
        this.audit = audit;
        this.resolver = resolver;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int http = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        String inboundHop = settings.relay().inbound().nextHop();
        String outboundHop = settings.relay().outbound().nextHop();
        System.out.printf("""

                Mamori が起動しました / Mamori is running
                  受信 SMTP (MX) / SMTP inbound (MX)
                      %s:%d  -> 転送先 / next hop %s
                      %s
                  送信 SMTP (スマートホスト) / SMTP outbound (smart host)
                      %s:%d  -> %s  (STARTTLS; STARTTLS 後に AUTH / AUTH after STARTTLS; 信頼するネットワーク / trusted %s)
                  HTTP
                      http://localhost:%d  (/actuator/health, /actuator/prometheus, /api/v1/messages)
                  管理コンソール / console
                      http://localhost:%d/  (パスワードと認証アプリでログイン / sign-in with password and authenticator app)
                  REST API トークン / REST API token
                      %s
                  ウイルス検査 / antivirus
                      %s
                  RAR 圧縮ファイル / RAR archives
                      %s
                  暗号化された添付 / encrypted attachments
                      %s
                  DNS ブロックリスト / DNS block lists
                      %s%s
                  内容の分類モデル / content classifier
                      %s
                  データ / data
                      %s
                  ポリシー / policy
                      %s (社内ドメイン / internal domains: %s)
                %n""",
                settings.smtp().inbound().bind(), listeners.inbound().port(),
                blank(inboundHop) ? "(未設定: mamori.relay.inbound.next-hop を設定するまでメールはキューで待ちます"
                        + " / not set: mail is queued until mamori.relay.inbound.next-hop is set)"
                        : inboundHop + " " + tls(settings.relay().inbound(), "mamori.relay.inbound.tls"),
                settings.relay().inbound().verifiesRecipients()
                        ? "受信者を転送先に確認し、存在しない宛先は RCPT で拒否 / recipients verified with the next hop at RCPT"
                        : "受信者は確認しない: 存在しない宛先は受け取ってから送信者に返送 (mamori.relay.inbound.verify-recipients)"
                                + " / recipients not verified: mail for unknown addresses is taken and returned to the sender",
                settings.smtp().outbound().bind(), listeners.outbound().port(),
                (blank(outboundHop) ? "MX へ直接配送 / direct MX delivery"
                        + (settings.relay().mxAllowPrivate() ? " (プライベートアドレスの MX にも配送 / also to MX hosts at"
                                + " private addresses: mamori.relay.mx-allow-private)" : "")
                        : outboundHop) + " "
                        + tls(settings.relay().outbound(), "mamori.relay.outbound.tls"),
                String.join(",", settings.smtp().outbound().trustedNetworks()),
                http, http, settings.dataDir().resolve(ApiToken.FILE).toAbsolutePath().normalize(),
                antivirus(settings.antivirus()),
                io.mamori.core.attachment.RarUnpacker.system().program()
                        .map(p -> "圧縮されたエントリーを " + p + " で展開 / compressed entries unpacked by " + p)
                        .orElse("圧縮されたエントリーは展開しません (libarchive-tools を入れるか mamori.analysis.rar-unpacker を設定)"
                                + " / compressed entries not unpacked (install libarchive-tools, or set mamori.analysis.rar-unpacker)"),
                encryptedAttachments(policy.current().attachments()),
                blocklists(policy.current().blocklists()),
                blocklistCheck(resolver, policy.current().blocklists(), settings.dns().blocklistKeyValue()),
                contentClassifier(settings),
                settings.dataDir().toAbsolutePath().normalize(), settings.policy().file().toAbsolutePath().normalize(),
                String.join(", ", policy.current().organisation().internalDomains().stream()
                        .map(d -> (d.subdomains() ? "*." : "") + d.domain()).toList()));
        initialAdmin(http);
    }

    /**
     * How a route's TLS is checked; a next hop reached without a verified certificate is also a log warning (an
     * attacker on the path could read and change every message).
     */
    static String tls(MamoriProperties.Route route, String key) {
        if (route.tlsPolicy(key) == io.mamori.gateway.delivery.TlsPolicy.REQUIRED) {
            return "(TLS 必須・証明書を検証 / TLS required, certificate verified)";
        }
        if (route.routed()) {
            LOG.warn("{}=opportunistic: mail to the next hop {} goes without a verified certificate, and in plain text"
                    + " when TLS fails", key, route.nextHop());
        }
        return "(TLS は可能なら使用・証明書は検証しない / TLS when offered, certificate not verified: " + key + ")";
    }

    /**
     * How password-protected attachments are handled: unopened, opened with a password given by mail, and whether a
     * later password mail is looked for (PPAP). The policy can change while the gateway runs; this is the start.
     */
    static String encryptedAttachments(io.mamori.core.policy.Policy.Attachments a) {
        String name = a.encrypted().name().toLowerCase(java.util.Locale.ROOT);
        String opened = a.opened().name().toLowerCase(java.util.Locale.ROOT);
        int minutes = a.passwordMailMinutes();
        return name + "; メールのパスワードで開けたもの: " + opened + "; パスワード別送メール: "
                + (minutes == 0 ? "待たない" : minutes + " 分待つ") + " (ポリシー attachments.*)"
                + " / " + name + "; opened with a password given by mail: " + opened + "; password mails "
                + (minutes == 0 ? "not looked for" : "looked for " + minutes + " min") + " (policy attachments.*)";
    }

    /**
     * The antivirus engine and whether it answers {@code PING} now (2 s at most): a clamd that is not running yet, or a
     * wrong address, is seen at the start rather than in the first message's {@code AV_UNAVAILABLE}.
     */
    static String antivirus(MamoriProperties.Antivirus av) {
        if (!av.configured()) {
            return "無効 (mamori.antivirus.clamd=host:port で有効) / off (set mamori.antivirus.clamd=host:port)";
        }
        boolean answers = GatewayConfiguration.clamd(av, java.time.Duration.ofSeconds(2)).ping();
        if (!answers) {
            LOG.warn("clamd at {} does not answer PING: messages with attachments get AV_UNAVAILABLE until it does",
                    av.clamd().trim());
        }
        return "clamd " + av.clamd().trim() + (answers ? " (応答あり / answering)"
                : " (応答なし: 応答するまで添付ファイルのあるメールは AV_UNAVAILABLE になります"
                        + " / not answering: messages with attachments get AV_UNAVAILABLE until it does)");
    }

    /**
     * Each block list's answer to its test entries now ({@link BlocklistCheck}, as {@code mamori policy check-blocklists}
     * asks), one line each under the list row; a list that does not work is also a warning in the log. A Spamhaus zone
     * asked through a public resolver, a missing or wrong key or a wrong zone name is thus seen at the start, not
     * never. Empty without zones.
     */
    static String blocklistCheck(io.mamori.core.auth.DnsResolver dns, io.mamori.core.policy.Policy.Blocklists b,
            Optional<String> key) {
        if (b.isEmpty()) {
            return "";
        }
        StringBuilder lines = new StringBuilder();
        for (BlocklistCheck.Result r : BlocklistCheck.all(dns, b, key)) {
            lines.append("\n      ").append(r.describe());
            if (r.outcome() != BlocklistCheck.Outcome.WORKS && r.outcome() != BlocklistCheck.Outcome.NO_KEY) {
                LOG.warn("DNS block list {} does not work: {}", r.zone(), r.outcome());
            }
        }
        return lines.toString();
    }

    /**
     * Which DNS block lists inbound mail is checked against, subscribers' keys hidden (whether each works, or waits for
     * its key, is {@link #blocklistCheck}'s line); the policy may change later.
     */
    static String blocklists(io.mamori.core.policy.Policy.Blocklists b) {
        if (b.isEmpty()) {
            return "問い合わせない (ポリシー blocklists で指定) / none asked (name zones in the policy's blocklists)";
        }
        String ip = b.ipZones().isEmpty() ? "-" : String.join(", ", b.ipZones().stream()
                .map(io.mamori.core.reputation.DnsBlocklistAnalyzer::shown).toList());
        String domain = b.domainZones().isEmpty() ? "-" : String.join(", ", b.domainZones().stream()
                .map(io.mamori.core.reputation.DnsBlocklistAnalyzer::shown).toList());
        return "IP: " + ip + "; ドメイン / domains: " + domain;
    }

    /** Where the content model is, whether it exists yet, and whether analysts' decisions teach it. */
    private static String contentClassifier(MamoriProperties settings) {
        java.nio.file.Path file = settings.analysis().contentModelFile(settings.dataDir()).toAbsolutePath().normalize();
        boolean learns = settings.analysis().learnFromDecisions();
        if (java.nio.file.Files.exists(file)) {
            return file + (learns ? " (管理者の解放・削除から学習 / learns from analysts' releases and deletions)" : "");
        }
        return "モデルなし (" + file + ": ./mamori learn" + (learns ? " または管理者の判断" : "") + "で作成;"
                + " 各 50 通までは判定しません) / no model yet (written by ./mamori learn"
                + (learns ? " or by analysts' decisions" : "") + "; no opinion before 50 messages of each kind)";
    }

    private void initialAdmin(int http) {
        String email = initialAdminAddress();
        Optional<String> password = accounts.ensureInitialAdmin(email);
        if (password.isEmpty()) {
            return;
        }
        audit.record(AuditEntry.of("system", "local", "user.created", email, true));
        System.out.printf("""
                最初の管理者アカウント / First console administrator
                  ログイン先 / sign in at     http://localhost:%d/login
                  メールアドレス / address    %s
                  初期パスワード / one-time password  %s
                  初回ログイン時にパスワードの変更と認証アプリの設定を行ってください。このパスワードはここ(画面)にだけ
                  表示され、ログファイルには書き込まれません。使われるまでは起動のたびに新しいものに替わります。
                  Change it at first sign-in, then set up an authenticator app. This password is shown only here, on
                  the console, and never written to a log file; it changes at every start until it has been used.
                %n""", http, email, password.get());
    }

    private String initialAdminAddress() {
        String configured = settings.console().initialAdmin();
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        return "admin@" + policy.current().organisation().internalDomains().stream()
                .filter(d -> !d.subdomains()).map(d -> d.domain()).findFirst()
                .orElse(policy.current().organisation().internalDomains().get(0).domain());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
