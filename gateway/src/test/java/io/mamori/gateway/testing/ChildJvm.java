package io.mamori.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code main} class of the tests run in a JVM of its own (this test class path, 128 MB of heap), for what one
 * process cannot show: a SIGKILL in the middle of work, file locks between processes. The child prints {@code READY}
 * when it has done what the test waits for.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;

    private ChildJvm(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code main} with {@code args} and returns once the child printed {@code READY}, handing every line before
     * it to {@code lines}; the child keeps running.
     *
     * @throws AssertionError if the child ends before it is ready
     */
    public static ChildJvm untilReady(Class<?> main, Consumer<String> lines, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String[] command = new String[args.length + 5];
        command[0] = java.toString();
        command[1] = "-Xmx128m";
        command[2] = "-cp";
        command[3] = System.getProperty("java.class.path");
        command[4] = main.getName();
        System.arraycopy(args, 0, command, 5, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals("READY")) {
                return new ChildJvm(process);
            }
            lines.accept(line);
        }
        process.destroyForcibly();
        throw new AssertionError(main.getSimpleName() + " ended before it was ready");
    }

    /** Kills the child with SIGKILL, as a crash would, and checks that this is how it ended. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    /** Closes the child's standard input (its signal to finish) and waits for it to end on its own. */
    public void finish() throws IOException, InterruptedException {
        process.getOutputStream().close();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("finished").isTrue();
    }

    /** Whatever happened, the child does not outlive the test. */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
