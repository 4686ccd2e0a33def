package io.mamori.core.lists;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The plain-text list file ({@code lists.file} in the policy): one entry per line,
 *
 * <pre>
 * # comment
 * block sender spam.example          # a domain and its sub-domains
 * block sender someone@freemail.example
 * block link   evil.example
 * block link   https://bit.ly/3abcdef
 * allow sender partner.co.jp
 * </pre>
 *
 * {@code #} at the start of a line or after a space starts a comment (a {@code #} inside a URL does not).
 * Blank lines are ignored; a repeated entry counts once. The file is UTF-8. Every bad line is reported with
 * its number, all at once. Size is capped ({@value #MAX_BYTES} bytes, {@value #MAX_ENTRIES} entries) so that
 * a wrong path never loads a huge file into memory. Stateless.
 */
public final class ListFile {

    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_ENTRIES = 100_000;
    private static final int MAX_ERRORS = 100;

    /**
     * One bad line, described in English and in Japanese (as {@code io.mamori.core.policy.PolicyError}: the console
     * shows the operator's language, the command line and the log both).
     *
     * @param file      file name as given
     * @param line      1-based line number; 0 for problems with the whole file (unreadable, too large)
     * @param message   short English description
     * @param messageJa the same description in Japanese
     */
    public record Error(String file, int line, String message, String messageJa) {

        public Error {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(messageJa, "messageJa");
        }

        /** The line's entry could not be used: the reason of {@code e} on that line. */
        static Error of(String file, int line, InvalidListEntry e) {
            return new Error(file, line, e.getMessage(), e.messageJa());
        }

        /** The description in the given language: {@code "ja"} gives Japanese, anything else English. */
        public String message(String lang) {
            return "ja".equals(lang) ? messageJa : message;
        }

        /** {@code lists.txt:4: unknown list 'alow'; expected allow or block} */
        public String render() {
            return prefix() + message;
        }

        /** {@code lists.txt:4: 不明なリスト 'alow' です。allow か block を指定してください} */
        public String renderJa() {
            return prefix() + messageJa;
        }

        /** Japanese first, then English: {@code lists.txt:4: 日本語 / English}. */
        public String renderBilingual() {
            return prefix() + messageJa + " / " + message;
        }

        private String prefix() {
            return file + (line > 0 ? ":" + line : "") + ": ";
        }
    }

    /**
     * The file could not be used; the last good list stays in force. The message is every error on a line of its
     * own, in Japanese and English ({@link Error#renderBilingual()}), because it is what an operator sees when a
     * gateway refuses to start with the file.
     */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<Error> errors;

        public Invalid(List<Error> errors) {
            super(errors.stream().map(Error::renderBilingual).collect(Collectors.joining("\n")));
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an Invalid list file needs at least one error");
            }
            this.errors = List.copyOf(errors);
        }

        /** Every error, in line order; never empty. */
        public List<Error> errors() {
            return errors;
        }
    }

    private ListFile() {
    }

    /**
     * Where {@code lists.file} points: an absolute path as it is, a relative one against the directory of the
     * policy file that names it (so a policy and its list file can move together).
     */
    public static Path resolve(Path policyFile, String file) {
        Path p = Path.of(file);
        if (p.isAbsolute()) {
            return p;
        }
        Path dir = policyFile.toAbsolutePath().getParent();
        return (dir == null ? p : dir.resolve(p)).normalize();
    }

    /**
     * The entries of the list file that the policy at {@code policyFile} names ({@code named}, its {@code lists.file},
     * {@linkplain #resolve resolved} against it); none when it names none. A gateway refuses to start with a list file
     * it cannot use, so a policy gets this check before it is put in force: by {@code policy validate} and by the
     * console's save.
     */
    public static List<ListEntry> readNamedBy(Path policyFile, Optional<String> named) throws Invalid {
        return named.isEmpty() ? List.of() : read(resolve(policyFile, named.get()));
    }

    /** Reads and parses a list file; entries name it by its file name ({@code lists.txt:12}). */
    public static List<ListEntry> read(Path file) throws Invalid {
        return parse(bytes(file), name(file));
    }

    /** What errors and entries call a list file: its file name. */
    static String name(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /** The bytes of a list file, at most {@value #MAX_BYTES}; read errors become {@link Invalid}. */
    static byte[] bytes(Path file) throws Invalid {
        String name = name(file);
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            throw new Invalid(List.of(new Error(name, 0, "cannot read the file (" + why + ")",
                    "ファイルを読めません（" + why + "）")));
        }
        if (content.length > MAX_BYTES) {
            throw new Invalid(List.of(new Error(name, 0, "larger than " + MAX_BYTES + " bytes",
                    MAX_BYTES + " バイトを超えています")));
        }
        return content;
    }

    /** Parses list file content; {@code fileName} labels errors and entries. */
    public static List<ListEntry> parse(byte[] content, String fileName) throws Invalid {
        String text = decode(content, fileName);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Error> errors = new ArrayList<>();
        int unreported = 0;
        Map<String, ListEntry> entries = new LinkedHashMap<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = withoutComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] tokens = line.split("[ \\t\\u3000]+");
            try {
                if (tokens.length != 3) {
                    throw new InvalidListEntry("expected '<allow|block> <sender|link> <value>', got "
                            + tokens.length + " word(s)", "'<allow|block> <sender|link> <値>' の 3 語で書いてください（"
                            + tokens.length + " 語あります）");
                }
                ListKind kind = ListKind.parse(tokens[0]);
                ListTarget target = ListTarget.parse(tokens[1]);
                if (kind == ListKind.ALLOW && target == ListTarget.LINK) {
                    throw InvalidListEntry.allowOnlyForSenders();
                }
                ListPattern pattern = ListPattern.parse(target, tokens[2]);
                String key = kind + " " + target + " " + pattern.text();
                entries.putIfAbsent(key, new ListEntry(kind, target, pattern, ListSource.FILE, null, fileName + ":" + lineNo));
                if (entries.size() > MAX_ENTRIES) {
                    errors.add(new Error(fileName, lineNo, "more than " + MAX_ENTRIES + " entries",
                            "項目が " + MAX_ENTRIES + " を超えています"));
                    break;
                }
            } catch (InvalidListEntry e) {
                if (errors.size() < MAX_ERRORS) {
                    errors.add(Error.of(fileName, lineNo, e));
                } else {
                    unreported++;
                }
            }
        }
        if (unreported > 0) {
            errors.add(new Error(fileName, lines.length, "and " + unreported + " more line(s) with problems, not listed",
                    "ほかに問題のある行が " + unreported + " 行あります（表示していません）"));
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        return List.copyOf(entries.values());
    }

    /** The line up to a {@code #} that starts it or follows white space. */
    private static String withoutComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String decode(byte[] content, String fileName) throws Invalid {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length);
        if (decoder.decode(in, out, true).isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            throw new Invalid(List.of(new Error(fileName, line, "not valid UTF-8; save the file as UTF-8",
                    "UTF-8 として正しくありません。ファイルを UTF-8 で保存してください")));
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
