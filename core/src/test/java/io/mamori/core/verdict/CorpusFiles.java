package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files the whole-corpus robustness tests read: by default the real third-party messages and files this module
 * keeps as test resources (each set's source and licence in its README), so that the suite passes from a clone of the
 * project alone; with the system property {@code mamori.corpus} (set by {@code bench/corpus-robustness.sh}), every file
 * of that directory, such as ../shared/corpus.
 */
final class CorpusFiles {

    /** The module's own test resources, relative to the module directory Surefire runs in. */
    private static final Path OWN = Path.of("src/test/resources");

    private CorpusFiles() {
    }

    /** The directory read: {@code mamori.corpus} when set, else the module's test resources. */
    static Path root() {
        String given = System.getProperty("mamori.corpus");
        Path root = given == null || given.isBlank() ? OWN : Path.of(given);
        assertThat(root).as("the corpus directory (mamori.corpus, or the module's test resources)").isDirectory();
        return root;
    }

    /**
     * Fewer files than this mean the walk found the wrong directory: 1,500 messages of a given corpus (../shared/corpus
     * holds over 2,000), 100 of the module's own.
     */
    static int expectedMessages() {
        return root().equals(OWN) ? 100 : 1500;
    }

    /** Every regular file under {@link #root()}, sorted. */
    static List<Path> files() throws IOException {
        try (Stream<Path> files = Files.walk(root())) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** The messages (.eml, .msg) under {@link #root()}, sorted. */
    static List<Path> messages() throws IOException {
        return files().stream().filter(p -> p.toString().endsWith(".eml") || p.toString().endsWith(".msg")).toList();
    }
}
