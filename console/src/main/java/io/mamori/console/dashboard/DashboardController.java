package io.mamori.console.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.malware.EngineStatus;
import io.mamori.core.message.Direction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /dashboard}: the figures of {@link Dashboard} as tables, and the 30-day chart drawn by
 * {@code /js/dashboard.js} with Chart.js from its WebJar. The chart's data travel in a {@code data-chart}
 * attribute (JSON, escaped by Thymeleaf), since the content security policy allows no inline script.
 */
@Controller
class DashboardController {

    private final Dashboard dashboard;
    private final MessageSource messages;
    private final io.mamori.console.policy.Blocklists blocklists;
    private final EngineStatus antivirus;
    private final ObjectMapper json = new ObjectMapper();

    DashboardController(Dashboard dashboard, MessageSource messages, io.mamori.console.policy.Blocklists blocklists,
            EngineStatus antivirus) {
        this.dashboard = dashboard;
        this.messages = messages;
        this.blocklists = blocklists;
        this.antivirus = antivirus;
    }

    @GetMapping("/dashboard")
    String dashboard(@AuthenticationPrincipal ConsoleUser user, Model model, java.util.Locale locale)
            throws JsonProcessingException {
        Dashboard.View view = dashboard.view(user);
        model.addAttribute("view", view);
        model.addAttribute("directions", Direction.values());
        model.addAttribute("actions", Dashboard.ACTIONS);
        model.addAttribute("zone", dashboard.zone());
        // a block list that refuses the gateway lists nobody, and attachments go unscanned while the antivirus engine
        // is down: those who look after the gateway are told at the top
        if (user.hasRole(io.mamori.core.access.Role.ADMIN) || user.hasRole(io.mamori.core.access.Role.AUDITOR)) {
            model.addAttribute("troubledBlocklists", blocklists.troubled());
            EngineStatus.View av = antivirus.view();
            if (av.state() == EngineStatus.State.UNAVAILABLE) {
                model.addAttribute("antivirusDown", av);
            }
        }
        model.addAttribute("chart", json.writeValueAsString(chart(view, locale)));
        return "dashboard";
    }

    /** Chart.js data: one bar per day and direction, stacked by action. */
    private Map<String, Object> chart(Dashboard.View view, java.util.Locale locale) {
        List<String> labels = view.days().stream().map(d -> d.date().toString().substring(5)).toList();
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (String action : Dashboard.ACTIONS) {
                Map<String, Object> set = new LinkedHashMap<>();
                set.put("label", text("mail.direction." + direction.name(), locale) + " · "
                        + text("mail.action." + action, locale));
                set.put("stack", direction.name());
                set.put("action", action);
                set.put("data", view.days().stream().map(d -> d.counts().get(direction).getOrDefault(action, 0L)).toList());
                datasets.add(set);
            }
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("labels", labels);
        chart.put("datasets", datasets);
        return chart;
    }

    private String text(String key, java.util.Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }
}
