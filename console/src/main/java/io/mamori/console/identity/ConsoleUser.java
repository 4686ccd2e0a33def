package io.mamori.console.identity;

import io.mamori.console.directory.Person;
import io.mamori.core.access.Role;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The signed-in console user: the principal of every console request ({@code @AuthenticationPrincipal
 * ConsoleUser user} in a controller). Built from the directory at sign-in and refreshed on every request, so
 * role, department and deactivation changes apply to open sessions. Use {@link Scope} to decide what the user
 * may see and do.
 *
 * @param email               lower-case address, the user's identity
 * @param name                display name
 * @param department          department, or {@code null}
 * @param roles               never empty
 * @param approverDepartments departments the user approves for (with {@link Role#APPROVER})
 * @param locale              preferred language ({@code ja} or {@code en}), or {@code null} when the person has not
 *                            set one (pages then follow the browser)
 */
public record ConsoleUser(String email, String name, String department, Set<Role> roles,
        SortedSet<String> approverDepartments, Locale locale) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ConsoleUser {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(name, "name");
        roles = Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.of(Role.EMPLOYEE) : EnumSet.copyOf(roles));
        approverDepartments = Collections.unmodifiableSortedSet(new TreeSet<>(approverDepartments));
    }

    public static ConsoleUser of(Person person) {
        return new ConsoleUser(person.email(), person.displayName(), person.department(), person.roles(),
                person.approverDepartments(), person.language() == null ? null : Locale.forLanguageTag(person.language()));
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean hasAnyRole(Role... any) {
        for (Role r : any) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }
}
