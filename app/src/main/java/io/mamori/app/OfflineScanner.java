package io.mamori.app;

import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.AnalyzerPool;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListFile;
import io.mamori.core.lists.ListStore;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import io.mamori.gateway.dns.DnsjavaResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.field.DateTimeField;
import org.apache.james.mime4j.field.DateTimeFieldLenientImpl;
import org.apache.james.mime4j.stream.RawField;

/**
 * The scanner the offline commands use: same parser, analyzers and policy engine as the gateway, no Spring.
 *
 * <p>DNS: the offline commands never fall back to the system's resolvers (which would send look-ups for every
 * sender domain of a corpus to the internet). They ask the resolver given with {@code --dns} or configured as
 * {@code mamori.dns.server}; with neither, every DNS question is answered as a temporary error, so sender
 * authentication reports {@code AUTH_TEMPFAIL} (weight 0) instead of guessing.
 *
 * <p>What needs the gateway's database or the SMTP session is not evaluated offline, and the commands say so:
 * {@code FIRST_CONTACT} (there is no sender history, and building one from the scanned files would make their order
 * decide the result), {@code OWN_DOMAIN_UNAUTHENTICATED} (a stored message has no SMTP client address for SPF) and
 * the allow/block entries kept in the database (organisation-wide and per recipient). The policy's lists and its list
 * file do apply.
 */
final class OfflineScanner implements AutoCloseable {

    /** The resolver used when no DNS server is given: every answer is a temporary error, nothing leaves the machine. */
    static final DnsResolver NO_DNS = (name, type) -> new DnsAnswer.TempFail("offline: no DNS server configured");

    /**
     * The organisation of the policy {@code eval} uses when none is given: a reserved name (RFC 6761 {@code .invalid})
     * that no corpus message can come from or imitate, because a corpus was not sent to any organisation of ours.
     */
    static final String NEUTRAL_DOMAIN = "evaluation.invalid";

    /** Finding codes the offline scanner cannot produce. */
    static final List<String> NOT_EVALUATED = List.of("FIRST_CONTACT", "OWN_DOMAIN_UNAUTHENTICATED");
    static final String NOTE = "注: オフラインでは FIRST_CONTACT(初めての相手)と OWN_DOMAIN_UNAUTHENTICATED(自社ドメインの認証なし。"
            + "送信元サーバーのアドレスがありません)は評価せず、データベースの許可・拒否リスト"
            + "(組織全体・受信者ごと)も適用しません。ポリシーとリストファイルのリストは適用します。\n"
            + "Note: offline, FIRST_CONTACT is not evaluated (there is no sender history), nor OWN_DOMAIN_UNAUTHENTICATED"
            + " (the sending server's address is not known), and the allow/block entries kept"
            + " in the database (organisation-wide and per recipient) are not applied; the policy's lists and its list"
            + " file are.";

    private final AnalyzerPool pool;
    private final MessageScanner scanner;
    private final FindingCatalogue catalogue;
    private final String dnsDescription;
    private final Policy policy;

    private OfflineScanner(AnalyzerPool pool, MessageScanner scanner, FindingCatalogue catalogue,
            String dnsDescription, Policy policy) {
        this.pool = pool;
        this.scanner = scanner;
        this.catalogue = catalogue;
        this.dnsDescription = dnsDescription;
        this.policy = policy;
    }

    /** With the configured policy (or the built-in one) and the configured DNS server (or none). */
    static OfflineScanner open(Path policyFile) throws PolicyException {
        return open(policyFile, null, false);
    }

    /**
     * @param policyFile       policy file, or null for {@code mamori.policy.file} if it exists, else the built-in policy
     * @param dns              {@code host:port} of a resolver, {@code "offline"} for none, or null for
     *                         {@code mamori.dns.server} if set, else none
     * @param neutralByDefault when no policy file is given or configured, replace the built-in policy's example
     *                         organisation by {@link #NEUTRAL_DOMAIN}
     */
    static OfflineScanner open(Path policyFile, String dns, boolean neutralByDefault) throws PolicyException {
        return open(policyFile, dns, neutralByDefault, null);
    }

