package io.mamori.app;

import io.mamori.core.classifier.ContentModel;
import io.mamori.core.classifier.ContentModelFile;
import io.mamori.core.classifier.ContentTokens;
import io.mamori.core.classifier.ShippedContentModel;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "learn", mixinStandardHelpOptions = true,
        description = {"Train the content classifier on mail whose kind is known: the phishing and fraud your analysts",
            "confirmed and your organisation's legitimate mail (directories of .eml, mbox or maildir files, as eval",
            "reads them). Writes a model file for mamori.analysis.content-model (a running gateway reads it again",
            "when it changes) and eval --model. / 判定済みのメールで本文分類器を学習し、モデルファイルを書き出します。"})
final class LearnCommand implements Callable<Integer> {

    @Option(names = "--phishing", paramLabel = "DIR", description = "phishing or fraud mail (repeatable)")
    List<Path> phishing = new ArrayList<>();

    @Option(names = "--ham", paramLabel = "DIR", description = "legitimate mail (repeatable)")
    List<Path> ham = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "model file to write (gzip-compressed when the name ends in .gz); replaced atomically")
    Path out;

    @Option(names = "--from", paramLabel = "FILE|shipped", description = {"start from this model file, or from the",
        "phishing seed shipped with the product ('shipped': phishing, fraud and spam of openly licensed corpora), and",
        "add what is learnt (default: start empty)"})
    String from;

    @Option(names = "--min-count", defaultValue = "2", description = {"keep only tokens seen in at least this many",
        "messages (default ${DEFAULT-VALUE}; 1 keeps all, a larger file)"})
    int minCount;

    @Override
    public Integer call() throws Exception {
        if (phishing.isEmpty() && ham.isEmpty()) {
            System.err.println("learn: give at least one --phishing or --ham directory / --phishing か --ham を指定してください");
            return 2;
        }
        if (minCount < 1) {
            System.err.println("learn: --min-count must be at least 1 / --min-count は 1 以上です");
            return 2;
        }
        for (Path dir : concat(phishing, ham)) {
            if (!Files.exists(dir)) {
                System.err.println("learn: no such directory / ディレクトリがありません: " + dir);
                return 2;
            }
        }
        Path outDir = out.toAbsolutePath().getParent();
        if (outDir == null || !Files.isDirectory(outDir)) {
            System.err.println("learn: the directory of --out does not exist / --out のディレクトリがありません: " + outDir);
            return 2;
        }
        ContentModel.Builder builder;
        try {
            builder = from == null ? new ContentModel.Builder()
                    : new ContentModel.Builder(from.equals("shipped") ? ShippedContentModel.get()
                            : ContentModelFile.read(Path.of(from)));
        } catch (IOException e) {
            System.err.println("learn: cannot read the starting model / 元のモデルを読めません: " + e.getMessage());
            return 2;
        }
        MessageParser parser = new MessageParser(ParseLimits.defaults());
        List<String> errors = new ArrayList<>();
        int learntPhishing = 0;
        int learntHam = 0;
        for (Path dir : phishing) {
            learntPhishing += learn(dir, true, builder, parser, errors);
        }
        for (Path dir : ham) {
            learntHam += learn(dir, false, builder, parser, errors);
        }
        ContentModel model = builder.build();
        Path tmp = Files.createTempFile(outDir, ".mamori-model", ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                OutputStream target = out.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(o) : o;
                model.write(target, minCount);
                target.close();
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        System.out.printf("Learnt %d phishing and %d legitimate message(s); the model now holds %d phishing and %d"
                + " legitimate message(s)%s; wrote %s%n", learntPhishing, learntHam, model.phishingMessages(),
                model.legitimateMessages(), model.trained() ? ""
                        : " (it gives no opinion until it has learnt " + ContentModel.MIN_MESSAGES + " of each kind)", out);
        System.out.printf("学習: フィッシング %d 通、正常 %d 通。モデルの合計: フィッシング %d 通、正常 %d 通。%s%n", learntPhishing,
                learntHam, model.phishingMessages(), model.legitimateMessages(), out);
        if (!errors.isEmpty()) {
            System.out.printf("Not learnt / 学習できなかったメール (%d):%n", errors.size());
            errors.forEach(e -> System.out.println("  " + e));
        }
        return errors.isEmpty() ? 0 : 1;
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static int learn(Path dir, boolean isPhishing, ContentModel.Builder builder, MessageParser parser,
            List<String> errors) throws IOException {
        int n = 0;
        for (Path f : MailFiles.find(dir)) {
            for (MailFiles.Item item : MailFiles.messagesOf(f)) {
                if (item.error() != null) {
                    errors.add(item.name() + ": " + item.error());
                    continue;
                }
                try (InputStream in = item.bytes() != null ? new ByteArrayInputStream(item.bytes())
                        : new BufferedInputStream(Files.newInputStream(item.file()), 64 * 1024);
                        ParsedMessage message = parser.parse(in)) {
                    builder.learn(ContentTokens.of(message), isPhishing);
                    n++;
                } catch (IOException | RuntimeException e) {
                    errors.add(item.name() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        return n;
    }
}
