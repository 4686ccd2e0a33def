package io.mamori.core.testing;


import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A file that a writer changes between any two reads, as a non-atomic writer can: a named pipe whose every opening
 * for reading gets the next of the contents given to {@link #then}, so that a test says what each read sees instead
 * of racing a writer. A read with nothing queued waits for the next content. Needs {@code mkfifo} (coreutils, on every
 * Debian machine): without it the test fails, it is not skipped.
 */
public final class ScriptedFile implements AutoCloseable {

    /** Time for a reader to see the end of one content before the pipe is opened for the next. */
    private static final long GAP_MILLIS = 200;

    private final Path path;
    private final BlockingQueue<String> contents = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    private ScriptedFile(Path path) {
        this.path = path;
        this.writer = new Thread(this::write, "scripted-file-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Creates the named pipe at {@code path}. */
    public static ScriptedFile create(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
            throw new IOException("mkfifo " + path + " failed: " + new String(mkfifo.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return new ScriptedFile(path);
    }

    public Path path() {
        return path;
    }

    /** Queues what the next reads get, one content per opening of the file. */
    public ScriptedFile then(String... next) {
        contents.addAll(java.util.List.of(next));
        return this;
    }

    private void write() {
        try {
            while (!closed) {
                String content = contents.take();
                // opening for writing waits for a reader
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE)) {
                    out.write(content.getBytes(StandardCharsets.UTF_8));
                }
                Thread.sleep(GAP_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closed) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Stops the writer, releasing it if it waits for a reader that never came. */
    @Override
    public void close() throws Exception {
        closed = true;
        writer.interrupt();
        // Opening a pipe for reading and writing never waits (Linux), and it is the reader a waiting writer needs.
        try (FileChannel release = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writer.join(5_000);
        }
    }
}
