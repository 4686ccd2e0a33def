package io.mamori.console.web;

import io.mamori.console.identity.ConsoleAccounts.SecondFactorCheck;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.core.access.AccessDecision;
import io.mamori.core.network.Cidr;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The sign-in pages: password form, second factor, and the locked and access-denied answers. */
@Controller
class SignInController {

    private final ConsoleAccounts accounts;
    private final SignInFlow flow;
    private final ConsoleAudit audit;
    private final ClientAddress clients;
    private final Clock clock;

    SignInController(ConsoleAccounts accounts, SignInFlow flow, ConsoleAudit audit, ClientAddress clients, Clock clock) {
        this.accounts = accounts;
        this.flow = flow;
        this.audit = audit;
        this.clients = clients;
        this.clock = clock;
    }

    @GetMapping("/login")
    String login(HttpServletRequest request, Model model) {
        model.addAttribute("failed", request.getParameter("error") != null);
        model.addAttribute("signedOut", request.getParameter("logout") != null);
        return "login";
    }

    /** Reached by forward from a refused sign-in (or directly: then a general explanation). */
    @RequestMapping("/login/locked")
    String locked(HttpServletRequest request, HttpServletResponse response, Model model) {
        response.setStatus(429);
        Object until = request.getAttribute(SignInHandlers.LOCKED_UNTIL);
        model.addAttribute("throttled", request.getAttribute(SignInHandlers.THROTTLED) != null);
        model.addAttribute("minutes", until instanceof Instant i ? minutesUntil(i) : null);
        return "locked";
    }

    /** Reached by forward when an access rule refuses a sign-in or ends a session. */
    @RequestMapping("/denied")
    String denied(HttpServletRequest request, HttpServletResponse response, Model model) {
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        Object decision = request.getAttribute(SignInHandlers.DENIED);
        if (decision instanceof AccessDecision.Denied d) {
            model.addAttribute("role", d.role().key());
            model.addAttribute("reason", d.reason().name().toLowerCase(Locale.ROOT));
            model.addAttribute("rule", d.rule());
        }
        model.addAttribute("client", Cidr.format(clients.of(request)));
        model.addAttribute("at", clock.instant().toString());
        return "denied";
    }

    @GetMapping("/login/totp")
    String totpForm() {
        return "totp";
    }

    @PostMapping("/login/totp")
    String totp(@RequestParam(defaultValue = "") String code, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        ConsoleAuthentication signIn = (ConsoleAuthentication) SecurityContextHolder.getContext().getAuthentication();
        String email = signIn.user().email();
        InetAddress client = clients.of(request);
        SecondFactorCheck check = accounts.checkSecondFactor(email, code);
        if (check instanceof SecondFactorCheck.Accepted accepted) {
            if (accepted.recoveryCode()) {
                audit.record(email, client, "mfa.recovery-code.used", email, "remaining=" + accepted.remaining(), true);
            }
            return "redirect:" + flow.advance(request, response, signIn.completedWithSecondFactor());
        }
        if (check instanceof SecondFactorCheck.Locked locked) {
            audit.record(email, client, "login.locked", email, "attempt while locked until=" + locked.until(), false);
            return lockedOut(request, response, model, locked.until());
        }
        SecondFactorCheck.Rejected rejected = (SecondFactorCheck.Rejected) check;
        String reason = rejected.reason().name().toLowerCase(Locale.ROOT);
        audit.record(email, client, "login.failure", email, "second factor " + reason, false);
        if (rejected.lockedUntil().isPresent()) {
            audit.record(email, client, "login.locked", email, "locked now until=" + rejected.lockedUntil().get(), false);
            return lockedOut(request, response, model, rejected.lockedUntil().get());
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        model.addAttribute("error", reason);
        return "totp";
    }

    private String lockedOut(HttpServletRequest request, HttpServletResponse response, Model model, Instant until) {
        flow.end(request);
        response.setStatus(429);
        model.addAttribute("throttled", false);
        model.addAttribute("minutes", minutesUntil(until));
        return "locked";
    }

    private long minutesUntil(Instant until) {
        long seconds = Math.max(0, Duration.between(clock.instant(), until).getSeconds());
        return Math.max(1, (seconds + 59) / 60);
    }
}
