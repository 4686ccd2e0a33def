package io.mamori.console.notice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The notice templates: shipped defaults (resources {@code io/mamori/console/notice/<kind>.<lang>.txt}),
 * overridden by files of the same name in a directory ({@code mamori.notices.templates-dir}, default
 * {@code ./config/notices}), which is where the console's template editor writes. A template is read when a
 * notice is sent, so an edit applies to the next notice; {@link #write} refuses an invalid template and
 * {@link #checkAll} (run at start) refuses an invalid or misnamed file in the directory.
 *
 * <p>Thread-safe (writes are atomic file replacements).
 */
public final class NoticeTemplates {

    private static final Pattern FILE = Pattern.compile("([a-z-]+)\\.([a-z]{2})\\.txt");

    private final Path directory;

    public NoticeTemplates(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    /** The template in use for {@code kind} and {@code language}: the file in the directory if there is one. */
    public NoticeTemplate template(NoticeKind kind, NoticeLanguage language) throws NoticeTemplateException {
        Path file = file(kind, language);
        if (Files.isRegularFile(file)) {
            return NoticeTemplate.parse(kind, language, readFile(file), file.toString());
        }
        return NoticeTemplate.parse(kind, language, defaultText(kind, language), resourceName(kind, language));
    }

    /** The text in use (the file in the directory, or the shipped default), for an editor. */
    public String read(NoticeKind kind, NoticeLanguage language) {
        Path file = file(kind, language);
        if (Files.isRegularFile(file)) {
            try {
                return readFile(file);
            } catch (NoticeTemplateException e) {
                throw new UncheckedIOException(new IOException(e.getMessage()));
            }
        }
        return defaultText(kind, language);
    }

    /**
     * What an editor shows: the text in use, or, when the file cannot be read (not UTF-8, too large), the shipped
     * default with the file's problem, so that the page opens and saving replaces the file.
     */
    public Editable editable(NoticeKind kind, NoticeLanguage language) {
        Path file = file(kind, language);
        if (Files.isRegularFile(file)) {
            try {
                return new Editable(readFile(file), List.of());
            } catch (NoticeTemplateException e) {
                return new Editable(defaultText(kind, language), e.problems());
            }
        }
        return new Editable(defaultText(kind, language), List.of());
    }

    /** The text for an editor, and the problems of the file when it could not be read (then the text is the default). */
    public record Editable(String text, List<NoticeTemplateException.Problem> problems) {
        public Editable {
            problems = List.copyOf(problems);
        }
    }

    /** Whether a file in the directory overrides the shipped default. */
    public boolean overridden(NoticeKind kind, NoticeLanguage language) {
        return Files.isRegularFile(file(kind, language));
    }

    /** The problems {@code text} would have as the template for {@code kind} and {@code language}; empty if none. */
    public List<NoticeTemplateException.Problem> validate(NoticeKind kind, NoticeLanguage language, String text) {
        try {
            NoticeTemplate.parse(kind, language, text, file(kind, language).getFileName().toString());
            return List.of();
        } catch (NoticeTemplateException e) {
            return e.problems();
        }
    }

    /** Checks {@code text} and, if it is valid, makes it the template (atomically replacing the file). */
    public void write(NoticeKind kind, NoticeLanguage language, String text) throws NoticeTemplateException, IOException {
        write(kind, language, text, () -> { });
    }

    /**
     * As {@link #write(NoticeKind, NoticeLanguage, String)}, running {@code beforeReplacing} once the text is checked
     * and written beside the file, just before it replaces the file: when it throws (the audit entry of the change
     * could not be recorded), nothing changes.
     */
    public void write(NoticeKind kind, NoticeLanguage language, String text, Runnable beforeReplacing)
            throws NoticeTemplateException, IOException {
        NoticeTemplate.parse(kind, language, text, file(kind, language).getFileName().toString());
        Files.createDirectories(directory);
        Path target = file(kind, language);
        Path temp = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            beforeReplacing.run();
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Removes the override, so the shipped default applies again. */
    public void reset(NoticeKind kind, NoticeLanguage language) throws IOException {
        reset(kind, language, () -> { });
    }

    /** As {@link #reset(NoticeKind, NoticeLanguage)}, running {@code beforeRemoving} first: when it throws, nothing changes. */
    public void reset(NoticeKind kind, NoticeLanguage language, Runnable beforeRemoving) throws IOException {
        beforeRemoving.run();
        Files.deleteIfExists(file(kind, language));
    }

    /**
     * Checks every file in the directory: each must be {@code <kind>.<lang>.txt} of a known kind and language and
     * a valid template (a misspelt name would otherwise be ignored in silence). A missing directory is fine.
     *
     * @throws NoticeTemplateException listing every problem of every file
     */
    public void checkAll() throws NoticeTemplateException, IOException {
        List<NoticeTemplateException.Problem> problems = new ArrayList<>();
        if (Files.isDirectory(directory)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.txt")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    Matcher m = FILE.matcher(name);
                    NoticeKind kind = m.matches() ? NoticeKind.byFileName(m.group(1)).orElse(null) : null;
                    NoticeLanguage language = m.matches() ? NoticeLanguage.of(m.group(2)).orElse(null) : null;
                    if (kind == null || language == null || !language.tag().equals(m.group(2))) {
                        problems.add(new NoticeTemplateException.Problem(f.toString(), 0, 0,
                                "不明なテンプレートファイル名 / unknown template file name; expected <kind>.<lang>.txt with kind "
                                        + String.join(" or ", List.of(NoticeKind.values()).stream().map(NoticeKind::fileName).toList())
                                        + " and lang ja or en"));
                        continue;
                    }
                    try {
                        NoticeTemplate.parse(kind, language, readFile(f), f.toString());
                    } catch (NoticeTemplateException e) {
                        problems.addAll(e.problems());
                    }
                }
            }
        }
        for (NoticeKind kind : NoticeKind.values()) {
            for (NoticeLanguage language : NoticeLanguage.values()) {
                try {
                    NoticeTemplate.parse(kind, language, defaultText(kind, language), resourceName(kind, language));
                } catch (NoticeTemplateException e) {
                    problems.addAll(e.problems());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new NoticeTemplateException(problems);
        }
    }

    public Path file(NoticeKind kind, NoticeLanguage language) {
        return directory.resolve(kind.fileName() + "." + language.tag() + ".txt");
    }

    private static String resourceName(NoticeKind kind, NoticeLanguage language) {
        return kind.fileName() + "." + language.tag() + ".txt";
    }

    /** The shipped default text. */
    public static String defaultText(NoticeKind kind, NoticeLanguage language) {
        String name = resourceName(kind, language);
        try (InputStream in = NoticeTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("shipped notice template missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shipped notice template " + name, e);
        }
    }

    /** Reads a template file as strict UTF-8: a file saved as Shift_JIS gets a clear error, not mojibake. */
    private static String readFile(Path file) throws NoticeTemplateException {
        try {
            if (Files.size(file) > NoticeTemplate.MAX_CHARS * 4L) {
                throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(file.toString(), 0, 0,
                        "テンプレートが長すぎます / template file too large")));
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > NoticeTemplate.MAX_CHARS * 4) {
                throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(file.toString(), 0, 0,
                        "テンプレートが長すぎます / template file too large")));
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(file.toString(), 0, 0,
                    "UTF-8 で保存してください / the file is not UTF-8 (save it as UTF-8)")));
        } catch (IOException e) {
            throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(file.toString(), 0, 0,
                    "読み込めません / cannot read: " + e.getMessage())));
        }
    }
}
