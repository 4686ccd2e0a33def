package io.mamori.gateway.delivery;

import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.mamori.gateway.delivery.DeliveryResult.RecipientResult;
import io.mamori.gateway.delivery.DeliveryRoutes.RouteGroup;
import io.mamori.gateway.delivery.DeliveryRoutes.Target;
import io.mamori.gateway.delivery.MxResolver.MxResolution;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One delivery attempt of one stored message: routes its pending recipients, runs the SMTP transactions
 * (trying the next MX host while every recipient is still deferred, RFC 5321 §5.1), and turns the replies
 * into new recipient statuses, the next attempt time and the failures a DSN must report. It does not touch
 * the store, so the caller decides how to record the attempt. Thread-safe.
 */
final class MessageDelivery {

    /** Opens the stored content anew (one open per SMTP transaction). */
    @FunctionalInterface
    interface ContentSource {
        InputStream open() throws IOException;
    }

    /** The addresses of a next hop named by host ({@link InetAddress#getAllByName} in production). */
    @FunctionalInterface
    interface HostAddresses {
        List<InetAddress> of(String host) throws UnknownHostException;
    }

    private static final HostAddresses SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @param outcomes      new status of every recipient that was pending
     * @param failures      recipients that failed in this attempt, for the DSN
     * @param nextAttemptAt when to try again, or {@code null} when nothing is pending any more
     * @param error         summary of what went wrong, or {@code null}
     */
    record Attempt(List<StoredRecipient> outcomes, List<DsnWriter.Failure> failures, Instant nextAttemptAt, String error) {
        Attempt {
            outcomes = List.copyOf(outcomes);
            failures = List.copyOf(failures);
        }
    }

    private static final int MAX_ERROR = 500;
    static final String TIME_LIMIT = "time limit of the delivery attempt reached before the next host";

    private final DeliveryRoutes routes;
    private final MxResolver mxResolver;
    private final SmtpClient client;
    private final String heloName;
    private final RetrySchedule retry;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final HostAddresses hostAddresses;

    MessageDelivery(DeliveryRoutes routes, MxResolver mxResolver, SmtpClient client, String heloName,
                    RetrySchedule retry, Clock clock, DeliveryMetrics metrics) {
        this(routes, mxResolver, client, heloName, retry, clock, metrics, SYSTEM);
    }

