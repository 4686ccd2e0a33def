package io.mamori.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.scan.MessageScanner.ScanResult;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"メールをオフラインで解析・判定し、検知内容と判定結果を表示します。",
            "複数のファイルを指定すると、--json では 1 行に 1 つの JSON オブジェクトを出力し、"
                + "集計は標準エラー出力に書きます。終了コードは判定にかかわらず 0、"
                + "読めない・スキャンできないファイルがあれば 2 です。",
            "Parse, analyze and decide messages offline and print the findings and the verdict.",
            "With several files, --json prints one JSON object per line and a summary goes to standard error."
                + " Exit code 0 whatever the verdicts; 2 if a file cannot be read or scanned."})
final class ScanCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE.eml", description = "メールのファイル（RFC 5322） / message file(s) (RFC 5322)")
    List<Path> files;

    @Option(names = "--direction", defaultValue = "inbound",
            description = "inbound か outbound（既定値 ${DEFAULT-VALUE}） / inbound or outbound (default ${DEFAULT-VALUE})")
    Direction direction;

    @Option(names = "--json", description = {"JSON オブジェクトで出力（action、score、findings[code, evidence …]）",
        "print one JSON object (action, score, findings[code, evidence …])"})
    boolean json;

    @Option(names = "--policy", paramLabel = "FILE", description = {"ポリシーファイル（既定: mamori.policy.file、なければ組み込みのポリシー）",
        "policy file (default: mamori.policy.file, else the built-in policy)"})
    Path policyFile;

    @Option(names = "--mail-from", defaultValue = "", description = "想定するエンベロープ送信者 / envelope sender to assume")
    String mailFrom;

    @Option(names = "--rcpt", description = {"想定するエンベロープ受信者（繰り返し指定可）", "envelope recipient to assume (repeatable)"})
    List<String> recipients = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        int failures = 0;
        Map<String, Integer> byAction = new java.util.TreeMap<>();
        ObjectMapper mapper = new ObjectMapper();
        OfflineScanner opened;
        try {
            opened = OfflineScanner.open(policyFile);
        } catch (io.mamori.core.policy.PolicyException e) {
            // The policy or the list file it names; Japanese first, then English, as 'policy validate' prints them.
            e.errors().forEach(error -> System.err.println("scan: " + error.renderBilingual()));
            return 2;
        }
        try (OfflineScanner scanner = opened) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    System.err.println("scan: 読み取れるファイルではありません / not a readable file: " + file);
                    failures++;
                    continue;
                }
                Envelope envelope = new Envelope(direction, mailFrom, recipients, "127.0.0.1", "", null, false, Instant.now());
                ScanResult result;
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
                    Path source = file;
                    result = scanner.scan(envelope, in, () -> Files.newInputStream(source));
                } catch (java.io.IOException | RuntimeException e) {
                    System.err.println("scan: " + file + ": スキャンできません / cannot scan it: " + e);
                    failures++;
                    continue;
                }
                byAction.merge(result.verdict().action().name(), 1, Integer::sum);
                try (ParsedMessage message = result.message()) {
                    if (json) {
                        System.out.println(mapper.writeValueAsString(toJson(file, result, scanner.catalogue(), direction)));
                    } else {
                        printText(file, result, scanner.catalogue(), direction);
                    }
                }
            }
        }
        if (files.size() > 1) {
            // not "scan: …", which bench/scan-corpus.sh counts as errors
            System.err.printf("%d 件のファイルをスキャンしました: %s、エラー %d 件 / scanned %d file(s): %s; errors %d%n",
                    files.size(), byAction, failures, files.size(), byAction, failures);
        }
        if (!json) {
            System.out.println(OfflineScanner.NOTE);
        }
        return failures == 0 ? 0 : 2;
    }

    static Map<String, Object> toJson(Path file, ScanResult result, FindingCatalogue catalogue, Direction direction) {
        PolicyEngine engine = new PolicyEngine(catalogue);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("action", result.verdict().action().name());
        out.put("score", result.verdict().score());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (Finding f : result.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", f.code());
            m.put("evidence", f.evidence());
            m.put("multiplier", f.multiplier());
            m.put("weight", engine.weight(result.policy(), direction, f.code()));
            catalogue.entry(f.code()).ifPresent(e -> {
                m.put("reason_ja", e.reasonJa());
                m.put("reason_en", e.reasonEn());
            });
            findings.add(m);
        }
        out.put("findings", findings);
        out.put("notEvaluated", OfflineScanner.NOT_EVALUATED);
        out.put("subject", result.message().subject());
        out.put("parts", result.message().parts().size());
        out.put("size", result.message().rawSize());
        return out;
    }

    /** {@code 判定 / Verdict:} padded so that the values after it line up (a Japanese character takes two columns). */
    static String label(String japanese, String english) {
        return label(japanese, english, 18);
    }

    /** {@code 判定 / Verdict:} padded to {@code width} columns. */
    static String label(String japanese, String english, int width) {
        String label = japanese + " / " + english + ":";
        int columns = label.length() + (int) japanese.codePoints().filter(CliHelp::isWide).count();
        return label + " ".repeat(Math.max(1, width - columns));
    }

    private static void printText(Path file, ScanResult result, FindingCatalogue catalogue, Direction direction) {
        int parts = result.message().parts().size();
        int attachments = result.message().attachments().size();
        long bytes = result.message().rawSize();
        System.out.printf("%s%s%n", label("ファイル", "File"), file);
        System.out.printf("%s%s%n", label("件名", "Subject"), result.message().subject());
        System.out.printf("%s%d（うち添付 %d 件）、%d バイト / %d (%d attachment(s)), %d bytes%n", label("パート", "Parts"),
                parts, attachments, bytes, parts, attachments, bytes);
        System.out.printf("%s%s (スコア / score %.2f)%n", label("判定", "Verdict"), result.verdict().action(),
                result.verdict().score());
        if (result.findings().isEmpty()) {
            System.out.println(label("検知", "Findings") + "なし / none");
            return;
        }
        System.out.println(label("検知", "Findings").strip());
        PolicyEngine engine = new PolicyEngine(catalogue);
        for (Finding f : result.findings()) {
            System.out.printf("  %-28s %5.2f ×%.2f  %s%n", f.code(),
                    engine.weight(result.policy(), direction, f.code()), f.multiplier(), f.evidence());
            catalogue.entry(f.code()).ifPresent(e -> System.out.printf("      %s / %s%n", e.reasonJa(), e.reasonEn()));
        }
    }
}
