package io.mamori.core.scan;

import io.mamori.core.analysis.Analyzer;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.attachment.AttachmentNameAnalyzer;
import io.mamori.core.attachment.HtmlAttachmentAnalyzer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.classifier.ContentClassifierAnalyzer;
import io.mamori.core.classifier.ContentModel;
import io.mamori.core.auth.SendAsAnalyzer;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.impersonation.ImpersonationAnalyzer;
import io.mamori.core.impersonation.ImpersonationSettings;
import io.mamori.core.impersonation.OwnDomainAnalyzer;
import io.mamori.core.impersonation.ProtectedPerson;
import io.mamori.core.contact.FirstContactAnalyzer;
import io.mamori.core.evasion.FilterEvasionAnalyzer;
import io.mamori.core.contact.SenderHistory;
import io.mamori.core.link.LinkAnalyzer;
import io.mamori.core.lists.DmarcAlignment;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListStore;
import io.mamori.core.lists.SenderListAnalyzer;
import io.mamori.core.lure.LureWordingAnalyzer;
import io.mamori.core.malware.MalwareAnalyzer;
import io.mamori.core.malware.MalwareScanner;
import io.mamori.core.mime.MimeSanityAnalyzer;
import io.mamori.core.policy.Policy;
import io.mamori.core.reputation.DnsBlocklistAnalyzer;
import io.mamori.core.spam.GtubeAnalyzer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The analyzers shipped with the product, in the order their findings are reported. It lives beside
 * {@link MessageScanner} (the assembly) so that {@code analysis} does not depend on the features built on it.
 */
public final class Analyzers {

    /**
     * What the shipped analyzers need from outside the core.
     *
     * @param dns        DNS for sender authentication (dnsjava in the gateway, a table in tests)
     * @param senderAuth trusted ARC sealers and other sender-authentication settings
     * @param clock      time for signature expiry checks
     * @param malware    the antivirus engine, or empty when none is configured (then no antivirus analyzer runs,
     *                   and the gateway says so at start; a configured engine that is down yields AV_UNAVAILABLE)
     * @param policy     the policy in force (impersonation reads the protected domains and people from it, the
     *                   lists their policy entries, first contact its window)
     * @param listFile   the entries of the list file in force ({@code lists.file})
     * @param listStore  the allow and block entries kept in the database ({@link ListStore#NONE} offline)
     * @param history    the sender history; empty where there is none (offline scans): then no first-contact
     *                   analyzer runs and {@code FIRST_CONTACT} is not evaluated
     * @param contentModel the content classifier's model in force: the one the site trained ({@code mamori learn}), or
     *                   {@link ContentModel#EMPTY}, which gives no opinion
     * @param blocklistKey the block list subscription key that stands for {@code {key}} in the policy's block list
     *                   zones (a setting, kept out of the policy text), if set
     * @param blocklistObserver told what each block list answer said about its list (the gateway's
     *                   {@link io.mamori.core.reputation.BlocklistStatus} and metrics)
     */
    public record Ports(DnsResolver dns, SenderAuthSettings senderAuth, Clock clock, Optional<MalwareScanner> malware,
            Supplier<Policy> policy, Supplier<List<ListEntry>> listFile, ListStore listStore,
            Optional<SenderHistory> history, Supplier<ContentModel> contentModel, Optional<String> blocklistKey,
            DnsBlocklistAnalyzer.Observer blocklistObserver) {
        public Ports {
            Objects.requireNonNull(blocklistKey, "blocklistKey");
            Objects.requireNonNull(blocklistObserver, "blocklistObserver");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(dns, "dns");
            Objects.requireNonNull(senderAuth, "senderAuth");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(malware, "malware");
            Objects.requireNonNull(listFile, "listFile");
            Objects.requireNonNull(listStore, "listStore");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(contentModel, "contentModel");
        }

        /** Without an observer of the block lists' answers. */
        public Ports(DnsResolver dns, SenderAuthSettings senderAuth, Clock clock, Optional<MalwareScanner> malware,
                Supplier<Policy> policy, Supplier<List<ListEntry>> listFile, ListStore listStore,
                Optional<SenderHistory> history, Supplier<ContentModel> contentModel, Optional<String> blocklistKey) {
            this(dns, senderAuth, clock, malware, policy, listFile, listStore, history, contentModel, blocklistKey,
                    DnsBlocklistAnalyzer.Observer.NONE);
        }

        /** Without a block list key. */
        public Ports(DnsResolver dns, SenderAuthSettings senderAuth, Clock clock, Optional<MalwareScanner> malware,
                Supplier<Policy> policy, Supplier<List<ListEntry>> listFile, ListStore listStore,
                Optional<SenderHistory> history, Supplier<ContentModel> contentModel) {
            this(dns, senderAuth, clock, malware, policy, listFile, listStore, history, contentModel, Optional.empty());
        }

        /** Without a content model (the content classifier gives no opinion). */
        public Ports(DnsResolver dns, SenderAuthSettings senderAuth, Clock clock, Optional<MalwareScanner> malware,
                Supplier<Policy> policy, Supplier<List<ListEntry>> listFile, ListStore listStore,
                Optional<SenderHistory> history) {
            this(dns, senderAuth, clock, malware, policy, listFile, listStore, history, () -> ContentModel.EMPTY);
        }

        /** Without a list file, database lists or sender history. */
        public Ports(DnsResolver dns, SenderAuthSettings senderAuth, Clock clock, Optional<MalwareScanner> malware,
                Supplier<Policy> policy) {
            this(dns, senderAuth, clock, malware, policy, List::of, ListStore.NONE, Optional.empty());
        }
    }

