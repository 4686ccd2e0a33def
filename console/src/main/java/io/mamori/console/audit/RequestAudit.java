package io.mamori.console.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.time.Clock;

/**
 * Audit entries for HTTP requests, independent of how the request was authenticated: the actor is the
 * authenticated principal's name when the authentication layer set one ({@link HttpServletRequest#getUserPrincipal},
 * as Spring Security does), otherwise {@value #API_TOKEN_ACTOR} (the gateway's administrator token filter sets no
 * principal). The source is {@link HttpServletRequest#getRemoteAddr}: the socket address, or the client address
 * when the server resolves trusted proxies' {@code X-Forwarded-For} (e.g. {@code server.forward-headers-strategy}).
 */
public final class RequestAudit {

    public static final String API_TOKEN_ACTOR = "api-token";

    private RequestAudit() {
    }

    public static String actor(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal != null && principal.getName() != null && !principal.getName().isBlank()
                ? principal.getName() : API_TOKEN_ACTOR;
    }

    public static AuditEntry entry(HttpServletRequest request, Clock clock, String action, String object,
            String before, String after, boolean success) {
        return new AuditEntry(clock.instant(), actor(request), request.getRemoteAddr(), action, object, before, after,
                success);
    }
}
