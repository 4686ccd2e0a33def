package io.mamori.app;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.reputation.BlocklistCheck;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"ポリシーファイルを扱います。", "Policy file commands."},
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.CheckBlocklists.class})
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
                    try {
                        int listed = ListFile.readNamedBy(file, policy.lists().file()).size();
                        System.out.printf("%s: 正常です（%d 件） / OK (%d entr%s)%n",
                                ListFile.resolve(file, policy.lists().file().get()), listed, listed,
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

    @Command(name = "check-blocklists", mixinStandardHelpOptions = true,
            description = {"ポリシーの blocklists に書いた DNS ブロックリストが、このゲートウェイのリゾルバーに正しく応答するかを"
                + "確かめます（RFC 5782 のテスト用の登録: IP は 127.0.0.2、ドメインは test）。"
                + "動作しないリストがあれば終了コード 1 です。",
                "Check that the DNS block lists of the policy's blocklists answer this gateway's resolver as a list"
                    + " should (RFC 5782 test entries: 127.0.0.2, test). Exit code 1 if one does not work."})
    static final class CheckBlocklists implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "ブロックリストを確かめる policy.yaml / policy.yaml whose block lists to check")
        Path file;

        @Option(names = "--dns", paramLabel = "HOST:PORT", description = {"使うリゾルバー（既定: mamori.dns.server、"
            + "なければシステムのリゾルバー。ゲートウェイと同じ）",
            "resolver to ask (default: mamori.dns.server, else the system's resolvers, as the gateway does)"})
        String dns;

        @Override
        public Integer call() {
            Policy policy;
            try {
                policy = new PolicyLoader(FindingCatalogue.builtIn()).load(file);
            } catch (PolicyException e) {
                e.errors().forEach(error -> System.err.println(error.renderBilingual()));
                return 1;
            }
            Policy.Blocklists lists = policy.blocklists();
            if (lists.isEmpty()) {
                System.out.printf("%s: blocklists にゾーンがありません（問い合わせません） / names no block list zones"
                        + " (none are asked)%n", file);
                return 0;
            }
            MamoriProperties settings = Settings.load(java.util.List.of());
            // a malformed --dns is refused by the CLI's handler, in both languages, as for scan and eval
            java.util.Optional<java.net.InetSocketAddress> server = dns == null ? settings.dns().serverAddress()
                    : OfflineScanner.dnsOption(dns, settings);
            io.mamori.core.auth.DnsResolver resolver = GatewayConfiguration.resolver(server, settings.dns().timeout());
            System.out.println("リゾルバー / resolver: " + server.map(s -> s.getHostString() + ":" + s.getPort())
                    .orElse("システム / system"));
            java.util.Optional<String> key = settings.dns().blocklistKeyValue();
            boolean allWork = true;
            for (BlocklistCheck.Result r : BlocklistCheck.all(resolver, lists, key)) {
                System.out.println(r.describe());
                allWork &= r.outcome() == BlocklistCheck.Outcome.WORKS;
            }
            return allWork ? 0 : 1;
        }
    }
}
