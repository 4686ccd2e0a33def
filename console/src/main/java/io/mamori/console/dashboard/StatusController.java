package io.mamori.console.dashboard;

import io.mamori.console.policy.Blocklists;
import io.mamori.core.malware.EngineStatus;
import io.mamori.core.reputation.BlocklistStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/status}: what the services outside the gateway have been answering, for a monitoring system (the
 * health endpoint says only UP or DOWN, and a list or an engine that stopped answering leaves the gateway up): the
 * antivirus engine ({@link EngineStatus}) and each DNS block list of the running policy ({@link Blocklists}), each with
 * its state, since when, and its answers counted. Administrators and auditors (the web layer's rule).
 */
@RestController
@RequestMapping("/api/v1")
class StatusController {

    /** The antivirus engine as JSON shows it. */
    record Antivirus(String state, Instant since, String reason, long scanned, long infected, long failed) {
    }

    /** One block list as JSON shows it. */
    record Blocklist(String zone, String list, String state, Instant since, Instant lastUsable, long listed,
            long notListed, long errorCodes, long noAnswers) {
    }

    private final EngineStatus antivirus;
    private final Blocklists blocklists;

    StatusController(EngineStatus antivirus, Blocklists blocklists) {
        this.antivirus = antivirus;
        this.blocklists = blocklists;
    }

    @GetMapping("/status")
    Map<String, Object> status() {
        EngineStatus.View av = antivirus.view();
        List<Blocklist> lists = blocklists.zones().stream().map(StatusController::blocklist).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("antivirus", new Antivirus(av.state().name(), av.since(), av.reason(), av.scanned(), av.infected(),
                av.failed()));
        out.put("blocklists", lists);
        return out;
    }

    private static Blocklist blocklist(BlocklistStatus.Zone z) {
        return new Blocklist(z.zone(), z.ip() ? "ip" : "domain", z.state().name(), z.since(), z.lastUsable(), z.listed(),
                z.notListed(), z.errorCodes(), z.noAnswers());
    }
}
