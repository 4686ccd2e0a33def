package io.mamori.console.users;

import static io.mamori.console.identity.RoleRequirement.require;

import io.mamori.console.api.ApiTokens;
import io.mamori.console.directory.DirectoryFileException;
import io.mamori.console.directory.ImportReport;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.AppPasswords;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Users and roles (administrators only): the directory listed and searched, one person edited (name,
 * department, manager, roles, approver departments, language, active), CSV import with a dry run first, console
 * accounts created and reset, SMTP AUTH app passwords and REST API tokens issued (shown once) and revoked, and
 * MFA reminders sent. Every action is audited with the administrator as actor.
 */
@Controller
class UsersController {

    private static final String PENDING_IMPORT = UsersController.class.getName() + ".import";
    private static final long MAX_IMPORT_BYTES = 16L * 1024 * 1024;

    /** A dry-run file waiting in the session for the administrator to apply it. */
    record PendingImport(String fileName, byte[] content, String hash) implements java.io.Serializable {
    }

    /** One row of the list. */
    record Row(Person person, boolean account, boolean totp) {
    }

    private final JdbcDirectory directory;
    private final ConsoleAccounts accounts;
    private final AppPasswords appPasswords;
    private final ApiTokens apiTokens;
    private final UserAdministration administration;
    private final Credentials credentials;
    private final Clock clock;

    UsersController(JdbcDirectory directory, ConsoleAccounts accounts, AppPasswords appPasswords, ApiTokens apiTokens,
            UserAdministration administration, Credentials credentials, Clock clock) {
        this.directory = directory;
        this.accounts = accounts;
        this.appPasswords = appPasswords;
        this.apiTokens = apiTokens;
        this.administration = administration;
        this.credentials = credentials;
        this.clock = clock;
    }

