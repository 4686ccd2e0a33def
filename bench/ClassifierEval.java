import io.mamori.core.classifier.ContentModel;
import io.mamori.core.classifier.ContentTokens;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParseLimits;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Held-out evaluation of the content classifier on the corpus: every set is split into the halves of
 * bench/detection-eval.sh (last number in the file name odd: A, even: B; no number: CRC-32 of the path), a model is
 * trained on the A halves of the sets named for training, and the B halves of every set (and the whole of the sets
 * never trained on) are scored. Prints, per set and half, the share of messages at or above each probability.
 *
 *   java -cp 'app/target/mamori-cli/lib/*' bench/ClassifierEval.java CORPUS_DIR TRAIN_SPEC...
 *
 * TRAIN_SPEC is set[/folder]:phishing|ham, e.g. nazario-phishing0:phishing notmuch-ham:ham. Sets evaluated: the
 * training sets (half B) and every set of EVAL_SETS below (both halves, marked "all", when not trained on).
 */
public class ClassifierEval {

    static final String[] EVAL_SETS = {"nazario-phishing0:phishing", "phishing-pot:phishing", "notmuch-ham:ham",
        "jpmobile-ja-mail:ham", "sisimai-bounces:ham", "mail-gem-fixtures:ham", "notmuch-fixtures:ham",
        "mimekit-testdata:ham", "spamassassin-testdata/nice:ham"};
    static final double[] CUTS = {0.5, 0.8, 0.9, 0.95, 0.99};
    static final Pattern NUMBER = Pattern.compile("\\d+");

    record Msg(String set, char half, boolean phishing, Set<String> tokens, String file) {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args[0]);
        Map<String, Boolean> train = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] s = args[i].split(":");
            train.put(s[0], s[1].equals("phishing"));
        }
        Map<String, Boolean> all = new LinkedHashMap<>(train);
        for (String s : EVAL_SETS) {
            all.putIfAbsent(s.split(":")[0], s.split(":")[1].equals("phishing"));
        }
        MessageParser parser = new MessageParser(ParseLimits.defaults());
        List<Msg> messages = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : all.entrySet()) {
            String[] p = e.getKey().split("/", 2);
            Path data = corpus.resolve(p[0]).resolve("data");
            if (p.length > 1) {
                data = data.resolve(p[1]);
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(data)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                if (bytes.length > 5 && new String(bytes, 0, 5).equals("From ")) {
                    continue; // mbox files: not split here
                }
                String rel = data.relativize(f).toString();
                String name = f.getFileName().toString().replaceAll("_2_[A-Za-z]*$", "");
                Matcher m = NUMBER.matcher(name);
                String last = null;
                while (m.find()) {
                    last = m.group();
                }
                int parity;
                if (last != null) {
                    parity = new java.math.BigInteger(last).mod(java.math.BigInteger.TWO).intValue();
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(rel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    parity = (int) (crc.getValue() % 2);
                }
                try (ParsedMessage pm = parser.parse(new ByteArrayInputStream(bytes))) {
                    messages.add(new Msg(e.getKey(), parity == 1 ? 'A' : 'B', e.getValue(), ContentTokens.of(pm), rel));
                } catch (Exception ex) {
                    // unparseable: not scored
                }
            }
        }
        ContentModel.Builder builder = new ContentModel.Builder();
        for (Msg m : messages) {
            if (m.half() == 'A' && train.containsKey(m.set())) {
                builder.learn(m.tokens(), m.phishing());
            }
        }
        ContentModel model = System.getenv("MODEL") != null
                ? io.mamori.core.classifier.ContentModelFile.read(Path.of(System.getenv("MODEL"))) : builder.build();
        System.out.printf("model: %d phishing, %d legitimate messages, %d tokens; trained on half A of %s%n",
                model.phishingMessages(), model.legitimateMessages(), model.tokens(), train.keySet());
        StringBuilder header = new StringBuilder(String.format("%-28s %-4s %-9s %5s", "SET", "HALF", "EXPECT", "N"));
        for (double c : CUTS) {
            header.append(String.format(Locale.ROOT, " %7s", ">=" + c));
        }
        System.out.println(header);
        for (String set : all.keySet()) {
            boolean trained = train.containsKey(set);
            for (String half : trained ? new String[] {"B"} : new String[] {"all"}) {
                List<Double> scores = new ArrayList<>();
                for (Msg m : messages) {
                    if (m.set().equals(set) && (half.equals("all") || m.half() == 'B')) {
                        ContentModel.Score sc = model.score(m.tokens());
                        scores.add(sc.probability());
                        if (System.getenv("DUMP") != null) {
                            System.out.printf(Locale.ROOT, "DUMP\t%s\t%s\t%.5f%n", m.set(), m.file(), sc.probability());
                        }
                        if (!m.phishing() && sc.probability() >= 0.9 && System.getenv("SHOW_HAM") != null) {
                            System.out.printf(Locale.ROOT, "  ham %.3f %s %s%n", sc.probability(), m.file(), sc.phishingClues());
                        }
                    }
                }
                StringBuilder row = new StringBuilder(String.format("%-28s %-4s %-9s %5d", set, half,
                        all.get(set) ? "phishing" : "ham", scores.size()));
                for (double c : CUTS) {
                    long k = scores.stream().filter(s -> s >= c).count();
                    row.append(String.format(Locale.ROOT, " %6.1f%%", scores.isEmpty() ? 0 : 100.0 * k / scores.size()));
                }
                System.out.println(row);
            }
        }
    }
}
