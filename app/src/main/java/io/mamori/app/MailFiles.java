package io.mamori.app;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the messages of a directory tree for {@code eval}: every {@code .eml} file is one message, every
 * {@code .mbox} file (or any file that begins with an mbox {@code "From sender"} line) is split into its messages, and
 * a file without an extension that begins like a mail header (maildir files) is one message. Hand-written because Mime4j's mbox iterator is not
 * published for the version we use, and it maps whole files into memory; this reads line by line and
 * bounds each message.
 */
final class MailFiles {

    /** One message: its file, its position in an mbox (0 for a plain file), and its bytes or why it was skipped. */
    record Item(Path file, int index, byte[] bytes, String error) {
        String name() {
            return index == 0 ? file.toString() : file + "#" + index;
        }
    }

    private MailFiles() {
    }

    static List<Path> find(Path root) throws IOException {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        // symbolic links are followed (a corpus assembled from links to other directories); a loop is an error
        try (Stream<Path> files = Files.walk(root, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return files.filter(Files::isRegularFile).filter(MailFiles::isMail).sorted().toList();
        }
    }

    private static final java.util.regex.Pattern HEADER_START = java.util.regex.Pattern.compile(
            "^(From |[A-Za-z0-9-]{1,76}:)");

    private static boolean isMail(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".eml") || n.endsWith(".mbox")) {
            return true;
        }
        return !n.contains(".") || n.matches(".*\\.\\d+$") || n.contains(":2,") || n.contains("_2_")
                ? HEADER_START.matcher(head(p)).find() : false;
    }

    static boolean isMbox(Path p) {
        return p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".mbox")
                || isFromLine(head(p).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** The first bytes of a file as Latin-1 text, or "" if it cannot be read. */
    private static String head(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(80), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Most bytes of one message of an mbox file; a larger one is skipped with the reason. */
    static final long MAX_MBOX_MESSAGE = 64L << 20;

    /** The messages of one file {@link #find} found: an mbox file split into its messages, any other file as one. */
    static List<Item> messagesOf(Path file) throws IOException {
        return isMbox(file) ? splitMbox(file, MAX_MBOX_MESSAGE) : List.of(new Item(file, 0, null, null));
    }

    /**
     * Splits an mbox at "From " lines that start the file or follow an empty line (mboxo/mboxrd), removes one
     * level of {@code >From } quoting (mboxrd), and skips messages larger than {@code maxBytes}. Text before the first
     * separator is an item with an error (index 0), not a message.
     */
    static List<Item> splitMbox(Path file, long maxBytes) throws IOException {
        List<Item> items = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            ByteArrayOutputStream current = null;
            boolean previousBlank = true;
            // whether the chunk read starts a line: a line longer than readLine's cap comes in several chunks, and
            // the rest of one is never a separator, a quoted From or (a lone LF after a CR that ended the previous
            // chunk) a blank line
            boolean lineStart = true;
            boolean oversize = false;
            boolean preamble = false;
            int index = 0;
            byte[] line;
            while ((line = readLine(in)) != null) {
                boolean startsLine = lineStart;
                lineStart = line[line.length - 1] == '\n';
                if (!startsLine) {
                    previousBlank = false;
                } else if (previousBlank && isFromLine(line)) {
                    if (current != null) {
                        items.add(item(file, index, current, oversize, maxBytes));
                    }
                    index++;
                    current = new ByteArrayOutputStream();
                    oversize = false;
                    previousBlank = false;
                    continue;
                }
                if (startsLine) {
                    previousBlank = (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
                }
                if (current == null) {
                    preamble |= !previousBlank;
                    continue;
                }
                if (oversize) {
                    continue;
                }
                int offset = startsLine && isQuotedFrom(line) ? 1 : 0;
                if (current.size() + line.length > maxBytes) {
                    oversize = true;
                    current.reset();
                    continue;
                }
                current.write(line, offset, line.length - offset);
            }
            if (current != null) {
                items.add(item(file, index, current, oversize, maxBytes));
            }
            if (preamble) {
                // not skipped silently: a file named .mbox that is one plain message, or an mbox with a damaged start
                items.add(0, new Item(file, 0, null, "最初の区切り行 (\"From \") より前の部分はメッセージとして読みません"
                        + " / text before the first mbox separator (\"From \" line): not read as a message"));
            }
        }
        return items;
    }

    private static Item item(Path file, int index, ByteArrayOutputStream content, boolean oversize, long maxBytes) {
        return oversize ? new Item(file, index, null, maxBytes + " バイトを超えます / larger than " + maxBytes + " bytes")
                : new Item(file, index, content.toByteArray(), null);
    }

    private static boolean isQuotedFrom(byte[] line) {
        int i = 0;
        while (i < line.length && line[i] == '>') {
            i++;
        }
        return i > 0 && startsWith(java.util.Arrays.copyOfRange(line, i, line.length), "From ");
    }

    /**
     * An mbox separator: "From " and then the sender (RFC 4155), not a header field written with the obsolete
     * space before its colon ("From  : John Doe", RFC 5322 §4.5), with which a plain message may begin.
     */
    private static boolean isFromLine(byte[] line) {
        return startsWith(line, "From ") && line.length > 5 && line[5] != ' ' && line[5] != '\t' && line[5] != ':';
    }

    private static boolean startsWith(byte[] line, String prefix) {
        if (line.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Most bytes {@link #readLine} returns at once. */
    static final int LINE_CHUNK = 1 << 20;

    /**
     * One line including its terminator, or null at the end; never empty. A line longer than {@value #LINE_CHUNK} bytes
     * comes in several chunks (only the last one ends with LF).
     */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n' || line.size() >= LINE_CHUNK) {
                break;
            }
        }
        return line.size() == 0 && b < 0 ? null : line.toByteArray();
    }
}
