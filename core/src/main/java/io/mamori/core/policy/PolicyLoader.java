package io.mamori.core.policy;

import io.mamori.core.analysis.FindingCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads and strictly validates {@code policy.yaml} (schema: {@code docs/policy.md}). Every problem found is
 * reported at once, each with file, line, column and dotted key.
 *
 * <p>The YAML is only <em>composed</em> into nodes (never constructed into objects), so no type is ever
 * instantiated from the document; aliases, nesting and size are capped so that a hostile file costs bounded
 * time and memory. Thread-safe: instances hold only the immutable catalogue.
 */
public final class PolicyLoader {

    /** Larger than any sensible policy; the cap keeps a wrong path (a log file, a dump) from being read whole. */
    static final int MAX_BYTES = 512 * 1024;
    private static final int MAX_ALIASES = 20;
    private static final int MAX_NESTING = 20;
    private static final String DEFAULTS_RESOURCE = "default-policy.yaml";

    private final FindingCatalogue catalogue;

    /** @param catalogue the finding codes that {@code forced} entries may name */
    public PolicyLoader(FindingCatalogue catalogue) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    }

    /** Reads a policy file; errors name the file as {@code file.toString()}. */
    public Policy load(Path file) throws PolicyException {
        String name = file.toString();
        return parse(read(file, name), name);
    }

    /** Parses policy text; {@code fileName} only labels the errors. */
    public Policy parse(String yaml, String fileName) throws PolicyException {
        requireWithinSize(yaml, fileName);
        String text = yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml;
        return new PolicyDocument(fileName, catalogue).read(compose(text, fileName));
    }

    /**
     * Refuses text larger than a policy file may be ({@link #MAX_BYTES}), in the words of the loader's own refusal:
     * for work that costs more than reading, such as comparing two texts, to check before it starts.
     */
    public static void requireWithinSize(String text, String fileName) throws PolicyException {
        // Measured as the file will hold it, so that text the console accepts is a file the watcher and a restart
        // accept too (200,000 'あ' are 200,000 chars but 600,000 bytes).
        if (utf8Length(text) > MAX_BYTES) {
            throw tooLarge(fileName);
        }
    }

    /**
     * The built-in default policy (the same file as {@code config/policy.example.yaml}).
     *
     * @throws IllegalStateException if the shipped file does not validate against this loader's catalogue
     */
    public Policy defaults() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            return parse(in.readNBytes(MAX_BYTES + 1), DEFAULTS_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
        } catch (PolicyException e) {
            throw new IllegalStateException("the built-in policy is invalid:\n" + e.getMessage(), e);
        }
    }

    /**
     * Bytes of a policy file, at most {@link #MAX_BYTES}; read errors become a {@link PolicyException}, and so does a
     * larger file. What the gateway reads, for a tool (the console's editor) to read the file the same way.
     */
    public static byte[] read(Path file, String name) throws PolicyException {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw single(name, 1, 1, "cannot read the file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")",
                    "ファイルを読めません（" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "）");
        }
        if (content.length > MAX_BYTES) {
            throw tooLarge(name);
        }
        return content;
    }

    private static PolicyException tooLarge(String fileName) {
        return single(fileName, 1, 1, "larger than " + MAX_BYTES + " bytes", MAX_BYTES + " バイトを超えています");
    }

    /** Bytes of {@code text} in UTF-8, counted up to just over {@link #MAX_BYTES}. */
    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= MAX_BYTES; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Parses file content, which must be UTF-8. */
    Policy parse(byte[] content, String fileName) throws PolicyException {
        return parse(decodeUtf8(content, fileName), fileName);
    }

    /**
     * The text of file content as the gateway decodes it: strictly UTF-8, an error pointing at the first byte that
     * is not (a file saved as Shift_JIS).
     */
    public static String decodeUtf8(byte[] content, String fileName) throws PolicyException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            // Shift_JIS saved by an old editor is the likely cause; point at the first bad byte.
            int bad = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bad; i++) {
                if (content[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            String before = new String(content, lineStart, bad - lineStart, StandardCharsets.UTF_8);
            int column = before.codePointCount(0, before.length()) + 1;
            throw single(fileName, line, column, "not valid UTF-8; save the file as UTF-8",
                    "UTF-8 として正しくありません。ファイルを UTF-8 で保存してください");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static Node compose(String text, String fileName) throws PolicyException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_BYTES);
        options.setProcessComments(false);
        try {
            Composer composer = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options),
                    new Resolver(), options);
            return composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = (e.getProblem() != null ? e.getProblem() : String.valueOf(e.getContext())).strip();
            throw single(fileName, mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1,
                    syntaxMessage(problem, mark != null && startsAlias(text, mark.getIndex())),
                    syntaxMessageJa(problem, mark != null && startsAlias(text, mark.getIndex())));
        } catch (YAMLException e) {
            throw single(fileName, 1, 1, "YAML rejected: " + e.getMessage(),
                    "YAML として受け付けられません: " + e.getMessage());
        }
    }

    /** Whether the code point before {@code index} is {@code *}, i.e. the scanner was reading an alias name. */
    private static boolean startsAlias(String text, int index) {
        if (index <= 0 || index > text.codePointCount(0, text.length())) {
            return false;
        }
        return text.codePointAt(text.offsetByCodePoints(0, index - 1)) == '*';
    }

    private static String syntaxMessage(String problem, boolean afterStar) {
        if (problem.contains("\\t") || problem.contains("TAB")) {
            return "YAML syntax: tab character; indent with spaces";
        }
        if (problem.startsWith("Global tag is not allowed")) {
            return "YAML tags naming types are not allowed" + problem.substring("Global tag is not allowed".length());
        }
        if (afterStar || problem.startsWith("found undefined alias")) {
            // "- *.example.co.jp" reads as an alias in YAML; the wildcard domain must be quoted.
            return "YAML syntax: " + problem + " (quote wildcard domains: \"*.example.co.jp\")";
        }
        return "YAML syntax: " + problem;
    }

    /** The Japanese form of {@link #syntaxMessage}; the parser's own description stays in English. */
    private static String syntaxMessageJa(String problem, boolean afterStar) {
        if (problem.contains("\\t") || problem.contains("TAB")) {
            return "YAML 構文エラー: タブ文字があります。インデントには空白を使ってください";
        }
        if (problem.startsWith("Global tag is not allowed")) {
            return "型を指定する YAML タグは使えません" + problem.substring("Global tag is not allowed".length());
        }
        if (afterStar || problem.startsWith("found undefined alias")) {
            return "YAML 構文エラー: " + problem + "（ワイルドカードのドメインは \"*.example.co.jp\" のように引用符で囲んでください）";
        }
        return "YAML 構文エラー: " + problem;
    }

    private static PolicyException single(String fileName, int line, int column, String message, String messageJa) {
        return new PolicyException(List.of(new PolicyError(fileName, line, column, "", message, messageJa)));
    }
}
