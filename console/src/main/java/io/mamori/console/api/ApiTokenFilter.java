package io.mamori.console.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /api/**} with the gateway's administrator API token ({@code Authorization: Bearer …}) until the
 * console's accounts, roles and scoped tokens exist. The comparison is constant-time; the token is never
 * logged.
 */
public final class ApiTokenFilter extends OncePerRequestFilter {

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
        chain.doFilter(request, response);
    }
}
