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

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"ポリシーファイルを扱います。", "Policy file commands."},
        subcommands = PolicyCommand.Validate.class)
final class PolicyCommand extends CliHelp.Group {

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"ポリシーファイルと、そこで指定したリストファイル（lists.file）を検査します。",
                "エラーはファイル・行・列・キー（リストファイルはファイルと行）で示します。"
                    + "どちらかに誤りがあれば終了コード 1 です。",
                "Check a policy file and the list file it names (lists.file).",
                "Errors name file, line, column and key (list file: file and line). Exit code 1 if either is invalid."})
    static final class Validate implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "検査する policy.yaml / policy.yaml to check")
        Path file;

        @Override
        public Integer call() {
            try {
                Policy policy = new PolicyLoader(FindingCatalogue.builtIn()).load(file);
                int domains = policy.organisation().internalDomains().size();
                String organisation = policy.organisation().name();
                int entries = policy.lists().entries().size();
                System.out.printf("%s: 正常です（社内ドメイン %d 件、組織 %s、リスト %d 件） / OK (%d internal domain(s),"
                        + " organisation %s, %d list entr%s)%n", file, domains, organisation, entries, domains, organisation,
                        entries, entries == 1 ? "y" : "ies");
                if (policy.lists().file().isPresent()) {
                    Path listFile = ListFile.resolve(file, policy.lists().file().get());
                    try {
                        int listed = ListFile.read(listFile).size();
                        System.out.printf("%s: 正常です（%d 件） / OK (%d entr%s)%n", listFile, listed, listed,
                                listed == 1 ? "y" : "ies");
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
