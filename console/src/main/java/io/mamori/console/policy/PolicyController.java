package io.mamori.console.policy;

import static io.mamori.console.identity.RoleRequirement.require;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The policy editor page: the YAML in a text area; validate (errors in place, by line and column), diff against
 * the running version, save (administrators only; refused when invalid or stale), and the history of saved
 * versions. Auditors see everything and change nothing.
 */
@Controller
class PolicyController {

    /** One line of the edited text as shown beside the text area, with the errors reported on it. */
    record NumberedLine(int number, String text, List<PolicyError> errors) {
    }

    private final PolicyEditor editor;
    private final Blocklists blocklists;

    PolicyController(PolicyEditor editor, Blocklists blocklists) {
        this.editor = editor;
        this.blocklists = blocklists;
    }

    @GetMapping("/policy")
    String page(@AuthenticationPrincipal ConsoleUser user, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        return showFile(model, user);
    }

    @PostMapping("/policy/validate")
    String validate(@AuthenticationPrincipal ConsoleUser user, @RequestParam(defaultValue = "") String text,
            @RequestParam String baseHash, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        // what Save would refuse, the list file it names included; for administrators only: the check reads whatever
        // file the text names, and its errors would tell a read-only auditor which files exist and what they begin with
        PolicyEditor.SaveResult problems;
        if (user.hasRole(Role.ADMIN)) {
            problems = editor.check(text);
        } else {
            List<PolicyError> errors = editor.validate(text);
            problems = errors.isEmpty() ? null : new PolicyEditor.SaveResult.Invalid(errors);
        }
        if (problems instanceof PolicyEditor.SaveResult.ListFileInvalid listFile) {
            model.addAttribute("errors", List.of());
            model.addAttribute("listFileErrors", listFile.errors());
            return show(model, user, text, baseHash, "listFileCheck");
        }
        List<PolicyError> errors = problems instanceof PolicyEditor.SaveResult.Invalid invalid ? invalid.errors() : List.of();
        model.addAttribute("errors", errors);
        return show(model, user, text, baseHash, errors.isEmpty() ? "valid" : null);
    }

    @PostMapping("/policy/diff")
    String diff(@AuthenticationPrincipal ConsoleUser user, @RequestParam(defaultValue = "") String text,
            @RequestParam String baseHash, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        List<String> diff;
        try {
            diff = PolicyEditor.diff(editor.runningText(), text, "running/policy.yaml", "edited/policy.yaml");
        } catch (PolicyException e) {
            // too large to compare: the errors say which text and why, in place of the difference
            model.addAttribute("errors", e.errors());
            return show(model, user, text, baseHash, null);
        }
        model.addAttribute("diff", diff);
        model.addAttribute("errors", editor.validate(text));
        return show(model, user, text, baseHash, diff.isEmpty() ? "same" : null);
    }

    @PostMapping("/policy/save")
    String save(@AuthenticationPrincipal ConsoleUser user, @RequestParam(defaultValue = "") String text,
            @RequestParam String baseHash, HttpServletRequest request, Model model, RedirectAttributes redirect)
            throws IOException {
        require(user, Role.ADMIN);
        PolicyEditor.SaveResult result = editor.save(text, baseHash, user.email(), ClientAddress.recorded(request));
        if (result instanceof PolicyEditor.SaveResult.Saved saved) {
            redirect.addFlashAttribute("outcome", "saved");
            redirect.addFlashAttribute("savedVersion", saved.versionId());
            return "redirect:/policy";
        }
        if (result instanceof PolicyEditor.SaveResult.Unchanged) {
            redirect.addFlashAttribute("outcome", "unchanged");
            return "redirect:/policy";
        }
        if (result instanceof PolicyEditor.SaveResult.Invalid invalid) {
            model.addAttribute("errors", invalid.errors());
            return show(model, user, text, baseHash, "invalid");
        }
        if (result instanceof PolicyEditor.SaveResult.ListFileInvalid listFile) {
            model.addAttribute("listFileErrors", listFile.errors());
            return show(model, user, text, baseHash, "listFile");
        }
        // Stale: keep the user's text, show what changed on disk meanwhile, and let them start again from it.
        PolicyEditor.OnDisk current = editor.onDisk();
        if (!(current instanceof PolicyEditor.OnDisk.Text file)) {
            model.addAttribute("fileErrors", ((PolicyEditor.OnDisk.Unusable) current).errors());
            return show(model, user, text, baseHash, "stale");
        }
        try {
            model.addAttribute("diff", PolicyEditor.diff(file.text(), text, "saved-meanwhile/policy.yaml", "edited/policy.yaml"));
            model.addAttribute("errors", List.of());
        } catch (PolicyException e) {
            model.addAttribute("errors", e.errors());
        }
        return show(model, user, text, baseHash, "stale");
    }

