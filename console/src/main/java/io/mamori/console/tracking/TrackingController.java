package io.mamori.console.tracking;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import jakarta.servlet.http.HttpServletRequest;
import java.time.ZoneId;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * Message tracking pages: {@code GET /messages} (search by sender, recipient, subject, action, state, direction,
 * date range and queue id, paged) and {@code GET /messages/{id}} (one message, safely rendered, with the actions
 * the user may take). A message outside the user's scope is a 404, exactly like a message that does not exist.
 */
@Controller
class TrackingController {

    static final int PAGE_SIZE = 50;

    private final MessageTracking tracking;
    private final ZoneId zone;

    TrackingController(MessageTracking tracking, ZoneId consoleZone) {
        this.tracking = tracking;
        this.zone = consoleZone;
    }

    @GetMapping("/messages")
    String search(@AuthenticationPrincipal ConsoleUser user, SearchForm criteria, @RequestParam(defaultValue = "0") int page,
            HttpServletRequest request, Model model) {
        model.addAttribute("criteria", criteria);
        model.addAttribute("states", MessageState.values());
        model.addAttribute("directions", io.mamori.core.message.Direction.values());
        model.addAttribute("actions", io.mamori.console.dashboard.Dashboard.ACTIONS);
        MessageQuery query;
        try {
            query = criteria.toQuery(zone, page, PAGE_SIZE);
        } catch (IllegalArgumentException e) {
            model.addAttribute("invalid", true);
            return "messages";
        }
        MessageTracking.Page found = tracking.search(user, query, ClientAddress.recorded(request));
        model.addAttribute("found", found);
        model.addAttribute("page", Math.max(0, page));
        model.addAttribute("zone", zone);
        return "messages";
    }

    @GetMapping("/messages/{id}")
    String detail(@AuthenticationPrincipal ConsoleUser user, @PathVariable String id, HttpServletRequest request, Model model) {
        MessageTracking.Detail detail = tracking.detail(user, id, ClientAddress.recorded(request))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("detail", detail);
        model.addAttribute("m", detail.message());
        model.addAttribute("readOnly", tracking.readOnly(user));
        model.addAttribute("zone", zone);
        return "message";
    }

}
