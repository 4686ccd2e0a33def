package io.mamori.console.quarantine;

import io.mamori.console.api.ApiCaller;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.access.Role;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
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
 * POST /api/v1/quarantine/{id}/requests  {"requester": "…", "comment": "…"}      an employee asks for release
 * GET  /api/v1/quarantine/requests?status=PENDING|APPROVED|DENIED&amp;limit=100
 * POST /api/v1/quarantine/requests/{rid}/approve  {"comment": "…"}   (optional body) release and approve
 * POST /api/v1/quarantine/requests/{rid}/deny     {"reason": "…"}
 * </pre>
 *
 * Who acts is the request's authenticated principal, or {@code api-token} while the bearer-token filter is the
 * only authentication. These operations span every department, so the caller ({@link ApiCaller}) must be an
 * administrator or analyst (an auditor may list); per-message operations within a narrower scope are
 * {@code /api/v1/messages/{id}/…} and the console pages ({@link ScopedQuarantine}). The requester of a release
 * request is a body field (employees ask for themselves on the console's message page).
 */
@RestController
@RequestMapping("/api/v1/quarantine")
class QuarantineController {

    private final QuarantineService service;

    QuarantineController(QuarantineService service) {
        this.service = service;
    }

    record BulkReleaseBody(String sender, String finding) {
    }

    record RequestBodyFields(String requester, String comment) {
    }

    record DecisionBody(String comment, String reason) {
    }

    /** 403 unless the caller may work across departments (or read, for listings). */
    private static boolean refused(Authentication authentication, boolean reading) {
        ConsoleUser caller = ApiCaller.user(authentication);
        return !(caller.hasAnyRole(Role.ADMIN, Role.ANALYST) || (reading && caller.hasRole(Role.AUDITOR)));
    }

    private static ResponseEntity<?> forbidden() {
        return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "forbidden",
                "message", "この操作は許可されていません / you may not do this"));
    }

    @GetMapping
    ResponseEntity<?> list(@RequestParam(required = false) String state, @RequestParam(defaultValue = "100") int limit,
            HttpServletRequest request, Authentication authentication) {
        if (refused(authentication, true)) {
            return forbidden();
        }
        MessageState s;
        try {
            s = state == null || state.isBlank() ? null : MessageState.valueOf(state.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return invalid("state は HELD か QUARANTINED です / state must be HELD or QUARANTINED");
        }
        return answer(service.list(s, limit, actor(request), request.getRemoteAddr()), HttpStatus.OK);
    }

    @PostMapping("/release")
    ResponseEntity<?> releaseBulk(@RequestBody(required = false) BulkReleaseBody body, HttpServletRequest request,
            Authentication authentication) {
        if (refused(authentication, false)) {
            return forbidden();
        }
        BulkReleaseBody b = body == null ? new BulkReleaseBody(null, null) : body;
        return answer(service.releaseBulk(b.sender(), b.finding(), actor(request), request.getRemoteAddr()), HttpStatus.OK);
    }

    @PostMapping("/{id}/requests")
    ResponseEntity<?> requestRelease(@PathVariable String id, @RequestBody(required = false) RequestBodyFields body,
            HttpServletRequest request, Authentication authentication) {
        RequestBodyFields b = body == null ? new RequestBodyFields(null, null) : body;
        if (refused(authentication, false)) {
            return forbidden();
        }
        if (b.requester() == null || b.requester().isBlank()) {
            return invalid("依頼者のアドレス(requester)が必要です / requester (the employee's address) is required");
        }
        return answer(service.requestRelease(id, b.requester(), b.comment(), actor(request), request.getRemoteAddr()),
                HttpStatus.CREATED);
    }

    @GetMapping("/requests")
    ResponseEntity<?> requests(@RequestParam(required = false) String status, @RequestParam(defaultValue = "100") int limit,
            HttpServletRequest request, Authentication authentication) {
        if (refused(authentication, true)) {
            return forbidden();
        }
        Status s;
        try {
            s = status == null || status.isBlank() ? null : Status.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return invalid("status は PENDING, APPROVED, DENIED のいずれかです / status must be PENDING, APPROVED or DENIED");
        }
        return answer(service.requests(s, limit, actor(request), request.getRemoteAddr()), HttpStatus.OK);
    }

    @PostMapping("/requests/{requestId}/approve")
    ResponseEntity<?> approve(@PathVariable long requestId, @RequestBody(required = false) DecisionBody body,
            HttpServletRequest request, Authentication authentication) {
        if (refused(authentication, false)) {
            return forbidden();
        }
        String comment = body == null ? null : body.comment();
        return answer(service.approve(requestId, comment, actor(request), request.getRemoteAddr()), HttpStatus.OK);
    }

    @PostMapping("/requests/{requestId}/deny")
    ResponseEntity<?> deny(@PathVariable long requestId, @RequestBody(required = false) DecisionBody body,
            HttpServletRequest request, Authentication authentication) {
        if (refused(authentication, false)) {
            return forbidden();
        }
        String reason = body == null ? null : body.reason();
        return answer(service.deny(requestId, reason, actor(request), request.getRemoteAddr()), HttpStatus.OK);
    }

    /** The authenticated principal, or {@code api-token} where only the administrator token authenticates. */
    static String actor(HttpServletRequest request) {
        Principal p = request.getUserPrincipal();
        return p == null || p.getName() == null || p.getName().isBlank() ? "api-token" : p.getName();
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
