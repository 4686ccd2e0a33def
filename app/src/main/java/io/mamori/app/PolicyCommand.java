package io.mamori.app;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "policy", mixinStandardHelpOptions = true, description = "Policy file commands.",
        subcommands = PolicyCommand.Validate.class)
final class PolicyCommand extends CliHelp.Group {

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check a policy file, and the list file it names (lists.file); errors name file, line, column",
                "and key (list file: file and line). Exit code 1 if either is invalid."})
    static final class Validate implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "policy.yaml to check")
        Path file;

        @Override
        public Integer call() {
            try {
                Policy policy = new PolicyLoader(FindingCatalogue.builtIn()).load(file);
                System.out.printf("%s: OK (%d internal domain(s), organisation %s, %d list entr%s)%n", file,
                        policy.organisation().internalDomains().size(), policy.organisation().name(),
                        policy.lists().entries().size(), policy.lists().entries().size() == 1 ? "y" : "ies");
                if (policy.lists().file().isPresent()) {
                    Path listFile = ListFile.resolve(file, policy.lists().file().get());
                    try {
                        System.out.printf("%s: OK (%d entries)%n", listFile, ListFile.read(listFile).size());
                    } catch (ListFile.Invalid e) {
                        e.errors().forEach(error -> System.err.println(error.renderBilingual()));
                        return 1;
                    }
                }
                return 0;
            } catch (PolicyException e) {
                // Japanese first, then English, as every operator-facing text.
                e.errors().forEach(error -> System.err.println(error.renderBilingual()));
                return 1;
            }
        }
    }
}
