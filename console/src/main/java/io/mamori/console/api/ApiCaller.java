package io.mamori.console.api;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.access.Role;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.core.Authentication;

/**
 * Who calls the REST API, as a {@link ConsoleUser} so that API endpoints ask the same
 * {@link io.mamori.console.identity.Scope} as the pages: an authentication whose principal is a
 * {@code ConsoleUser} (a token issued to a user) is that user; the gateway's administrator API token
 * ({@link ApiTokenFilter#PRINCIPAL}) is an administrator. Anything else is refused.
 */
public final class ApiCaller {

    /** The administrator the gateway's own API token acts as; its email is the audit actor {@code api-token}. */
    public static final ConsoleUser API_TOKEN = new ConsoleUser(ApiTokenFilter.PRINCIPAL, "API token", null,
            Set.of(Role.ADMIN), new TreeSet<>(), Locale.JAPANESE);

    private ApiCaller() {
    }

    public static ConsoleUser user(Authentication authentication) {
        if (authentication != null && authentication.getPrincipal() instanceof ConsoleUser user) {
            return user;
        }
        if (authentication != null && ApiTokenFilter.PRINCIPAL.equals(authentication.getName())) {
            return API_TOKEN;
        }
        throw new org.springframework.security.access.AccessDeniedException("no API caller");
    }
}
