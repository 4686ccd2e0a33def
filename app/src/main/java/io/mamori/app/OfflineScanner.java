package io.mamori.app;

import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListFile;
import io.mamori.core.lists.ListStore;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The scanner the offline commands use: same parser, analyzers and policy engine as the gateway, no Spring.
 *
 * <p>What needs the gateway's database is not evaluated offline, and the commands say so: {@code FIRST_CONTACT}
 * (there is no sender history, and building one from the scanned files would make their order decide the result)
 * and the allow/block entries kept in the database (organisation-wide and per recipient). The policy's lists and
 * its list file do apply.
 */
final class OfflineScanner implements AutoCloseable {

    /** Finding codes the offline scanner cannot produce. */
    static final List<String> NOT_EVALUATED = List.of("FIRST_CONTACT");
    static final String NOTE = "注: オフラインでは FIRST_CONTACT(初めての相手)は評価せず、データベースの許可・拒否リスト"
            + "(組織全体・受信者ごと)も適用しません。ポリシーとリストファイルのリストは適用します。\n"
            + "Note: offline, FIRST_CONTACT is not evaluated (there is no sender history) and the allow/block entries kept"
            + " in the database (organisation-wide and per recipient) are not applied; the policy's lists and its list"
            + " file are.";

    private final ExecutorService executor;
    private final MessageScanner scanner;
    private final FindingCatalogue catalogue;

    private OfflineScanner(ExecutorService executor, MessageScanner scanner, FindingCatalogue catalogue) {
        this.executor = executor;
        this.scanner = scanner;
        this.catalogue = catalogue;
    }

    static OfflineScanner open(Path policyFile) throws PolicyException {
        MamoriProperties settings = Settings.load(List.of());
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        PolicyLoader loader = new PolicyLoader(catalogue);
        Path file = policyFile != null ? policyFile : settings.policy().file();
        boolean fromFile = policyFile != null || Files.isRegularFile(file);
        Policy policy = fromFile ? loader.load(file) : loader.defaults();
        List<ListEntry> listFile = List.of();
        if (fromFile && policy.lists().file().isPresent()) {
            try {
                listFile = ListFile.read(ListFile.resolve(file, policy.lists().file().get()));
            } catch (ListFile.Invalid e) {
                throw new PolicyException(e.errors().stream().map(er -> new PolicyError(er.file(), Math.max(1, er.line()), 1,
                        "", er.message())).toList());
            }
        }
        List<ListEntry> fileEntries = listFile;
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(2, settings.analysis().threads()), r -> {
            Thread t = new Thread(r, "mamori-analyzer");
            t.setDaemon(true);
            return t;
        });
        AnalysisPipeline pipeline = new AnalysisPipeline(Analyzers.shipped(GatewayConfiguration.analyzerPorts(settings, () -> policy,
                () -> fileEntries, ListStore.NONE, Optional.empty())), catalogue,
                settings.analysis().budget(), executor);
        MessageScanner scanner = new MessageScanner(new MessageParser(ParseLimits.defaults()), pipeline,
                new PolicyEngine(catalogue), () -> policy);
        return new OfflineScanner(executor, scanner, catalogue);
    }

    MessageScanner scanner() {
        return scanner;
    }

    FindingCatalogue catalogue() {
        return catalogue;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
