package io.mamori.console.directory;

import io.mamori.core.access.Role;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One person in the directory.
 *
 * @param email               lower-case address; the key
 * @param displayName         name as shown, e.g. {@code 山田 太郎}
 * @param department          department name, or {@code null} when none
 * @param managerEmail        lower-case address of the manager, or {@code null}
 * @param roles               console roles; never empty (a person without a listed role is an {@link Role#EMPLOYEE})
 * @param approverDepartments departments the person approves for; non-empty only with {@link Role#APPROVER}
 * @param language            preferred language of pages and notices: {@code ja} or {@code en}; {@code null} when
 *                            not set (pages then follow the browser, notices come in both languages)
 * @param active              whether the person may sign in and counts for department scope
 * @param source              who manages the entry
 */
public record Person(String email, String displayName, String department, String managerEmail, Set<Role> roles,
        SortedSet<String> approverDepartments, String language, boolean active, Source source) {

    /** Languages of the console and of notices. */
    public static final Set<String> LANGUAGES = Set.of("ja", "en");

    public Person {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(source, "source");
        if (!email.equals(email.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("email must be lower case: " + email);
        }
        roles = java.util.Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.of(Role.EMPLOYEE) : EnumSet.copyOf(roles));
        approverDepartments = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(approverDepartments));
        if (language != null && !LANGUAGES.contains(language)) {
            throw new IllegalArgumentException("language must be ja or en: " + language);
        }
    }

    /** Where a directory entry comes from. */
    public enum Source {
        /** A directory import: the next import that does not list the person deactivates them. */
        CSV,
        /** Created by hand (first administrator, {@code mamori console add-user}): imports never deactivate it. */
        CONSOLE
    }

    public Person withActive(boolean value) {
        return new Person(email, displayName, department, managerEmail, roles, approverDepartments, language, value, source);
    }

    public Person withLanguage(String value) {
        return new Person(email, displayName, department, managerEmail, roles, approverDepartments, value, active, source);
    }
}
