package io.mamori.console.notice;

import static io.mamori.console.identity.RoleRequirement.require;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
 * Notice templates edited in the console (administrators): the text in use, checked before it is saved (problems
 * shown by line and column), and a reset to the shipped default. Saves and resets are audited.
 */
@Controller
class NoticeTemplatesController {

    /** One template in the list. */
    record Entry(String kind, String language, boolean overridden) {
    }

    private final NoticeTemplates templates;
    private final AuditTrail audit;
    private final Clock clock;

    NoticeTemplatesController(NoticeTemplates templates, AuditTrail audit, Clock clock) {
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping("/notices/templates")
    String list(@AuthenticationPrincipal ConsoleUser user, Model model) {
        require(user, Role.ADMIN);
        List<Entry> entries = new ArrayList<>();
        for (NoticeKind k : NoticeKind.values()) {
            for (NoticeLanguage l : NoticeLanguage.values()) {
                entries.add(new Entry(k.fileName(), l.tag(), templates.overridden(k, l)));
            }
        }
        model.addAttribute("entries", entries);
        return "notice-templates";
    }

    @GetMapping("/notices/templates/{kind}/{language}")
    String edit(@AuthenticationPrincipal ConsoleUser user, @PathVariable String kind, @PathVariable String language, Model model) {
        require(user, Role.ADMIN);
        NoticeKind k = kind(kind);
        NoticeLanguage l = language(language);
        NoticeTemplates.Editable editable = templates.editable(k, l);
        if (!editable.problems().isEmpty()) {
            model.addAttribute("problems", editable.problems());
        }
        return show(model, k, l, editable.text(), editable.problems().isEmpty() ? null : "unreadable");
    }

    @PostMapping("/notices/templates/{kind}/{language}")
    String save(@AuthenticationPrincipal ConsoleUser user, @PathVariable String kind, @PathVariable String language,
            @RequestParam(defaultValue = "") String text, @RequestParam(defaultValue = "save") String action,
            HttpServletRequest request, Model model, RedirectAttributes redirect) throws IOException {
        require(user, Role.ADMIN);
        NoticeKind k = kind(kind);
        NoticeLanguage l = language(language);
        String content = text.replace("\r\n", "\n");
        String object = k.fileName() + "." + l.tag();
        if (action.equals("reset")) {
            // Recorded before the file goes, so the change never happens without its entry; a failure after it is a
            // second entry.
            try {
                templates.reset(k, l, () -> audit.record(entry(user, request, "notice.template.reset", object, null,
                        "default", true)));
            } catch (IOException e) {
                audit.record(entry(user, request, "notice.template.reset", object, null,
                        "failed: " + e.getClass().getSimpleName(), false));
                throw e;
            }
            redirect.addFlashAttribute("outcome", "reset");
            return "redirect:/notices/templates/" + k.fileName() + "/" + l.tag();
        }
        List<NoticeTemplateException.Problem> problems = templates.validate(k, l, content);
        if (!problems.isEmpty() || action.equals("validate")) {
            model.addAttribute("problems", problems);
            if (action.equals("save")) {
                audit.record(entry(user, request, "notice.template.save", object, null, "refused: " + problems.get(0), false));
            }
            return show(model, k, l, content, problems.isEmpty() ? "valid" : "invalid");
        }
        NoticeTemplates.Editable current = templates.editable(k, l);
        String before = current.problems().isEmpty() ? current.text() : "unreadable: " + current.problems().get(0).message();
        try {
            templates.write(k, l, content, () -> audit.record(entry(user, request, "notice.template.save", object, before,
                    content, true)));
        } catch (NoticeTemplateException e) {
            audit.record(entry(user, request, "notice.template.save", object, null, "refused: " + e.problems().get(0), false));
            model.addAttribute("problems", e.problems());
            return show(model, k, l, content, "invalid");
        } catch (IOException e) {
            audit.record(entry(user, request, "notice.template.save", object, before,
                    "failed: " + e.getClass().getSimpleName(), false));
            throw e;
        }
        redirect.addFlashAttribute("outcome", "saved");
        return "redirect:/notices/templates/" + k.fileName() + "/" + l.tag();
    }

    private AuditEntry entry(ConsoleUser user, HttpServletRequest request, String action, String object, String before,
            String after, boolean success) {
        return new AuditEntry(clock.instant(), user.email(), ClientAddress.recorded(request), action, object, before, after,
                success);
    }

    private String show(Model model, NoticeKind k, NoticeLanguage l, String text, String outcome) {
        model.addAttribute("kind", k.fileName());
        model.addAttribute("language", l.tag());
        model.addAttribute("text", text);
        model.addAttribute("overridden", templates.overridden(k, l));
        model.addAttribute("placeholders", List.of("company", "department", "userName", "changes", "setupUrl"));
        if (outcome != null) {
            model.addAttribute("outcome", outcome);
        }
        return "notice-template";
    }

    private static NoticeKind kind(String name) {
        return NoticeKind.byFileName(name).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    private static NoticeLanguage language(String tag) {
        for (NoticeLanguage l : NoticeLanguage.values()) {
            if (l.tag().equals(tag)) {
                return l;
            }
        }
        throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
}
