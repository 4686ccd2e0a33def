package io.mamori.console.web;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.access.AccessDecision;
import io.mamori.core.access.AccessRules;
import io.mamori.core.network.Cidr;
import io.mamori.core.policy.PolicyHolder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Re-checks every request of a signed-in (or signing-in) console session: the user must still be an active
 * person in the directory, and the policy's access rules in force now must allow the user's current roles from
 * this address at this time, and the account's credentials must still be those the session proved (an administrator's
 * reset or a cleared TOTP key ends the user's other sessions). A refused session is ended (the page says why, HTTP 403, audited as
 * {@code access.denied}); an allowed one continues with the user as the directory has them now, so role,
 * department and language changes apply at once. A completed session that never passed a second factor is sent
 * to do so as soon as the policy (or a new role) requires one.
 */
final class AccessRulesFilter extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRulesFilter.class);

    private final JdbcDirectory directory;
    private final ConsoleAccounts accounts;
    private final PolicyHolder policy;
    private final ClientAddress clients;
    private final SignInFlow flow;
    private final ConsoleAudit audit;
    private final Clock clock;

    AccessRulesFilter(JdbcDirectory directory, ConsoleAccounts accounts, PolicyHolder policy, ClientAddress clients,
            SignInFlow flow, ConsoleAudit audit, Clock clock) {
        this.directory = directory;
        this.accounts = accounts;
        this.policy = policy;
        this.clients = clients;
        this.flow = flow;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.startsWith("/css/") || path.startsWith("/img/") || path.equals("/favicon.ico");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof ConsoleAuthentication signIn)) {
            chain.doFilter(request, response);
            return;
        }
        InetAddress client = clients.of(request);
        String email = signIn.user().email();
        Optional<Person> person = directory.find(email).filter(Person::active);
        if (person.isEmpty()) {
            audit.record(email, client, "session.ended", email, "no longer an active person in the directory", true);
            flow.end(request);
            response.sendRedirect(request.getContextPath() + "/login");
            return;
        }
        if (!accounts.credentialStamp(email).filter(signIn.credentials()::equals).isPresent()) {
            // reset by an administrator, TOTP key cleared, password changed in another session, account gone: the
            // credentials this session proved are no longer the account's
            audit.record(email, client, "session.ended", email, "the account's credentials changed", true);
            flow.end(request);
            response.sendRedirect(request.getContextPath() + "/login");
            return;
        }
        ConsoleUser user = ConsoleUser.of(person.get());
        AccessRules rules = policy.current().access();
        AccessDecision decision = rules.check(user.roles(), client, clock.instant());
        if (decision instanceof AccessDecision.Denied denied) {
            LOG.warn("Console session of {} from {} ended by the access rule of role {} ({})", email,
                    Cidr.format(client), denied.role().key(), denied.reason());
            audit.record(email, client, "access.denied", request.getRequestURI(), SignInHandlers.describe(denied), false);
            flow.end(request);
            request.setAttribute(SignInHandlers.DENIED, denied);
            request.getRequestDispatcher("/denied").forward(request, response);
            return;
        }
        if (signIn.stage() == ConsoleAuthentication.Stage.COMPLETE && !signIn.secondFactor() && rules.mfaRequired(user.roles())) {
            ConsoleAuthentication pending = signIn.withUser(user).withStage(accounts.totpEnrolled(email)
                    ? ConsoleAuthentication.Stage.TOTP : ConsoleAuthentication.Stage.ENROLL_TOTP);
            audit.record(email, client, "session.mfa-required", email, "second factor now required", true);
            flow.store(request, response, pending);
            response.sendRedirect(request.getContextPath() + pending.stage().page());
            return;
        }
        if (!user.equals(signIn.user())) {
            flow.store(request, response, signIn.withUser(user));
        }
        chain.doFilter(request, response);
    }
}
