package io.mamori.core.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks RAR archives with libarchive, through its command-line front end {@code bsdtar} (Debian's
 * {@code libarchive-tools}): the archive goes in on standard input and comes out as a POSIX (pax) tar stream with
 * every entry decompressed, which Commons Compress reads like any tar.
 *
 * <p>Why a separate program: no Java library under an open-source licence decompresses RAR (Commons Compress does
 * not; junrar and 7-Zip's RAR code are under the UnRAR licence), while libarchive's RAR 4 and RAR 5 readers are its
 * own BSD-licensed code, well kept and fuzzed. {@link RarEntries} still reads the headers in Java, so names,
 * encryption and stored entries never depend on the program. The attachment walks use it for archives with
 * compressed entries; the antivirus analyzer hands clamd every attached RAR archive unpacked ({@link #asTar}).
 *
 * <p>Bounded: the program runs under {@code prlimit} (where present) with at most {@value #MEMORY_MIB} MiB of address
 * space and {@value #CPU_SECONDS} s of CPU, and is killed after {@value #WALL_SECONDS} s of wall time, when the reading
 * thread is interrupted (within 50 ms), or as soon as the reader closes the stream. What it writes is read only as
 * fast as the reader consumes it (the pipe holds it back), so a RAR bomb costs no more than the reader's own byte
 * budget. Its diagnostics are discarded: they would carry the attachment's file names into the log.
 *
 * <p>Sandboxed: the program parses what an attacker sent, in native code, so where bubblewrap ({@code bwrap}, Debian's
 * {@code bubblewrap}) is installed and works here, it runs in namespaces of its own: no network (not even loopback),
 * no other process, no file system but {@code /usr} and the program read-only (no {@code /etc}, no home, no
 * {@code /tmp}, nothing writable), no capabilities, killed with the gateway. Whether the sandbox works is tried once,
 * with the program's {@code --version}; if bubblewrap is missing or cannot start (user namespaces switched off), the
 * program runs as before, and the start says so at WARN.
 *
 * <p>Which program: the setting {@code mamori.analysis.rar-unpacker} ({@link #configure}) names it, or {@code none} to
 * unpack nothing; otherwise {@code bsdtar} in {@code /usr/bin}, {@code /bin} or {@code /usr/local/bin}. Thread-safe.
 */
public final class RarUnpacker {

    private static final Logger LOG = LoggerFactory.getLogger(RarUnpacker.class);

    static final int MEMORY_MIB = 1024;
    static final int CPU_SECONDS = 20;
    static final int WALL_SECONDS = 30;

    /** Unpacks nothing: compressed RAR entries stay uninspected. */
    static final RarUnpacker NONE = new RarUnpacker(null, null, List.of(), Duration.ZERO);

    private final Path program;
    private final Path prlimit;
    /** The sandbox's command line before the program's, or empty for none. */
    private final List<String> sandbox;
    private final Duration wall;

    private RarUnpacker(Path program, Path prlimit, List<String> sandbox, Duration wall) {
        this.program = program;
        this.prlimit = prlimit;
        this.sandbox = List.copyOf(sandbox);
        this.wall = wall;
    }

    /** {@code program} (bsdtar's arguments, no limits, no sandbox) killed after {@code wall}: for tests. */
    static RarUnpacker of(Path program, Duration wall) {
        return new RarUnpacker(program, null, List.of(), wall);
    }

    /** The first bsdtar found, looked for once (holder idiom): only when a RAR archive first needs it. */
    private static final class Found {
        static final RarUnpacker INSTANCE = find("");
    }

    /** The unpacker set by {@link #configure}; {@code null} until then. */
    private static volatile RarUnpacker configured;

    /**
     * Sets the unpacker of this process from the setting {@code mamori.analysis.rar-unpacker}: a path, {@code none},
     * or blank for the first bsdtar found. Says at INFO when compressed entries will not be unpacked.
     */
    public static void configure(String setting) {
        configured = find(setting);
    }

    /** The unpacker of this process: the configured one, or the first bsdtar found, or {@link #NONE}. */
    public static RarUnpacker system() {
        RarUnpacker c = configured;
        return c != null ? c : Found.INSTANCE;
    }

    /** The unpacker named by a setting: a path, {@code none}, or blank for the first bsdtar found. */
    static RarUnpacker find(String setting) {
        String named = setting == null ? "" : setting.trim();
        if (named.toLowerCase(Locale.ROOT).equals("none")) {
            return NONE;
        }
        Optional<Path> program = named.isEmpty()
                ? executable(List.of("/usr/bin/bsdtar", "/bin/bsdtar", "/usr/local/bin/bsdtar"))
                : executable(List.of(named));
        if (program.isEmpty()) {
            LOG.info("RAR archives: compressed entries are not unpacked ({}) / RAR の圧縮されたエントリは展開しません({})",
                    named.isEmpty() ? "bsdtar not found; install libarchive-tools" : "not executable: " + named,
                    named.isEmpty() ? "bsdtar がありません。libarchive-tools を入れてください" : "実行できません: " + named);
            return NONE;
        }
        return new RarUnpacker(program.get(), executable(List.of("/usr/bin/prlimit", "/bin/prlimit")).orElse(null),
                sandboxFor(program.get()), Duration.ofSeconds(WALL_SECONDS));
    }

    /**
     * The bubblewrap command line that confines {@code program}, if bubblewrap is installed and the program starts in
     * it (its {@code --version}, within 10 s); otherwise empty, said at WARN.
     */
    static List<String> sandboxFor(Path program) {
        Optional<Path> bwrap = executable(List.of("/usr/bin/bwrap", "/bin/bwrap"));
        if (bwrap.isEmpty()) {
            LOG.warn("RAR archives: bsdtar runs without a sandbox (bubblewrap not installed) / RAR の展開 (bsdtar) は"
                    + "サンドボックスなしで動きます (bubblewrap がありません)");
            return List.of();
        }
        List<String> command = new ArrayList<>(List.of(bwrap.get().toString(), "--unshare-all", "--die-with-parent",
                "--new-session", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr", "--dev", "/dev"));
        // the top-level directories a merged /usr links into it (/lib, /lib64, /bin, /sbin), as links; where they are
        // directories of their own (a system without merged /usr), read-only
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(top);
            try {
                if (Files.isSymbolicLink(p)) {
                    command.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } else if (Files.isDirectory(p)) {
                    command.addAll(List.of("--ro-bind", top, top));
                }
            } catch (IOException e) {
                // unreadable link: left out, the probe below tells whether the program still starts
            }
        }
        if (!program.startsWith("/usr/")) {
            command.addAll(List.of("--ro-bind", program.toString(), program.toString()));
        }
        List<String> probe = new ArrayList<>(command);
        probe.addAll(List.of(program.toString(), "--version"));
        String failure;
        try {
            Process p = withCleanEnvironment(new ProcessBuilder(probe).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                failure = "no answer in 10 s";
            } else {
                failure = p.exitValue() == 0 ? null : "exit status " + p.exitValue();
            }
        } catch (IOException e) {
            failure = e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (failure != null) {
            LOG.warn("RAR archives: bsdtar runs without a sandbox (bubblewrap failed: {}) / RAR の展開 (bsdtar) は"
                    + "サンドボックスなしで動きます (bubblewrap が失敗: {})", failure, failure);
            return List.of();
        }
        return List.copyOf(command);
    }

    /** Whether the program runs in a sandbox. */
    public boolean sandboxed() {
        return !sandbox.isEmpty();
    }

    private static Optional<Path> executable(List<String> candidates) {
        return candidates.stream().map(Path::of).filter(Files::isRegularFile).filter(Files::isExecutable).findFirst();
    }

    /** How long the program may run on one archive. */
    Duration wall() {
        return wall;
    }

    /** The program that unpacks, or empty for {@link #NONE}. */
    public Optional<Path> program() {
        return Optional.ofNullable(program);
    }

    /** Whether this unpacker unpacks anything. */
    public boolean available() {
        return program != null;
    }

    /**
     * Whether {@code head} (a file's first bytes) is a RAR archive this unpacker can hand over as a tar stream: RAR 4
     * or RAR 5, headers not encrypted, and an unpacker at hand.
     */
    public boolean unpacks(byte[] head) {
        return available() && FileSignatures.isRar(head, head.length) && !FileSignatures.rarEncrypted(head, head.length);
    }

    /**
     * Hands {@code rar} to {@code reader} as a tar stream of its unpacked entries, for a reader that opens tar files
     * itself (the antivirus engine: clamd reads tar, but not compressed RAR without the non-free unrar module). The
     * stream ends early where the archive is damaged or unsupported. The program is ended when {@code reader}
     * returns.
     */
    public <T> T asTar(byte[] rar, java.util.function.Function<InputStream, T> reader) throws IOException {
        try (Unpacking run = start(rar)) {
            return reader.apply(run.tar());
        }
    }

    /**
     * Starts unpacking {@code rar}. The caller reads the tar stream ({@link Unpacking#tar()}) and closes the
     * {@link Unpacking}, which ends the program whatever it was doing.
     */
    Unpacking start(byte[] rar) throws IOException {
        if (program == null) {
            throw new IllegalStateException("no RAR unpacker");
        }
        List<String> command = new ArrayList<>();
        if (prlimit != null) {
            command.addAll(List.of(prlimit.toString(), "--as=" + (long) MEMORY_MIB * 1024 * 1024,
                    "--cpu=" + CPU_SECONDS, "--core=0"));
        }
        command.addAll(sandbox);
        // -c -f -: write an archive to standard output; @-: its entries are those of the archive on standard input
        command.addAll(List.of(program.toString(), "-c", "-f", "-", "--format", "pax", "@-"));
        ProcessBuilder builder = withCleanEnvironment(new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD));
        return new Unpacking(builder.start(), rar, wall);
    }

    /**
     * The builder with none of the gateway's environment (which may hold the database password) passed on: only a
     * UTF-8 locale, in which names are written to the tar stream, and a plain PATH.
     */
    private static ProcessBuilder withCleanEnvironment(ProcessBuilder builder) {
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("LC_ALL", "C.UTF-8");
        env.put("PATH", "/usr/bin:/bin");
        return builder;
    }

    /** One run of the program over one archive. */
    static final class Unpacking implements AutoCloseable {

        private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rar-unpacker-watch");
            t.setDaemon(true);
            return t;
        });

        private final Process process;
        private final ScheduledFuture<?> deadline;
        private final ScheduledFuture<?> interruption;
        private final AtomicBoolean killed = new AtomicBoolean();

        private Unpacking(Process process, byte[] rar, Duration wall) {
            this.process = process;
            this.deadline = WATCH.schedule(() -> {
                killed.set(true);
                process.destroyForcibly();
            }, wall.toMillis(), TimeUnit.MILLISECONDS);
            // a read from the pipe does not notice an interrupt (the analysis budget): ending the program ends the read
            Thread reader = Thread.currentThread();
            this.interruption = WATCH.scheduleWithFixedDelay(() -> {
                if (reader.isInterrupted()) {
                    process.destroyForcibly();
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            // the archive is fed from another thread: the program may write (and block on a full pipe) before it has
            // read all of its input
            Thread feed = new Thread(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(rar);
                } catch (IOException e) {
                    // the program stopped reading (it failed, or was ended): its exit status tells
                }
            }, "rar-unpacker-feed");
            feed.setDaemon(true);
            feed.start();
        }

        /** The tar stream the program writes. */
        InputStream tar() {
            return process.getInputStream();
        }

        /** Whether the program was ended for taking too long. */
        boolean timedOut() {
            return killed.get();
        }

        @Override
        public void close() {
            deadline.cancel(false);
            interruption.cancel(false);
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                process.getInputStream().close();
            } catch (IOException e) {
                // nothing more to read
            }
        }
    }
}
