package io.mamori.console.users;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.directory.DirectoryFileException;
import io.mamori.console.directory.DirectoryImport;
import io.mamori.console.directory.ImportReport;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.notice.NoticeLanguage;
import io.mamori.console.notice.NoticeTemplateException;
import io.mamori.console.notice.Notices;
import io.mamori.core.access.Role;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to people and their access made by an administrator (console page, or a directory import from the
 * page or the command line): saves them, records them in the audit trail with before and after, and sends the
 * person an {@code access-changed} notice describing what changed in their language (in both when it is unknown)
 * whenever their roles, approver departments, department or active state changed. A notice that cannot be sent never undoes the
 * change; it is logged and audited as a refused {@code notice.access-changed}.
 *
 * <p>Thread-safe (its collaborators are).
 */
public final class UserAdministration {

    private static final Logger LOG = LoggerFactory.getLogger(UserAdministration.class);

    /** What a save changed and whether the person was told. */
    public record Saved(List<String> changes, boolean notified) {
    }

    private final JdbcDirectory directory;
    private final ConsoleAccounts accounts;
    private final Notices notices;
    private final AuditTrail audit;
    private final Clock clock;

    public UserAdministration(JdbcDirectory directory, ConsoleAccounts accounts, Notices notices, AuditTrail audit, Clock clock) {
        this.directory = Objects.requireNonNull(directory);
        this.accounts = Objects.requireNonNull(accounts);
        this.notices = Objects.requireNonNull(notices);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Replaces {@code before} with {@code after} (same address). Refuses to deactivate or demote the last active
     * administrator.
     *
     * @throws IllegalArgumentException when the change would leave no active administrator
     */
    public Saved update(Person before, Person after, String actor, String source) {
        if (!before.email().equals(after.email())) {
            throw new IllegalArgumentException("the address of a person cannot change");
        }
        boolean wasAdmin = before.active() && before.roles().contains(Role.ADMIN);
        boolean isAdmin = after.active() && after.roles().contains(Role.ADMIN);
        // the others who could still sign in and administer: a directory entry with the role but no account cannot
        if (wasAdmin && !isAdmin && directory.administratorsWhoCanSignIn(directory.list().stream()
                .filter(p -> !p.email().equals(before.email())).toList()) == 0) {
            audit.record(entry(actor, source, "user.update", before.email(), describe(before), "refused: last active administrator", false));
            throw new IllegalArgumentException("the last active administrator cannot be demoted or deactivated");
        }
        List<String> changes = fieldChanges(before, after);
        if (changes.isEmpty()) {
            return new Saved(List.of(), false);
        }
        // in the save's transaction: no one's roles or access change without the entry that says who changed them
        audit.recordAlong(work -> {
            directory.save(after, work);
            return null;
        }, saved -> entry(actor, source, "user.update", after.email(), describe(before), describe(after), true));
        return new Saved(changes, notifyIfAccessChanged(before, after, actor, source));
    }

    /**
     * Gives {@code email} a console account with a one-time password, as {@code mamori console add-user} does (see
     * {@link ConsoleAccounts#createUser}): a person missing from the directory is added; an existing one gets
     * {@code roles} when given and is made active. When that changes an existing person's access (roles, approver
     * departments, department, active), they get the {@code access-changed} notice as from the users page.
     *
     * @return the one-time password (shown once, never logged)
     * @throws IllegalArgumentException for an invalid address or when the person already has an account
     */
    public String createAccount(String email, String displayName, String department, Set<Role> roles, String actor,
            String source) {
        Optional<Person> before = directory.find(email.strip().toLowerCase(java.util.Locale.ROOT));
        AtomicReference<Person> saved = new AtomicReference<>();
        String password;
        try {
            // the person, the account and the entry in one transaction: no account exists without its entry
            password = audit.recordAlong(work -> accounts.createUser(email, displayName, department, roles, person -> {
                saved.set(person);
                return work;
            }), created -> entry(actor, source, "user.created", saved.get().email(),
                    before.map(UserAdministration::describe).orElse(null), describe(saved.get()), true));
        } catch (IllegalArgumentException e) {
            // refused before anything was written (an invalid address, an existing account)
            audit.record(entry(actor, source, "user.created", email, null, e.getMessage(), false));
            throw e;
        }
        Person after = saved.get();
        before.ifPresent(was -> notifyIfAccessChanged(was, after, actor, source));
        return password;
    }

    /**
     * Runs a directory import (see {@link DirectoryImport}); when applied, records it and notifies every person
     * whose access it changed.
     */
    public ImportReport importCsv(byte[] content, String fileName, boolean dryRun, String actor, String source)
            throws DirectoryFileException {
        Map<String, Person> before = new LinkedHashMap<>();
        directory.list().forEach(p -> before.put(p.email(), p));
        ImportReport report;
        AtomicReference<ImportReport> applied = new AtomicReference<>();
        try {
            // the changes and their entry in one transaction: no one's access changes by import without the record
            report = audit.recordAlong(work -> {
                try {
                    return new DirectoryImport(directory).run(content, fileName, dryRun, r -> {
                        applied.set(r);
                        return work;
                    });
                } catch (DirectoryFileException e) {
                    throw new RefusedFile(e);
                }
            }, done -> entry(actor, source, "directory.import", fileName, null, applied.get().summary(), true));
        } catch (RefusedFile refused) {
            DirectoryFileException e = refused.file;
            audit.record(entry(actor, source, "directory.import", fileName, null,
                    (dryRun ? "dry-run " : "") + "refused: " + e.problems().size() + " problem(s)", false));
            throw e;
        }
        if (applied.get() == null) {
            // a dry run, or a file that changes nothing: nothing was written, and the entry says what it found
            audit.record(entry(actor, source, "directory.import", fileName, null,
                    (dryRun ? "dry-run " : "") + report.summary(), true));
        }
        if (report.applied()) {
            List<String> touched = new ArrayList<>(report.deactivated());
            report.updated().forEach(c -> touched.add(c.email()));
            for (String email : touched) {
                Person was = before.get(email);
                directory.find(email).ifPresent(now -> {
                    if (was != null) {
                        notifyIfAccessChanged(was, now, actor, source);
                    }
                });
            }
        }
        return report;
    }

    /**
     * Sends the {@code mfa-reminder} notice to every active person with a console account and no TOTP enrolled.
     *
     * @return the addresses reminded
     */
    public List<String> sendMfaReminders(String actor, String source) {
        List<String> sent = new ArrayList<>();
        for (Person p : directory.list()) {
            if (!p.active() || !accounts.hasAccount(p.email()) || accounts.totpEnrolled(p.email())) {
                continue;
            }
            try {
                String id = notices.mfaReminder(p.email(), p.displayName(), p.department(), p.language());
                audit.record(entry(actor, source, "notice.mfa-reminder", p.email(), null, "queued " + id, true));
                sent.add(p.email());
            } catch (NoticeTemplateException | IOException | RuntimeException e) {
                LOG.warn("MFA reminder to {} not sent: {}", p.email(), e.getMessage());
                audit.record(entry(actor, source, "notice.mfa-reminder", p.email(), null, "not sent: " + e.getMessage(), false));
            }
        }
        audit.record(entry(actor, source, "notice.mfa-reminders", "directory", null, "sent " + sent.size(), true));
        return sent;
    }

    /**
     * The access-relevant changes from {@code before} to {@code after}, each worded in Japanese and in English (role
     * names, field names, active/inactive and "none" translated; names and department names as they are), so a
     * notice in either language, or in both, lists them in its own language.
     */
    public static List<Notices.Change> accessChanges(Person before, Person after) {
        List<Notices.Change> out = new ArrayList<>();
        if (!before.roles().equals(after.roles())) {
            out.add(new Notices.Change("役割: " + roles(before.roles(), true) + " → " + roles(after.roles(), true),
                    "Roles: " + roles(before.roles(), false) + " → " + roles(after.roles(), false)));
        }
        if (!before.approverDepartments().equals(after.approverDepartments())) {
            out.add(new Notices.Change(
                    "承認する部署: " + departments(before.approverDepartments(), true) + " → " + departments(after.approverDepartments(), true),
                    "Approves for: " + departments(before.approverDepartments(), false) + " → "
                            + departments(after.approverDepartments(), false)));
        }
        if (!Objects.equals(before.department(), after.department())) {
            out.add(new Notices.Change("部署: " + none(before.department(), true) + " → " + none(after.department(), true),
                    "Department: " + none(before.department(), false) + " → " + none(after.department(), false)));
        }
        if (before.active() != after.active()) {
            out.add(after.active()
                    ? new Notices.Change("アカウント: 無効 → 有効", "Account: inactive → active")
                    : new Notices.Change("アカウント: 有効 → 無効(コンソールにサインインできなくなります)",
                            "Account: active → inactive (you can no longer sign in to the console)"));
        }
        return out;
    }

    private boolean notifyIfAccessChanged(Person before, Person after, String actor, String source) {
        List<Notices.Change> changes = accessChanges(before, after);
        if (changes.isEmpty()) {
            return false;
        }
        try {
            String id = notices.accessChanged(after.email(), after.displayName(), after.department(), after.language(), changes);
            // The audit line names the changes in the notice's first language (Japanese when it has both).
            NoticeLanguage first = NoticeLanguage.of(after.language()).orElse(NoticeLanguage.JA);
            audit.record(entry(actor, source, "notice.access-changed", after.email(), null,
                    "queued " + id + ": " + changes.stream().map(c -> c.text(first)).collect(Collectors.joining("; ")), true));
            return true;
        } catch (NoticeTemplateException | IOException | RuntimeException e) {
            LOG.warn("access-changed notice to {} not sent: {}", after.email(), e.getMessage());
            audit.record(entry(actor, source, "notice.access-changed", after.email(), null, "not sent: " + e.getMessage(), false));
            return false;
        }
    }

    private static List<String> fieldChanges(Person a, Person b) {
        List<String> changes = new ArrayList<>();
        compare(changes, "display_name", a.displayName(), b.displayName());
        compare(changes, "department", a.department(), b.department());
        compare(changes, "manager_email", a.managerEmail(), b.managerEmail());
        compare(changes, "roles", keys(a.roles()), keys(b.roles()));
        compare(changes, "approver_departments", String.join(";", a.approverDepartments()), String.join(";", b.approverDepartments()));
        compare(changes, "language", a.language(), b.language());
        compare(changes, "active", String.valueOf(a.active()), String.valueOf(b.active()));
        return changes;
    }

    private static void compare(List<String> changes, String field, String before, String after) {
        if (!Objects.equals(before, after)) {
            changes.add(field + ": " + (before == null ? "(none)" : before) + " → " + (after == null ? "(none)" : after));
        }
    }

    /** A person as one line for the audit log's before/after. */
    static String describe(Person p) {
        return "name=" + p.displayName() + " department=" + none(p.department(), false) + " manager=" + none(p.managerEmail(), false)
                + " roles=" + keys(p.roles()) + " approves=" + String.join(";", p.approverDepartments())
                + " language=" + p.language() + " active=" + p.active();
    }

    private static String keys(Set<Role> roles) {
        return roles.stream().map(Role::key).collect(Collectors.joining(";"));
    }

    private static String roles(Set<Role> roles, boolean ja) {
        return roles.stream().map(r -> ja ? switch (r) {
            case ADMIN -> "管理者";
            case ANALYST -> "セキュリティ担当者";
            case APPROVER -> "承認者";
            case AUDITOR -> "監査担当者";
            case EMPLOYEE -> "一般社員";
        } : switch (r) {
            case ADMIN -> "administrator";
            case ANALYST -> "security analyst";
            case APPROVER -> "approver";
            case AUDITOR -> "auditor";
            case EMPLOYEE -> "employee";
        }).collect(Collectors.joining(ja ? "、" : ", "));
    }

    private static String departments(Set<String> departments, boolean ja) {
        return departments.isEmpty() ? (ja ? "なし" : "none") : String.join(ja ? "、" : ", ", departments);
    }

    private static String none(String value, boolean ja) {
        return value == null ? (ja ? "なし" : "none") : value;
    }

    /**
     * Records a refused request (a form value the page refused before anything changed): every human action is
     * audited, those that change nothing too.
     */
    public void refused(String action, String object, String reason, String actor, String source) {
        audit.record(entry(actor, source, action, object, null, "refused: " + reason, false));
    }

    private AuditEntry entry(String actor, String source, String action, String object, String before, String after, boolean ok) {
        return new AuditEntry(clock.instant(), actor, source, action, object, before, after, ok);
    }

    /** A refused file, carried out of {@link AuditTrail#recordAlong}'s action (which throws no checked exception). */
    private static final class RefusedFile extends RuntimeException {
        final DirectoryFileException file;

        RefusedFile(DirectoryFileException file) {
            super(null, null, false, false);
            this.file = file;
        }
    }
}
