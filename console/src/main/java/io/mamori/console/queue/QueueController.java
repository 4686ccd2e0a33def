package io.mamori.console.queue;

import io.mamori.console.audit.AuditTrail;
import io.mamori.console.audit.RequestAudit;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
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
 * REST access to the queue: list, show, release (HELD/QUARANTINED → QUEUED) and delete. Every release and
 * delete, refused ones included, is recorded in the audit log ({@code queue.release}, {@code queue.delete}; object
 * the queue id, before/after the state) before the response is sent.
 */
@RestController
@RequestMapping("/api/v1/messages")
class QueueController {

    private final MessageStore store;
    private final AuditTrail audit;
    private final Clock clock;

    QueueController(MessageStore store, AuditTrail audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
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
        return move(id, MessageState.QUEUED, "queue.release", request);
    }

    @PostMapping("/{id}/delete")
    ResponseEntity<?> delete(@PathVariable String id, HttpServletRequest request) {
        return move(id, MessageState.DELETED, "queue.delete", request);
    }

    @GetMapping("/counts")
    Map<MessageState, Long> counts() {
        return store.countByState();
    }

    private ResponseEntity<?> move(String id, MessageState to, String action, HttpServletRequest request) {
        StoredMessage before = store.find(id).orElse(null);
        if (before == null) {
            audit.record(RequestAudit.entry(request, clock, action, id, null, "not found", false));
            return notFound(id);
        }
        boolean moved = store.transition(id, to);
        audit.record(RequestAudit.entry(request, clock, action, id, before.state().name(),
                moved ? to.name() : "refused: not allowed in state " + before.state(), moved));
        if (!moved) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "invalid_state",
                    "message", "この状態のメッセージには実行できません / not allowed in state " + before.state()));
        }
        return ResponseEntity.ok(store.find(id).orElseThrow());
    }

    private static ResponseEntity<?> notFound(String id) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "not_found",
                "message", "メッセージが見つかりません / no such message", "id", id));
    }
}
