package io.mamori.console.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes audit rows as CSV (RFC 4180: comma-separated, CRLF line ends, fields with comma, quote or line break
 * quoted, quotes doubled), one header line, then one line per row in the order given.
 *
 * <p>The file is UTF-8 <em>with a byte-order mark</em>: Excel, which most of our users open exports with, reads
 * a CSV without BOM in the system's ANSI code page (Shift_JIS on Japanese Windows) and shows Japanese as
 * garbage; with the BOM it reads UTF-8. Other CSV readers skip or tolerate the BOM.
 *
 * <p>A text cell that starts with {@code = + - @}, tab or CR gets a leading apostrophe, so that a spreadsheet
 * shows it as text instead of running it as a formula (CSV injection, e.g. a login name
 * {@code =HYPERLINK(…)}). The hashes are over the stored values: check the chain with
 * {@code mamori audit verify}, not from an export.
 *
 * <p>Not thread-safe: one export at a time per instance.
 */
public final class AuditCsv implements Closeable {

    static final String[] HEADER = {"seq", "time_utc", "time_local", "actor", "source_ip", "action", "object",
        "before", "after", "success", "prev_hash", "hash"};
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final CSVPrinter printer;
    private final ZoneId zone;
    private long rows;

    /** Starts the file: BOM and header line. {@code zone} is the time zone of the {@code time_local} column. */
    public AuditCsv(OutputStream out, ZoneId zone) throws IOException {
        this.zone = zone;
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        writer.write('\uFEFF');
        this.printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(HEADER).get());
    }

    public void write(AuditRecord r) throws IOException {
        printer.printRecord(r.seq(), r.at().toString(), LOCAL.format(r.at().atZone(zone)), text(r.actor()),
                text(r.sourceIp()), text(r.action()), text(r.object()), text(r.before()), text(r.after()),
                r.success(), r.prevHash(), r.hash());
        rows++;
    }

    public long rows() {
        return rows;
    }

    /** Flushes; the underlying stream is closed too. */
    @Override
    public void close() throws IOException {
        printer.close(true);
    }

    static String text(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        if (first == '\t' || first == '\r') {
            return "'" + value;
        }
        // the first character after any leading spaces, in its compatibility form: some spreadsheets skip the spaces,
        // and read a full-width ＝ (as typed with a Japanese input method) as =
        int i = 0;
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\u3000')) {
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        String lead = java.text.Normalizer.normalize(value.substring(i, i + Character.charCount(value.codePointAt(i))),
                java.text.Normalizer.Form.NFKC);
        char c = lead.isEmpty() ? ' ' : lead.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' ? "'" + value : value;
    }
}
