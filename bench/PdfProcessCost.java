import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What parsing PDFs in a child JVM of their own would cost (a design the team is deciding on: a process that can be
 * killed ends the class of "a parser loops forever"): run in a fresh JVM, it reads one PDF N times with exactly what
 * the analyzers run on a PDF attachment — the link reader ({@code PdfLinks.read}) and the attachment inspection
 * ({@code PdfInspection.inspect}), called by reflection since both are package-private — and prints the time of the
 * first reading (class loading and the interpreter: what a new worker pays) and of each later one (a warm worker).
 * bench/pdf-process-cost.sh runs it and measures the whole process (CPU, resident set).
 *
 *   java -cp <classes>:<mamori-cli/lib/*> PdfProcessCost FILE.pdf N
 */
public final class PdfProcessCost {

    public static void main(String[] args) throws Exception {
        byte[] pdf = Files.readAllBytes(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        Method links = Class.forName("io.mamori.core.link.PdfLinks").getDeclaredMethod("read", byte[].class, long.class);
        links.setAccessible(true);
        Method inspect = Class.forName("io.mamori.core.attachment.PdfInspection")
                .getDeclaredMethod("inspect", byte[].class, int.class);
        inspect.setAccessible(true);
        long start = System.nanoTime();
        long first = 0;
        int seen = 0;
        for (int i = 0; i < n; i++) {
            Object document = links.invoke(null, pdf, System.nanoTime() + 1_000_000_000L);
            Object result = inspect.invoke(null, pdf, 8 * 1024 * 1024);
            seen += (document == null ? 0 : 1) + (result == null ? 0 : 1);
            if (i == 0) {
                first = System.nanoTime() - start;
            }
        }
        long all = System.nanoTime() - start;
        System.out.printf("first_ms=%.1f%n", first / 1e6);
        System.out.printf("later_ms_each=%.3f%n", n > 1 ? (all - first) / 1e6 / (n - 1) : 0.0);
        System.out.printf("results=%d%n", seen);
    }
}
