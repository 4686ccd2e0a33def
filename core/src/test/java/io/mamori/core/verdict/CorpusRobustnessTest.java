package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every file of a corpus (real third-party mail, much of it broken on purpose, and the documents and archives kept
 * beside it) parses to a defined result with every byte read, and every message in it can be tagged: the module's own
 * test resources, or the directory {@code bench/corpus-robustness.sh} names ({@link CorpusFiles}).
 */
class CorpusRobustnessTest {

    @Test
    void everyCorpusFileParsesAndIsReadToItsEnd() throws IOException {
        MessageParser parser = new MessageParser();
        List<Path> files = CorpusFiles.files();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                ParsedMessage m = parser.parse(in);
                assertThat(m.rawSize()).as(f.toString()).isEqualTo(Files.size(f));
            }
        }
        assertThat(files).hasSizeGreaterThan(CorpusFiles.expectedMessages());
    }

    @Test
    void everyCorpusMessageCanBeTagged() throws IOException {
        TagRewriter rewriter = new TagRewriter();
        List<FindingCatalogue.Entry> reasons = List.copyOf(FindingCatalogue.builtIn().entries().values());
        List<String> untagged = new ArrayList<>();
        int messages = 0;
        for (Path f : CorpusFiles.files()) {
            String name = f.getFileName().toString();
            if (!name.endsWith(".eml") && !name.endsWith(".msg")) {
                continue;
            }
            messages++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = Files.newInputStream(f)) {
                rewriter.rewrite(in, out, "[要注意]", reasons);
            }
            ParsedMessage tagged = new MessageParser().parse(new ByteArrayInputStream(out.toByteArray()));
            if (!tagged.subject().startsWith("[要注意]")) {
                untagged.add(f + ": " + tagged.subject());
            }
        }
        assertThat(untagged).isEmpty();
        assertThat(messages).isGreaterThan(CorpusFiles.expectedMessages());
    }
}
