package io.mamori.console.lists;

import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.gateway.lists.JdbcListStore;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of the allow and block lists (JSON), through {@link ListService} (audited):
 *
 * <pre>
 * GET    /api/v1/lists[?list=allow|block][&amp;user=EMAIL]   entries (without user: every organisation-wide source)
 * POST   /api/v1/lists/{allow|block}   {"value": "…", "target": "sender|link", "user": "…", "comment": "…"}
 * DELETE /api/v1/lists/entries/{id}
 * </pre>
 *
 * {@code target} defaults to {@code link} for a URL and {@code sender} otherwise; without {@code user} the entry is
 * organisation-wide.
 */
@RestController
@RequestMapping("/api/v1/lists")
class ListsController {

    private final ListService service;

    ListsController(ListService service) {
        this.service = service;
    }

    record AddBody(String value, String target, String user, String comment) {
    }

    @GetMapping
    ResponseEntity<?> list(@RequestParam(name = "list", required = false) String list,
            @RequestParam(required = false) String user, HttpServletRequest request) {
        try {
            ListKind kind = list == null || list.isBlank() ? null : ListKind.parse(list.strip());
            return ResponseEntity.ok(service.list(kind, blankToNull(user), actor(request), request.getRemoteAddr()));
        } catch (IllegalArgumentException e) {
            return error(HttpStatus.BAD_REQUEST, "invalid", e.getMessage());
        }
    }

    @PostMapping("/{list}")
    ResponseEntity<?> add(@PathVariable String list, @RequestBody(required = false) AddBody body, HttpServletRequest request) {
        try {
            ListKind kind = ListKind.parse(list);
            if (body == null || body.value() == null || body.value().isBlank()) {
                return error(HttpStatus.BAD_REQUEST, "invalid", "値(value)が必要です / value is required");
            }
            ListTarget target = body.target() == null || body.target().isBlank()
                    ? ListService.impliedTarget(body.value()) : ListTarget.parse(body.target().strip());
            return ResponseEntity.status(HttpStatus.CREATED).body(service.add(kind, target, blankToNull(body.user()),
                    body.value(), body.comment(), actor(request), request.getRemoteAddr()));
        } catch (JdbcListStore.DuplicateEntry e) {
            return error(HttpStatus.CONFLICT, "duplicate", "すでに登録されています / " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(HttpStatus.BAD_REQUEST, "invalid", "入力が正しくありません / " + e.getMessage());
        }
    }

    @DeleteMapping("/entries/{id}")
    ResponseEntity<?> remove(@PathVariable long id, HttpServletRequest request) {
        try {
            return ResponseEntity.ok(service.remove(id, actor(request), request.getRemoteAddr()));
        } catch (NoSuchElementException e) {
            return error(HttpStatus.NOT_FOUND, "not_found", "登録が見つかりません / " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String actor(HttpServletRequest request) {
        Principal p = request.getUserPrincipal();
        return p == null || p.getName() == null || p.getName().isBlank() ? "api-token" : p.getName();
    }

    private static ResponseEntity<?> error(HttpStatus status, String code, String message) {
        return ResponseEntity.status(status).body(Map.of("error", code, "message", message));
    }
}
