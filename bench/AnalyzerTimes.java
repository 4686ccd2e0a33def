import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.link.EmbeddedLinks;
import org.jsoup.Jsoup;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the CPU of the inbound analysis goes: parses every .eml file of a directory tree and runs every shipped
 * analyzer on it, one after the other on one thread, in the order the pipeline reports them, and adds up the
 * thread's CPU time per step (ThreadMXBean, so that other processes on a shared machine do not count). Offline as
 * `mamori eval` runs: no DNS (every answer a temporary error), the built-in policy with a neutral organisation.
 *
 * Pass 1 is the cold pass (interpreter and JIT at work, the figures of a single `mamori eval`); the later passes show
 * the warm cost. Work one analyzer memoises for the next (one jsoup parse per HTML part) is counted where it is done
 * first. Run by bench/analyzer-times.sh; see bench/README.md.
 */
public final class AnalyzerTimes {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/corpus");
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<byte[]> messages = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".eml")).sorted().toList()) {
                if (Files.size(p) <= 4L << 20) {
                    messages.add(Files.readAllBytes(p));
                }
            }
        }
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        Policy builtIn = new PolicyLoader(catalogue).defaults();
        Policy policy = builtIn.withOrganisation(new Policy.Organisation("evaluation (no organisation)",
                List.of(new Policy.DomainPattern("evaluation.invalid", false))));
        DnsResolver noDns = (name, type) -> new DnsAnswer.TempFail("offline: no DNS server configured");
        // a content model (third argument) makes the content classifier score every message; without one it gives no
        // opinion and costs nothing, as in `mamori eval` without --model
        io.mamori.core.classifier.ContentModel model = args.length > 2
                ? io.mamori.core.classifier.ContentModelFile.read(Path.of(args[2])) : io.mamori.core.classifier.ContentModel.EMPTY;
        List<Analyzer> analyzers = Analyzers.shipped(new Analyzers.Ports(noDns, SenderAuthSettings.defaults(),
                Clock.systemUTC(), Optional.empty(), () -> policy, List::of, io.mamori.core.lists.ListStore.NONE,
                Optional.empty(), () -> model));
        MessageParser parser = new MessageParser(ParseLimits.defaults());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of(), "", "", null, false, Instant.now());

        System.out.printf("%d .eml messages under %s, %d passes; µs of CPU per message (one thread)%n",
                messages.size(), dir, passes);
        List<String> names = new ArrayList<>();
        names.add("parse");
        analyzers.forEach(a -> names.add(a.name()));
        int parts = names.size();
        // diagnostics, not in the total: pieces of the link analyzer's work, done again on their own
        names.add("(jsoup parse of HTML)");
        names.add("(QR codes and PDFs)");
        List<long[]> perPass = new ArrayList<>();
        for (int pass = 1; pass <= passes; pass++) {
            long[] nanos = new long[names.size()];
            for (byte[] m : messages) {
                long t0 = threads.getCurrentThreadCpuTime();
                ParsedMessage parsed = parser.parse(new ByteArrayInputStream(m));
                long t1 = threads.getCurrentThreadCpuTime();
                nanos[0] += t1 - t0;
                AnalysisInput input = new AnalysisInput(envelope, parsed, RawMessage.of(m));
                try (parsed) {
                    for (int i = 0; i < analyzers.size(); i++) {
                        long s = threads.getCurrentThreadCpuTime();
                        try {
                            analyzers.get(i).analyze(input);
                        } catch (RuntimeException e) {
                            // counted as it is; the pipeline would report ANALYZER_FAILED
                        }
                        nanos[i + 1] += threads.getCurrentThreadCpuTime() - s;
                    }
                    long s = threads.getCurrentThreadCpuTime();
                    for (MimePart part : parsed.parts()) {
                        if (!part.attachment() && part.text() != null && "text/html".equals(part.contentType())) {
                            Jsoup.parse(part.text());
                        }
                    }
                    nanos[parts] += threads.getCurrentThreadCpuTime() - s;
                    // the links analyzer's search is shared with the sender lists through the input's memo: searched
                    // again with an input of its own (a new, empty memo), to count it whole; its HTML readings
                    // (which the search consults for drawn QR codes) made first, outside the count, as the analyzers
                    // that read the text have made them by then in the pipeline
                    AnalysisInput again = new AnalysisInput(envelope, parsed, RawMessage.of(m));
                    for (MimePart part : parsed.parts()) {
                        if (part.text() != null && "text/html".equals(part.contentType())) {
                            io.mamori.core.evasion.HtmlText.read(again, part.text());
                        }
                    }
                    long e = threads.getCurrentThreadCpuTime();
                    EmbeddedLinks.of(again);
                    nanos[parts + 1] += threads.getCurrentThreadCpuTime() - e;
                }
            }
            perPass.add(nanos);
        }
        StringBuilder head = new StringBuilder(String.format("%-22s", "STEP"));
        for (int p = 1; p <= passes; p++) {
            head.append(String.format(" %9s", "pass" + p));
        }
        System.out.println(head);
        Map<String, long[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            long[] row = new long[passes];
            for (int p = 0; p < passes; p++) {
                row[p] = perPass.get(p)[i];
            }
            rows.put(names.get(i), row);
        }
        long[] total = new long[passes];
        List<String> diagnostics = new ArrayList<>();
        rows.forEach((name, row) -> {
            StringBuilder line = new StringBuilder(String.format("%-22s", name));
            for (int p = 0; p < passes; p++) {
                total[p] += name.startsWith("(") ? 0 : row[p];
                line.append(String.format(" %9.1f", row[p] / 1e3 / messages.size()));
            }
            if (name.startsWith("(")) {
                diagnostics.add(line.toString());
            } else {
                System.out.println(line);
            }
        });
        StringBuilder line = new StringBuilder(String.format("%-22s", "total"));
        for (int p = 0; p < passes; p++) {
            line.append(String.format(" %9.1f", total[p] / 1e3 / messages.size()));
        }
        System.out.println(line);
        line = new StringBuilder(String.format("%-22s", "messages/s (1 core)"));
        for (int p = 0; p < passes; p++) {
            line.append(String.format(" %9.0f", messages.size() / (total[p] / 1e9)));
        }
        System.out.println(line);
        System.out.println("not in the total, the same work again on its own (part of what \"links\" does):");
        diagnostics.forEach(System.out::println);
    }
}