    /** Checks the running policy's block lists through the gateway's resolver; the results beside the editor. */
    @PostMapping("/policy/check-blocklists")
    String checkBlocklists(@AuthenticationPrincipal ConsoleUser user, HttpServletRequest request, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        model.addAttribute("blocklistChecks", blocklists.check(user.email(), ClientAddress.recorded(request)));
        return showFile(model, user);
    }

    @GetMapping("/policy/history")
    String history(@AuthenticationPrincipal ConsoleUser user, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        model.addAttribute("versions", editor.versions().list(200));
        model.addAttribute("zone", java.time.ZoneId.systemDefault());
        return "policy-history";
    }

    @GetMapping("/policy/history/{id}")
    String version(@AuthenticationPrincipal ConsoleUser user, @PathVariable long id,
            @RequestParam(required = false) Long against, Model model) {
        require(user, Role.ADMIN, Role.AUDITOR);
        PolicyVersions.Version version = editor.versions().find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        PolicyVersions.Version base = against == null ? editor.versions().previous(id).orElse(null)
                : editor.versions().find(against).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("version", version);
        model.addAttribute("base", base);
        List<String> diff = List.of();
        if (base != null) {
            try {
                diff = PolicyEditor.diff(base.content(), version.content(), "version-" + base.id() + "/policy.yaml",
                        "version-" + version.id() + "/policy.yaml");
            } catch (PolicyException e) {
                model.addAttribute("diffRefused", e.errors());
            }
        }
        model.addAttribute("diff", diff);
        model.addAttribute("versions", editor.versions().list(200));
        model.addAttribute("zone", java.time.ZoneId.systemDefault());
        return "policy-version";
    }

    /**
     * The editor on the file as it is on disk; on the running policy when the gateway cannot read the file, with the
     * reasons, so that an administrator can replace the file from here.
     */
    private String showFile(Model model, ConsoleUser user) {
        PolicyEditor.OnDisk disk = editor.onDisk();
        if (disk instanceof PolicyEditor.OnDisk.Text file) {
            return show(model, user, file.text(), file.hash(), null);
        }
        model.addAttribute("fileErrors", ((PolicyEditor.OnDisk.Unusable) disk).errors());
        model.addAttribute("showingRunning", true);
        return show(model, user, editor.runningText(), disk.hash(), null);
    }

    private String show(Model model, ConsoleUser user, String text, String baseHash, String outcome) {
        @SuppressWarnings("unchecked")
        List<PolicyError> errors = (List<PolicyError>) model.getAttribute("errors");
        model.addAttribute("text", PolicyEditor.normalise(text));
        model.addAttribute("baseHash", baseHash);
        model.addAttribute("canEdit", user.hasRole(Role.ADMIN));
        model.addAttribute("blocklists", blocklists.zones());
        model.addAttribute("zone", java.time.ZoneId.systemDefault());
        if (outcome != null) {
            model.addAttribute("outcome", outcome);
        }
        if (errors != null && !errors.isEmpty()) {
            model.addAttribute("numbered", numbered(PolicyEditor.normalise(text), errors));
        }
        return "policy";
    }

    /** The text's lines with the errors of each line, for the annotated view beside the text area. */
    private static List<NumberedLine> numbered(String text, List<PolicyError> errors) {
        Map<Integer, List<PolicyError>> byLine = new LinkedHashMap<>();
        for (PolicyError e : errors) {
            byLine.computeIfAbsent(e.line(), k -> new ArrayList<>()).add(e);
        }
        List<String> lines = text.lines().toList();
        List<NumberedLine> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            out.add(new NumberedLine(i + 1, lines.get(i), byLine.getOrDefault(i + 1, List.of())));
        }
        // An error past the last line (e.g. unexpected end of the document) still gets a line to sit on.
        byLine.keySet().stream().filter(n -> n > lines.size()).sorted()
                .forEach(n -> out.add(new NumberedLine(n, "", byLine.get(n))));
        return out;
    }
}
