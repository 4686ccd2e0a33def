package io.mamori.console.policy;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.policy.Policy;
import io.mamori.core.reputation.BlocklistCheck;
import io.mamori.core.reputation.BlocklistStatus;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * The DNS block lists of the running policy as the console shows them: what each has been answering the gateway
 * ({@link BlocklistStatus}: the policy page, and the dashboard's warning when a list refuses the gateway or does not
 * answer), and on request a check of each list's test entries through the gateway's resolver ({@link BlocklistCheck},
 * as {@code mamori policy check-blocklists} does), recorded in the audit log. Zones are shown without a key.
 * Thread-safe.
 */
public final class Blocklists {

    /** The audit action of a check. */
    public static final String CHECK_ACTION = "policy.blocklists.check";

    private final Supplier<Policy> policy;
    private final BlocklistStatus status;
    private final DnsResolver dns;
    private final Optional<String> key;
    private final AuditTrail audit;
    private final Clock clock;

    /**
     * @param policy the policy in force
     * @param status what the gateway's analyzer has heard from the lists
     * @param dns    the gateway's resolver (the lists answer by who asks)
     * @param key    the subscription key that {@code {key}} in a zone stands for, if set
     */
    public Blocklists(Supplier<Policy> policy, BlocklistStatus status, DnsResolver dns, Optional<String> key,
            AuditTrail audit, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.status = Objects.requireNonNull(status, "status");
        this.dns = Objects.requireNonNull(dns, "dns");
        this.key = Objects.requireNonNull(key, "key");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Each list of the running policy, IP lists first, with what it has been answering. */
    public List<BlocklistStatus.Zone> zones() {
        Policy.Blocklists b = policy.get().blocklists();
        return status.zones(b.ipZones(), b.domainZones());
    }

    /** The lists of the running policy that refuse the gateway or do not answer. */
    public List<BlocklistStatus.Zone> troubled() {
        Policy.Blocklists b = policy.get().blocklists();
        return status.troubled(b.ipZones(), b.domainZones());
    }

    /** Checks every list of the running policy now, and records who asked and what was found. */
    public List<BlocklistCheck.Result> check(String actor, String sourceIp) {
        List<BlocklistCheck.Result> results = BlocklistCheck.all(dns, policy.get().blocklists(), key);
        StringJoiner found = new StringJoiner("; ");
        results.forEach(r -> found.add(r.zone() + " (" + (r.ip() ? "ip" : "domain") + "): " + r.outcome()));
        audit.record(new AuditEntry(clock.instant(), actor, sourceIp, CHECK_ACTION, "blocklists", null,
                results.isEmpty() ? "no zones" : found.toString(), true));
        return results;
    }
}
