package io.mamori.console.directory;

import io.mamori.core.access.Role;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import io.mamori.core.text.VisibleText;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a directory CSV file (RFC 4180, UTF-8 with or without BOM, comma-separated, first line a header):
 *
 * <pre>
 * email,display_name,department,manager_email,roles,approver_departments,language,active
 * taro@example.co.jp,山田 太郎,営業部,hanako@example.co.jp,approver;employee,営業部;営業二課,ja,true
 * </pre>
 *
 * Only {@code email} and {@code display_name} are required columns; columns may come in any order. Multiple
 * values in {@code roles} and {@code approver_departments} are separated by {@code ;}. Every problem is
 * reported at once with its line and column, so a file is fixed in one round. Stateless and thread-safe.
 */
public final class DirectoryCsv {

    /** The columns a file may have; the first two are required. */
    public static final List<String> COLUMNS = List.of("email", "display_name", "department", "manager_email", "roles",
            "approver_departments", "language", "active");
    static final int MAX_BYTES = 16 * 1024 * 1024;
    static final int MAX_PEOPLE = 100_000;
    private static final int MAX_PROBLEMS = 100;
    private static final int MAX_EMAIL = 320;
    private static final int MAX_NAME = 200;

    /**
     * One person as the file states them.
     *
     * @param line     line the record starts on
     * @param language {@code ja}, {@code en}, or {@code null} when the file leaves it to the person
     */
    public record Entry(int line, String email, String displayName, String department, String managerEmail,
            Set<Role> roles, Set<String> approverDepartments, String language, boolean active) {
    }

