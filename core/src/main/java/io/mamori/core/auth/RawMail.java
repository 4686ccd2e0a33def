package io.mamori.core.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The raw message as DKIM and ARC need it: header fields exactly as written (folding kept), then the body
 * read line by line. Bare LF line ends are read as CRLF, as every DKIM verifier does for mail handed over
 * with local line ends (RFC 6376 §5.3 assumes the CRLF of the wire).
 *
 * <p>Header text is held as ISO-8859-1 strings so that each char is exactly one byte of the original.
 * Single use, not thread-safe.
 */
final class RawMail implements AutoCloseable {

    /** More header bytes than any real message carries; beyond it DKIM/ARC give up on the message. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    /** One header field: name and the whole field (name, colon, value, folding) ending with CRLF. */
    record Field(String name, String raw) {
        String lowerName() {
            return name.toLowerCase(Locale.ROOT);
        }

        /** The value after the colon, unfolded is not done here: raw, without the final CRLF. */
        String value() {
            int colon = raw.indexOf(':');
            return raw.substring(colon + 1, raw.length() - 2);
        }
    }

    static final class TooLarge extends IOException {
        TooLarge() {
            super("header block larger than " + MAX_HEADER_BYTES + " bytes");
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int len;
    private final List<Field> fields = new ArrayList<>();

    private RawMail(InputStream in) {
        this.in = in;
    }

    /** Reads the header block; the stream is then positioned at the first body line. */
    static RawMail read(InputStream in) throws IOException {
        RawMail m = new RawMail(in);
        m.readHeaders();
        return m;
    }

    List<Field> fields() {
        return fields;
    }

    /** The fields of one name (case-insensitive), in message order. */
    List<Field> fields(String name) {
        // equalsIgnoreCase instead of lower-casing every field's name on every call (DKIM and ARC ask for four names):
        // the same test here, since a name is Latin-1 and no Latin-1 letter but A-Z lower-cases to ASCII
        String n = name.toLowerCase(Locale.ROOT);
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().length() == n.length() && f.name().equalsIgnoreCase(n)) {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }

    private void readHeaders() throws IOException {
        StringBuilder current = null;
        String currentName = null;
        long total = 0;
        byte[] line;
        while ((line = nextLine()) != null) {
            total += line.length + 2;
            if (total > MAX_HEADER_BYTES) {
                throw new TooLarge();
            }
            if (line.length == 0) {
                break;
            }
            String text = new String(line, StandardCharsets.ISO_8859_1);
            if ((line[0] == ' ' || line[0] == '\t') && current != null) {
                current.append(text).append("\r\n");
                continue;
            }
            if (current != null) {
                fields.add(new Field(currentName, current.toString()));
            }
            int colon = text.indexOf(':');
            currentName = colon < 0 ? "" : text.substring(0, colon).strip();
            current = new StringBuilder(text).append("\r\n");
        }
        if (current != null) {
            fields.add(new Field(currentName, current.toString()));
        }
    }

    /**
     * The next line without its line end, or {@code null} at the end. A last line without line end is
     * returned as a line too; {@link #lastLineTerminated()} tells.
     */
    byte[] nextLine() throws IOException {
        ByteArrayOutputStream line = null;
        while (true) {
            if (pos == len) {
                len = in.read(buf);
                pos = 0;
                if (len <= 0) {
                    len = 0;
                    terminated = false;
                    return line == null ? null : stripCr(line.toByteArray());
                }
            }
            int start = pos;
            while (pos < len && buf[pos] != '\n') {
                pos++;
            }
            if (line == null && pos < len) {
                // the whole line is in the buffer (nearly always): one copy, without its CR, no builder
                int end = pos > start && buf[pos - 1] == '\r' ? pos - 1 : pos;
                pos++;
                terminated = true;
                return java.util.Arrays.copyOfRange(buf, start, end);
            }
            if (line == null) {
                line = new ByteArrayOutputStream(Math.max(80, pos - start));
            }
            line.write(buf, start, pos - start);
            if (pos < len) {
                pos++;
                terminated = true;
                return stripCr(line.toByteArray());
            }
        }
    }

    private boolean terminated = true;

    boolean lastLineTerminated() {
        return terminated;
    }

    private static byte[] stripCr(byte[] b) {
        if (b.length > 0 && b[b.length - 1] == '\r') {
            return java.util.Arrays.copyOf(b, b.length - 1);
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
