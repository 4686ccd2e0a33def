package io.mamori.console.directory;

import io.mamori.core.access.Role;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Brings the directory in line with a CSV file: people in the file are added or updated, people the file marks
 * inactive or no longer lists are deactivated (never deleted: their history stays attributable). People created
 * by hand ({@link Person.Source#CONSOLE}) are deactivated only when the file says so. Importing the same file
 * twice changes nothing the second time. A language left empty in the file keeps the person's own choice.
 *
 * <p>All or nothing: a file with any problem changes nothing, and so does an import that would leave no active
 * administrator who can sign in (one with a console account) when there was one. Thread-safe.
 */
public final class DirectoryImport {

    private final JdbcDirectory directory;
    private final DirectoryCsv csv = new DirectoryCsv();

    public DirectoryImport(JdbcDirectory directory) {
        this.directory = directory;
    }

    /**
     * Reads {@code content} and applies it, or with {@code dryRun} only reports what it would change.
     *
     * @throws DirectoryFileException naming line and column of every problem; nothing was changed
     */
    public ImportReport run(byte[] content, String fileName, boolean dryRun) throws DirectoryFileException {
        return run(content, fileName, dryRun, report -> Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #run(byte[], String, boolean)}, with the work {@code alongside} gives for the report run on the
     * transaction that applies it (the audit entry of the import): both commit, or neither. A dry run, or a file that
     * changes nothing, writes nothing and runs nothing.
     */
    public ImportReport run(byte[] content, String fileName, boolean dryRun,
            java.util.function.Function<ImportReport, TransactionWork> alongside) throws DirectoryFileException {
        List<DirectoryCsv.Entry> entries = csv.parse(content, fileName);
        Map<String, Person> current = new LinkedHashMap<>();
        directory.list().forEach(p -> current.put(p.email(), p));
        Set<String> inFile = entries.stream().map(DirectoryCsv.Entry::email).collect(Collectors.toSet());

        List<CsvProblem> problems = new ArrayList<>();
        List<Person> writes = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<ImportReport.Change> updated = new ArrayList<>();
        List<String> deactivated = new ArrayList<>();
        int unchanged = 0;
        Map<String, Person> after = new LinkedHashMap<>(current);
        for (DirectoryCsv.Entry e : entries) {
            if (e.managerEmail() != null && !inFile.contains(e.managerEmail()) && !current.containsKey(e.managerEmail())) {
                problems.add(CsvProblem.of(fileName, e.line(), 0, "manager_email", "users.import.csv.unknownManager",
                        e.managerEmail()));
                continue;
            }
            Person before = current.get(e.email());
            String language = e.language() != null ? e.language() : before != null ? before.language() : null;
            // a person created by hand stays so: listed in one file, they are still never deactivated by leaving another
            Person.Source source = before != null && before.source() == Person.Source.CONSOLE
                    ? Person.Source.CONSOLE : Person.Source.CSV;
            Person target = new Person(e.email(), e.displayName(), e.department(), e.managerEmail(), e.roles(),
                    new java.util.TreeSet<>(e.approverDepartments()), language, e.active(), source);
            after.put(target.email(), target);
            if (before == null) {
                added.add(target.email());
                writes.add(target);
            } else if (before.equals(target)) {
                unchanged++;
            } else {
                writes.add(target);
                if (before.active() && !target.active()) {
                    deactivated.add(target.email());
                } else {
                    updated.add(new ImportReport.Change(target.email(), differences(before, target)));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DirectoryFileException(problems);
        }
        for (Person p : current.values()) {
            if (p.active() && p.source() == Person.Source.CSV && !inFile.contains(p.email())) {
                Person gone = p.withActive(false);
                after.put(p.email(), gone);
                writes.add(gone);
                deactivated.add(p.email());
            }
        }
        if (directory.administratorsWhoCanSignIn(current.values()) > 0 && directory.administratorsWhoCanSignIn(after.values()) == 0) {
            throw new DirectoryFileException(List.of(CsvProblem.of(fileName, 1, 0, "", "users.import.csv.noAdministrator")));
        }
        ImportReport report = new ImportReport(fileName, added, updated, deactivated, unchanged, !dryRun);
        if (!dryRun && !writes.isEmpty()) {
            directory.saveAll(writes, alongside.apply(report));
        }
        return report;
    }

    private static List<String> differences(Person a, Person b) {
        List<String> changes = new ArrayList<>();
        compare(changes, "display_name", a.displayName(), b.displayName());
        compare(changes, "department", a.department(), b.department());
        compare(changes, "manager_email", a.managerEmail(), b.managerEmail());
        compare(changes, "roles", roles(a.roles()), roles(b.roles()));
        compare(changes, "approver_departments", String.join(";", a.approverDepartments()), String.join(";", b.approverDepartments()));
        compare(changes, "language", a.language(), b.language());
        compare(changes, "active", String.valueOf(a.active()), String.valueOf(b.active()));
        compare(changes, "source", a.source().name().toLowerCase(java.util.Locale.ROOT), b.source().name().toLowerCase(java.util.Locale.ROOT));
        return changes;
    }

    private static String roles(Set<Role> roles) {
        return roles.stream().map(Role::key).collect(Collectors.joining(";"));
    }

    private static void compare(List<String> changes, String field, String before, String after) {
        if (!Objects.equals(before, after)) {
            changes.add(field + ": " + (before == null ? "(none)" : before) + " → " + (after == null ? "(none)" : after));
        }
    }
}
