package io.mamori.console.web;

import io.mamori.console.identity.ConsoleAccounts;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;

/**
 * Moves a session from one sign-in stage to the next. Whenever the session gains privileges its id changes
 * (session fixation), and a completed sign-in is recorded (failure count reset, {@code login.success} audited)
 * and sent to the page it first asked for.
 */
final class SignInFlow {

    private final SecurityContextRepository contexts;
    private final RequestCache requests;
    private final ConsoleAccounts accounts;
    private final ConsoleAudit audit;
    private final ConsoleSettings settings;

    SignInFlow(SecurityContextRepository contexts, RequestCache requests, ConsoleAccounts accounts, ConsoleAudit audit,
            ConsoleSettings settings) {
        this.contexts = contexts;
        this.requests = requests;
        this.accounts = accounts;
        this.audit = audit;
        this.settings = settings;
    }

    /**
     * Stores {@code next} as the session's authentication (under a new session id) and returns where the browser
     * goes now: the next stage's page, or for a completed sign-in the page first asked for.
     */
    String advance(HttpServletRequest request, HttpServletResponse response, ConsoleAuthentication next) {
        HttpSession session = request.getSession();
        request.changeSessionId();
        session.setMaxInactiveInterval((int) settings.sessionTimeout().toSeconds());
        store(request, response, next);
        if (next.stage() != ConsoleAuthentication.Stage.COMPLETE) {
            return request.getContextPath() + next.stage().page();
        }
        accounts.recordSignIn(next.user().email());
        audit.record(next.user().email(), next.client(), "login.success", next.user().email(), null, true);
        SavedRequest saved = requests.getRequest(request, response);
        requests.removeRequest(request, response);
        return saved != null && worthReturningTo(saved) ? saved.getRedirectUrl() : request.getContextPath() + "/";
    }

    /** Replaces the session's authentication without changing stage (a refreshed user). */
    void store(HttpServletRequest request, HttpServletResponse response, ConsoleAuthentication authentication) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
    }

    /** Ends the session (sign-out by the gateway: lockout, access rule, deactivated user). */
    void end(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
    }

    private static boolean worthReturningTo(SavedRequest saved) {
        String url = saved.getRedirectUrl();
        return "GET".equals(saved.getMethod()) && !url.contains("/login") && !url.contains("/account/")
                && !url.contains("/error") && !url.contains("/denied");
    }
}
