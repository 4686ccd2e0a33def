package io.mamori.console.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /api/**} with the gateway's administrator API token ({@code Authorization: Bearer …}) until
 * scoped API tokens exist. Runs inside the API's stateless security filter chain: a valid token becomes the
 * request's authentication (principal {@code api-token}, authority {@code API}); anything else is answered 401
 * here. The comparison is constant-time; the token is never logged.
 */
public final class ApiTokenFilter extends OncePerRequestFilter {

    /** The principal (and audit actor) of requests made with the API token. */
    public static final String PRINCIPAL = "api-token";

    private final byte[] expected;

    public ApiTokenFilter(String token) {
        if (token == null || token.length() < 32) {
            throw new IllegalArgumentException("API token must have at least 32 characters");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(expected, given)) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader("WWW-Authenticate", "Bearer realm=\"mamori\"");
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"認証が必要です / authentication required\"}");
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new PreAuthenticatedAuthenticationToken(PRINCIPAL, null, List.of(new SimpleGrantedAuthority("API"))));
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }
}
