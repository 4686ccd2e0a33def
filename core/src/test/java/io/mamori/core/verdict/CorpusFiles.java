package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The messages (.eml, .msg) of ../shared/corpus, found through the {@code mamori.corpus} property the build sets. */
final class CorpusFiles {

    private CorpusFiles() {
    }

    static List<Path> messages() throws IOException {
        Path corpus = Path.of(System.getProperty("mamori.corpus", "../../shared/corpus"));
        assertThat(corpus).as("the shared corpus next to the repository").isDirectory();
        try (Stream<Path> files = Files.walk(corpus)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".eml") || p.toString().endsWith(".msg")).sorted().toList();
        }
    }
}
