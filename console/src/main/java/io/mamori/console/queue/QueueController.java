package io.mamori.console.queue;

import io.mamori.console.api.ApiCaller;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.console.quarantine.ScopedQuarantine;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.console.tracking.SearchForm;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import jakarta.servlet.http.HttpServletRequest;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST access to the queue and message tracking, always within the caller's {@link Scope} ({@link ApiCaller}:
 * the gateway's API token is an administrator):
 *
 * <pre>
 * GET  /api/v1/messages?state=&amp;sender=&amp;recipient=&amp;subject=&amp;action=&amp;direction=&amp;from=&amp;to=&amp;id=&amp;finding=&amp;limit=100&amp;offset=0
 * GET  /api/v1/messages/{id}            the stored record (404 if absent or out of scope)
 * GET  /api/v1/messages/{id}/content    headers, findings with reasons, body as text, links, attachments
 * POST /api/v1/messages/{id}/release    HELD/QUARANTINED → QUEUED (403 without the right to act, 409 wrong state)
 * POST /api/v1/messages/{id}/open       {"password": "…"}: a quarantined message opened with the sender's password
 * POST /api/v1/messages/{id}/delete
 * GET  /api/v1/messages/counts          messages by state
 * </pre>
 *
 * Release and delete go through {@link ScopedQuarantine} and the {@link QuarantineService}, which record them in
 * the audit trail; searches and content views are audited by {@link MessageTracking}. Bulk release, reasons and
 * release requests are under {@code /api/v1/quarantine}.
 */
@RestController
@RequestMapping("/api/v1/messages")
class QueueController {

    private final MessageStore store;
    private final Scope scope;
    private final MessageTracking tracking;
    private final ScopedQuarantine quarantine;
    private final ZoneId zone;

    QueueController(MessageStore store, Scope scope, MessageTracking tracking, ScopedQuarantine quarantine, ZoneId consoleZone) {
        this.store = store;
        this.scope = scope;
        this.tracking = tracking;
        this.quarantine = quarantine;
        this.zone = consoleZone;
    }

    @GetMapping
    ResponseEntity<?> list(Authentication authentication, SearchForm form, @RequestParam(defaultValue = "100") int limit,
            @RequestParam(defaultValue = "0") int offset, HttpServletRequest request) {
        MessageQuery query;
        try {
            query = form.toQuery(zone, 0, 1).withPage(Math.max(0, offset), Math.max(1, Math.min(limit, 1000)));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", "invalid", "message",
                    "検索条件が正しくありません / invalid search: " + e.getMessage()));
        }
        List<StoredMessage> found = tracking.search(ApiCaller.user(authentication), query, ClientAddress.recorded(request))
                .messages();
        return ResponseEntity.ok(found);
    }

    @GetMapping("/{id}")
    ResponseEntity<?> show(Authentication authentication, @PathVariable String id) {
        return tracking.visible(ApiCaller.user(authentication), id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> notFound(id));
    }

    @GetMapping("/{id}/content")
    ResponseEntity<?> content(Authentication authentication, @PathVariable String id, HttpServletRequest request) {
        return tracking.detail(ApiCaller.user(authentication), id, ClientAddress.recorded(request))
                .<ResponseEntity<?>>map(d -> ResponseEntity.ok(Map.of("message", d.message(), "reasons", d.reasons(),
                        "canAct", d.canAct(), "content", d.content().<Object>map(c -> c).orElse(Map.of()))))
                .orElseGet(() -> notFound(id));
    }

    @PostMapping("/{id}/release")
    ResponseEntity<?> release(Authentication authentication, @PathVariable String id, HttpServletRequest request) {
        return answer(id, quarantine.release(ApiCaller.user(authentication), id, ClientAddress.recorded(request)));
    }

    /**
     * Opens a quarantined message with a password the sender gave another way ({@code {"password": "…"}}): its
     * encrypted attachments are inspected and scanned, and it stays quarantined with what was found or is committed
     * again for delivery ({@link io.mamori.console.quarantine.PasswordOpening}). 200 with the outcome, 400 for an
     * unusable password, 409 when it is not quarantined.
     */
    @PostMapping("/{id}/open")
    ResponseEntity<?> open(Authentication authentication, @PathVariable String id,
            @RequestBody(required = false) Map<String, String> body, HttpServletRequest request) {
        String password = body == null ? null : body.get("password");
        QuarantineService.Result<io.mamori.console.quarantine.PasswordOpening.Opened> result = quarantine.openWithPassword(
                ApiCaller.user(authentication), id, password, ClientAddress.recorded(request));
        if (result instanceof QuarantineService.Result.Ok<io.mamori.console.quarantine.PasswordOpening.Opened> ok) {
            return ResponseEntity.ok(ok.value());
        }
        return answer(id, result);
    }

    @PostMapping("/{id}/delete")
    ResponseEntity<?> delete(Authentication authentication, @PathVariable String id, HttpServletRequest request) {
        return answer(id, quarantine.delete(ApiCaller.user(authentication), id, ClientAddress.recorded(request)));
    }

    @GetMapping("/counts")
    Map<MessageState, Long> counts(Authentication authentication) {
        ConsoleUser user = ApiCaller.user(authentication);
        return store.countByState(scope.messageOwners(user));
    }

    private ResponseEntity<?> answer(String id, QuarantineService.Result<?> result) {
        if (result instanceof QuarantineService.Result.Refused<?> r) {
            HttpStatus status = switch (r.refusal()) {
                case NOT_FOUND -> HttpStatus.NOT_FOUND;
                case CONFLICT -> HttpStatus.CONFLICT;
                case FORBIDDEN -> HttpStatus.FORBIDDEN;
                case INVALID -> HttpStatus.BAD_REQUEST;
            };
            return ResponseEntity.status(status).body(Map.of("error", r.refusal() == QuarantineService.Refusal.CONFLICT
                    ? "invalid_state" : r.refusal().name().toLowerCase(java.util.Locale.ROOT), "message", r.message(),
                    "id", clip(id)));
        }
        return ResponseEntity.ok(store.find(id).orElseThrow());
    }

    private static ResponseEntity<?> notFound(String id) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "not_found",
                "message", "メッセージが見つかりません / no such message", "id", clip(id)));
    }

    private static String clip(String id) {
        return id.length() > 64 ? id.substring(0, 64) : id;
    }
}
