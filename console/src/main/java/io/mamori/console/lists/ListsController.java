package io.mamori.console.lists;

import io.mamori.console.api.ApiCaller;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.gateway.lists.JdbcListStore;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
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
 *
 * <p>Scope (the caller as {@link ApiCaller} sees it): administrators and analysts (and the gateway's administrator
 * token) manage every list. Anyone else manages only their own per-user entries: {@code user} must be themselves
 * (403 otherwise, also for the organisation-wide lists), an entry of someone else is answered 404 as if it did
 * not exist, and an auditor only reads. Refusals are audited with the caller as actor.
 *
 * <p>Errors are {@code {"error": "invalid|duplicate|not_found|forbidden", "message": "<ja> / <en>",
 * "message_ja": "…", "message_en": "…"}}, as the access-rule refusal of {@code ApiTokenFilter}: {@code message}
 * for a reader whose language is unknown, the other two for a client that shows one language.
 */
@RestController
@RequestMapping("/api/v1/lists")
class ListsController {

    private final ListService service;
    private final Scope scope;

    ListsController(ListService service, Scope scope) {
        this.service = service;
        this.scope = scope;
    }

    record AddBody(String value, String target, String user, String comment) {
    }

    @GetMapping
    ResponseEntity<?> list(@RequestParam(name = "list", required = false) String list,
            @RequestParam(required = false) String user, Authentication authentication, HttpServletRequest request) {
        ConsoleUser caller = ApiCaller.user(authentication);
        if (!managesEverything(caller) && !self(caller, user)) {
            return refuse(caller, request, "lists.list", user == null ? "global" : "user " + user);
        }
        try {
            ListKind kind = list == null || list.isBlank() ? null : ListKind.parse(list.strip());
            return ResponseEntity.ok(service.list(kind, blankToNull(user), caller.email(), ClientAddress.recorded(request)));
        } catch (InvalidListEntry e) {
            return error(HttpStatus.BAD_REQUEST, "invalid", e.messageJa(), e.getMessage());
        }
    }

    @PostMapping("/{list}")
    ResponseEntity<?> add(@PathVariable String list, @RequestBody(required = false) AddBody body,
            Authentication authentication, HttpServletRequest request) {
        ConsoleUser caller = ApiCaller.user(authentication);
        if (!managesEverything(caller) && (readOnly(caller) || !self(caller, body == null ? null : body.user()))) {
            return refuse(caller, request, "lists.add", list + (body == null || body.user() == null ? "" : " user=" + body.user()));
        }
        ListKind kind;
        ListTarget target;
        try {
            kind = ListKind.parse(list);
            if (body == null || body.value() == null || body.value().isBlank()) {
                service.refused("lists.add", list, "no value", caller.email(), ClientAddress.recorded(request));
                return error(HttpStatus.BAD_REQUEST, "invalid", "値 (value) が必要です", "value is required");
            }
            target = body.target() == null || body.target().isBlank()
                    ? ListService.impliedTarget(body.value()) : ListTarget.parse(body.target().strip());
        } catch (InvalidListEntry e) {
            // refused before it reached the lists (no such list or target): recorded as the service records its own
            service.refused("lists.add", list + (body == null || body.target() == null ? "" : " target=" + body.target()),
                    e.getMessage(), caller.email(),
                    ClientAddress.recorded(request));
            return error(HttpStatus.BAD_REQUEST, "invalid", e.messageJa(), e.getMessage());
        }
        try {
            return ResponseEntity.status(HttpStatus.CREATED).body(service.add(kind, target, blankToNull(body.user()),
                    body.value(), body.comment(), caller.email(), ClientAddress.recorded(request)));
        } catch (JdbcListStore.DuplicateEntry e) {
            return error(HttpStatus.CONFLICT, "duplicate", e.messageJa(), e.getMessage());
        } catch (InvalidListEntry e) {
            return error(HttpStatus.BAD_REQUEST, "invalid", e.messageJa(), e.getMessage());
        }
    }

    @DeleteMapping("/entries/{id}")
    ResponseEntity<?> remove(@PathVariable long id, Authentication authentication, HttpServletRequest request) {
        ConsoleUser caller = ApiCaller.user(authentication);
        if (!managesEverything(caller)) {
            if (readOnly(caller)) {
                return refuse(caller, request, "lists.remove", "#" + id);
            }
            // Someone else's entry (or an organisation-wide one) is answered like one that does not exist.
            if (!service.ownerOf(id).flatMap(o -> o).map(o -> o.equals(caller.email())).orElse(false)) {
                service.refused("lists.remove", "#" + id, "outside the caller's scope", caller.email(), ClientAddress.recorded(request));
                ListService.NotListed none = ListService.NotListed.entry(id);
                return error(HttpStatus.NOT_FOUND, "not_found", none.messageJa(), none.getMessage());
            }
        }
        try {
            return ResponseEntity.ok(service.remove(id, caller.email(), ClientAddress.recorded(request)));
        } catch (ListService.NotListed e) {
            return error(HttpStatus.NOT_FOUND, "not_found", e.messageJa(), e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static boolean managesEverything(ConsoleUser caller) {
        return caller.hasAnyRole(Role.ADMIN, Role.ANALYST);
    }

    /** An auditor without a role that may change anything reads only, as in the console's pages ({@link Scope}). */
    private boolean readOnly(ConsoleUser caller) {
        return scope.readOnly(caller);
    }

    private static boolean self(ConsoleUser caller, String user) {
        return user != null && user.strip().toLowerCase(Locale.ROOT).equals(caller.email());
    }

    private ResponseEntity<?> refuse(ConsoleUser caller, HttpServletRequest request, String action, String object) {
        service.refused(action, object, "outside the caller's scope", caller.email(), ClientAddress.recorded(request));
        return error(HttpStatus.FORBIDDEN, "forbidden", "自分のリスト(user=自分のアドレス)だけを操作できます",
                "you may only use your own list (user=your address)");
    }

    private static ResponseEntity<?> error(HttpStatus status, String code, String messageJa, String messageEn) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", messageJa + " / " + messageEn);
        body.put("message_ja", messageJa);
        body.put("message_en", messageEn);
        return ResponseEntity.status(status).body(body);
    }
}
