package io.mamori.app;

import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.notice.NoticeTemplateException;
import io.mamori.console.notice.NoticeTemplates;
import io.mamori.console.notice.Notices;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.lists.ListService;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.core.contact.SenderHistory;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListFile;
import io.mamori.core.lists.ListFileWatcher;
import io.mamori.core.lists.ListStore;
import io.mamori.gateway.contact.ContactRecorder;
import io.mamori.gateway.contact.JdbcSenderHistory;
import io.mamori.gateway.lists.JdbcListStore;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.AnalyzerPool;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.network.Cidr;
import io.mamori.core.malware.MalwareScanner;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.policy.PolicyWatcher;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.malware.EngineStatus;
import io.mamori.core.reputation.BlocklistStatus;
import io.mamori.core.reputation.DnsBlocklistAnalyzer;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import io.mamori.gateway.dns.DnsjavaResolver;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.gateway.store.JdbcMessageStore;
import io.mamori.core.verdict.MessageRewriter;
import io.mamori.gateway.auth.AppPasswords;
import io.mamori.gateway.clamd.ClamdScanner;
import io.mamori.gateway.delivery.DeliveryRoutes;
import io.mamori.gateway.delivery.DeliveryService;
import io.mamori.gateway.delivery.DeliverySettings;
import io.mamori.gateway.delivery.DnsjavaMxResolver;
import io.mamori.gateway.delivery.MxAddressPolicy;
import io.mamori.gateway.delivery.DsnWriter;
import io.mamori.gateway.delivery.HostAndPort;
import io.mamori.gateway.delivery.NextHopRecipients;
import io.mamori.gateway.delivery.RetrySchedule;
import io.mamori.gateway.delivery.RouteConfig;
import io.mamori.gateway.delivery.SmtpClient;
import io.mamori.gateway.delivery.SmtpTimeouts;
import io.mamori.gateway.delivery.TlsPolicy;
import io.mamori.gateway.receive.ReceptionPipeline;
import io.mamori.gateway.smtp.ListenerConfig;
import io.mamori.gateway.smtp.RecipientCheck;
import io.mamori.gateway.smtp.SmtpListener;
import io.mamori.gateway.tls.ServerTls;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the gateway's parts from {@link MamoriProperties}. Every part is a plain object; Spring only assembles. */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    FindingCatalogue findingCatalogue() {
        return FindingCatalogue.builtIn();
    }

    /** A missing policy file is created from the built-in default so that it can be edited (and hot-reloaded). */
    @Bean
    PolicyHolder policyHolder(MamoriProperties settings, FindingCatalogue catalogue) throws IOException, PolicyException {
        Path file = settings.policy().file();
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            try (InputStream in = PolicyLoader.class.getResourceAsStream("default-policy.yaml")) {
                Files.copy(in, file);
            }
            LOG.info("created {} from the built-in default policy; edit it to list your internal domains", file);
        }
        return new PolicyHolder(new PolicyLoader(catalogue), file);
    }

    @Bean(destroyMethod = "close")
    PolicyWatcher policyWatcher(PolicyHolder holder, MamoriProperties settings) {
        return PolicyWatcher.start(holder, settings.policy().reloadInterval());
    }

    /**
     * The list file named by the policy in force ({@code lists.file}, relative to the policy file), hot-reloaded
     * like the policy; a bad file at start refuses to start.
     */
    @Bean(destroyMethod = "close")
    ListFileWatcher listFileWatcher(PolicyHolder holder, MamoriProperties settings) throws ListFile.Invalid {
        return new ListFileWatcher(() -> holder.current().lists().file().map(f -> ListFile.resolve(holder.file(), f)))
                .start(settings.policy().reloadInterval());
    }

    /** Database allow/block entries; other nodes' changes apply within {@link #LIST_REFRESH}. */
    @Bean
    JdbcListStore listStore(LocalStore local, Clock clock) {
        return new JdbcListStore(local.dataSource(), clock, LIST_REFRESH);
    }

    static final Duration LIST_REFRESH = Duration.ofSeconds(10);

    @Bean(destroyMethod = "close")
    JdbcSenderHistory senderHistory(LocalStore local) {
        return new JdbcSenderHistory(local.dataSource(), Duration.ofSeconds(1));
    }

    @Bean
    ReleaseRequests releaseRequests(LocalStore local, Clock clock) {
        return new ReleaseRequests(local.dataSource(), clock);
    }

    /** What analysts' releases and deletions teach the content classifier (mamori.analysis.learn-from-decisions). */
    @Bean(destroyMethod = "close")
    io.mamori.core.classifier.ContentLearner contentLearner(MessageStore store, MamoriProperties settings) throws IOException {
        return new io.mamori.core.classifier.ContentLearner(store,
                settings.analysis().contentModelFile(settings.dataDir()));
    }

    @Bean
    QuarantineService quarantineService(JdbcMessageStore store, ReleaseRequests requests, FindingCatalogue catalogue,
            AuditTrail audit, Clock clock, MamoriProperties settings, io.mamori.core.classifier.ContentLearner learner) {
        return new QuarantineService(store, requests, catalogue, audit, clock,
                settings.analysis().learnFromDecisions() ? learner : io.mamori.core.classifier.DecisionLearning.NONE);
    }

    @Bean
    ListService listService(JdbcListStore store, PolicyHolder policy, ListFileWatcher file, AuditTrail audit, Clock clock) {
        return new ListService(store, () -> policy.current().lists().entries(), file, audit, clock);
    }

    @Bean(destroyMethod = "close")
    LocalStore localStore(MamoriProperties settings, Clock clock) throws IOException {
        return LocalStore.open(settings, clock);
    }

    @Bean
    JdbcMessageStore messageStore(LocalStore local) {
        return local.store();
    }

    /** The tamper-evident audit log (also injected as {@link io.mamori.console.audit.AuditTrail}). */
    @Bean
    JdbcAuditTrail auditTrail(LocalStore local) {
        return local.audit();
    }

    /** Notice templates; an invalid or misnamed file in the templates directory refuses the start and says why. */
    @Bean
    NoticeTemplates noticeTemplates(MamoriProperties settings) throws IOException {
        NoticeTemplates templates = new NoticeTemplates(settings.notices().templatesDir());
        try {
            templates.checkAll();
        } catch (NoticeTemplateException e) {
            throw new IllegalStateException("mamori.notices.templates-dir: invalid notice template(s):\n" + e.getMessage(), e);
        }
        return templates;
    }

    @Bean
    Notices notices(MessageStore store, NoticeTemplates templates, PolicyHolder policy, MamoriProperties settings, Clock clock) {
        if (settings.notices().setupUrl().isEmpty()) {
            LOG.info("mamori.notices.setup-url is not set: MFA reminders cannot be sent until it is");
        }
        return new Notices(store, templates, policy::current, noticeSettings(settings), clock);
    }

    static Notices.Settings noticeSettings(MamoriProperties settings) {
        return new Notices.Settings(settings.notices().from(), settings.notices().setupUrl(), settings.effectiveHostname(),
                ZoneId.systemDefault());
    }

    @Bean(destroyMethod = "close")
    AnalyzerPool analyzerPool(MamoriProperties settings, MeterRegistry meters) {
        int threads = Math.max(2, settings.analysis().threads());
        // Bounded, and large enough for every session's analyzers at once (sessions × analyzers); a task the queue
        // cannot take is refused, which the pipeline reports as ANALYZER_NOT_RUN. Up to as many threads again stand in
        // for analyzer runs stuck past their budget (AnalyzerPool).
        int capacity = Math.max(4096, settings.smtp().maxConnections() * 2 * 16);
        AnalyzerPool pool = new AnalyzerPool("mamori-analyzer", threads, capacity, threads);
        Gauge.builder("mamori.analyzer.overrunning", pool, AnalyzerPool::overrunning)
                .description("analyzer runs still going after their time budget (a stuck parser uses a core until it returns)")
                .register(meters);
        FunctionCounter.builder("mamori.analyzer.overruns", pool, AnalyzerPool::overruns)
                .description("analyzer runs that went on after their time budget").register(meters);
        return pool;
    }

    @Bean
    PolicyEngine policyEngine(FindingCatalogue catalogue) {
        return new PolicyEngine(catalogue);
    }

    @Bean
    MessageScanner messageScanner(FindingCatalogue catalogue, PolicyEngine engine, PolicyHolder policy,
            AnalyzerPool analyzerPool, MamoriProperties settings, ListFileWatcher listFile, JdbcListStore listStore,
            JdbcSenderHistory history, DnsjavaResolver resolver, BlocklistStatus blocklists, EngineStatus antivirus,
            MeterRegistry meters) {
        AnalysisPipeline pipeline = new AnalysisPipeline(Analyzers.shipped(analyzerPorts(settings, policy::current, listFile,
                listStore, Optional.of(history), resolver, settings.analysis().contentModelSupplier(settings.dataDir()),
                new Watchers(blocklistObserver(blocklists, meters), antivirus::watching))),
                catalogue, settings.analysis().budget(), analyzerPool);
        Path temp = settings.dataDir().resolve("spool");
        try {
            Files.createDirectories(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + temp, e);
        }
        return new MessageScanner(new MessageParser(parseLimits(settings.smtp()), temp), pipeline, engine, policy::current);
    }

    /**
     * The parser's limits for received mail: the attachment contents it keeps for the analyzers cover every message the
     * listeners accept (decoded content is never larger than the message), or a sender could put a filler attachment
     * over the budget first and leave the parts after it (an archive with a program) unread, their entry names
     * unchecked. Kept parts beyond a little heap go to encrypted temporary files, so the budget is disk, not memory.
     */
    static ParseLimits parseLimits(MamoriProperties.Smtp smtp) {
        long messages = smtp.maxMessageSize() == null ? 0 : smtp.maxMessageSize().toBytes();
        return ParseLimits.defaults().withMaxAttachmentBytes(Math.max(ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES, messages));
    }

    /**
     * Who hears what the services outside answer the analyzers: in the running gateway the block lists' and the
     * antivirus engine's status (dashboard, log) and metrics; offline, no one.
     *
     * @param blocklists told of each block list answer
     * @param antivirus  puts a watcher between the antivirus analyzer and the engine
     */
    record Watchers(DnsBlocklistAnalyzer.Observer blocklists, UnaryOperator<MalwareScanner> antivirus) {
        static final Watchers NONE = new Watchers(DnsBlocklistAnalyzer.Observer.NONE, UnaryOperator.identity());
    }

    /**
     * Whether the antivirus engine has been answering: the dashboard shows it, the log warns when it stops, and
     * {@code mamori.antivirus.scans{outcome=clean|infected|unscannable|unavailable}} counts its answers.
     */
    @Bean
    EngineStatus antivirusStatus(Clock clock, MeterRegistry meters) {
        return new EngineStatus(clock, outcome -> Counter.builder("mamori.antivirus.scans")
                .description("files the antivirus engine was asked to scan, by its answer")
                .tag("outcome", outcome instanceof MalwareScanner.Clean ? "clean"
                        : outcome instanceof MalwareScanner.Infected ? "infected"
                        : outcome instanceof MalwareScanner.Unavailable ? "unavailable" : "unscannable")
                .register(meters).increment());
    }

    /** What the block lists have been answering: the console (dashboard, policy page), GET /api/v1/status and the log. */
    @Bean
    BlocklistStatus blocklistStatus(Clock clock) {
        return new BlocklistStatus(clock);
    }

    /**
     * The block lists' answers into {@code status} and the counter {@code mamori.blocklists.answers{zone, list=ip|domain,
     * outcome=listed|not_listed|error_code|no_answer}} (zones without their key).
     */
    static DnsBlocklistAnalyzer.Observer blocklistObserver(BlocklistStatus status, MeterRegistry meters) {
        return (zone, ip, outcome) -> {
            status.answered(zone, ip, outcome);
            Counter.builder("mamori.blocklists.answers").description("answers of the DNS block lists, by what they said")
                    .tag("zone", zone).tag("list", ip ? "ip" : "domain")
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(meters).increment();
        };
    }

    /**
     * The gateway's one resolver ({@code mamori.dns.server}, else the system's): the analyzers, the console's block
     * list check and the start-up report ask through it and share its answer cache.
     */
    @Bean
    DnsjavaResolver gatewayResolver(MamoriProperties settings) {
        return resolver(settings.dns().serverAddress(), settings.dns().timeout());
    }

    /** A resolver as the gateway's: the one at {@code server}, or the system's resolvers when none is set. */
    static DnsjavaResolver resolver(Optional<java.net.InetSocketAddress> server, Duration timeout) {
        Clock clock = Clock.systemUTC();
        return server.map(s -> DnsjavaResolver.usingServer(s, timeout, clock))
                .orElseGet(() -> DnsjavaResolver.usingSystemResolvers(timeout, clock));
    }

    /**
     * DNS and sender-authentication settings for the shipped analyzers, with the resolver and content model the caller
     * chose: the gateway its resolver and the data directory's model, the offline commands their --dns and --model.
     */
    static Analyzers.Ports analyzerPorts(MamoriProperties settings, Supplier<Policy> policy, Supplier<List<ListEntry>> listFile,
            ListStore listStore, Optional<SenderHistory> history, DnsResolver resolver,
            Supplier<io.mamori.core.classifier.ContentModel> contentModel, Watchers watchers) {
        Clock clock = Clock.systemUTC();
        // the attachment walks of every analyzer unpack compressed RAR archives with the process's unpacker
        io.mamori.core.attachment.RarUnpacker.configure(settings.analysis().rarUnpacker());
        // DNS may take four fifths of the analyzer's budget: the evaluation then decides with what it has in time
        SenderAuthSettings auth = new SenderAuthSettings(Set.copyOf(settings.auth().trustedArcSealers()),
                settings.analysis().budget().multipliedBy(4).dividedBy(5));
        MamoriProperties.Antivirus av = settings.antivirus();
        Optional<MalwareScanner> malware = Optional.empty();
        if (av.configured()) {
            malware = Optional.of(watchers.antivirus().apply(clamd(av, av.timeout())));
        }
        return new Analyzers.Ports(resolver, auth, clock, malware, policy, listFile, listStore, history, contentModel,
                settings.dns().blocklistKeyValue(), watchers.blocklists());
    }

    /** The configured clamd ({@code mamori.antivirus.clamd}): 2 s to connect, {@code answerWithin} to answer. */
    static ClamdScanner clamd(MamoriProperties.Antivirus av, Duration answerWithin) {
        HostAndPort clamd = MamoriProperties.hostAndPort("mamori.antivirus.clamd", av.clamd().trim());
        return new ClamdScanner(clamd.host(), clamd.port(), Duration.ofSeconds(2), answerWithin, av.maxStreamSize().toBytes());
    }

    /**
     * Where quarantined messages are analyzed again with the passwords of a later mail (PPAP's パスワード別送): one
     * thread, off the SMTP sessions', with a bounded queue; a password mail that finds it full is logged and its
     * message stays quarantined for an analyst.
     */
    @Bean(destroyMethod = "shutdownNow")
    ThreadPoolExecutor passwordMailExecutor() {
        return new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(100), r -> {
            Thread t = new Thread(r, "mamori-password-mail");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Bean
    ReceptionPipeline receptionPipeline(JdbcMessageStore store, MessageScanner scanner, PolicyEngine engine,
            PolicyHolder policy, FindingCatalogue catalogue, MamoriProperties settings, Clock clock, MeterRegistry meters,
            JdbcSenderHistory history, ThreadPoolExecutor passwordMailExecutor, ReleaseRequests releaseRequests) {
        // Big bodies of a message being rewritten spill (encrypted) next to the spool, like the parser's.
        return new ReceptionPipeline(store, scanner, engine, policy::current, catalogue,
                new MessageRewriter(settings.dataDir().resolve("spool")), settings.effectiveHostname(), clock, meters,
                new ContactRecorder(history, policy::current), passwordMailExecutor, releaseRequests);
    }

    @Bean
    ServerTls serverTls(MamoriProperties settings, Clock clock) {
        MamoriProperties.Tls tls = settings.tls();
        if (tls.certificate() != null && tls.privateKey() != null) {
            return ServerTls.fromPem(tls.certificate(), tls.privateKey());
        }
        return ServerTls.selfSigned(settings.dataDir().resolve("tls"), settings.effectiveHostname(), clock);
    }

    @Bean
    AppPasswords appPasswords(LocalStore local, Clock clock) {
        return new AppPasswords(local.dataSource(), clock);
    }

    @Bean(destroyMethod = "close")
    Listeners listeners(MamoriProperties settings, ServerTls tls, ReceptionPipeline receiver, PolicyHolder policy,
            AppPasswords passwords, Clock clock, MeterRegistry meters) throws IOException {
        RecipientCheck recipients = settings.relay().inbound().verifiesRecipients()
                ? new NextHopRecipients(routes(settings.relay()), relayClient(settings.relay()), settings.effectiveHostname(),
                        clock, meters)
                : RecipientCheck.ACCEPT_ALL;
        SmtpCredentialsLogFilter.install();
        SmtpListener inbound = new SmtpListener(listenerConfig(settings, Direction.INBOUND), tls, receiver,
                domain -> policy.current().isInternal(domain), recipients, passwords, clock, meters);
        SmtpListener outbound = new SmtpListener(listenerConfig(settings, Direction.OUTBOUND), tls, receiver,
                domain -> policy.current().isInternal(domain), passwords, clock, meters);
        inbound.start();
        try {
            outbound.start();
        } catch (RuntimeException e) {
            inbound.close();
            throw e;
        }
        return new Listeners(inbound, outbound);
    }

    private static ListenerConfig listenerConfig(MamoriProperties settings, Direction role) throws IOException {
        MamoriProperties.Smtp smtp = settings.smtp();
        MamoriProperties.Listener l = role == Direction.INBOUND ? smtp.inbound() : smtp.outbound();
        return ListenerConfig.defaults(role, InetAddress.getByName(l.bind()), l.port(), settings.effectiveHostname())
                .withMaxMessageSize(smtp.maxMessageSize().toBytes())
                .withMaxRecipients(smtp.maxRecipients())
                .withMaxLineLength(smtp.maxLineLength())
                .withTimeouts(smtp.commandTimeout(), smtp.dataTimeout())
                .withConnectionLimits(smtp.maxConnections(), smtp.maxConnectionsPerIp())
                .withTrustedNetworks(l.trustedNetworks().stream().map(Cidr::parse).toList());
    }

    @Bean(destroyMethod = "close")
    DeliveryService deliveryService(MessageStore store, MamoriProperties settings, Clock clock, MeterRegistry meters)
            throws IOException {
        DeliveryRoutes routes = routes(settings.relay());
        if (!routes.inboundRouted()) {
            LOG.warn("mamori.relay.inbound.next-hop is not set: inbound mail is accepted and queued until it is");
        }
        MamoriProperties.Delivery d = settings.delivery();
        RetrySchedule retry = new RetrySchedule(d.retryInitial(), 2.0, d.retryMax(), 0.1, d.maxLifetime(), clock,
                new java.security.SecureRandom());
        String helo = settings.effectiveHostname();
        MamoriProperties.Dns dns = settings.dns();
        MxAddressPolicy mxAddresses = mxAddressPolicy(settings);
        DnsjavaMxResolver mx = dns.serverAddress()
                .map(server -> DnsjavaMxResolver.usingServer(server, dns.timeout(), mxAddresses))
                .orElseGet(() -> DnsjavaMxResolver.usingSystemResolvers(dns.timeout(), mxAddresses));
        DeliveryService service = new DeliveryService(store, routes, mx,
                relayClient(settings.relay(), settings.dataDir().resolve("spool")), retry, new DsnWriter(helo, clock, ZoneId.systemDefault()),
                new DeliverySettings(d.workers(), d.pollInterval(), Duration.ofMinutes(30), 8, helo), clock, meters);
        service.start();
        return service;
    }

    /**
     * The addresses direct MX delivery may go to: never loopback, link-local … nor the addresses the SMTP listeners
     * answer on (RFC 5321 §5.1: an MX list that points back at this gateway), private ones as
     * {@code mamori.relay.mx-allow-private} says.
     */
    static MxAddressPolicy mxAddressPolicy(MamoriProperties settings) throws IOException {
        MamoriProperties.Smtp smtp = settings.smtp();
        List<InetAddress> bound = List.of(InetAddress.getByName(smtp.inbound().bind()),
                InetAddress.getByName(smtp.outbound().bind()));
        return new MxAddressPolicy(settings.relay().mxAllowPrivate(), false, MxAddressPolicy.listeningOn(bound));
    }

    /**
     * The two ways out: each to its next hop, or (outbound without one) to the recipients' MX hosts, with the TLS
     * policy of its {@code mamori.relay.*.tls} (verified towards a next hop unless set otherwise) and verified TLS for
     * the domains of {@code mamori.relay.require-tls-domains}.
     */
    static DeliveryRoutes routes(MamoriProperties.Relay relay) {
        Map<String, TlsPolicy> requireTls = new LinkedHashMap<>();
        relay.requireTlsDomains().forEach(d -> requireTls.put(d, TlsPolicy.REQUIRED));
        return new DeliveryRoutes(
                new RouteConfig(Direction.INBOUND, hop("mamori.relay.inbound.next-hop", relay.inbound()), requireTls,
                        relay.inbound().tlsPolicy("mamori.relay.inbound.tls")),
                new RouteConfig(Direction.OUTBOUND, hop("mamori.relay.outbound.next-hop", relay.outbound()), requireTls,
                        relay.outbound().tlsPolicy("mamori.relay.outbound.tls")));
    }

    /** The delivery client: verified TLS against the JDK's trust store, or the certificates of the relay's own. */
    static SmtpClient relayClient(MamoriProperties.Relay relay) {
        return relayClient(relay, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As above; a message converted to 7 bit for a host without 8BITMIME is held (encrypted) in {@code scratch}. */
    static SmtpClient relayClient(MamoriProperties.Relay relay, java.nio.file.Path scratch) {
        javax.net.ssl.SSLContext trust = relay.trustStore() == null ? SmtpClient.defaultContext()
                : SmtpClient.trusting(pemTrustStore(relay.trustStore()));
        return new SmtpClient(SmtpTimeouts.defaults(), trust, scratch);
    }

    /** The certificates of a PEM file as a trust store; an unreadable or empty file is an {@link InvalidSetting}. */
    static java.security.KeyStore pemTrustStore(java.nio.file.Path file) {
        String key = "mamori.relay.trust-store";
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.util.Collection<? extends java.security.cert.Certificate> certificates =
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new InvalidSetting(key, file, "PEM 形式の証明書がありません", "holds no PEM certificate");
            }
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate certificate : certificates) {
                store.setCertificateEntry("trusted-" + i++, certificate);
            }
            return store;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            InvalidSetting invalid = new InvalidSetting(key, file, "証明書ファイルを読めません: " + e.getMessage(),
                    "cannot read the certificates: " + e.getMessage());
            invalid.initCause(e);
            throw invalid;
        }
    }

    private static Optional<HostAndPort> hop(String key, MamoriProperties.Route route) {
        return route == null || route.nextHop() == null || route.nextHop().isBlank()
                ? Optional.empty() : Optional.of(MamoriProperties.hostAndPort(key, route.nextHop().trim()));
    }

    @Bean
    QueueGauges queueGauges(MessageStore store, MeterRegistry meters) {
        return new QueueGauges(store, meters);
    }

    /** Queue depth per waiting state; one query per scrape, cached briefly so several gauges share it. */
    static final class QueueGauges {
        private final MessageStore store;
        private volatile long fetchedAt;
        private volatile Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);

        QueueGauges(MessageStore store, MeterRegistry meters) {
            this.store = store;
            for (MessageState s : new MessageState[] {MessageState.QUEUED, MessageState.HELD, MessageState.QUARANTINED}) {
                Gauge.builder("mamori.queue.depth", () -> count(s)).tag("state", s.name()).register(meters);
            }
        }

        private double count(MessageState state) {
            long now = System.nanoTime();
            if (now - fetchedAt > 1_000_000_000L) {
                counts = store.countByState();
                fetchedAt = now;
            }
            return counts.getOrDefault(state, 0L);
        }
    }

    /** The two SMTP listeners, started; closed on shutdown. */
    record Listeners(SmtpListener inbound, SmtpListener outbound) implements AutoCloseable {
        @Override
        public void close() {
            inbound.close();
            outbound.close();
        }
    }
}