    MessageDelivery(DeliveryRoutes routes, MxResolver mxResolver, SmtpClient client, String heloName,
                    RetrySchedule retry, Clock clock, DeliveryMetrics metrics, HostAddresses hostAddresses) {
        this.hostAddresses = hostAddresses;
        this.routes = routes;
        this.mxResolver = mxResolver;
        this.client = client;
        this.heloName = heloName;
        this.retry = retry;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** One attempt without a time limit of its own (only the SMTP client's per-stage timeouts). */
    Attempt attempt(StoredMessage message, ContentSource content) {
        return attempt(message, content, null);
    }

    /**
     * One attempt that ends by {@code deadline} ({@code null}: no limit): no connection is begun after it, and a
     * transaction still running then is cut short, its recipients without an answer deferred. The delivery workers
     * end each attempt before the message's lease does, so no other worker can start on it meanwhile.
     */
    Attempt attempt(StoredMessage message, ContentSource content, Instant deadline) {
        Map<String, StoredRecipient> outcomes = new LinkedHashMap<>();
        List<DsnWriter.Failure> failures = new ArrayList<>();
        Set<String> errors = new LinkedHashSet<>();
        // one 7-bit copy for every host of the attempt without 8BITMIME, made when the first is reached
        try (SevenBitCopy sevenBit = client.sevenBitCopy()) {
            for (RouteGroup group : routes.plan(message.direction(), message.pendingRecipients())) {
                deliverGroup(message, group, content, sevenBit, deadline, outcomes, failures, errors);
            }
        }
        return settle(message, outcomes, failures, errors);
    }

    /**
     * An attempt that broke off with an error of ours before any recipient was known to be delivered: every pending
     * recipient is deferred like after a temporary failure, and returned to the sender once the lifetime is over, so a
     * message that keeps failing does not stay queued for ever.
     */
    Attempt brokenOff(StoredMessage message, String reason) {
        Map<String, StoredRecipient> outcomes = new LinkedHashMap<>();
        deferAll(message.pendingRecipients(), reason, outcomes);
        Set<String> errors = new LinkedHashSet<>();
        errors.add(reason);
        return settle(message, outcomes, new ArrayList<>(), errors);
    }

    /** The next attempt time (or the expiry of what is still pending) and the error summary of an attempt. */
    private Attempt settle(StoredMessage message, Map<String, StoredRecipient> outcomes, List<DsnWriter.Failure> failures,
                           Set<String> errors) {
        Instant next = null;
        if (outcomes.values().stream().anyMatch(r -> r.status() == RecipientStatus.PENDING)) {
            Optional<Instant> scheduled = retry.next(message.queuedAt(), message.attempts() + 1);
            if (scheduled.isPresent()) {
                next = scheduled.get();
            } else {
                expire(message, outcomes, failures, errors);
            }
        }
        String error = errors.isEmpty() ? null : String.join("; ", errors);
        if (error != null && error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR);
        }
        return new Attempt(new ArrayList<>(outcomes.values()), failures, next, error);
    }

    private void deliverGroup(StoredMessage message, RouteGroup group, ContentSource content, SevenBitCopy sevenBit,
                              Instant deadline,
                              Map<String, StoredRecipient> outcomes, List<DsnWriter.Failure> failures, Set<String> errors) {
        List<HostAndPort> hops;
        if (group.target() instanceof Target.NextHop n) {
            hops = addressesOf(n.hop());
        } else if (group.target() instanceof Target.Unrouted u) {
            deferAll(group.recipients(), u.reason(), outcomes);
            errors.add(u.reason());
            metrics.failure(message.direction(), "unrouted");
            return;
        } else {
            String domain = ((Target.DirectMx) group.target()).domain();
            if (domain.isEmpty()) {
                failAll(message, group.recipients(), "5.1.3", "recipient address has no domain", outcomes, failures);
                metrics.failure(message.direction(), "local");
                return;
            }
            // the look-ups count against the attempt's time too: it must end before the message's lease does
            Instant now = clock.instant();
            if (deadline != null && !now.isBefore(deadline)) {
                deferAll(group.recipients(), TIME_LIMIT, outcomes);
                errors.add(TIME_LIMIT);
                metrics.failure(message.direction(), "timeout");
                return;
            }
            MxResolution resolution = mxResolver.resolve(domain, deadline == null ? null : Duration.between(now, deadline));
            if (resolution instanceof MxResolution.NoDomain no) {
                failAll(message, group.recipients(), no.status(), no.reason(), outcomes, failures);
                metrics.failure(message.direction(), "dns");
                return;
            }
            if (resolution instanceof MxResolution.NoUsableAddress refused) {
                // RFC 3463 5.4.6 (routing loop detected), as other MTAs answer an MX list that points at themselves
                failAll(message, group.recipients(), "5.4.6", refused.reason(), outcomes, failures);
                metrics.failure(message.direction(), "mx_address");
                return;
            }
            if (resolution instanceof MxResolution.TempFail temp) {
                deferAll(group.recipients(), temp.reason(), outcomes);
                errors.add(temp.reason());
                metrics.failure(message.direction(), "dns");
                return;
            }
            hops = ((MxResolution.Hosts) resolution).hosts();
        }
        List<String> remaining = group.recipients();
        for (int h = 0; h < hops.size(); h++) {
            HostAndPort hop = hops.get(h);
            Instant started = clock.instant();
            if (deadline != null && !started.isBefore(deadline)) {
                deferAll(remaining, TIME_LIMIT, outcomes);
                errors.add(TIME_LIMIT);
                metrics.failure(message.direction(), "timeout");
                return;
            }
            Duration within = deadline == null ? null : Duration.between(started, deadline);
            DeliveryResult result;
            try (InputStream in = content.open()) {
                result = client.deliver(hop, heloName, message.mailFrom(), remaining, in, message.size(), sevenBit,
                        group.tls(), within);
            } catch (IOException e) {
                String reason = "cannot read stored content: " + e.getMessage();
                deferAll(remaining, reason, outcomes);
                errors.add(reason);
                metrics.failure(message.direction(), "internal");
                return;
            }
            Instant finished = clock.instant();
            metrics.attempt(message.direction(), Duration.between(started, finished));
            result.failure().ifPresent(f -> {
                errors.add(f.detail());
                metrics.failure(message.direction(), f.kind().name().toLowerCase(Locale.ROOT));
            });
            boolean deliveredAny = false;
            for (RecipientResult r : result.recipients()) {
                switch (r.outcome()) {
                    case DELIVERED -> {
                        outcomes.put(r.address(), new StoredRecipient(r.address(), RecipientStatus.DELIVERED, r.reply()));
                        metrics.recipient(message.direction(), "delivered");
                        deliveredAny = true;
                    }
                    case PERM_FAILED -> {
                        outcomes.put(r.address(), new StoredRecipient(r.address(), RecipientStatus.FAILED, r.reply()));
                        failures.add(new DsnWriter.Failure(r.address(), DsnWriter.statusFor(r.reply(), "5.0.0"), r.reply()));
                        metrics.recipient(message.direction(), "perm_failed");
                        if (result.failure().isEmpty()) {
                            metrics.failure(message.direction(), "rejected");
                        }
                    }
                    case TEMP_FAILED -> {
                        outcomes.put(r.address(), new StoredRecipient(r.address(), RecipientStatus.PENDING, r.reply()));
                        metrics.recipient(message.direction(), "temp_failed");
                        if (result.failure().isEmpty()) {
                            errors.add(r.reply());
                        }
                    }
                }
            }
            if (deliveredAny) {
                metrics.latency(message.direction(), Duration.between(message.receivedAt(), finished));
            }
            remaining = result.addressesWith(DeliveryResult.Outcome.TEMP_FAILED);
            List<String> overLimit = tooManyRecipients(result);
            if (deliveredAny && !overLimit.isEmpty()) {
                // RFC 5321 §4.5.3.1.10: a host that takes only so many recipients per transaction answers the rest 452;
                // they go in the next transaction at once, not after the back-off (other deferred ones wait for it).
                // Each round delivers at least one recipient, so the rounds end
                remaining = overLimit;
                h--;
                continue;
            }
            if (remaining.isEmpty() || !result.allTempFailed()) {
                return;
            }
            if (result.failure().map(DeliveryResult.SessionFailure::afterContent).orElse(false)) {
                // the whole message went out and only the final reply was lost: the host may have it and deliver it.
                // A retry later is a duplicate at worst; sending it to the next host now would make one at once
                return;
            }
        }
    }

    /**
     * A next hop named by host, once per address it resolves to, so the next address is tried while every recipient
     * is deferred (as for MX hosts, RFC 5321 §5.1: Microsoft 365's and Google's names resolve to several); the name
     * stays the TLS server name. An IP literal, or a name that does not resolve now, is left as it is (connecting
     * reports the failure).
     */
    private List<HostAndPort> addressesOf(HostAndPort hop) {
        if (hop.address() != null || HostAndPort.isIpLiteral(hop.host())) {
            return List.of(hop);
        }
        try {
            List<InetAddress> addresses = hostAddresses.of(hop.host());
            if (addresses.isEmpty()) {
                return List.of(hop);
            }
            return addresses.stream().map(a -> new HostAndPort(hop.host(), hop.port(), a)).toList();
        } catch (UnknownHostException e) {
            return List.of(hop);
        }
    }

    /** RFC 5321 §4.5.4.1: a message that could not be delivered within its lifetime is returned to the sender. */
    private void expire(StoredMessage message, Map<String, StoredRecipient> outcomes, List<DsnWriter.Failure> failures,
                        Set<String> errors) {
        String lifetime = "delivery time expired after " + humanDuration(retry.lifetime());
        outcomes.replaceAll((address, r) -> {
            if (r.status() != RecipientStatus.PENDING) {
                return r;
            }
            String last = r.lastReply() == null ? "" : r.lastReply();
            failures.add(new DsnWriter.Failure(address, "4.4.7", last.isEmpty() ? lifetime : last));
            metrics.recipient(message.direction(), "expired");
            metrics.failure(message.direction(), "expired");
            return new StoredRecipient(address, RecipientStatus.FAILED, last.isEmpty() ? lifetime : lifetime + "; last: " + last);
        });
        errors.add(lifetime);
    }

    /** The recipients the host deferred with 452 at RCPT: too many recipients in one transaction (or no room for them). */
    private static List<String> tooManyRecipients(DeliveryResult result) {
        return result.recipients().stream()
                .filter(r -> r.outcome() == DeliveryResult.Outcome.TEMP_FAILED && r.reply() != null && r.reply().startsWith("452"))
                .map(DeliveryResult.RecipientResult::address)
                .toList();
    }

    private static void failAll(StoredMessage message, List<String> recipients, String status, String reason,
                                Map<String, StoredRecipient> outcomes, List<DsnWriter.Failure> failures) {
        for (String r : recipients) {
            outcomes.put(r, new StoredRecipient(r, RecipientStatus.FAILED, reason));
            failures.add(new DsnWriter.Failure(r, status, reason));
        }
    }

    private static void deferAll(List<String> recipients, String reason, Map<String, StoredRecipient> outcomes) {
        for (String r : recipients) {
            outcomes.put(r, new StoredRecipient(r, RecipientStatus.PENDING, reason));
        }
    }

    private static String humanDuration(Duration d) {
        if (d.toHours() >= 24 && d.toHoursPart() == 0 && d.toMinutesPart() == 0) {
            return d.toDays() + (d.toDays() == 1 ? " day" : " days");
        }
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
