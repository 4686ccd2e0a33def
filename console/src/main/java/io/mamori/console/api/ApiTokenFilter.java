package io.mamori.console.api;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleUser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /api/**} with bearer tokens ({@code Authorization: Bearer …}). Runs inside the API's stateless
 * security filter chain:
 * <ul>
 * <li>the gateway's administrator API token becomes principal {@value #PRINCIPAL} with the authorities
 * {@code API} and {@value #ADMIN_TOKEN} (everything);</li>
 * <li>a scoped token ({@link ApiTokens}) becomes its owner as a {@link ConsoleUser} — read from the directory on
 * every request, so role changes and deactivation apply at once — with {@code API} and {@code ROLE_<ROLE>}, so
 * controllers apply the same role and {@code Scope} checks as in the console;</li>
 * <li>anything else (unknown, expired or revoked token, inactive owner) is answered 401 here.</li>
 * </ul>
 * The administrator token is compared in constant time; tokens are never logged.
 */
public final class ApiTokenFilter extends OncePerRequestFilter {

    /** The principal (and audit actor) of requests made with the administrator API token. */
    public static final String PRINCIPAL = "api-token";
    /** The authority of the administrator API token. */
    public static final String ADMIN_TOKEN = "API_ADMIN";

    private final byte[] expected;
    private final ApiTokens tokens;
    private final JdbcDirectory directory;

    public ApiTokenFilter(String token, ApiTokens tokens, JdbcDirectory directory) {
        if (token == null || token.length() < 32) {
            throw new IllegalArgumentException("API token must have at least 32 characters");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
        this.tokens = tokens;
        this.directory = directory;
    }

    /** The authentication of a request made with a scoped token: the owner, named by address. */
    public static final class ScopedTokenAuthentication extends AbstractAuthenticationToken {
        private static final long serialVersionUID = 1L;
        private final ConsoleUser user;

        ScopedTokenAuthentication(ConsoleUser user, List<GrantedAuthority> authorities) {
            super(authorities);
            this.user = user;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public ConsoleUser getPrincipal() {
            return user;
        }

        @Override
        public String getName() {
            return user.email();
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        if (MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            context.setAuthentication(new PreAuthenticatedAuthenticationToken(PRINCIPAL, null,
                    List.of(new SimpleGrantedAuthority("API"), new SimpleGrantedAuthority(ADMIN_TOKEN))));
        } else {
            Optional<Person> owner = tokens.authenticate(presented).flatMap(directory::find).filter(Person::active);
            if (owner.isEmpty()) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setHeader("WWW-Authenticate", "Bearer realm=\"mamori\"");
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"認証が必要です / authentication required\"}");
                return;
            }
            ConsoleUser user = ConsoleUser.of(owner.get());
            List<GrantedAuthority> authorities = new ArrayList<>();
            authorities.add(new SimpleGrantedAuthority("API"));
            user.roles().forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name())));
            context.setAuthentication(new ScopedTokenAuthentication(user, authorities));
        }
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }
}