    /** Parses the whole file; nothing of it is returned unless all of it is valid. */
    public List<Entry> parse(byte[] content, String fileName) throws DirectoryFileException {
        Problems problems = new Problems(fileName);
        if (content.length > MAX_BYTES) {
            problems.add(1, 0, "", "users.import.tooLarge");
            throw problems.exception();
        }
        String text = decode(content, problems);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).setTrim(false).get();
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> header = null;
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(format).get()) {
            long previousEnd = 0;
            for (CSVRecord record : parser) {
                int line = (int) previousEnd + 1;
                previousEnd = parser.getCurrentLineNumber();
                if (record.size() == 1 && record.get(0).isBlank()) {
                    continue;
                }
                if (header == null) {
                    header = header(record, line, problems);
                    if (header == null) {
                        throw problems.exception();
                    }
                    continue;
                }
                if (entries.size() >= MAX_PEOPLE) {
                    problems.add(line, 0, "", "users.import.csv.tooManyPeople", MAX_PEOPLE);
                    break;
                }
                Entry entry = entry(record, line, header, problems);
                if (entry != null) {
                    entries.add(entry);
                }
            }
            if (header == null) {
                problems.add(1, 0, "", "users.import.csv.empty", String.join(",", COLUMNS));
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // commons-csv reports an unterminated quoted field as an I/O error naming the line it started on
            problems.add((int) Math.max(1, lineOf(e)), 0, "", "users.import.csv.syntax", e.getMessage());
        }
        if (header != null) {
            checkDuplicates(entries, header.get("email") + 1, problems);
        }
        if (!problems.isEmpty()) {
            throw problems.exception();
        }
        return entries;
    }

    private static Map<String, Integer> header(CSVRecord record, int line, Problems problems) {
        Map<String, Integer> header = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < record.size(); i++) {
            String name = record.get(i).strip().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                problems.add(line, i + 1, name, "users.import.csv.unknownColumn", String.join(", ", COLUMNS));
                ok = false;
            } else if (header.putIfAbsent(name, i) != null) {
                problems.add(line, i + 1, name, "users.import.csv.duplicateColumn", String.valueOf(header.get(name) + 1));
                ok = false;
            }
        }
        for (String required : List.of("email", "display_name")) {
            if (!header.containsKey(required)) {
                problems.add(line, 0, "", "users.import.csv.missingColumn", required);
                ok = false;
            }
        }
        return ok ? header : null;
    }

    private static Entry entry(CSVRecord record, int line, Map<String, Integer> header, Problems problems) {
        if (record.size() != header.size()) {
            problems.add(line, 0, "", "users.import.csv.fields", String.valueOf(record.size()), String.valueOf(header.size()));
            return null;
        }
        int before = problems.size();
        Field f = new Field(record, line, header, problems);
        String email = f.email("email", true);
        String displayName = f.text("display_name", true, MAX_NAME);
        String department = normalizedName(f.text("department", false, MAX_NAME));
        if (department != null && department.length() > MAX_NAME) {
            // NFKC can lengthen a name (㍿ is four letters): the limit holds for what is stored
            f.problem("department", "users.import.csv.tooLong", String.valueOf(MAX_NAME));
            department = null;
        }
        String manager = f.email("manager_email", false);
        if (manager != null && manager.equals(email)) {
            f.problem("manager_email", "users.problem.managerSelf");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String value : f.list("roles")) {
            Role.parse(value).ifPresentOrElse(roles::add, () -> f.problem("roles", "users.import.csv.unknownRole", value));
        }
        Set<String> approves = new TreeSet<>();
        for (String value : f.list("approver_departments")) {
            String name = normalizedName(value);
            if (name.length() > MAX_NAME || !VisibleText.fitForAName(name)) {
                f.problem("approver_departments", "users.import.csv.departmentName", String.valueOf(MAX_NAME));
            } else {
                approves.add(name);
            }
        }
        if (roles.contains(Role.APPROVER) && approves.isEmpty()) {
            if (department == null) {
                f.problem("approver_departments", "users.import.csv.approverWithoutDepartment");
            } else {
                approves.add(department);
            }
        } else if (!roles.contains(Role.APPROVER) && !approves.isEmpty()) {
            f.problem("approver_departments", "users.problem.approvesWithoutRole");
        }
        String language = f.optional("language");
        if (language != null) {
            language = language.toLowerCase(Locale.ROOT);
            if (!Person.LANGUAGES.contains(language)) {
                f.problem("language", "users.import.csv.language", language);
            }
        }
        Boolean active = f.bool("active");
        if (problems.size() > before) {
            return null;
        }
        return new Entry(line, email, displayName, department, manager, roles, approves, language, active);
    }

    private static void checkDuplicates(List<Entry> entries, int emailColumn, Problems problems) {
        Map<String, Integer> first = new LinkedHashMap<>();
        for (Entry e : entries) {
            Integer earlier = first.putIfAbsent(e.email(), e.line());
            if (earlier != null) {
                problems.add(e.line(), emailColumn, "email", "users.import.csv.listedTwice", e.email(), String.valueOf(earlier));
            }
        }
    }

    /**
     * NFKC-normalised, trimmed department name, so that full-width and half-width spellings of the same name
     * ({@code 営業１課} and {@code 営業1課}) are one department; {@code null} for an empty one.
     */
    static String normalizedName(String name) {
        if (name == null) {
            return null;
        }
        String n = Normalizer.normalize(name, Normalizer.Form.NFKC).strip();
        return n.isEmpty() ? null : n;
    }

    private static long lineOf(Exception e) {
        java.util.regex.Matcher m = Pattern.compile("line (\\d+)").matcher(String.valueOf(e.getMessage()));
        return m.find() ? Long.parseLong(m.group(1)) : 1;
    }

    /** UTF-8 or a problem at the first bad byte (Excel's default "CSV" in Japan is Shift_JIS). */
    private static String decode(byte[] content, Problems problems) throws DirectoryFileException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            problems.add(line, 0, "", "users.import.csv.notUtf8");
            throw problems.exception();
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The values of one record by column name, reporting problems against their column. */
    private static final class Field {
        private final CSVRecord record;
        private final int line;
        private final Map<String, Integer> header;
        private final Problems problems;

        Field(CSVRecord record, int line, Map<String, Integer> header, Problems problems) {
            this.record = record;
            this.line = line;
            this.header = header;
            this.problems = problems;
        }

        String optional(String column) {
            Integer index = header.get(column);
            if (index == null) {
                return null;
            }
            String value = record.get(index).strip();
            return value.isEmpty() ? null : value;
        }

        String text(String column, boolean required, int max) {
            String value = optional(column);
            if (value == null) {
                if (required) {
                    problem(column, "users.import.csv.emptyValue");
                }
                return null;
            }
            if (value.length() > max) {
                problem(column, "users.import.csv.tooLong", String.valueOf(max));
                return null;
            }
            if (!VisibleText.fitForAName(value)) {
                problem(column, "users.import.csv.controlCharacters");
                return null;
            }
            return value;
        }

        String email(String column, boolean required) {
            String value = text(column, required, MAX_EMAIL);
            if (value == null) {
                return null;
            }
            if (!io.mamori.core.text.MailAddresses.plausible(value)) {
                problem(column, "email.invalid", value);
                return null;
            }
            return value.toLowerCase(Locale.ROOT);
        }

        List<String> list(String column) {
            String value = optional(column);
            if (value == null) {
                return List.of();
            }
            return java.util.Arrays.stream(value.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        Boolean bool(String column) {
            String value = optional(column);
            if (value == null) {
                return Boolean.TRUE;
            }
            switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "y":
                    return Boolean.TRUE;
                case "false", "no", "0", "n":
                    return Boolean.FALSE;
                default:
                    problem(column, "users.import.csv.notBoolean", value);
                    return Boolean.FALSE;
            }
        }

        void problem(String column, String key, Object... arguments) {
            Integer index = header.get(column);
            problems.add(line, index == null ? 0 : index + 1, column, key, arguments);
        }
    }

    private static final class Problems {
        private final String file;
        private final List<CsvProblem> list = new ArrayList<>();
        private int suppressed;

        Problems(String file) {
            this.file = file;
        }

        /** A problem worded by {@code key} of the console's texts, with its arguments. */
        void add(int line, int column, String name, String key, Object... arguments) {
            if (list.size() >= MAX_PROBLEMS) {
                suppressed++;
                return;
            }
            list.add(CsvProblem.of(file, line, column, name, key, arguments));
        }

        int size() {
            return list.size() + suppressed;
        }

        boolean isEmpty() {
            return size() == 0;
        }

        DirectoryFileException exception() {
            List<CsvProblem> sorted = new ArrayList<>(list);
            sorted.sort(java.util.Comparator.comparingInt(CsvProblem::line).thenComparingInt(CsvProblem::column));
            if (suppressed > 0) {
                CsvProblem last = sorted.get(sorted.size() - 1);
                sorted.add(CsvProblem.of(file, last.line(), 0, "", "users.import.csv.moreProblems", suppressed));
            }
            return new DirectoryFileException(sorted);
        }
    }
}
