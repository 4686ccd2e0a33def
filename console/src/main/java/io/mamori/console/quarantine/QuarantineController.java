package io.mamori.console.quarantine;

import io.mamori.console.api.ApiCaller;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
 * REST API of quarantine operations (JSON), all through {@link QuarantineService}, which records every call in
 * the audit trail:
 *
 * <pre>
 * GET  /api/v1/quarantine?state=QUARANTINED|HELD&amp;limit=100     held/quarantined mail with reasons (ja, en)
 * POST /api/v1/quarantine/release        {"sender": "…"} or {"finding": "CODE"}   bulk release
 * POST /api/v1/quarantine/{id}/requests  {"requester": "…", "comment": "…"}      ask for the release of a message
 * GET  /api/v1/quarantine/requests?status=PENDING|APPROVED|DENIED&amp;limit=100
 * POST /api/v1/quarantine/requests/{rid}/approve  {"comment": "…"}   (optional body) release and approve
 * POST /api/v1/quarantine/requests/{rid}/deny     {"reason": "…"}
 * </pre>
 *
 * The caller ({@link ApiCaller}: the user a scoped token was issued to, or an administrator for the gateway's
 * own token) gets what the console pages give them, through the same {@link Scope} and {@link ScopedQuarantine}:
 * administrators and analysts work across the organisation (and may ask for a release on an employee's behalf,
 * naming the requester); an auditor lists everything and changes nothing; an approver lists, and decides the
 * requests about, the messages of the departments they approve for; an employee lists their own messages and
 * asks for their release themselves. A message or request outside the caller's scope is answered 404.
 */
@RestController
@RequestMapping("/api/v1/quarantine")
class QuarantineController {

    private final QuarantineService service;
    private final ScopedQuarantine scoped;
    private final Scope scope;

    QuarantineController(QuarantineService service, ScopedQuarantine scoped, Scope scope) {
        this.service = service;
        this.scoped = scoped;
        this.scope = scope;
    }

    record BulkReleaseBody(String sender, String finding) {
    }

    record RequestBodyFields(String requester, String comment) {
    }

    record DecisionBody(String comment, String reason) {
    }

    /** Whether the caller works across departments (administrator or analyst). */
    private static boolean organisationWide(ConsoleUser caller) {
        return caller.hasAnyRole(Role.ADMIN, Role.ANALYST);
    }