    private Analyzers() {
    }

    /**
     * Impersonation settings derived from the policy in force, rebuilt only when the policy object changes (the
     * analyzer prepares its name tables once per settings object).
     */
    private static final class ProtectedFromPolicy implements Supplier<ImpersonationSettings> {
        private final Supplier<Policy> policy;
        private volatile Policy lastPolicy;
        private volatile ImpersonationSettings last;

        ProtectedFromPolicy(Supplier<Policy> policy) {
            this.policy = policy;
        }

        @Override
        public ImpersonationSettings get() {
            Policy current = policy.get();
            ImpersonationSettings settings = last;
            if (current != lastPolicy || settings == null) {
                Set<String> internal = current.organisation().internalDomains().stream()
                        .map(Policy.DomainPattern::domain).collect(Collectors.toUnmodifiableSet());
                Set<String> partners = current.protection().partnerDomains().stream()
                        .map(Policy.DomainPattern::domain).collect(Collectors.toUnmodifiableSet());
                List<ProtectedPerson> people = current.protection().people().stream()
                        .map(p -> new ProtectedPerson(p.name(), Set.copyOf(p.addresses()), p.aliases())).toList();
                settings = new ImpersonationSettings(internal, partners, people);
                last = settings;
                lastPolicy = current;
            }
            return settings;
        }
    }

    /** The analyzers that need nothing from outside: MIME structure and attachment names. Stateless, thread-safe. */
    public static List<Analyzer> local() {
        return List.of(new MimeSanityAnalyzer(), new AttachmentNameAnalyzer());
    }

    /** Every shipped analyzer. */
    public static List<Analyzer> shipped(Ports ports) {
        List<Analyzer> all = new ArrayList<>(local());
        all.add(new AttachmentContentAnalyzer());
        all.add(new HtmlAttachmentAnalyzer());
        ProtectedFromPolicy protection = new ProtectedFromPolicy(ports.policy());
        all.add(new LinkAnalyzer(protection));
        all.add(new LureWordingAnalyzer());
        all.add(new FilterEvasionAnalyzer());
        all.add(new ContentClassifierAnalyzer(ports.contentModel()));
        all.add(new ImpersonationAnalyzer(protection));
        SenderAuthAnalyzer senderAuth = new SenderAuthAnalyzer(ports.dns(), ports.senderAuth(), ports.clock());
        all.add(senderAuth);
        all.add(new OwnDomainAnalyzer(senderAuth::evaluate, () -> {
            Policy p = ports.policy().get();
            return new OwnDomainAnalyzer.Settings(p::isInternal, p.organisation()::isOwnSender);
        }));
        all.add(new SenderListAnalyzer(() -> ports.policy().get().lists().entries(), ports.listFile(), ports.listStore(),
                new DmarcAlignment(senderAuth)));
        all.add(new SendAsAnalyzer(() -> ports.policy().get().sendAs()));
        all.add(new GtubeAnalyzer());
        all.add(new DnsBlocklistAnalyzer(ports.dns(), () -> {
            Policy p = ports.policy().get();
            return new DnsBlocklistAnalyzer.Settings(p.blocklists().ipZones(), p.blocklists().domainZones(),
                    p::isInternal, a -> p.organisation().isOwnSender(a.getHostAddress()), ports.blocklistKey());
        }, ports.blocklistObserver()));
        ports.history().ifPresent(history -> all.add(new FirstContactAnalyzer(history, ports.clock(), () -> {
            Policy p = ports.policy().get();
            return new FirstContactAnalyzer.Settings(p.firstContact().window(), p.firstContact().learning(), p::isInternal);
        })));
        ports.malware().ifPresent(scanner -> all.add(new MalwareAnalyzer(scanner)));
        return List.copyOf(all);
    }
}
