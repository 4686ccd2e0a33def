package io.mamori.console.web;

import io.mamori.core.network.Cidr;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;

/** What happens after the password step, and at sign-out: audit entries and the page each outcome gets. */
final class SignInHandlers implements AuthenticationSuccessHandler, AuthenticationFailureHandler, LogoutHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SignInHandlers.class);
    static final String LOCKED_UNTIL = "mamori.lockedUntil";
    static final String DENIED = "mamori.denied";
    static final String THROTTLED = "mamori.throttled";

    private final SignInFlow flow;
    private final ConsoleAudit audit;
    private final ClientAddress clients;

    SignInHandlers(SignInFlow flow, ConsoleAudit audit, ClientAddress clients) {
        this.flow = flow;
        this.audit = audit;
        this.clients = clients;
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        ConsoleAuthentication signIn = (ConsoleAuthentication) authentication;
        audit.record(signIn.user().email(), signIn.client(), "login.password", signIn.user().email(),
                "next=" + signIn.stage().name().toLowerCase(java.util.Locale.ROOT), true);
        response.sendRedirect(flow.advance(request, response, signIn));
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException, ServletException {
        InetAddress client = clients.of(request);
        String email = request.getParameter("email");
        if (e instanceof SignInRefused.ByAccessRule denied) {
            LOG.warn("Console sign-in of {} from {} refused by the access rule of role {} ({})",
                    ConsoleAudit.clean(email), Cidr.format(client), denied.decision().role().key(), denied.decision().reason());
            audit.record(denied.email(), client, "access.denied", denied.email(), describe(denied.decision()), false);
            request.setAttribute(DENIED, denied.decision());
            request.getRequestDispatcher("/denied").forward(request, response);
        } else if (e instanceof SignInRefused.Locked locked) {
            audit.record(locked.email(), client, "login.locked", locked.email(),
                    (locked.lockedNow() ? "locked now" : "attempt while locked") + " until=" + locked.until(), false);
            request.setAttribute(LOCKED_UNTIL, locked.until());
            request.getRequestDispatcher("/login/locked").forward(request, response);
        } else if (e instanceof SignInRefused.TooManyAttempts throttled) {
            LOG.warn("Console sign-in from {} refused: too many failures from this address", Cidr.format(client));
            audit.record(ConsoleAudit.ANONYMOUS, client, "login.throttled", typed(throttled.email()), null, false);
            request.setAttribute(THROTTLED, Boolean.TRUE);
            request.getRequestDispatcher("/login/locked").forward(request, response);
        } else {
            audit.record(ConsoleAudit.ANONYMOUS, client, "login.failure", typed(email), "password", false);
            response.sendRedirect(request.getContextPath() + "/login?error");
        }
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response, Authentication authentication) {
        if (authentication instanceof ConsoleAuthentication signIn) {
            audit.record(signIn.user().email(), clients.of(request), "logout", signIn.user().email(), null, true);
        }
    }

    /**
     * What a failed sign-in typed as its address, for the audit log (which auditors read): an address as typed, but
     * not something else — people type their password into the address field, and it must not be kept.
     */
    static String typed(String email) {
        return email != null && io.mamori.core.text.MailAddresses.plausible(email) ? email : "(not an address)";
    }

    static String describe(io.mamori.core.access.AccessDecision.Denied d) {
        return "role=" + d.role().key() + " reason=" + d.reason().name().toLowerCase(java.util.Locale.ROOT)
                + (d.rule().isEmpty() ? "" : " allows=" + d.rule());
    }
}
