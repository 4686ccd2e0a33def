package io.mamori.console.queue;

import io.mamori.console.audit.RequestAudit;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST access to the queue: list, show, release (HELD/QUARANTINED → QUEUED) and delete. Release and delete go
 * through the {@link QuarantineService}, which records them in the audit trail; bulk release, reasons and
 * release requests are under {@code /api/v1/quarantine}.
 */
@RestController
@RequestMapping("/api/v1/messages")
class QueueController {

    private final MessageStore store;
    private final QuarantineService quarantine;

    QueueController(MessageStore store, QuarantineService quarantine) {
        this.store = store;
        this.quarantine = quarantine;
    }

    @GetMapping
    List<StoredMessage> list(@RequestParam(required = false) MessageState state,
            @RequestParam(defaultValue = "100") int limit) {
        return store.list(state, Math.max(1, Math.min(limit, 1000)));
    }

    @GetMapping("/{id}")
    ResponseEntity<?> show(@PathVariable String id) {
        return store.find(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> notFound(id));
    }

    @PostMapping("/{id}/release")
    ResponseEntity<?> release(@PathVariable String id, HttpServletRequest request) {
        return answer(id, quarantine.release(id, RequestAudit.actor(request), request.getRemoteAddr()));
    }

    @PostMapping("/{id}/delete")
    ResponseEntity<?> delete(@PathVariable String id, HttpServletRequest request) {
        return answer(id, quarantine.delete(id, RequestAudit.actor(request), request.getRemoteAddr()));
    }

    @GetMapping("/counts")
    Map<MessageState, Long> counts() {
        return store.countByState();
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
                    ? "invalid_state" : r.refusal().name().toLowerCase(java.util.Locale.ROOT), "message", r.message(), "id", id));
        }
        return ResponseEntity.ok(store.find(id).orElseThrow());
    }

    /** The authenticated principal, or {@code api-token} where only the administrator token authenticates. */
    private static ResponseEntity<?> notFound(String id) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "not_found",
                "message", "メッセージが見つかりません / no such message", "id", id));
    }
}
