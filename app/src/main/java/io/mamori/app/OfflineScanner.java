package io.mamori.app;

import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The scanner the offline commands use: same parser, analyzers and policy engine as the gateway, no Spring. */
final class OfflineScanner implements AutoCloseable {

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
        Policy policy = policyFile != null || Files.isRegularFile(file) ? loader.load(file) : loader.defaults();
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(2, settings.analysis().threads()), r -> {
            Thread t = new Thread(r, "mamori-analyzer");
            t.setDaemon(true);
            return t;
        });
        AnalysisPipeline pipeline = new AnalysisPipeline(Analyzers.shipped(GatewayConfiguration.analyzerPorts(settings, () -> policy)), catalogue,
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