    private static ResponseEntity<?> forbidden() {
        return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "forbidden",
                "message", "この操作は許可されていません / you may not do this"));
    }

    @GetMapping
    ResponseEntity<?> list(@RequestParam(required = false) String state, @RequestParam(defaultValue = "100") int limit,
            HttpServletRequest request, Authentication authentication) {
        ConsoleUser caller = ApiCaller.user(authentication);
        MessageState s;
        try {
            s = state == null || state.isBlank() ? null : MessageState.valueOf(state.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return invalid("state は HELD か QUARANTINED です / state must be HELD or QUARANTINED");
        }
        if (scope.messageOwners(caller) == null) {
            return answer(service.list(s, limit, caller.email(), ClientAddress.recorded(request)), HttpStatus.OK);
        }
        if (s != null && s != MessageState.HELD && s != MessageState.QUARANTINED) {
            return invalid("state は HELD か QUARANTINED です / state must be HELD or QUARANTINED");
        }
        int n = Math.max(1, Math.min(limit, 1000));
        List<StoredMessage> found = new ArrayList<>();
        for (MessageState each : s == null ? List.of(MessageState.QUARANTINED, MessageState.HELD) : List.of(s)) {
            found.addAll(scoped.list(caller, each, MessageQuery.all(n), ClientAddress.recorded(request)).messages());
        }
        found.sort(Comparator.comparing(StoredMessage::receivedAt).reversed());
        return ResponseEntity.ok(found.stream().limit(n).map(service::view).toList());
    }

    @PostMapping("/release")
    ResponseEntity<?> releaseBulk(@RequestBody(required = false) BulkReleaseBody body, HttpServletRequest request,
            Authentication authentication) {
        BulkReleaseBody b = body == null ? new BulkReleaseBody(null, null) : body;
        return answer(scoped.releaseBulk(ApiCaller.user(authentication), b.sender(), b.finding(),
                ClientAddress.recorded(request)), HttpStatus.OK);
    }

    @PostMapping("/{id}/requests")
    ResponseEntity<?> requestRelease(@PathVariable String id, @RequestBody(required = false) RequestBodyFields body,
            HttpServletRequest request, Authentication authentication) {
        ConsoleUser caller = ApiCaller.user(authentication);
        RequestBodyFields b = body == null ? new RequestBodyFields(null, null) : body;
        String source = ClientAddress.recorded(request);
        if (organisationWide(caller)) {
            if (b.requester() == null || b.requester().isBlank()) {
                scoped.refused(caller, source, "quarantine.request.create", id, "no requester");
                return invalid("依頼者のアドレス(requester)が必要です / requester (the employee's address) is required");
            }
            return answer(service.requestRelease(id, b.requester(), b.comment(), caller.email(), source), HttpStatus.CREATED);
        }
        // Anyone else asks for themselves, as on the console's message page.
        if (b.requester() != null && !b.requester().isBlank() && !b.requester().strip().equalsIgnoreCase(caller.email())) {
            scoped.refused(caller, source, "quarantine.request.create", id + " requester=" + b.requester(),
                    "asked for another person");
            return forbidden();
        }
        return answer(scoped.requestRelease(caller, id, b.comment(), source), HttpStatus.CREATED);
    }

    @GetMapping("/requests")
    ResponseEntity<?> requests(@RequestParam(required = false) String status, @RequestParam(defaultValue = "100") int limit,
            HttpServletRequest request, Authentication authentication) {
        ConsoleUser caller = ApiCaller.user(authentication);
        Status s;
        try {
            s = status == null || status.isBlank() ? null : Status.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return invalid("status は PENDING, APPROVED, DENIED のいずれかです / status must be PENDING, APPROVED or DENIED");
        }
        if (scope.messageOwners(caller) == null) {
            return answer(service.requests(s, limit, caller.email(), ClientAddress.recorded(request)), HttpStatus.OK);
        }
        return ResponseEntity.ok(scoped.requests(caller, s, ClientAddress.recorded(request)).stream()
                .limit(Math.max(1, Math.min(limit, 1000))).toList());
    }

    @PostMapping("/requests/{requestId}/approve")
    ResponseEntity<?> approve(@PathVariable long requestId, @RequestBody(required = false) DecisionBody body,
            HttpServletRequest request, Authentication authentication) {
        ConsoleUser caller = ApiCaller.user(authentication);
        String comment = body == null ? null : body.comment();
        String source = ClientAddress.recorded(request);
        return answer(organisationWide(caller) ? service.approve(requestId, comment, caller.email(), source)
                : scoped.approve(caller, requestId, comment, source), HttpStatus.OK);
    }

    @PostMapping("/requests/{requestId}/deny")
    ResponseEntity<?> deny(@PathVariable long requestId, @RequestBody(required = false) DecisionBody body,
            HttpServletRequest request, Authentication authentication) {
        ConsoleUser caller = ApiCaller.user(authentication);
        String reason = body == null ? null : body.reason();
        String source = ClientAddress.recorded(request);
        return answer(organisationWide(caller) ? service.deny(requestId, reason, caller.email(), source)
                : scoped.deny(caller, requestId, reason, source), HttpStatus.OK);
    }

    static ResponseEntity<?> answer(QuarantineService.Result<?> result, HttpStatus ok) {
        if (result instanceof QuarantineService.Result.Ok<?> o) {
            return ResponseEntity.status(ok).body(o.value());
        }
        QuarantineService.Result.Refused<?> r = (QuarantineService.Result.Refused<?>) result;
        HttpStatus status = switch (r.refusal()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case INVALID -> HttpStatus.BAD_REQUEST;
        };
        return ResponseEntity.status(status).body(Map.of("error", r.refusal().name().toLowerCase(Locale.ROOT),
                "message", r.message()));
    }

    private static ResponseEntity<?> invalid(String message) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "invalid", "message", message));
    }
}
