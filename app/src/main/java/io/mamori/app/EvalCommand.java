package io.mamori.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.scan.MessageScanner.ScanResult;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"ディレクトリ内のすべてのメールをオフラインで受信処理にかけ、結果を集計します。",
            "下位ディレクトリも含め、.eml ファイル、mbox ファイル、"
                + "メールらしく始まる拡張子のない maildir のファイルを読み、判定ごとの割合、多い検知、"
                + "期待と逆に判定されたメールを表示します。",
            "Run every message of a directory through the inbound pipeline offline and sum up the results.",
            "It reads .eml files, mbox files and extension-less maildir files that begin like mail,"
                + " recursively, and prints the share per action, the top findings and the messages that went the"
                + " wrong way."})
final class EvalCommand implements Callable<Integer> {

    enum Expectation { PHISHING, HAM }

    @Parameters(index = "0", paramLabel = "DIR", description = {"評価するディレクトリ（またはファイル 1 つ）",
        "directory (or one file) to evaluate"})
    Path dir;

    @Option(names = "--expect", required = true, description = {"メールの種類: phishing（フィッシング）か ham（正常）",
        "what the messages are: phishing or ham"})
    Expectation expect;

    @Option(names = "--json", description = {"JSON オブジェクトで出力（total、byAction、topFindings、wrongWay、errors）",
        "print one JSON object (total, byAction, topFindings, wrongWay, errors)"})
    boolean json;

    @Option(names = "--policy", paramLabel = "FILE", description = {"ポリシーファイル（既定: mamori.policy.file があればそれ、"
        + "なければ中立な組織 " + OfflineScanner.NEUTRAL_DOMAIN + " の組み込みポリシー）",
        "policy file (default: mamori.policy.file if it exists, else the built-in policy with a neutral organisation, "
            + OfflineScanner.NEUTRAL_DOMAIN + ")"})
    Path policyFile;

    @Option(names = "--dns", paramLabel = "HOST:PORT|offline", description = {"送信者認証に使う DNS リゾルバー（既定: 設定が"
        + "あれば mamori.dns.server、なければ offline: 問い合わせをせず、重み 0 の一時エラーになります）",
        "resolver for sender authentication (default: mamori.dns.server if set, else offline: no look-ups, temporary"
            + " errors of weight 0)"})
    String dns;

    @Option(names = "--model", paramLabel = "FILE", description = {"`mamori learn` で作った本文分類器のモデル"
        + "（既定: 設定があれば mamori.analysis.content-model、なければなし）",
        "content classifier model written by `mamori learn` (default: mamori.analysis.content-model if set, else none)"})
    Path modelFile;

    @Option(names = "--threads", defaultValue = "0", description = {"スキャンのスレッド数（既定: CPU コア数）",
        "scanning threads (default: number of cores)"})
    int threads;

    @Option(names = "--list", defaultValue = "50", description = {"表示する、期待と逆に判定されたメールの数（既定値 ${DEFAULT-VALUE}）",
        "wrong-way messages to list (default ${DEFAULT-VALUE})"})
    int list;

    /** Messages up to this size are read into memory once rather than read twice from the file. */
    private static final long IN_MEMORY_LIMIT = 4L << 20;

