package io.mamori.console.dashboard;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.console.tracking.MessageTracking;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.Traffic;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The console's dashboard figures for one user, counted in the database within the user's {@link Scope}: mail
 * today and on each of the last {@value #DAYS} days by direction and policy action (days in the configured time
 * zone), the most frequent findings, the queue by state, and the share of messages received over TLS.
 *
 * <p>Thread-safe.
 */
public final class Dashboard {

    /** Days the chart covers, today included. */
    public static final int DAYS = 30;
    /** Policy actions in order of severity, as stored with each message. */
    public static final List<String> ACTIONS = List.of("DELIVER", "TAG", "HOLD", "QUARANTINE", "REJECT");

    /** Messages of one day, per direction and action. */
    public record Day(LocalDate date, Map<Direction, Map<String, Long>> counts) {
        public long total() {
            return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        }
    }

    /** A finding code, its reason and how many messages raised it in the window. */
    public record TopFinding(MessageTracking.Reason reason, long count) {
    }

    /**
     * @param today       today's traffic
     * @param days        the last {@value #DAYS} days, oldest first
     * @param topFindings at most ten, most frequent first
     * @param queue       messages by state (all time)
     * @param tlsToday    share of today's messages received over TLS (0–100), or -1 without mail
     * @param tls30       the same over the {@value #DAYS} days
     */
    public record View(Traffic today, List<Day> days, List<TopFinding> topFindings, Map<MessageState, Long> queue,
            int tlsToday, int tls30, long total30) {

        public long today(Direction direction, String action) {
            return today.count(direction, action);
        }
    }

    private final MessageStore store;
    private final Scope scope;
    private final MessageTracking tracking;
    private final ZoneId zone;
    private final Clock clock;

    public Dashboard(MessageStore store, Scope scope, MessageTracking tracking, ZoneId zone, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.tracking = Objects.requireNonNull(tracking, "tracking");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ZoneId zone() {
        return zone;
    }

    public View view(ConsoleUser user) {
        Set<String> owners = scope.messageOwners(user);
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        List<Day> days = new ArrayList<>(DAYS);
        Map<String, Long> findings = new TreeMap<>();
        long total = 0;
        long tls = 0;
        Traffic todays = null;
        // One grouped query per day: day boundaries follow the zone's calendar (daylight saving included).
        for (int i = DAYS - 1; i >= 0; i--) {
            LocalDate date = today.minusDays(i);
            Instant from = date.atStartOfDay(zone).toInstant();
            Instant to = date.plusDays(1).atStartOfDay(zone).toInstant();
            Traffic t = store.traffic(from, to, owners);
            Map<Direction, Map<String, Long>> counts = new TreeMap<>();
            for (Direction d : Direction.values()) {
                Map<String, Long> byAction = new TreeMap<>(Comparator.comparingInt(Dashboard::severity)
                        .thenComparing(Comparator.naturalOrder()));
                for (String a : ACTIONS) {
                    byAction.put(a, 0L);
                }
                counts.put(d, byAction);
            }
            for (Traffic.Count c : t.counts()) {
                counts.get(c.direction()).merge(c.action(), c.count(), Long::sum);
            }
            days.add(new Day(date, counts));
            t.findings().forEach((code, n) -> findings.merge(code, n, Long::sum));
            total += t.total();
            tls += t.overTls();
            if (i == 0) {
                todays = t;
            }
        }
        List<TopFinding> top = findings.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).map(e -> new TopFinding(tracking.reasons(e.getKey()).get(0), e.getValue())).toList();
        return new View(todays, days, top, store.countByState(owners), percent(todays.overTls(), todays.total()),
                percent(tls, total), total);
    }

    private static int severity(String action) {
        int i = ACTIONS.indexOf(action);
        return i < 0 ? ACTIONS.size() : i;
    }

    private static int percent(long part, long whole) {
        return whole == 0 ? -1 : (int) Math.round(100.0 * part / whole);
    }
}