    @GetMapping("/users")
    String list(@AuthenticationPrincipal ConsoleUser user, @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "false") boolean inactive, Model model) {
        require(user, Role.ADMIN);
        String needle = Normalizer.normalize(q.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<Row> rows = directory.list().stream()
                .filter(p -> inactive || p.active())
                .filter(p -> needle.isEmpty() || p.email().contains(needle)
                        || p.displayName().toLowerCase(Locale.ROOT).contains(needle)
                        || (p.department() != null && p.department().toLowerCase(Locale.ROOT).contains(needle)))
                .map(p -> new Row(p, accounts.hasAccount(p.email()), accounts.hasAccount(p.email()) && accounts.totpEnrolled(p.email())))
                .toList();
        model.addAttribute("rows", rows);
        model.addAttribute("q", q);
        model.addAttribute("inactive", inactive);
        return "users";
    }

    @GetMapping("/users/person")
    String person(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email, Model model) {
        require(user, Role.ADMIN);
        return show(model, find(email));
    }

    @PostMapping("/users/person")
    String save(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email, @RequestParam String displayName,
            @RequestParam(defaultValue = "") String department, @RequestParam(defaultValue = "") String managerEmail,
            @RequestParam(required = false) List<String> roles, @RequestParam(defaultValue = "") String approverDepartments,
            @RequestParam(defaultValue = "") String language, @RequestParam(defaultValue = "false") boolean active,
            HttpServletRequest request, Model model, RedirectAttributes redirect) {
        require(user, Role.ADMIN);
        Person before = find(email);
        String problem = null;
        String manager = blankToNull(managerEmail) == null ? null : managerEmail.strip().toLowerCase(Locale.ROOT);
        Set<Role> chosen = EnumSet.noneOf(Role.class);
        for (String r : roles == null ? List.<String>of() : roles) {
            Role.parse(r).ifPresent(chosen::add);
        }
        TreeSet<String> approves = Arrays.stream(approverDepartments.split("[;、,]")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> Normalizer.normalize(s, Normalizer.Form.NFKC)).collect(Collectors.toCollection(TreeSet::new));
        String dept = blankToNull(department) == null ? null : Normalizer.normalize(department.strip(), Normalizer.Form.NFKC);
        if (displayName.isBlank() || displayName.strip().length() > 200 || !io.mamori.core.text.VisibleText.fitForAName(displayName.strip())) {
            problem = "name";
        } else if (dept != null && (dept.length() > 200 || !io.mamori.core.text.VisibleText.fitForAName(dept))
                || approves.stream().anyMatch(a -> a.length() > 200 || !io.mamori.core.text.VisibleText.fitForAName(a))) {
            problem = "department";
        } else if (manager != null && (!io.mamori.core.text.MailAddresses.plausible(manager) || directory.find(manager).isEmpty())) {
            problem = "manager";
        } else if (manager != null && manager.equals(before.email())) {
            problem = "managerSelf";
        } else if (!language.isEmpty() && !Person.LANGUAGES.contains(language)) {
            problem = "language";
        } else if (!approves.isEmpty() && !chosen.contains(Role.APPROVER)) {
            problem = "approvesWithoutRole";
        }
        if (chosen.contains(Role.APPROVER) && approves.isEmpty() && dept != null) {
            approves.add(dept);
        }
        if (problem == null) {
            Person after = new Person(before.email(), displayName.strip(), dept, manager, chosen, approves,
                    language.isEmpty() ? null : language, active,
                    before.source());
            try {
                UserAdministration.Saved saved = administration.update(before, after, user.email(), ClientAddress.recorded(request));
                redirect.addFlashAttribute("outcome", saved.changes().isEmpty() ? "unchanged" : saved.notified() ? "savedNotified" : "saved");
                return "redirect:/users/person?email=" + urlEncode(before.email());
            } catch (IllegalArgumentException e) {
                problem = "lastAdmin";   // audited by the administration
                model.addAttribute("problem", problem);
                return show(model, before);
            }
        }
        administration.refused("user.update", before.email(), "problem=" + problem, user.email(), ClientAddress.recorded(request));
        model.addAttribute("problem", problem);
        return show(model, before);
    }

    @PostMapping("/users/person/account")
    String createAccount(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email, HttpServletRequest request, Model model) {
        require(user, Role.ADMIN);
        Person person = find(email);
        if (accounts.hasAccount(person.email())) {
            administration.refused("user.created", person.email(), "problem=accountExists", user.email(),
                    ClientAddress.recorded(request));
            model.addAttribute("problem", "accountExists");
            return show(model, person);
        }
        // The same path as `mamori console add-user`: audited, and a person it reactivates gets the notice.
        String password = administration.createAccount(person.email(), person.displayName(), person.department(), Set.of(),
                user.email(), ClientAddress.recorded(request));
        model.addAttribute("oneTimePassword", password);
        return show(model, find(email));
    }

    @PostMapping("/users/person/reset")
    String reset(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email,
            @RequestParam(defaultValue = "false") boolean clearTotp, HttpServletRequest request, Model model) {
        require(user, Role.ADMIN);
        Person person = find(email);
        Optional<String> password = credentials.resetAccount(person.email(), clearTotp, user.email(),
                ClientAddress.recorded(request));
        if (password.isEmpty()) {
            model.addAttribute("problem", "noAccount");
            return show(model, person);
        }
        model.addAttribute("oneTimePassword", password.get());
        return show(model, person);
    }

    @PostMapping("/users/person/app-passwords")
    String issueAppPassword(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email,
            @RequestParam(defaultValue = "") String label, HttpServletRequest request, Model model) {
        require(user, Role.ADMIN);
        Person person = find(email);
        String cleanLabel = label.strip().isEmpty() ? "console" : label.strip();
        if (cleanLabel.length() > 100 || !io.mamori.core.text.VisibleText.fitForAName(cleanLabel)) {
            administration.refused("user.app-password.add", person.email(), "problem=label", user.email(),
                    ClientAddress.recorded(request));
            model.addAttribute("problem", "label");
            return show(model, person);
        }
        String password = credentials.issueAppPassword(person.email(), cleanLabel, user.email(),
                ClientAddress.recorded(request));
        model.addAttribute("appPassword", password);
        return show(model, person);
    }

    @PostMapping("/users/person/app-passwords/revoke")
    String revokeAppPassword(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email, @RequestParam long id,
            HttpServletRequest request, RedirectAttributes redirect) {
        require(user, Role.ADMIN);
        Person person = find(email);
        boolean revoked = credentials.revokeAppPassword(person.email(), id, user.email(), ClientAddress.recorded(request));
        redirect.addFlashAttribute("outcome", revoked ? "appPasswordRevoked" : "notFound");
        return "redirect:/users/person?email=" + urlEncode(person.email());
    }

    @PostMapping("/users/person/api-tokens")
    String issueApiToken(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email,
            @RequestParam(defaultValue = "") String label, @RequestParam(defaultValue = "90") int days,
            HttpServletRequest request, Model model) {
        require(user, Role.ADMIN);
        Person person = find(email);
        String cleanLabel = label.strip().isEmpty() ? "api" : label.strip();
        if (cleanLabel.length() > 100 || !io.mamori.core.text.VisibleText.fitForAName(cleanLabel) || days < 1 || days > 366) {
            administration.refused("api-token.issue", person.email(), "problem=token", user.email(),
                    ClientAddress.recorded(request));
            model.addAttribute("problem", "token");
            return show(model, person);
        }
        ApiTokens.Issued issued = credentials.issueApiToken(person.email(), cleanLabel, Duration.ofDays(days), user.email(),
                ClientAddress.recorded(request));
        model.addAttribute("apiToken", issued.token());
        return show(model, person);
    }

    @PostMapping("/users/person/api-tokens/revoke")
    String revokeApiToken(@AuthenticationPrincipal ConsoleUser user, @RequestParam String email, @RequestParam long id,
            HttpServletRequest request, RedirectAttributes redirect) {
        require(user, Role.ADMIN);
        Person person = find(email);
        boolean revoked = credentials.revokeApiToken(person.email(), id, user.email(), ClientAddress.recorded(request));
        redirect.addFlashAttribute("outcome", revoked ? "apiTokenRevoked" : "notFound");
        return "redirect:/users/person?email=" + urlEncode(person.email());
    }

    @PostMapping("/users/mfa-reminders")
    String mfaReminders(@AuthenticationPrincipal ConsoleUser user, HttpServletRequest request, RedirectAttributes redirect) {
        require(user, Role.ADMIN);
        List<String> sent = administration.sendMfaReminders(user.email(), ClientAddress.recorded(request));
        redirect.addFlashAttribute("reminded", sent);
        return "redirect:/users";
    }

    @GetMapping("/users/import")
    String importPage(@AuthenticationPrincipal ConsoleUser user) {
        require(user, Role.ADMIN);
        return "users-import";
    }

    /** Step one: a dry run; the file waits in the session for step two. */
    @PostMapping("/users/import")
    String dryRun(@AuthenticationPrincipal ConsoleUser user, @RequestParam("file") MultipartFile file, HttpServletRequest request,
            HttpSession session, Model model, Locale locale) throws IOException {
        require(user, Role.ADMIN);
        session.removeAttribute(PENDING_IMPORT);
        if (file.isEmpty() || file.getSize() > MAX_IMPORT_BYTES) {
            model.addAttribute("problem", file.isEmpty() ? "empty" : "tooLarge");
            return "users-import";
        }
        String name = file.getOriginalFilename() == null || file.getOriginalFilename().isBlank() ? "upload.csv"
                : file.getOriginalFilename().replaceAll("[\\p{Cntrl}/\\\\]", "_");
        byte[] content = file.getBytes();
        try {
            ImportReport report = administration.importCsv(content, name, true, user.email(), ClientAddress.recorded(request));
            PendingImport pending = new PendingImport(name, content, sha256(content));
            session.setAttribute(PENDING_IMPORT, pending);
            model.addAttribute("report", report);
            model.addAttribute("pending", pending);
        } catch (DirectoryFileException e) {
            model.addAttribute("csvProblems", e.problems().stream().map(p -> p.render(locale.getLanguage())).toList());
        }
        return "users-import";
    }

    /** Step two: applies exactly the file the dry run showed. */
    @PostMapping("/users/import/apply")
    String apply(@AuthenticationPrincipal ConsoleUser user, @RequestParam String hash, HttpServletRequest request,
            HttpSession session, Model model, Locale locale) {
        require(user, Role.ADMIN);
        if (!(session.getAttribute(PENDING_IMPORT) instanceof PendingImport pending)
                || !java.security.MessageDigest.isEqual(pending.hash().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        hash.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            model.addAttribute("problem", "noPending");
            return "users-import";
        }
        session.removeAttribute(PENDING_IMPORT);
        try {
            model.addAttribute("report", administration.importCsv(pending.content(), pending.fileName(), false, user.email(),
                    ClientAddress.recorded(request)));
        } catch (DirectoryFileException e) {
            // The directory changed since the dry run in a way the file no longer fits.
            model.addAttribute("csvProblems", e.problems().stream().map(p -> p.render(locale.getLanguage())).toList());
        }
        return "users-import";
    }

    private String show(Model model, Person person) {
        model.addAttribute("person", person);
        model.addAttribute("account", accounts.hasAccount(person.email()));
        model.addAttribute("totp", accounts.hasAccount(person.email()) && accounts.totpEnrolled(person.email()));
        model.addAttribute("lockedUntil", accounts.lockedUntil(person.email()).orElse(null));
        model.addAttribute("appPasswords", appPasswords.list(person.email()));
        model.addAttribute("apiTokens", apiTokens.list(person.email()));
        model.addAttribute("allRoles", Role.values());
        model.addAttribute("now", clock.instant());
        return "user";
    }

    private Person find(String email) {
        return directory.find(email).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
