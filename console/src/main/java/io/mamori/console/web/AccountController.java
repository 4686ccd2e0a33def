package io.mamori.console.web;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleAccounts.Enrollment;
import io.mamori.console.identity.ConsoleAccounts.PasswordProblem;
import io.mamori.core.policy.PolicyHolder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The user's own account: password change, TOTP enrollment, the recovery codes shown once, the language. */
@Controller
class AccountController {

    private static final String ENROLLMENT = AccountController.class.getName() + ".enrollment";

    private final ConsoleAccounts accounts;
    private final JdbcDirectory directory;
    private final PolicyHolder policy;
    private final SignInFlow flow;
    private final ConsoleAudit audit;
    private final ClientAddress clients;
    private final ConsoleSettings settings;
    private final LocaleResolver locales;

    AccountController(ConsoleAccounts accounts, JdbcDirectory directory, PolicyHolder policy, SignInFlow flow,
            ConsoleAudit audit, ClientAddress clients, ConsoleSettings settings, LocaleResolver locales) {
        this.accounts = accounts;
        this.directory = directory;
        this.policy = policy;
        this.flow = flow;
        this.audit = audit;
        this.clients = clients;
        this.settings = settings;
        this.locales = locales;
    }

    @GetMapping("/account/password")
    String passwordForm(Model model) {
        model.addAttribute("initial", signIn().stage() == ConsoleAuthentication.Stage.CHANGE_PASSWORD);
        return "password";
    }

    @PostMapping("/account/password")
    String changePassword(@RequestParam(defaultValue = "") String current, @RequestParam(defaultValue = "") String password,
            @RequestParam(defaultValue = "") String confirmation, HttpServletRequest request, HttpServletResponse response,
            Model model, RedirectAttributes flash) {
        ConsoleAuthentication signIn = signIn();
        String email = signIn.user().email();
        InetAddress client = clients.of(request);
        // the new password is stored with its entry, or not at all
        Optional<PasswordProblem> problem = audit.recordAlong(email, client, "password.changed", email, null,
                work -> accounts.changePassword(email, current, password, confirmation, work));
        if (problem.isPresent()) {
            audit.record(email, client, "password.change", email, problem.get().name().toLowerCase(Locale.ROOT), false);
            Optional<java.time.Instant> locked = accounts.lockedUntil(email);
            if (locked.isPresent()) {
                audit.record(email, client, "login.locked", email, "locked now until=" + locked.get(), false);
                flow.end(request);
                return "redirect:/login/locked";
            }
            response.setStatus(422);
            model.addAttribute("initial", signIn.stage() == ConsoleAuthentication.Stage.CHANGE_PASSWORD);
            model.addAttribute("problem", problem.get().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            return "password";
        }
        // this session changed the credentials: it goes on with them (other sessions of the account end)
        ConsoleAuthentication changed = signIn.withCredentials(accounts.credentialStamp(email).orElse(""));
        if (signIn.stage() == ConsoleAuthentication.Stage.COMPLETE) {
            request.changeSessionId();
            flow.store(request, response, changed);
            flash.addFlashAttribute("notice", "password-changed");
            return "redirect:/";
        }
        ConsoleAuthentication.Stage next = PasswordAuthenticationProvider.secondFactorStage(
                policy.current().access().mfaRequired(signIn.user().roles()), accounts.totpEnrolled(email));
        return "redirect:" + flow.advance(request, response, changed.withStage(next));
    }

    @GetMapping("/account/totp")
    String enrollForm(HttpSession session, Model model) {
        Enrollment enrollment = (Enrollment) session.getAttribute(ENROLLMENT);
        if (enrollment == null) {
            enrollment = accounts.startEnrollment(signIn().user().email(), settings.issuer());
            session.setAttribute(ENROLLMENT, enrollment);
        }
        model.addAttribute("qr", enrollment.qrDataUri());
        model.addAttribute("secret", enrollment.displaySecret());
        return "totp-setup";
    }

    @PostMapping("/account/totp")
    String enroll(@RequestParam(defaultValue = "") String code, HttpServletRequest request, HttpServletResponse response,
            Model model, RedirectAttributes flash) {
        HttpSession session = request.getSession();
        Enrollment enrollment = (Enrollment) session.getAttribute(ENROLLMENT);
        if (enrollment == null) {
            return "redirect:/account/totp";
        }
        ConsoleAuthentication signIn = signIn();
        String email = signIn.user().email();
        // the key and the recovery codes are stored with the entry, or not at all
        Optional<List<String>> codes = audit.recordAlong(email, clients.of(request), "mfa.enrolled", email,
                "totp, " + ConsoleAccounts.RECOVERY_CODES + " recovery codes", work -> accounts.finishEnrollment(email, enrollment, code, work));
        if (codes.isEmpty()) {
            response.setStatus(422);
            model.addAttribute("qr", enrollment.qrDataUri());
            model.addAttribute("secret", enrollment.displaySecret());
            model.addAttribute("error", true);
            return "totp-setup";
        }
        session.removeAttribute(ENROLLMENT);
        flash.addFlashAttribute("recoveryCodes", codes.get());
        flow.advance(request, response, signIn.withCredentials(accounts.credentialStamp(email).orElse(""))
                .completedWithSecondFactor());
        return "redirect:/account/recovery-codes";
    }

    /** The recovery codes, once: they come as a flash attribute from the enrollment and are gone on reload. */
    @GetMapping("/account/recovery-codes")
    String recoveryCodes(Model model) {
        return model.containsAttribute("recoveryCodes") ? "recovery-codes" : "redirect:/";
    }

    /** The language switch: for everyone a cookie; for a signed-in user also their stored preference. */
    @PostMapping("/language")
    String language(@RequestParam String lang, @RequestParam(name = "return", defaultValue = "/") String back,
            HttpServletRequest request, HttpServletResponse response) {
        Locale chosen = ConsoleLocaleResolver.supported(lang);
        if (chosen != null) {
            locales.setLocale(request, response, chosen);
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof ConsoleAuthentication signIn && !chosen.equals(signIn.user().locale())) {
                String email = signIn.user().email();
                directory.setLanguage(email, chosen.getLanguage());
                audit.record(email, clients.of(request), "account.language", email, chosen.getLanguage(), true);
                flow.store(request, response, signIn.withUser(new io.mamori.console.identity.ConsoleUser(email,
                        signIn.user().name(), signIn.user().department(), signIn.user().roles(),
                        signIn.user().approverDepartments(), chosen)));
            }
        }
        return "redirect:" + localPath(back);
    }

    /**
     * Only a path on this site (never {@code //host} or {@code https://…}): no open redirect. Braces are refused too:
     * Spring expands a redirect's URI template, and {@code /{x}} would be an error page.
     */
    static String localPath(String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")
                || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '{' || c == '}')) {
            return "/";
        }
        return path;
    }

    private static ConsoleAuthentication signIn() {
        return (ConsoleAuthentication) SecurityContextHolder.getContext().getAuthentication();
    }
}