    /**
     * As {@link #open(Path, String, boolean)}, with the content model read from {@code modelFile} (null: the one of
     * {@code mamori.analysis.content-model}, else none); an unreadable model file is refused.
     */
    static OfflineScanner open(Path policyFile, String dns, boolean neutralByDefault, Path modelFile) throws PolicyException {
        MamoriProperties settings = Settings.load(List.of());
        java.util.function.Supplier<io.mamori.core.classifier.ContentModel> contentModel;
        if (modelFile != null) {
            try {
                io.mamori.core.classifier.ContentModel m = io.mamori.core.classifier.ContentModelFile.read(modelFile);
                contentModel = () -> m;
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalArgumentException("モデルファイル " + modelFile + " を読めません / cannot read the content model "
                        + modelFile + ": " + e.getMessage(), e);
            }
        } else {
            contentModel = settings.analysis().contentModelSupplier(null);
        }
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        PolicyLoader loader = new PolicyLoader(catalogue);
        Path file = policyFile != null ? policyFile : settings.policy().file();
        boolean fromFile = policyFile != null || Files.isRegularFile(file);
        Policy policy;
        if (fromFile) {
            policy = loader.load(file);
        } else {
            Policy builtIn = loader.defaults();
            policy = neutralByDefault ? withNeutralOrganisation(builtIn) : builtIn;
        }
        List<ListEntry> listFile = List.of();
        if (fromFile && policy.lists().file().isPresent()) {
            try {
                listFile = ListFile.read(ListFile.resolve(file, policy.lists().file().get()));
            } catch (ListFile.Invalid e) {
                throw new PolicyException(e.errors().stream().map(er -> new PolicyError(er.file(), Math.max(1, er.line()), 1,
                        "", er.message(), er.messageJa())).toList());
            }
        }
        List<ListEntry> fileEntries = listFile;
        Optional<InetSocketAddress> server = dns == null ? settings.dns().serverAddress()
                : dns.equalsIgnoreCase("offline") ? Optional.empty() : dnsOption(dns, settings);
        DnsResolver resolver = server.<DnsResolver>map(s -> DnsjavaResolver.usingServer(s, settings.dns().timeout(), Clock.systemUTC()))
                .orElse(NO_DNS);
        String dnsDescription = server.map(s -> "DNS server " + s.getHostString() + ":" + s.getPort())
                .orElse("no DNS (offline: sender authentication gives temporary errors, weight 0)");
        // Scanning files, analyzers wait on nothing but a local DNS answer now and then: more threads than about
        // two per core only add context switches (the gateway's pool is sized for sessions waiting on the network)
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = Math.max(2, Math.min(settings.analysis().threads(), 2 * cores));
        AnalyzerPool pool = new AnalyzerPool("mamori-analyzer", threads, 4096, threads);
        Policy chosen = policy;
        AnalysisPipeline pipeline = new AnalysisPipeline(Analyzers.shipped(GatewayConfiguration.analyzerPorts(settings,
                () -> chosen, () -> fileEntries, ListStore.NONE, Optional.empty(), resolver, contentModel,
                GatewayConfiguration.Watchers.NONE)), catalogue,
                settings.analysis().budget(), pool);
        MessageScanner scanner = new MessageScanner(MessageParser.offline(ParseLimits.defaults()), pipeline,
                new PolicyEngine(catalogue), () -> chosen);
        return new OfflineScanner(pool, scanner, catalogue, dnsDescription, chosen);
    }

    private static Policy withNeutralOrganisation(Policy p) {
        Policy.Organisation neutral = new Policy.Organisation("evaluation (no organisation)",
                List.of(new Policy.DomainPattern(NEUTRAL_DOMAIN, false)));
        return p.withOrganisation(neutral);
    }

    MessageScanner scanner() {
        return scanner;
    }

    /**
     * Scans a stored message as of when it arrived: the envelope's time becomes the date of the message's topmost
     * Received field (the one the receiving server added last), if that is earlier than the envelope's. Checks that
     * depend on the time (a DKIM signature's {@code x=} expiry) then judge the message as the gateway would have on
     * its arrival, not on the day of the scan: a signature that expired after the mail was delivered is not a defect
     * of the message. Without a readable Received date the envelope stays as given.
     */
    MessageScanner.ScanResult scan(Envelope envelope, InputStream in, RawMessage raw) throws IOException {
        ParsedMessage parsed = scanner.parse(in);
        Envelope asOfArrival = arrival(parsed).filter(t -> envelope.receivedAt() == null || t.isBefore(envelope.receivedAt()))
                .map(t -> new Envelope(envelope.direction(), envelope.mailFrom(), envelope.recipients(),
                        envelope.clientAddress(), envelope.helo(), envelope.authenticatedUser(), envelope.tls(), t))
                .orElse(envelope);
        return scanner.analyze(asOfArrival, parsed, raw);
    }

    /** The date of the topmost Received field (after its last ';'), read leniently as mime4j reads Date fields. */
    static Optional<Instant> arrival(ParsedMessage message) {
        List<String> received = message.headers("Received");
        if (received.isEmpty()) {
            return Optional.empty();
        }
        String value = received.get(0);
        int semicolon = value.lastIndexOf(';');
        if (semicolon < 0) {
            return Optional.empty();
        }
        DateTimeField date = DateTimeFieldLenientImpl.PARSER.parse(
                new RawField("Date", value.substring(semicolon + 1).strip()), DecodeMonitor.SILENT);
        return Optional.ofNullable(date.getDate()).map(Date::toInstant);
    }

    FindingCatalogue catalogue() {
        return catalogue;
    }

    /** Which DNS the sender authentication asks, for the report. */
    String dnsDescription() {
        return dnsDescription;
    }

    Policy policy() {
        return policy;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The resolver {@code --dns HOST:PORT} names, parsed as {@code mamori.dns.server} is; a malformed one is refused
     * as the option it is, in both languages. */
    static Optional<InetSocketAddress> dnsOption(String dns, MamoriProperties settings) {
        try {
            return new MamoriProperties.Dns(dns, settings.dns().timeout(), null).serverAddress();
        } catch (InvalidSetting e) {
            throw new io.mamori.core.text.InvalidInput("--dns '" + dns + "': must be host:port or offline",
                    "--dns '" + dns + "': host:port か offline にしてください");
        }
    }
}
