package io.mamori.app;

import io.mamori.gateway.delivery.HostAndPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * All {@code mamori.*} settings, validated once at start: a value that cannot be used refuses the start, or a command,
 * with an {@link InvalidSetting} naming its key and value (ports, networks, host:port addresses, the database URL, the
 * SMTP listeners', the store's and the console's limits). Defaults live in
 * {@code application.properties}; the offline CLI commands bind the same keys without starting Spring (see
 * {@link Settings}).
 */
@ConfigurationProperties("mamori")
public record MamoriProperties(
        Path dataDir,
        PolicySettings policy,
        String hostname,
        Db db,
        Store store,
        Smtp smtp,
        Tls tls,
        Relay relay,
        Delivery delivery,
        Analysis analysis,
        Dns dns,
        SenderAuth auth,
        Antivirus antivirus,
        NoticeSettings notices,
        Console console) {

    /** Empty settings (e.g. {@code mamori.tls.certificate=}) bind to nothing; they mean "use the default". */
    public MamoriProperties {
        store = store == null ? new Store(128, Duration.ZERO, DataSize.ofKilobytes(128)) : store;
        tls = tls == null ? new Tls(null, null) : tls;
        relay = relay == null ? new Relay(null, null, null, null, false) : relay;
        dns = dns == null ? new Dns(null, Duration.ofSeconds(2), null) : dns;
        auth = auth == null ? new SenderAuth(List.of()) : auth;
        antivirus = antivirus == null ? new Antivirus(null, Duration.ofSeconds(10), DataSize.ofMegabytes(25)) : antivirus;
        notices = notices == null ? new NoticeSettings(null, null, null) : notices;
        console = console == null ? new Console(null, null, null, null, null, null) : console;
    }

    /**
     * The web console ({@code mamori.console.*}).
     *
     * @param sessionTimeout idle time after which a signed-in session ends (default 30 minutes)
     * @param lockout        wrong passwords or codes in a row that lock an account, and for how long
     * @param login          failed sign-ins one client address may make per window
     * @param trustedProxies reverse proxies (CIDR) whose X-Forwarded-For is believed; empty: none
     * @param initialAdmin   address of the first administrator a fresh gateway creates; empty: admin@ the first
     *                       internal domain of the policy
     * @param metricsNetworks clients (CIDR) that may read {@code /actuator/prometheus} without a token (default the
     *                       loopback addresses); from elsewhere it takes an administrator's or auditor's API token
     */
    public record Console(Duration sessionTimeout, Lockout lockout, Login login, List<String> trustedProxies,
            String initialAdmin, List<String> metricsNetworks) {
        public Console {
            sessionTimeout = sessionTimeout == null ? Duration.ofMinutes(30) : sessionTimeout;
            lockout = lockout == null ? new Lockout(10, Duration.ofMinutes(15)) : lockout;
            login = login == null ? new Login(50, Duration.ofMinutes(15)) : login;
            trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
            metricsNetworks = metricsNetworks == null ? List.of("127.0.0.0/8", "::1/128") : List.copyOf(metricsNetworks);
            if (sessionTimeout.toSeconds() < 60) {
                throw new InvalidSetting("mamori.console.session-timeout", sessionTimeout, "1m 以上にしてください",
                        "must be at least 1m");
            }
            atLeastOne("mamori.console.lockout.max-failures", lockout.maxFailures());
            positive("mamori.console.lockout.duration", lockout.duration());
            atLeastOne("mamori.console.login.max-failures-per-address", login.maxFailuresPerAddress());
            positive("mamori.console.login.address-window", login.addressWindow());
            networks("mamori.console.trusted-proxies", trustedProxies);
            networks("mamori.console.metrics-networks", metricsNetworks);
        }

        /** The networks that read metrics without a token, parsed (they were checked when the settings were bound). */
        public List<io.mamori.core.network.Cidr> metricsNetworkList() {
            return networks("mamori.console.metrics-networks", metricsNetworks);
        }

        /** The proxies, parsed (they were checked when the settings were bound). */
        public List<io.mamori.core.network.Cidr> trustedProxyNetworks() {
            return networks("mamori.console.trusted-proxies", trustedProxies);
        }
    }

    /** @param maxFailures at least 1; @param duration how long a lock lasts */
    public record Lockout(int maxFailures, Duration duration) {
    }

    /** @param maxFailuresPerAddress failures per client address per window; @param addressWindow the window */
    public record Login(int maxFailuresPerAddress, Duration addressWindow) {
    }

    /**
     * Notices to employees ({@code mamori.notices.*}): {@code from} is the From and envelope sender (empty:
     * {@code mamori-noreply@<first internal domain>}), {@code setupUrl} the console's MFA enrollment page (for
     * the {@code {setupUrl}} placeholder), {@code templatesDir} where edited templates override the shipped ones.
     */
    public record NoticeSettings(String from, String setupUrl, Path templatesDir) {
        public NoticeSettings {
            from = from == null ? "" : from.trim();
            setupUrl = setupUrl == null ? "" : setupUrl.trim();
            templatesDir = templatesDir == null ? Path.of("config", "notices") : templatesDir;
        }
    }

    /** {@code clamd} is {@code host:port} of a clamd TCP socket; empty means no antivirus engine is configured. */
    public record Antivirus(String clamd, Duration timeout, DataSize maxStreamSize) {
        public Antivirus {
            if (clamd != null && !clamd.isBlank()) {
                hostAndPort("mamori.antivirus.clamd", clamd.trim());
            }
        }

        public boolean configured() {
            return clamd != null && !clamd.isBlank();
        }
    }

    /** {@code server} is {@code host:port} of a resolver; empty means the system's resolvers. */
    public record Dns(String server, Duration timeout, String blocklistKey) {
        /** A DNS label: what a block list subscription's key is ({@code <key>.zen.dq.spamhaus.net}). */
        private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9-]{1,63}");

        public Dns {
            if (server != null && !server.isBlank()) {
                resolver(server);
            }
            if (blocklistKey != null && !blocklistKey.isBlank() && !KEY.matcher(blocklistKey.strip()).matches()) {
                // a secret: InvalidSetting shows it as '****'
                throw new InvalidSetting("mamori.dns.blocklist-key", blocklistKey,
                        "英数字とハイフン 1〜63 文字にしてください", "must be 1 to 63 letters, digits and hyphens");
            }
        }

        /** The block list subscription key that stands for {@code {key}} in the policy's zones, if set. */
        public java.util.Optional<String> blocklistKeyValue() {
            return blocklistKey == null || blocklistKey.isBlank() ? java.util.Optional.empty()
                    : java.util.Optional.of(blocklistKey.strip());
        }

        /** The resolver's address; a missing port means 53. */
        public java.util.Optional<java.net.InetSocketAddress> serverAddress() {
            if (server == null || server.isBlank()) {
                return java.util.Optional.empty();
            }
            HostAndPort hop = resolver(server);
            return java.util.Optional.of(new java.net.InetSocketAddress(hop.host(), hop.port()));
        }

        private static HostAndPort resolver(String server) {
            String s = server.trim();
            return hostAndPort("mamori.dns.server", s, s.matches(".*:\\d+") ? s : s + ":53");
        }
    }

    /** Parses a {@code host:port} setting with the gateway's parser; a malformed one is an {@link InvalidSetting}. */
    static HostAndPort hostAndPort(String key, String value) {
        return hostAndPort(key, value, value);
    }

    /** {@code value} as given, and as parsed (with a port added where the setting has a default one). */
    private static HostAndPort hostAndPort(String key, String value, String parsed) {
        try {
            return HostAndPort.parse(parsed);
        } catch (IllegalArgumentException e) {
            InvalidSetting invalid = new InvalidSetting(key, value, "ホスト名か IP アドレスと、ポートにしてください（例:"
                    + " mail.example.co.jp:25、127.0.0.1:3310、[::1]:25）", "must be a host name or IP address and a port, e.g."
                    + " mail.example.co.jp:25, 127.0.0.1:3310 or [::1]:25");
            invalid.initCause(e);
            throw invalid;
        }
    }

    /** Each entry an IP network in CIDR notation; the first that is not is an {@link InvalidSetting}. */
    static List<io.mamori.core.network.Cidr> networks(String key, List<String> entries) {
        return entries.stream().filter(p -> !p.isBlank()).map(p -> {
            try {
                return io.mamori.core.network.Cidr.parse(p.strip());
            } catch (IllegalArgumentException e) {
                InvalidSetting invalid = new InvalidSetting(key, p, "CIDR 表記の IP ネットワークにしてください（例: 192.0.2.0/24、"
                        + "2001:db8::/32）", "must be IP networks in CIDR notation, e.g. 192.0.2.0/24 or 2001:db8::/32");
                invalid.initCause(e);
                throw invalid;
            }
        }).toList();
    }

    /** {@code amount} (the setting's {@code value} as a number) within {@code min..max}, worded as given. */
    private static void between(String key, Object value, long amount, long min, long max, String rangeJa, String rangeEn) {
        if (amount < min || amount > max) {
            throw new InvalidSetting(key, value, rangeJa + " にしてください", "must be " + rangeEn);
        }
    }

    private static void atLeastOne(String key, long value) {
        if (value < 1) {
            throw new InvalidSetting(key, value, "1 以上にしてください", "must be at least 1");
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidSetting(key, value, "0 より長くしてください", "must be longer than 0");
        }
    }

    /** A port a listener can bind: 1 to 65535, or 0 for any free one. */
    private static void port(String key, int value) {
        if (value < 0 || value > 65535) {
            throw new InvalidSetting(key, value, "0〜65535 にしてください（0 は空いているポート）",
                    "must be 0 to 65535 (0: any free port)");
        }
    }

    /** Domains whose ARC seals are trusted (mail forwarded by them must not fail DMARC). */
    public record SenderAuth(List<String> trustedArcSealers) {
        public SenderAuth {
            trustedArcSealers = trustedArcSealers == null ? List.of() : List.copyOf(trustedArcSealers);
        }
    }

    public record PolicySettings(Path file, Duration reloadInterval) {
    }

    /** Empty {@code url} means the embedded H2 database under the data directory. */
    public record Db(String url, String user, String password, int poolSize) {
        public Db {
            String lower = url == null ? "" : url.strip().toLowerCase(java.util.Locale.ROOT);
            if (!lower.isEmpty() && !lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:postgresql:")) {
                throw new InvalidSetting("mamori.db.url", url, "jdbc:postgresql:… か jdbc:h2:… にしてください（空なら組み込みの H2）",
                        "must be jdbc:postgresql:… or jdbc:h2:… (empty: the embedded H2 database)");
            }
        }

        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Smtp(
            Listener inbound,
            Listener outbound,
            DataSize maxMessageSize,
            int maxRecipients,
            int maxLineLength,
            Duration commandTimeout,
            Duration dataTimeout,
            int maxConnections,
            int maxConnectionsPerIp) {
        public Smtp {
            // the ranges ListenerConfig enforces when the listeners start, checked here with the setting's name
            if (maxMessageSize != null) {
                between("mamori.smtp.max-message-size", maxMessageSize, maxMessageSize.toBytes(), 1024, Integer.MAX_VALUE,
                        "1KB〜2047MB", "1KB to 2047MB");
            }
            between("mamori.smtp.max-recipients", maxRecipients, maxRecipients, 1, 100_000, "1〜100000", "1 to 100000");
            between("mamori.smtp.max-line-length", maxLineLength, maxLineLength, 1000, 1_000_000, "1000〜1000000",
                    "1000 to 1000000");
            if (commandTimeout != null) {
                positive("mamori.smtp.command-timeout", commandTimeout);
            }
            if (dataTimeout != null) {
                positive("mamori.smtp.data-timeout", dataTimeout);
            }
            between("mamori.smtp.max-connections", maxConnections, maxConnections, 1, 100_000, "1〜100000", "1 to 100000");
            between("mamori.smtp.max-connections-per-ip", maxConnectionsPerIp, maxConnectionsPerIp, 1,
                    Math.max(1, maxConnections), "1〜mamori.smtp.max-connections", "1 to mamori.smtp.max-connections");
            if (inbound != null) {
                port("mamori.smtp.inbound.port", inbound.port());
                networks("mamori.smtp.inbound.trusted-networks", inbound.trustedNetworks());
            }
            if (outbound != null) {
                port("mamori.smtp.outbound.port", outbound.port());
                networks("mamori.smtp.outbound.trusted-networks", outbound.trustedNetworks()).stream()
                        .filter(n -> n.prefixLength() == 0).findFirst().ifPresent(n -> {
                            throw new InvalidSetting("mamori.smtp.outbound.trusted-networks", n.network().getHostAddress() + "/0",
                                    "すべてのアドレスを信頼するとオープンリレーになります", "would trust every address: an open relay");
                        });
            }
        }
    }

    public record Listener(String bind, int port, List<String> trustedNetworks) {
        public Listener {
            trustedNetworks = trustedNetworks == null ? List.of() : List.copyOf(trustedNetworks);
        }
    }

    /** PEM certificate chain and private key; both empty means a self-signed certificate under the data dir. */
    public record Tls(Path certificate, Path privateKey) {
    }

    /**
     * Where accepted mail goes, and how its TLS is checked.
     *
     * @param trustStore a PEM file of the certificates (a private CA's) that verified TLS accepts instead of the JDK's
     *                   trust store, for a next hop with a certificate of its own; {@code null}: the JDK's
     * @param mxAllowPrivate whether direct MX delivery also goes to MX hosts at private addresses (RFC 1918, fc00::/7
     *                   …), for partners reached through a VPN with its own DNS; never to loopback, link-local or this
     *                   gateway's own addresses (default, and when empty, false: see
     *                   {@link io.mamori.gateway.delivery.MxAddressPolicy})
     */
    public record Relay(Route inbound, Route outbound, List<String> requireTlsDomains, Path trustStore,
            Boolean mxAllowPrivate) {
        public Relay {
            mxAllowPrivate = Boolean.TRUE.equals(mxAllowPrivate);
            inbound = inbound == null ? new Route(null, null, null) : inbound;
            outbound = outbound == null ? new Route(null, null, null) : outbound;
            requireTlsDomains = requireTlsDomains == null ? List.of() : List.copyOf(requireTlsDomains);
            if (inbound.nextHop() != null && !inbound.nextHop().isBlank()) {
                hostAndPort("mamori.relay.inbound.next-hop", inbound.nextHop().trim());
            }
            if (outbound.nextHop() != null && !outbound.nextHop().isBlank()) {
                hostAndPort("mamori.relay.outbound.next-hop", outbound.nextHop().trim());
            }
            inbound.tlsPolicy("mamori.relay.inbound.tls");
            outbound.tlsPolicy("mamori.relay.outbound.tls");
            if (inbound.verifiesRecipients() && !inbound.routed()) {
                throw new InvalidSetting("mamori.relay.inbound.verify-recipients", true,
                        "受信者を確認する転送先がありません（mamori.relay.inbound.next-hop を設定してください）",
                        "needs mamori.relay.inbound.next-hop: it is the next hop that is asked");
            }
            if (outbound.verifiesRecipients()) {
                throw new InvalidSetting("mamori.relay.outbound.verify-recipients", true,
                        "受信者の確認は受信（MX）側だけの設定です", "applies to inbound mail only");
            }
            if (trustStore != null && trustStore.toString().isBlank()) {
                trustStore = null;
            }
        }
    }

    /**
     * One way out.
     *
     * @param nextHop {@code host:port}; empty means direct MX delivery (outbound only)
     * @param tls     {@code required} (STARTTLS with a certificate that the trust store accepts and that names the
     *                host, else nothing is sent and the attempt is retried) or {@code opportunistic} (STARTTLS when
     *                offered, certificate unchecked, else plain text: RFC 7435); empty: required towards a next hop
     *                (Microsoft 365, Google Workspace, a smart host: services with certificates), opportunistic for
     *                direct MX delivery, as the internet's MX hosts are
     * @param verifyRecipients inbound only: ask the next hop at RCPT whether it takes each address, and refuse those it
     *                refuses (550 5.1.1), so mail for addresses that do not exist is never taken and bounced to a
     *                possibly forged sender; the next hop's failures let mail in (default false)
     */
    public record Route(String nextHop, String tls, Boolean verifyRecipients) {

        public boolean verifiesRecipients() {
            return Boolean.TRUE.equals(verifyRecipients);
        }

        /** Whether mail goes to a configured next hop rather than to the recipients' MX hosts. */
        public boolean routed() {
            return nextHop != null && !nextHop.isBlank();
        }

        /** The TLS policy in force; {@code key} names the setting in an error. */
        io.mamori.gateway.delivery.TlsPolicy tlsPolicy(String key) {
            if (tls == null || tls.isBlank()) {
                return routed() ? io.mamori.gateway.delivery.TlsPolicy.REQUIRED
                        : io.mamori.gateway.delivery.TlsPolicy.OPPORTUNISTIC;
            }
            return switch (tls.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "required" -> io.mamori.gateway.delivery.TlsPolicy.REQUIRED;
                case "opportunistic" -> io.mamori.gateway.delivery.TlsPolicy.OPPORTUNISTIC;
                default -> throw new InvalidSetting(key, tls, "required か opportunistic にしてください",
                        "must be required or opportunistic");
            };
        }
    }

    public record Delivery(int workers, Duration maxLifetime, Duration pollInterval, Duration retryInitial,
            Duration retryMax) {
    }

    /**
     * The inbound analysis ({@code mamori.analysis.*}).
     *
     * @param contentModel       the content classifier's model file ({@code mamori learn} writes one); empty: the
     *                           gateway's own, {@code content-model.tsv} in the data directory, which analysts'
     *                           decisions teach (the offline commands use only a file named here or by --model)
     * @param learnFromDecisions whether releases and deletions of held and quarantined inbound mail teach the model
     */
    public record Analysis(Duration budget, int threads, String contentModel, Boolean learnFromDecisions,
            String rarUnpacker) {
        public Analysis {
            contentModel = contentModel == null ? "" : contentModel.trim();
            rarUnpacker = rarUnpacker == null ? "" : rarUnpacker.trim();
            learnFromDecisions = learnFromDecisions == null || learnFromDecisions;
        }

        /** The gateway's model file: the one named, or {@code content-model.tsv} in the data directory. */
        public Path contentModelFile(Path dataDir) {
            return contentModel.isEmpty() ? dataDir.resolve("content-model.tsv") : Path.of(contentModel);
        }

        /**
         * The content model in force, read again when its file changes: the file named (it must be readable); else,
         * for the gateway ({@code ownModelDir}: its data directory), its own {@code content-model.tsv} there, none until
         * analysts' decisions or {@code mamori learn} write it; else (the offline commands, {@code null}) none.
         */
        public java.util.function.Supplier<io.mamori.core.classifier.ContentModel> contentModelSupplier(Path ownModelDir) {
            if (contentModel.isEmpty() && ownModelDir == null) {
                return () -> io.mamori.core.classifier.ContentModel.EMPTY;
            }
            Path file = contentModelFile(ownModelDir);
            try {
                return contentModel.isEmpty() ? io.mamori.core.classifier.ContentModelFile.optional(file, java.time.Clock.systemUTC())
                        : new io.mamori.core.classifier.ContentModelFile(file, java.time.Clock.systemUTC());
            } catch (java.io.IOException | RuntimeException e) {
                // the file that the setting (or, when it is empty, the data directory) names
                InvalidSetting invalid = new InvalidSetting("mamori.analysis.content-model", file,
                        "本文分類器のモデルとして読めません: " + e.getMessage(), "cannot read the content model: " + e.getMessage());
                invalid.initCause(e);
                throw invalid;
            }
        }
    }

    /**
     * The message store ({@code mamori.store.*}).
     *
     * @param maxBatch    most messages committed in one transaction (group commit)
     * @param batchWindow how long a commit waits for others to join its transaction (0: only those already waiting)
     * @param inlineLimit messages up to this size are stored encrypted in the database, larger ones in files
     */
    public record Store(int maxBatch, Duration batchWindow, DataSize inlineLimit) {
        public Store {
            // the limits of JdbcMessageStore.Settings, named by their keys
            atLeastOne("mamori.store.max-batch", maxBatch);
            batchWindow = batchWindow == null ? Duration.ZERO : batchWindow;
            inlineLimit = inlineLimit == null ? DataSize.ofKilobytes(128) : inlineLimit;
            if (batchWindow.isNegative() || batchWindow.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new InvalidSetting("mamori.store.batch-window", batchWindow, "0〜1s にしてください", "must be 0 to 1s");
            }
            if (inlineLimit.isNegative() || inlineLimit.toBytes() > 512 * 1024) {
                throw new InvalidSetting("mamori.store.inline-limit", inlineLimit, "0〜512KB にしてください",
                        "must be 0 to 512KB");
            }
        }
    }

    public String effectiveHostname() {
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
