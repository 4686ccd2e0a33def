import io.mamori.core.classifier.ContentModel;
import io.mamori.core.classifier.ContentTokens;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The content classifier on its own: learns the message trees given with --train, scores those given with --test and
 * prints, per test tree, the share of messages at or above each probability. bench/classifier-eval.sh makes the trees
 * (the halves of bench/halves.py) and calls this; see it for the usual call.
 *
 *   java -cp 'app/target/mamori-cli/lib/*' bench/ClassifierEval.java --train DIR:phishing|ham ... --test NAME=DIR:phishing|ham ...
 *
 * Plain files only (mbox files, which begin with "From ", are skipped).
 */
public class ClassifierEval {

    static final double[] CUTS = {0.5, 0.8, 0.9, 0.95, 0.99};
    static final MessageParser PARSER = new MessageParser(ParseLimits.defaults());

    /** The token sets of every message under a directory. */
    static List<Set<String>> tokens(Path dir) throws Exception {
        List<Set<String>> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            if (bytes.length > 5 && new String(bytes, 0, 5).equals("From ")) {
                continue;
            }
            try (ParsedMessage m = PARSER.parse(new ByteArrayInputStream(bytes))) {
                out.add(ContentTokens.of(m));
            } catch (Exception e) {
                System.err.println("not parsed: " + f + ": " + e);
            }
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        ContentModel.Builder builder = new ContentModel.Builder();
        List<String[]> tests = new ArrayList<>();
        boolean train = true;
        for (String a : args) {
            if (a.equals("--train") || a.equals("--test")) {
                train = a.equals("--train");
                continue;
            }
            String kind = a.substring(a.lastIndexOf(':') + 1);
            String where = a.substring(0, a.lastIndexOf(':'));
            if (train) {
                for (Set<String> t : tokens(Path.of(where))) {
                    builder.learn(t, kind.equals("phishing"));
                }
            } else {
                tests.add(new String[] {where.substring(0, where.indexOf('=')), where.substring(where.indexOf('=') + 1), kind});
            }
        }
        ContentModel model = builder.build();
        System.out.printf("model: %d phishing, %d legitimate messages, %d tokens%n", model.phishingMessages(),
                model.legitimateMessages(), model.tokens());
        StringBuilder header = new StringBuilder(String.format("%-34s %-9s %5s", "TEST", "EXPECT", "N"));
        for (double c : CUTS) {
            header.append(String.format(Locale.ROOT, " %7s", ">=" + c));
        }
        System.out.println(header);
        for (String[] t : tests) {
            List<Double> scores = new ArrayList<>();
            for (Set<String> tokens : tokens(Path.of(t[1]))) {
                scores.add(model.score(tokens).probability());
            }
            StringBuilder row = new StringBuilder(String.format("%-34s %-9s %5d", t[0], t[2], scores.size()));
            for (double c : CUTS) {
                long k = scores.stream().filter(s -> s >= c).count();
                row.append(String.format(Locale.ROOT, " %6.1f%%", scores.isEmpty() ? 0 : 100.0 * k / scores.size()));
            }
            System.out.println(row);
        }
    }
}
