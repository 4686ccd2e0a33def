package io.mamori.console.audit;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST access to the audit log: search as JSON with keyset paging ({@code GET /api/v1/audit}) and CSV export
 * ({@code GET /api/v1/audit.csv}, recorded in the log itself as {@code audit.export} before any row is sent).
 * Authentication and authorisation are the web layer's business (today the {@code /api} token filter);
 * the actor comes from {@link RequestAudit}.
 */
@RestController
@RequestMapping("/api/v1")
class AuditController {

    private final JdbcAuditTrail audit;
    private final Clock clock;
    private final ZoneId zone;

    AuditController(JdbcAuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
        this.zone = ZoneId.systemDefault();
    }

    /**
     * Rows newest first. Parameters: {@code actor}, {@code action} (exact, or a prefix ending in {@code *}),
     * {@code object}, {@code since}/{@code until} (ISO-8601 instant, date-time or date; local forms in the
     * server's time zone), {@code before} (the {@code nextBefore} of the previous page), {@code limit} (1–1000).
     */
    @GetMapping("/audit")
    AuditPage search(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String object, @RequestParam(required = false) String since,
            @RequestParam(required = false) String until, @RequestParam(required = false) Long before,
            @RequestParam(defaultValue = "100") int limit) {
        return audit.search(filter(actor, action, object, since, until), before, Math.max(1, Math.min(limit, 1000)));
    }

    /** Every matching row, oldest first, as CSV (UTF-8 with BOM, RFC 4180; see {@link AuditCsv}). */
    @GetMapping("/audit.csv")
    void export(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String object, @RequestParam(required = false) String since,
            @RequestParam(required = false) String until, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        AuditFilter filter = filter(actor, action, object, since, until);
        audit.record(RequestAudit.entry(request, clock, "audit.export", "audit", null, filter.describe(), true));
        String name = "mamori-audit-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(clock.instant().atZone(zone)) + ".csv";
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/csv; charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        response.setHeader("Cache-Control", "no-store");
        audit.exportCsv(filter, response.getOutputStream(), zone);
    }

    private AuditFilter filter(String actor, String action, String object, String since, String until) {
        return new AuditFilter(actor, action, object, AuditFilter.parseTime(since, zone), AuditFilter.parseTime(until, zone));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        if (e instanceof InvalidAuditInput bad) {
            String ja = "検索条件が正しくありません: " + bad.messageJa();
            String en = "invalid search: " + bad.getMessage();
            return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "bad_request",
                    "message", ja + " / " + en, "message_ja", ja, "message_en", en));
        }
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "bad_request",
                "message", "検索条件が正しくありません / invalid search: " + e.getMessage()));
    }
}
