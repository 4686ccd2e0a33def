import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.attachment.ArchivePasswords;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What the gateway's look for a separate password mail costs each inbound message: the search of its text for
 * passwords (ArchivePasswords.of(input).own()), which runs after the analysis of every accepted inbound message while
 * attachments.password_mail_minutes is not 0; and how many messages give a candidate (only those are looked up in the
 * store). Every .eml file of a corpus is parsed once and its HTML parts read as the analyzers read them (kept in the
 * input's memo, as after an analysis); then several passes of the search, one thread, thread CPU per message.
 *
 *   java -cp 'app/target/mamori-cli/lib/*' bench/PasswordMailCost.java CORPUS_DIR PASSES
 */
public class PasswordMailCost {
    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args[0]);
        int passes = Integer.parseInt(args[1]);
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".eml") && Files.isRegularFile(p)).sorted().toList();
        }
        MessageParser parser = new MessageParser();
        Envelope envelope = new Envelope(Direction.INBOUND, "a@sender.example", List.of("b@example.co.jp"), "192.0.2.1",
                "sender.example", null, false, Instant.now());
        List<AnalysisInput> inputs = new ArrayList<>();
        for (Path f : files) {
            ParsedMessage m = parser.parse(new ByteArrayInputStream(Files.readAllBytes(f)));
            AnalysisInput input = new AnalysisInput(envelope, m);
            for (MimePart part : m.parts()) {
                if (part.text() != null && part.contentType() != null && part.contentType().contains("html")) {
                    HtmlText.visible(input, part.text()); // what the lure, link and evasion analyzers read first
                }
            }
            m.close(); // as in the gateway: the search runs after the analysis released the attachment contents
            inputs.add(input);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int pass = 1; pass <= passes; pass++) {
            int withCandidates = 0;
            long start = threads.getCurrentThreadCpuTime();
            for (AnalysisInput input : inputs) {
                if (!ArchivePasswords.of(input).own().isEmpty()) {
                    withCandidates++;
                }
            }
            long nanos = threads.getCurrentThreadCpuTime() - start;
            System.out.printf(Locale.ROOT, "pass %d: %d messages, %.1f µs CPU per message, %d give a password candidate%n",
                    pass, inputs.size(), nanos / 1000.0 / inputs.size(), withCandidates);
        }
    }
}
