package io.mamori.gateway.delivery;

import io.mamori.core.message.Direction;
import io.mamori.gateway.delivery.DeliveryResult.Outcome;
import io.mamori.gateway.delivery.DeliveryResult.RecipientResult;
import io.mamori.gateway.smtp.RecipientCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recipient verification against the inbound next hop (Microsoft 365, Google Workspace, a mail server): before the
 * inbound listener takes mail for an address, the next hop is asked whether it would (an SMTP probe without data,
 * {@link SmtpClient#verifyRecipient}), and an address it refuses with a 5xx is refused at RCPT. Without this, mail for
 * a mistyped or invented address is taken, refused by the next hop at delivery, and returned to the envelope sender —
 * who, for spam and phishing, is forged: a DSN to an innocent third party (backscatter).
 *
 * <p>Fails open: when the next hop cannot be asked (down, slow, a 4xx, a refused null sender) the address is taken, as
 * before, and delivery's queue takes over. A next hop that did not answer in time is not asked again for
 * {@link #PAUSE_AFTER_FAILURE}, so one that hangs does not slow every RCPT by the probe's time limit (one that refuses
 * the connection at once costs nothing and is asked again at the next RCPT). Answers are remembered per address (taken
 * for a day, refused for ten minutes, so a new mailbox receives mail soon), at most {@link #MAX_ENTRIES} of them.
 *
 * <p>A refused address gets a reply of ours, not the next hop's text (which may name internal hosts). Thread-safe.
 *
 * <p>Hand-written: neither subethasmtp nor any library we use verifies addresses by SMTP; Postfix's
 * {@code reject_unverified_recipient} is the model (probe, cache, fail open on temporary trouble).
 */
public final class NextHopRecipients implements RecipientCheck {

    static final String REFUSAL = "550 5.1.1 Recipient address rejected: no such mailbox";
    static final Duration KNOWN_FOR = Duration.ofDays(1);
    static final Duration UNKNOWN_FOR = Duration.ofMinutes(10);
    static final Duration PAUSE_AFTER_FAILURE = Duration.ofMinutes(1);
    static final Duration PROBE_TIME = Duration.ofSeconds(10);
    static final int MAX_ENTRIES = 100_000;

    private static final Logger log = LoggerFactory.getLogger(NextHopRecipients.class);

    private record Answer(boolean exists, Instant until) {
    }

    private final HostAndPort hop;
    private final RouteConfig route;
    private final SmtpClient client;
    private final String heloName;
    private final Clock clock;
    private final MeterRegistry meters;
    /** Least recently used first; guarded by itself. */
    private final Map<String, Answer> answers = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private final Duration probeTime;
    private volatile Instant pausedUntil = Instant.MIN;

    /**
     * @param routes   the inbound route names the next hop and its TLS policy
     * @param client   the delivery SMTP client
     * @param heloName our name in the probe's EHLO
     * @param meters   where {@code mamori.smtp.recipient.verifications} is counted, or {@code null}
     * @throws IllegalArgumentException if inbound mail has no next hop (there is nobody to ask)
     */
    public NextHopRecipients(DeliveryRoutes routes, SmtpClient client, String heloName, Clock clock, MeterRegistry meters) {
        this(routes, client, heloName, clock, meters, PROBE_TIME);
    }

    /** As above, each probe ending within {@code probeTime}. */
    NextHopRecipients(DeliveryRoutes routes, SmtpClient client, String heloName, Clock clock, MeterRegistry meters,
                      Duration probeTime) {
        this.probeTime = Objects.requireNonNull(probeTime);
        this.route = routes.forDirection(Direction.INBOUND);
        this.hop = route.nextHop().orElseThrow(() ->
                new IllegalArgumentException("recipient verification needs the inbound next hop"));
        this.client = Objects.requireNonNull(client);
        this.heloName = Objects.requireNonNull(heloName);
        this.clock = Objects.requireNonNull(clock);
        this.meters = meters;
    }

    @Override
    public String refusal(String address) {
        try {
            return ask(address) ? null : REFUSAL;
        } catch (RuntimeException e) {
            log.warn("recipient verification failed unexpectedly; address taken: {}", e.toString());
            count("unverified", false);
            return null;
        }
    }

    /** Whether mail for {@code address} is taken (true also when the next hop could not be asked). */
    private boolean ask(String address) {
        String key = address.toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        synchronized (answers) {
            Answer known = answers.get(key);
            if (known != null && now.isBefore(known.until())) {
                count(known.exists() ? "exists" : "unknown", true);
                return known.exists();
            }
        }
        if (now.isBefore(pausedUntil)) {
            count("unverified", true);
            return true;
        }
        // the TLS policy delivery would use for this address
        TlsPolicy tls = route.tlsFor(DeliveryRoutes.domainOf(address));
        DeliveryResult result = client.verifyRecipient(hop, heloName, address, tls, probeTime);
        RecipientResult r = result.recipients().get(0);
        if (r.outcome() == Outcome.TEMP_FAILED) {
            if (result.failure().map(f -> f.kind() == DeliveryResult.SessionFailure.Kind.TIMEOUT).orElse(false)) {
                pausedUntil = clock.instant().plus(PAUSE_AFTER_FAILURE);
                log.warn("recipient verification: {} did not answer in time ({}); addresses are taken unverified for {}",
                        hop, printable(r.reply()), PAUSE_AFTER_FAILURE);
            } else {
                log.info("recipient verification: {} could not say whether it takes an address ({}); taken", hop,
                        printable(r.reply()));
            }
            count("unverified", false);
            return true;
        }
        boolean exists = r.outcome() == Outcome.DELIVERED;
        synchronized (answers) {
            answers.put(key, new Answer(exists, clock.instant().plus(exists ? KNOWN_FOR : UNKNOWN_FOR)));
        }
        if (!exists) {
            log.info("recipient verification: {} refused an address: {}", hop, printable(r.reply()));
        }
        count(exists ? "exists" : "unknown", false);
        return exists;
    }

    /** The next hop's text, which may quote the sender's address, with anything but printable ASCII as '?'. */
    private static String printable(String reply) {
        return reply == null ? "" : reply.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private void count(String result, boolean remembered) {
        if (meters != null) {
            Counter.builder("mamori.smtp.recipient.verifications")
                    .description("Inbound recipients verified against the next hop, by result and whether the answer was remembered")
                    .tag("result", result).tag("cached", Boolean.toString(remembered)).register(meters).increment();
        }
    }
}
