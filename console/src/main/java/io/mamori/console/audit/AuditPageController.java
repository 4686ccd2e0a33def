package io.mamori.console.audit;

import static io.mamori.console.identity.RoleRequirement.require;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit log page (administrators and auditors): search by actor, action prefix, object and date range,
 * keyset paging (newest first), CSV export of the same search, and a check of the hash chain on demand.
 * Exports and chain checks are themselves recorded.
 */
@Controller
class AuditPageController {

    static final int PAGE_SIZE = 50;

    private final JdbcAuditTrail audit;
    private final Clock clock;
    private final ZoneId zone;

    AuditPageController(JdbcAuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
        this.zone = ZoneId.systemDefault();
    }

    @GetMapping("/audit")
    String page(@AuthenticationPrincipal ConsoleUser user, Search search, Model model, java.util.Locale locale) {
        require(user, Role.ADMIN, Role.AUDITOR);
        model.addAttribute("search", search);
        try {
            AuditFilter filter = search.filter(zone);
            model.addAttribute("page", audit.search(filter, search.before(), PAGE_SIZE));
        } catch (IllegalArgumentException e) {
            model.addAttribute("searchError", e instanceof InvalidAuditInput bad ? bad.message(locale.getLanguage())
                    : e.getMessage());
        }
        model.addAttribute("zone", zone);
        model.addAttribute("head", audit.head());
        return "audit";
    }

    /** Walks the chain and shows the result on the page. A POST: it is recorded and costs a full read. */
    @PostMapping("/audit/verify")
    String verify(@AuthenticationPrincipal ConsoleUser user, HttpServletRequest request, Model model,
            java.util.Locale locale) {
        require(user, Role.ADMIN, Role.AUDITOR);
        AuditVerification result = audit.verify();
        audit.record(new AuditEntry(clock.instant(), user.email(), ClientAddress.recorded(request), "audit.verify", "audit",
                null, result instanceof AuditVerification.Intact ok ? "intact: " + ok.count() + " rows, last " + ok.lastSeq()
                        : "broken at seq " + ((AuditVerification.Broken) result).seq(), true));
        model.addAttribute("verification", result);
        return page(user, new Search(null, null, null, null, null, null), model, locale);
    }

    @GetMapping("/audit/export")
    void export(@AuthenticationPrincipal ConsoleUser user, Search search, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        require(user, Role.ADMIN, Role.AUDITOR);
        AuditFilter filter;
        try {
            filter = search.filter(zone);
        } catch (IllegalArgumentException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        audit.record(new AuditEntry(clock.instant(), user.email(), ClientAddress.recorded(request), "audit.export", "audit",
                null, filter.describe(), true));
        String name = "mamori-audit-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(clock.instant().atZone(zone)) + ".csv";
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/csv; charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        audit.exportCsv(filter, response.getOutputStream(), zone);
    }

    /**
     * The search form. {@code action} is a prefix ({@code policy} finds {@code policy.save}); {@code from} and
     * {@code to} are dates (both days included) or date-times in the server's time zone.
     */
    record Search(String actor, String action, String object, String from, String to, Long before) {

        AuditFilter filter(ZoneId zone) {
            String prefix = action == null || action.isBlank() ? null
                    : action.strip().endsWith("*") ? action.strip() : action.strip() + "*";
            return new AuditFilter(actor, prefix, object, AuditFilter.parseTime(from, zone), until(zone));
        }

        private Instant until(ZoneId zone) {
            if (to == null || to.isBlank()) {
                return null;
            }
            try {
                // A date means up to the end of that day.
                return LocalDate.parse(to.strip()).plusDays(1).atStartOfDay(zone).toInstant();
            } catch (DateTimeParseException e) {
                return AuditFilter.parseTime(to, zone);
            }
        }

        /** The query string of this search without the paging cursor, for the export link and the next page. */
        public String query() {
            StringBuilder b = new StringBuilder();
            append(b, "actor", actor);
            append(b, "action", action);
            append(b, "object", object);
            append(b, "from", from);
            append(b, "to", to);
            return b.toString();
        }

        private static void append(StringBuilder b, String name, String value) {
            if (value != null && !value.isBlank()) {
                b.append(b.length() == 0 ? "" : "&").append(name).append('=')
                        .append(java.net.URLEncoder.encode(value.strip(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
