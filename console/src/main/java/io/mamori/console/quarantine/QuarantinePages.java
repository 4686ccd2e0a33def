package io.mamori.console.quarantine;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import io.mamori.core.lists.ListKind;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import jakarta.servlet.http.HttpServletRequest;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
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
 * Quarantine and held-mail pages and their actions, all through {@link ScopedQuarantine} (scope checked, every
 * action audited with the signed-in user as actor):
 *
 * <pre>
 * GET  /quarantine, /held                         lists with reasons, selection and bulk actions
 * GET  /quarantine/requests                       release requests (approve/deny, or one's own)
 * POST /messages/{id}/release|delete|request|allow-sender|block-sender
 * POST /quarantine/bulk        ids=…&amp;op=release|delete&amp;from=quarantine|held
 * POST /quarantine/release-by  sender=… | finding=…   (analysts and administrators)
 * POST /quarantine/requests/{rid}/approve|deny
 * </pre>
 *
 * A message the user may not see is a 404 and one they may not act on a 403, as for the pages.
 */
@Controller
class QuarantinePages {

    static final int PAGE_SIZE = 50;

    private final ScopedQuarantine quarantine;
    private final MessageTracking tracking;
    private final ZoneId zone;

    QuarantinePages(ScopedQuarantine quarantine, MessageTracking tracking, ZoneId consoleZone) {
        this.quarantine = quarantine;
        this.tracking = tracking;
        this.zone = consoleZone;
    }

    @GetMapping("/quarantine")
    String quarantined(@AuthenticationPrincipal ConsoleUser user, @RequestParam(required = false) String sender,
            @RequestParam(defaultValue = "0") int page, HttpServletRequest request, Model model) {
        return list(user, MessageState.QUARANTINED, sender, page, request, model);
    }

    @GetMapping("/held")
    String held(@AuthenticationPrincipal ConsoleUser user, @RequestParam(required = false) String sender,
            @RequestParam(defaultValue = "0") int page, HttpServletRequest request, Model model) {
        return list(user, MessageState.HELD, sender, page, request, model);
    }

    private String list(ConsoleUser user, MessageState state, String sender, int page, HttpServletRequest request, Model model) {
        int p = Math.max(0, page);
        MessageQuery filter = new MessageQuery(null, sender, null, null, null, null, null, null, null, null,
                p * PAGE_SIZE, PAGE_SIZE);
        MessageTracking.Page found = quarantine.list(user, state, filter, ClientAddress.recorded(request));
        model.addAttribute("found", found);
        model.addAttribute("rows", found.messages().stream().map(m -> new Row(m, tracking.reasons(m.findingCodes()),
                tracking.canAct(user, m))).toList());
        model.addAttribute("state", state);
        model.addAttribute("from", state == MessageState.HELD ? "held" : "quarantine");
        model.addAttribute("sender", sender == null ? "" : sender);
        model.addAttribute("page", p);
        model.addAttribute("readOnly", tracking.readOnly(user));
        model.addAttribute("analyst", user.hasAnyRole(Role.ADMIN, Role.ANALYST));
        model.addAttribute("findingCodes", tracking.catalogue().entries().keySet().stream().sorted().toList());
        model.addAttribute("zone", zone);
        return "quarantine";
    }

    /** One listed message with its reasons and whether the user may act on it. */
    record Row(io.mamori.core.store.StoredMessage m, List<MessageTracking.Reason> reasons, boolean canAct) {
    }

    @GetMapping("/quarantine/requests")
    String requests(@AuthenticationPrincipal ConsoleUser user, @RequestParam(required = false) String status,
            HttpServletRequest request, Model model) {
        Status s = parseStatus(status);
        List<QuarantineService.Request> found = quarantine.requests(user, s, ClientAddress.recorded(request));
        model.addAttribute("requests", found.stream().map(r -> new RequestRow(r, quarantine.mayDecide(user, r.request()))).toList());
        model.addAttribute("status", s == null ? "" : s.name());
        model.addAttribute("zone", zone);
        return "requests";
    }

    /** A release request with whether the user may decide it. */
    record RequestRow(QuarantineService.Request r, boolean mayDecide) {
    }

    @PostMapping("/messages/{id}/release")
    String release(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id, HttpServletRequest request,
            RedirectAttributes flash) {
        done(quarantine.release(user, id, ClientAddress.recorded(request)), "released", flash);
        return "redirect:/messages/" + id;
    }

    /**
     * Opens a quarantined message with the password its sender gave another way ({@link PasswordOpening}); the notice
     * says what was found, and a message committed again is shown under its new id.
     */
    @PostMapping("/messages/{id}/open")
    String openWithPassword(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id,
            @RequestParam(required = false) String password, HttpServletRequest request, RedirectAttributes flash) {
        Result<PasswordOpening.Opened> result = quarantine.openWithPassword(user, id, password,
                ClientAddress.recorded(request));
        if (result instanceof Result.Ok<PasswordOpening.Opened> ok) {
            done(result, "opened." + ok.value().outcome(), flash);
            return "redirect:/messages/" + (ok.value().committedAs() != null ? ok.value().committedAs() : id);
        }
        done(result, "", flash);
        return "redirect:/messages/" + id;
    }

    @PostMapping("/messages/{id}/delete")
    String delete(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id, HttpServletRequest request,
            RedirectAttributes flash) {
        done(quarantine.delete(user, id, ClientAddress.recorded(request)), "deleted", flash);
        return "redirect:/messages/" + id;
    }

    @PostMapping("/messages/{id}/request")
    String requestRelease(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id,
            @RequestParam(required = false) String comment, HttpServletRequest request, RedirectAttributes flash) {
        done(quarantine.requestRelease(user, id, comment, ClientAddress.recorded(request)), "requested", flash);
        return "redirect:/messages/" + id;
    }

    @PostMapping("/messages/{id}/allow-sender")
    String allowSender(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id, HttpServletRequest request,
            Locale locale, RedirectAttributes flash) {
        done(quarantine.listSender(user, id, ListKind.ALLOW, ClientAddress.recorded(request), locale), "allowed", flash);
        return "redirect:/messages/" + id;
    }

    @PostMapping("/messages/{id}/block-sender")
    String blockSender(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id, HttpServletRequest request,
            Locale locale, RedirectAttributes flash) {
        done(quarantine.listSender(user, id, ListKind.BLOCK, ClientAddress.recorded(request), locale), "blocked", flash);
        return "redirect:/messages/" + id;
    }

    @PostMapping("/quarantine/bulk")
    String bulk(@AuthenticationPrincipal ConsoleUser user, @RequestParam(name = "ids", required = false) List<String> ids,
            @RequestParam String op, @RequestParam(defaultValue = "quarantine") String from, HttpServletRequest request,
            RedirectAttributes flash) {
        String back = "held".equals(from) ? "redirect:/held" : "redirect:/quarantine";
        if (tracking.readOnly(user)) {
            quarantine.bulk(user, ids == null ? List.of() : ids, "release".equals(op), ClientAddress.recorded(request));
            throw new ResponseStatusException(HttpStatus.FORBIDDEN);
        }
        if (ids == null || ids.isEmpty() || !(op.equals("release") || op.equals("delete"))) {
            flash.addFlashAttribute("mailNotice", "nothingSelected");
            return back;
        }
        List<ScopedQuarantine.Outcome> outcomes = quarantine.bulk(user, ids, op.equals("release"), ClientAddress.recorded(request));
        flash.addFlashAttribute("mailNotice", op.equals("release") ? "bulkReleased" : "bulkDeleted");
        flash.addFlashAttribute("done", outcomes.stream().filter(ScopedQuarantine.Outcome::done).count());
        flash.addFlashAttribute("failures", outcomes.stream().filter(o -> !o.done()).toList());
        return back;
    }

    @PostMapping("/quarantine/release-by")
    String releaseBy(@AuthenticationPrincipal ConsoleUser user, @RequestParam(required = false) String sender,
            @RequestParam(required = false) String finding, HttpServletRequest request, RedirectAttributes flash) {
        Result<QuarantineService.BulkRelease> r = quarantine.releaseBulk(user, sender, finding, ClientAddress.recorded(request));
        if (r instanceof Result.Ok<QuarantineService.BulkRelease> ok) {
            flash.addFlashAttribute("mailNotice", ok.value().more() ? "bulkReleasedMore" : "bulkReleased");
            flash.addFlashAttribute("done", (long) ok.value().released().size());
        } else {
            done(r, "bulkReleased", flash);
        }
        return "redirect:/quarantine";
    }

    @PostMapping("/quarantine/requests/{requestId}/approve")
    String approve(@AuthenticationPrincipal ConsoleUser user, @PathVariable long requestId,
            @RequestParam(required = false) String comment, HttpServletRequest request, RedirectAttributes flash) {
        done(quarantine.approve(user, requestId, comment, ClientAddress.recorded(request)), "approved", flash);
        return "redirect:/quarantine/requests";
    }

    @PostMapping("/quarantine/requests/{requestId}/deny")
    String deny(@AuthenticationPrincipal ConsoleUser user, @PathVariable long requestId,
            @RequestParam(required = false) String reason, HttpServletRequest request, RedirectAttributes flash) {
        done(quarantine.deny(user, requestId, reason, ClientAddress.recorded(request)), "denied", flash);
        return "redirect:/quarantine/requests";
    }

    /** Success becomes a notice on the next page; not found and forbidden become 404 and 403; the rest an error. */
    private static void done(Result<?> result, String notice, RedirectAttributes flash) {
        if (result instanceof Result.Refused<?> no) {
            switch (no.refusal()) {
                case NOT_FOUND -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
                case FORBIDDEN -> throw new ResponseStatusException(HttpStatus.FORBIDDEN);
                default -> flash.addFlashAttribute("failure", no.message());
            }
            return;
        }
        flash.addFlashAttribute("mailNotice", notice);
    }

    private static Status parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return Status.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
