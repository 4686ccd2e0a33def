package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50 MB HTML message is disarmed in a JVM whose heap is capped at 32 MB ({@link BigHtmlDisarm} in a child
 * process), so disarm streams: it never holds the message, or even its HTML part, in memory. The speed is in
 * {@code bench/RESULTS.md}, not asserted here.
 */
class BigHtmlDisarmTest {

    @Test
    void fiftyMegabytesOfHostileHtmlAreDisarmedWithA32MegabyteHeap(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(java.toString(), "-Xmx32m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), BigHtmlDisarm.class.getName(), dir.toString(), "50")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("the child finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();

        Map<String, Long> r = new HashMap<>();
        output.lines().filter(l -> l.matches("[a-z_]+=[0-9.]+")).forEach(l -> {
            String[] kv = l.split("=");
            r.put(kv[0], (long) Double.parseDouble(kv[1]));
        });
        assertThat(r.get("max_heap_mb")).isLessThanOrEqualTo(32);
        assertThat(r.get("input_bytes")).isGreaterThan(50L * 1024 * 1024);
        assertThat(r.get("blocks")).isGreaterThan(50_000);
        assertThat(r.get("scripts")).isZero();
        assertThat(r.get("handlers")).isZero();
        assertThat(r.get("forms")).isZero();
        assertThat(r.get("remote_images")).isZero();
        assertThat(r.get("defanged_links")).as("every link shown, defanged").isEqualTo(r.get("blocks"));
        assertThat(r.get("japanese")).as("every block's Japanese sentence kept").isEqualTo(r.get("blocks"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("encrypted temporary bodies are deleted").containsExactlyInAnyOrder("big.eml", "big-disarmed.eml", "child.log");
        }
    }
}