    /**
     * What the report needs of one message, and no more: keeping each ScanResult (its parsed message, texts and
     * findings) until the end made the heap grow with the corpus, and every young collection copy and promote it.
     *
     * @param codes    the verdict's finding codes in order, without duplicates
     * @param findings the distinct codes of all findings
     */
    private record Outcome(String name, Action action, double score, List<String> codes, List<String> findings,
            String error) {
        static Outcome of(MailFiles.Item item, ScanResult result) {
            return new Outcome(item.name(), result.verdict().action(), result.verdict().score(), result.verdict().codes(),
                    result.findings().stream().map(Finding::code).distinct().toList(), null);
        }

        static Outcome failed(MailFiles.Item item, String error) {
            return new Outcome(item.name(), null, 0, List.of(), List.of(), error);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(dir)) {
            System.err.println("eval: ディレクトリがありません / no such directory: " + dir);
            return 2;
        }
        List<MailFiles.Item> items = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path f : MailFiles.find(dir)) {
            items.addAll(MailFiles.messagesOf(f));
        }
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        List<Outcome> outcomes = new ArrayList<>();
        OfflineScanner opened;
        try {
            opened = OfflineScanner.open(policyFile, dns, true, modelFile);
        } catch (InvalidSetting e) { // for the command line to report as every command does
            throw e;
        } catch (IllegalArgumentException e) { // an unreadable --model file, a --dns that is no address
            System.err.println("eval: " + (e instanceof io.mamori.core.text.InvalidInput input ? input.bilingual() : e.getMessage()));
            return 2;
        } catch (io.mamori.core.policy.PolicyException e) { // the policy or the list file it names
            e.errors().forEach(error -> System.err.println("eval: " + error.renderBilingual()));
            return 2;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        String dnsUsed;
        String organisation;
        try (OfflineScanner scanner = opened) {
            dnsUsed = scanner.dnsDescription();
            organisation = scanner.policy().organisation().internalDomains().toString();
            List<Future<Outcome>> futures = new ArrayList<>();
            for (MailFiles.Item item : items) {
                futures.add(pool.submit(() -> scan(scanner, item)));
            }
            items.clear(); // the messages of mbox files are held in memory: each goes once it has been scanned
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStarted) / 1e9;

        Map<Action, Integer> byAction = new EnumMap<>(Action.class);
        for (Action a : Action.values()) {
            byAction.put(a, 0);
        }
        Map<String, Integer> findings = new TreeMap<>();
        List<Outcome> wrong = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.error() != null) {
                errors.add(o.name() + ": " + o.error());
                continue;
            }
            Action action = o.action();
            byAction.merge(action, 1, Integer::sum);
            o.findings().forEach(c -> findings.merge(c, 1, Integer::sum));
            boolean flagged = action.compareTo(Action.TAG) >= 0;
            if (expect == Expectation.PHISHING ? !flagged : flagged) {
                wrong.add(o);
            }
        }
        int total = outcomes.size() - errors.size();
        List<Map.Entry<String, Integer>> top = findings.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(20).toList();
        wrong.sort(Comparator.comparingDouble(Outcome::score).reversed().thenComparing(Outcome::name));

        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("expect", expect.name().toLowerCase(java.util.Locale.ROOT));
            out.put("total", total);
            Map<String, Integer> actions = new LinkedHashMap<>();
            byAction.forEach((a, c) -> actions.put(a.name(), c));
            out.put("byAction", actions);
            out.put("topFindings", top.stream().map(e -> Map.of("code", e.getKey(), "count", e.getValue())).toList());
            out.put("wrongWay", wrong.stream().limit(list).map(o -> Map.of("message", o.name(),
                    "action", o.action().name(), "score", o.score(), "findings", o.codes())).toList());
            out.put("wrongWayCount", wrong.size());
            out.put("errors", errors);
            out.put("notEvaluated", OfflineScanner.NOT_EVALUATED);
            out.put("seconds", seconds);
            out.put("cpuSeconds", cpuSeconds);
            out.put("dns", dnsUsed);
            out.put("internalDomains", organisation);
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            String expected = expect.name().toLowerCase(java.util.Locale.ROOT);
            System.out.printf("評価: %d 通 (%s、期待 %s) / Evaluated %d message(s) from %s, expected %s,"
                    + " in %.1f s (%.0f/s, %d thread(s); CPU %.1f s, %.2f ms/message)%n", total, dir, expected, total, dir,
                    expected, seconds, total / Math.max(seconds, 1e-9), n, cpuSeconds, total == 0 ? 0 : cpuSeconds * 1000 / total);
            System.out.printf("社内ドメイン / Internal domains %s; %s%n", organisation, dnsUsed);
            for (Action a : Action.values()) {
                System.out.printf("  %-10s %6d  %5.1f%%%n", a, byAction.get(a), total == 0 ? 0 : 100.0 * byAction.get(a) / total);
            }
            System.out.println("多い検知 / Top findings:");
            top.forEach(e -> System.out.printf("  %-30s %6d%n", e.getKey(), e.getValue()));
            System.out.printf("期待と逆の判定 / Wrong way (%d):%n", wrong.size());
            wrong.stream().limit(list).forEach(o -> System.out.printf("  %-10s %6.2f  %s  %s%n",
                    o.action(), o.score(), o.name(), String.join(",", o.codes())));
            if (!errors.isEmpty()) {
                System.out.printf("エラー / Errors (%d):%n", errors.size());
                errors.forEach(e -> System.out.println("  " + e));
            }
            System.out.println(OfflineScanner.NOTE);
        }
        return errors.isEmpty() ? 0 : 2;
    }

    /** CPU time of the whole process (all threads, JIT and GC included), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
    }

    private static Outcome scan(OfflineScanner scanner, MailFiles.Item item) {
        if (item.error() != null) {
            return Outcome.failed(item, item.error());
        }
        // A file carries no SMTP session: no client address, so SPF is "none" rather than judged against an invented IP.
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of(), "", "", null, false, Instant.now());
        try {
            // A message of ordinary size is read once into memory: the parser and the signature checks (DKIM, ARC)
            // both read it, and a second read of the file costs system calls for nothing. Large ones are streamed.
            byte[] bytes = item.bytes();
            if (bytes == null && Files.size(item.file()) <= IN_MEMORY_LIMIT) {
                bytes = Files.readAllBytes(item.file());
            }
            byte[] held = bytes;
            try (InputStream in = held != null ? new ByteArrayInputStream(held)
                    : new java.io.BufferedInputStream(Files.newInputStream(item.file()), 64 * 1024)) {
                io.mamori.core.analysis.RawMessage raw = held != null ? io.mamori.core.analysis.RawMessage.of(held)
                        : () -> Files.newInputStream(item.file());
                ScanResult result = scanner.scan(envelope, in, raw);
                // closed now, not when collected: its temporary files go, and its share of the parser's heap budget
                // comes back
                try (ParsedMessage message = result.message()) {
                    return Outcome.of(item, result);
                }
            }
        } catch (Exception e) {
            return Outcome.failed(item, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
