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
        description = {"種類のわかっているメールで本文分類器を学習し、モデルファイルを書き出します。",
            "分析担当者が確認したフィッシング・詐欺メールと、自組織の正常なメール（eval と同じく .eml、mbox、"
                + "maildir のファイルのディレクトリ）を使います。"
                + "モデルは mamori.analysis.content-model（稼働中のゲートウェイは変更されると読み直します）"
                + "と eval --model で使います。",
            "Train the content classifier on mail whose kind is known and write a model file.",
            "It learns from the phishing and fraud your analysts confirmed and from your organisation's"
                + " legitimate mail (directories of .eml, mbox or maildir files, as eval reads them). The model is"
                + " for mamori.analysis.content-model (a running gateway reads it again when it changes) and eval"
                + " --model."})
final class LearnCommand implements Callable<Integer> {

    @Option(names = "--phishing", paramLabel = "DIR", description = {"フィッシング・詐欺メール（繰り返し指定可）",
        "phishing or fraud mail (repeatable)"})
    List<Path> phishing = new ArrayList<>();

    @Option(names = "--ham", paramLabel = "DIR", description = "正常なメール（繰り返し指定可） / legitimate mail (repeatable)")
    List<Path> ham = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = {"書き出すモデルファイル（名前が .gz で終われば gzip 圧縮）。置き換えはアトミックに行います",
                "model file to write (gzip-compressed when the name ends in .gz); replaced atomically"})
    Path out;

    @Option(names = "--from", paramLabel = "FILE|shipped", description = {"このモデルファイル、または製品に同梱のフィッシングの"
        + "初期データ（'shipped': オープンライセンスのコーパスのフィッシング・詐欺・スパム）から始め、学習した内容を加えます"
        + "（既定: 空から始めます）",
        "start from this model file, or from the phishing seed shipped with the product ('shipped': phishing, fraud and"
            + " spam of openly licensed corpora), and add what is learnt (default: start empty)"})
    String from;

    @Option(names = "--min-count", defaultValue = "2", description = {"この数以上のメールに現れた語だけを残します"
        + "（既定値 ${DEFAULT-VALUE}。1 ならすべて残し、ファイルが大きくなります）",
        "keep only tokens seen in at least this many messages (default ${DEFAULT-VALUE}; 1 keeps all, a larger file)"})
    int minCount;

    @Override
    public Integer call() throws Exception {
        if (phishing.isEmpty() && ham.isEmpty()) {
            System.err.println("learn: --phishing か --ham のディレクトリを 1 つ以上指定してください / give at least one --phishing"
                    + " or --ham directory");
            return 2;
        }
        if (minCount < 1) {
            System.err.println("learn: --min-count は 1 以上にしてください / --min-count must be at least 1");
            return 2;
        }
        for (Path dir : concat(phishing, ham)) {
            if (!Files.exists(dir)) {
                System.err.println("learn: ディレクトリがありません / no such directory: " + dir);
                return 2;
            }
        }
        Path outDir = out.toAbsolutePath().getParent();
        if (outDir == null || !Files.isDirectory(outDir)) {
            System.err.println("learn: --out のディレクトリがありません / the directory of --out does not exist: " + outDir);
            return 2;
        }
        ContentModel.Builder builder;
        try {
            builder = from == null ? new ContentModel.Builder()
                    : new ContentModel.Builder(from.equals("shipped") ? ShippedContentModel.get()
                            : ContentModelFile.read(Path.of(from)));
        } catch (IOException e) {
            System.err.println("learn: 元のモデルを読めません / cannot read the starting model: " + e.getMessage());
            return 2;
        }
        MessageParser parser = MessageParser.offline(ParseLimits.defaults());
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
        System.out.printf("学習: フィッシング %d 通、正常 %d 通。モデルの合計: フィッシング %d 通、正常 %d 通%s。%s に書き出しました%n",
                learntPhishing, learntHam, model.phishingMessages(), model.legitimateMessages(), model.trained() ? ""
                        : "（それぞれ " + ContentModel.MIN_MESSAGES + " 通を学習するまでは判定に加わりません）", out);
        System.out.printf("Learnt %d phishing and %d legitimate message(s); the model now holds %d phishing and %d"
                + " legitimate message(s)%s; wrote %s%n", learntPhishing, learntHam, model.phishingMessages(),
                model.legitimateMessages(), model.trained() ? ""
                        : " (it gives no opinion until it has learnt " + ContentModel.MIN_MESSAGES + " of each kind)", out);
        if (!errors.isEmpty()) {
            System.out.printf("学習できなかったメール / Not learnt (%d):%n", errors.size());
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
