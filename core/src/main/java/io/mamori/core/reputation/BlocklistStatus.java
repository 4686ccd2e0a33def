package io.mamori.core.reputation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each DNS block list has been answering the gateway, from the answers the analyzer hears
 * ({@link DnsBlocklistAnalyzer.Observer}): for the health endpoint, the console's dashboard and the log. A list that
 * refuses the gateway's resolver (a public resolver, a wrong or expired key, over the free quota: error codes) or
 * does not answer lists nobody, which in the mail flow looks exactly like clean mail; this is how an administrator
 * learns of it without running {@code mamori policy check-blocklists}.
 *
 * <p>A list is {@link State#REFUSING} from its first error code (the list says so itself) and
 * {@link State#NOT_ANSWERING} after {@value #SILENT_AFTER} questions in a row without an answer (one lost packet is
 * not an outage); any usable answer makes it {@link State#WORKING} again. Going wrong is logged as a warning, at most
 * once per list in {@link #WARN_INTERVAL}, and recovering after such a warning as information. Zones are named as
 * the policy writes them, shown without a key ({@link DnsBlocklistAnalyzer#shown}). Thread-safe.
 */
public final class BlocklistStatus implements DnsBlocklistAnalyzer.Observer {

    private static final Logger LOG = LoggerFactory.getLogger(BlocklistStatus.class);
    /** Questions in a row without an answer before a list counts as not answering. */
    static final int SILENT_AFTER = 3;
    /** Least time between two warnings about the same list. */
    static final Duration WARN_INTERVAL = Duration.ofMinutes(10);

    /** How a list has been answering. */
    public enum State {
        /** Its last answer was usable (a listing or not). */
        WORKING,
        /** Its last answer was an error code: it refuses this gateway's questions. */
        REFUSING,
        /** Its last {@value BlocklistStatus#SILENT_AFTER} or more questions got no answer. */
        NOT_ANSWERING,
        /**
         * No answer yet: nothing asked since the start (or since the policy named it), or only fewer than
         * {@value BlocklistStatus#SILENT_AFTER} questions that went unanswered.
         */
        NO_ANSWER_YET
    }

    /**
     * One list as seen so far.
     *
     * @param zone       the zone as the policy writes it, without a key
     * @param ip         an IP list (else a domain list)
     * @param state      how it has been answering
     * @param since      when it entered that state (null when not asked yet)
     * @param lastUsable its last usable answer, or null if none yet
     * @param listed     answers that listed the name asked
     * @param notListed  answers that did not
     * @param errorCodes error codes
     * @param noAnswers  questions without an answer
     */
    public record Zone(String zone, boolean ip, State state, Instant since, Instant lastUsable, long listed,
            long notListed, long errorCodes, long noAnswers) {
    }

    private record Key(String zone, boolean ip) {
    }

    /** Mutable state of one list, guarded by itself. */
    private static final class Seen {
        State state = State.NO_ANSWER_YET;
        Instant since;
        Instant lastUsable;
        Instant lastWarned;
        boolean warned;
        int silentInARow;
        long listed;
        long notListed;
        long errorCodes;
        long noAnswers;
    }

    private final Clock clock;
    private final Map<Key, Seen> zones = new ConcurrentHashMap<>();

    public BlocklistStatus(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void answered(String zone, boolean ip, DnsBlocklistAnalyzer.Outcome outcome) {
        Instant now = clock.instant();
        Seen seen = zones.computeIfAbsent(new Key(zone, ip), k -> {
            Seen s = new Seen();
            s.since = now;
            return s;
        });
        String kind = ip ? "IP" : "domain";
        synchronized (seen) {
            State next = seen.state;
            switch (outcome) {
                case LISTED, NOT_LISTED -> {
                    if (outcome == DnsBlocklistAnalyzer.Outcome.LISTED) {
                        seen.listed++;
                    } else {
                        seen.notListed++;
                    }
                    seen.lastUsable = now;
                    seen.silentInARow = 0;
                    next = State.WORKING;
                }
                case ERROR_CODE -> {
                    seen.errorCodes++;
                    seen.silentInARow = 0;
                    next = State.REFUSING;
                }
                case NO_ANSWER -> {
                    seen.noAnswers++;
                    if (++seen.silentInARow >= SILENT_AFTER) {
                        next = State.NOT_ANSWERING;
                    }
                }
            }
            if (next == seen.state) {
                return;
            }
            seen.state = next;
            seen.since = now;
            if (next == State.WORKING) {
                if (seen.warned) {
                    seen.warned = false;
                    LOG.info("DNS block list {} ({}) answers again", zone, kind);
                }
            } else if (seen.lastWarned == null || !now.isBefore(seen.lastWarned.plus(WARN_INTERVAL))) {
                seen.lastWarned = now;
                seen.warned = true;
                if (next == State.REFUSING) {
                    LOG.warn("DNS block list {} ({}) answers with error codes: it refuses this gateway's resolver (a public"
                            + " resolver, a wrong or missing key, over the quota) and lists nobody until that is fixed;"
                            + " see `mamori policy check-blocklists`", zone, kind);
                } else {
                    LOG.warn("DNS block list {} ({}) has not answered {} questions in a row: it lists nobody while it is"
                            + " down; see `mamori policy check-blocklists`", zone, kind, seen.silentInARow);
                }
            }
        }
    }

    /**
     * The lists the policy names now, IP lists first, each in the policy's order; a list not asked anything yet is
     * {@link State#NO_ANSWER_YET}. Lists the policy no longer names are left out.
     */
    public List<Zone> zones(List<String> ipZones, List<String> domainZones) {
        List<Zone> out = new ArrayList<>();
        for (String zone : ipZones) {
            out.add(zone(DnsBlocklistAnalyzer.shown(zone), true));
        }
        for (String zone : domainZones) {
            out.add(zone(DnsBlocklistAnalyzer.shown(zone), false));
        }
        return out;
    }

    /** Of {@link #zones}, those that are refusing or not answering. */
    public List<Zone> troubled(List<String> ipZones, List<String> domainZones) {
        return zones(ipZones, domainZones).stream()
                .filter(z -> z.state() == State.REFUSING || z.state() == State.NOT_ANSWERING).toList();
    }

    private Zone zone(String shown, boolean ip) {
        Seen seen = zones.get(new Key(shown, ip));
        if (seen == null) {
            return new Zone(shown, ip, State.NO_ANSWER_YET, null, null, 0, 0, 0, 0);
        }
        synchronized (seen) {
            return new Zone(shown, ip, seen.state, seen.since, seen.lastUsable, seen.listed, seen.notListed,
                    seen.errorCodes, seen.noAnswers);
        }
    }
}
