package io.mamori.console.identity;

import io.mamori.core.access.Role;
import java.util.Arrays;
import org.springframework.security.access.AccessDeniedException;

/**
 * The role check of console pages and API endpoints that belong to some roles only (policy, users, audit): a
 * user without one of the roles gets 403 through Spring Security's access-denied handling.
 */
public final class RoleRequirement {

    private RoleRequirement() {
    }

    /** @throws AccessDeniedException when {@code user} is null or has none of {@code roles} */
    public static void require(ConsoleUser user, Role... roles) {
        if (user == null || !user.hasAnyRole(roles)) {
            throw new AccessDeniedException("requires one of the roles " + Arrays.toString(roles));
        }
    }
}
