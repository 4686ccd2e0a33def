package io.mamori.gateway.delivery;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery workers: a fixed pool of threads that claim due messages from the {@link MessageStore},
 * deliver their pending recipients (next hop or MX, per {@link DeliveryRoutes}), record each attempt, and
 * queue a DSN to the sender for recipients that failed permanently or outlived the retry lifetime.
 *
 * <p>Delivery is at least once: an attempt is recorded only after the SMTP transactions, so a crash in
 * between delivers the message again — duplicates happen only then. A DSN is
 * committed to the store as a new OUTBOUND message (null sender, so it is durable and retried like any
 * other mail) before the failure is recorded, so a crash can repeat a DSN but never lose it.
 *
 * <p>A worker claims a few messages at once ({@link DeliverySettings#claimBatch()}) and attempts them in turn, each
 * under a lease renewed at its turn and each attempt ending before that lease does ({@link #processClaimed}), so two
 * workers (or two nodes) never work on one message at the same time. An attempt is recorded under its lease: one that
 * outlived it anyway (a long pause) leaves the message to the worker that claimed it since, and records only the
 * recipients it delivered or failed for good. An attempt the store cannot record at all still follows the back-off and
 * the lifetime ({@link #unrecordable}).
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} stops the workers, letting each finish the
 * message it is delivering and give back the messages it claimed but had not begun.
 */
public final class DeliveryService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryService.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** Pauses before recording an attempt again after the store failed: a few seconds in all, well within a lease. */
    static final List<Duration> RECORD_RETRIES = List.of(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final MessageStore store;
    private final RetrySchedule retry;
    private final DsnWriter dsnWriter;
    private final DeliverySettings settings;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final MessageDelivery delivery;
    private final List<Duration> recordRetries;
    /**
     * Per message, the attempts in a row this node could not record (cleared when one is): they stand in for the attempt
     * count the store could not raise, so the back-off still grows. Only messages whose recording fails are here.
     */
    private final Map<String, Integer> unrecorded = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private ExecutorService workers;

    /**
     * @param store      the queue and content store
     * @param routes     next hops and TLS policies per direction
     * @param mxResolver for outbound mail without a smart host
     * @param client     the SMTP client (shared by all workers)
     * @param retry      back-off and lifetime
     * @param dsnWriter  builds DSNs
     * @param settings   worker count, polling, lease, EHLO name
     * @param clock      the time source
     * @param meters     where to publish meters, or {@code null} for none
     */
    public DeliveryService(MessageStore store, DeliveryRoutes routes, MxResolver mxResolver, SmtpClient client,
                           RetrySchedule retry, DsnWriter dsnWriter, DeliverySettings settings, Clock clock,
                           MeterRegistry meters) {
        this(store, routes, mxResolver, client, retry, dsnWriter, settings, clock, meters, RECORD_RETRIES);
    }

    /** As above, pausing {@code recordRetries} before recording an attempt again after the store failed. */
    DeliveryService(MessageStore store, DeliveryRoutes routes, MxResolver mxResolver, SmtpClient client,
                    RetrySchedule retry, DsnWriter dsnWriter, DeliverySettings settings, Clock clock,
                    MeterRegistry meters, List<Duration> recordRetries) {
        this.recordRetries = List.copyOf(recordRetries);
        this.store = Objects.requireNonNull(store);
        this.retry = Objects.requireNonNull(retry);
        this.dsnWriter = Objects.requireNonNull(dsnWriter);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.metrics = new DeliveryMetrics(meters);
        this.delivery = new MessageDelivery(Objects.requireNonNull(routes), Objects.requireNonNull(mxResolver),
                Objects.requireNonNull(client), settings.heloName(), retry, clock, metrics);
    }

    /** Starts the worker threads. */
    public synchronized void start() {
        if (workers != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "mamori-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < settings.workers(); i++) {
            workers.execute(this::workLoop);
        }
    }

    /** Tells idle workers to look for due messages now (e.g. right after a commit). */
    public void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /**
     * Delivers every message that is due now on the calling thread, until none is due; returns how many
     * attempts were made. For tests and the CLI; the workers do the same continuously.
     */
    public int deliverDue() {
        int count = 0;
        List<StoredMessage> due;
        Instant now;
        while (!(due = store.claimDue(now = clock.instant(), settings.claimBatch(), settings.lease())).isEmpty()) {
            count += processClaimed(due, now.plus(settings.lease()), true);
        }
        return count;
    }

    /**
     * Attempts each message of a claimed batch in turn, as long as the worker holds its lease. Each lease is renewed
     * just before the message's turn (the messages before it may have used much of it), and each attempt ends
     * before its lease does: otherwise a slow batch would let another worker claim and deliver the same message
     * while this one still works on it. When the service stops, the messages not yet begun are given back. Returns
     * how many attempts were made.
     */
    int processClaimed(List<StoredMessage> claimed, Instant leaseUntil, boolean evenWhenStopped) {
        int attempts = 0;
        for (StoredMessage m : claimed) {
            Instant now = clock.instant();
            try {
                if (!evenWhenStopped && !running) {
                    store.releaseLease(m.id(), leaseUntil);
                    continue;
                }
                if (!store.renewLease(m.id(), leaseUntil, now, settings.lease())) {
                    log.info("delivery {}: claimed again by another worker after its lease ended, or out of the queue;"
                            + " not attempted here", m.id());
                    continue;
                }
            } catch (RuntimeException e) {
                log.warn("delivery {}: cannot renew its lease: {}; left for the next claim", m.id(), e.toString());
                continue;
            }
            Instant lease = now.plus(settings.lease());
            process(m, lease, lease.minus(recordingMargin(settings.lease())));
            attempts++;
        }
        return attempts;
    }

    /** Time kept back from each lease to record the attempt and queue a DSN: a tenth of it, at most a minute. */
    static Duration recordingMargin(Duration lease) {
        Duration tenth = lease.dividedBy(10);
        return tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
    }

    @Override
    public void close() {
        ExecutorService pool;
        synchronized (this) {
            running = false;
            pool = workers;
        }
        wakeUp();
        if (pool == null) {
            return;
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("delivery workers still busy after {}; their messages are retried when the lease ends", STOP_GRACE);
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void workLoop() {
        while (running) {
            List<StoredMessage> due;
            Instant now = clock.instant();
            try {
                due = store.claimDue(now, settings.claimBatch(), settings.lease());
            } catch (RuntimeException e) {
                log.warn("cannot claim due messages: {}", e.toString());
                due = List.of();
            }
            if (due.isEmpty()) {
                awaitWork();
                continue;
            }
            processClaimed(due, now.plus(settings.lease()), false);
        }
    }

    private void awaitWork() {
        synchronized (signal) {
            try {
                if (!woken && running) {
                    signal.wait(settings.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    /**
     * One attempt, ending by {@code deadline}, for one message under the lease that ends at {@code lease}; never throws, so
     * a bad message cannot stop a worker.
     */
    private void process(StoredMessage message, Instant lease, Instant deadline) {
        try {
            MessageDelivery.Attempt attempt;
            try {
                attempt = delivery.attempt(message, () -> store.openContent(message.id()), deadline);
            } catch (RuntimeException e) {
                log.error("delivery {}: attempt failed unexpectedly", message.id(), e);
                metrics.failure(message.direction(), "internal");
                attempt = delivery.brokenOff(message, "internal error: " + e.getClass().getSimpleName());
            }
            List<StoredRecipient> outcomes = attempt.outcomes();
            Instant next = attempt.nextAttemptAt();
            String error = attempt.error();
            if (!attempt.failures().isEmpty() && DsnWriter.owesDsn(message.mailFrom())) {
                try {
                    String dsnId = queueDsn(message, attempt.failures());
                    log.info("delivery {}: DSN {} queued for {} failed recipient(s)", message.id(), dsnId, attempt.failures().size());
                } catch (IOException | RuntimeException e) {
                    // Without a stored DSN the failure must not be recorded, or the sender would never hear of
                    // it: keep those recipients pending so the next attempt tries again.
                    outcomes = reopenFailed(outcomes);
                    next = next != null ? next : clock.instant().plus(retry.initialDelay());
                    error = "DSN could not be queued: " + e.getMessage();
                    metrics.failure(message.direction(), "internal");
                    log.warn("delivery {}: DSN could not be queued: {}", message.id(), e.toString());
                }
            }
            record(message, lease, outcomes, next, error);
        } catch (RuntimeException e) {
            log.error("delivery {}: attempt failed unexpectedly; it is retried when the lease ends", message.id(), e);
            metrics.failure(message.direction(), "internal");
        }
    }

    /**
     * Records an attempt, trying again after {@link #RECORD_RETRIES} while the store fails (a lock wait, a database
     * fail-over). If it still cannot, the message is not recorded without these outcomes, which would keep the
     * recipients just delivered pending and have them delivered again a minute later: see {@link #unrecordable}.
     */
    private void record(StoredMessage message, Instant lease, List<StoredRecipient> outcomes, Instant next, String error) {
        Optional<StoredMessage> recorded;
        for (int retries = 0; ; retries++) {
            try {
                recorded = store.recordAttempt(message.id(), lease, outcomes, next, error);
                break;
            } catch (UncheckedIOException e) {
                if (retries == recordRetries.size() || !pause(recordRetries.get(retries))) {
                    unrecordable(message, lease, outcomes, next, e);
                    return;
                }
                log.warn("delivery {}: cannot record the attempt ({}); trying again in {} ms", message.id(), e.toString(),
                        recordRetries.get(retries).toMillis());
            } catch (RuntimeException e) {
                // not a store outage but a recording the store refuses (an outcome for a recipient it does not know, a
                // message gone): the same recording would be refused again
                unrecordable(message, lease, outcomes, next, e);
                return;
            }
        }
        unrecorded.remove(message.id());
        if (recorded.isEmpty()) {
            // the lease ended during the attempt (a long pause, a slow store) and the message has moved on: the store
            // kept only the recipients delivered or failed for good, and whoever has the message now does the rest
            log.warn("delivery {}: its lease ended before the attempt was recorded; only its settled recipients were"
                    + " recorded: delivered={} failed={}", message.id(), count(outcomes, RecipientStatus.DELIVERED),
                    count(outcomes, RecipientStatus.FAILED));
            return;
        }
        StoredMessage updated = recorded.get();
        log.info("delivery {} attempt {}: delivered={} deferred={} failed={} state={}{}", message.id(),
                updated.attempts(), count(outcomes, RecipientStatus.DELIVERED), count(outcomes, RecipientStatus.PENDING),
                count(outcomes, RecipientStatus.FAILED), updated.state(), next == null ? "" : " next=" + next);
    }

    /**
     * An attempt the store could not record. Left to its lease, the message would be claimed and delivered again each
     * time the lease ends, for ever: its attempt count, and with it the back-off and the lifetime, would never move. So:
     * <ul>
     * <li>while recipients are pending, the worker keeps the message leased until the back-off after the attempts in a
     * row that could not be recorded (counted here, on top of the stored count) — it comes back as a deferred message
     * would, and at the end of its lifetime (the back-off never goes past it) the attempt fails what is pending, with
     * its DSN;</li>
     * <li>an attempt that left nothing pending (every recipient delivered, or failed with its DSN queued, which includes
     * that last attempt) moves the message to the final state the recording would have given it, so it leaves the
     * queue; its recipients' rows keep the statuses they had, as the log line says.</li>
     * </ul>
     * Either needs the lease to be still this worker's; if the store refuses that too, the message is left to its lease
     * as before: a duplicate when it ends, as after a crash, never a lost message.
     */
    private void unrecordable(StoredMessage message, Instant lease, List<StoredRecipient> outcomes, Instant next,
                              RuntimeException cause) {
        int inARow = unrecorded.merge(message.id(), 1, Integer::sum);
        long delivered = count(outcomes, RecipientStatus.DELIVERED);
        long failed = count(outcomes, RecipientStatus.FAILED);
        Instant now = clock.instant();
        try {
            if (next == null) {
                boolean anyFailed = failed > 0 || message.recipients().stream().anyMatch(r -> r.status() == RecipientStatus.FAILED);
                MessageState end = anyFailed ? MessageState.BOUNCED : MessageState.DELIVERED;
                if (store.renewLease(message.id(), lease, now, settings.lease()) && store.transition(message.id(), end)) {
                    unrecorded.remove(message.id());
                    log.error("delivery {}: cannot record the attempt ({}); nothing is left to deliver (delivered={}"
                            + " failed={}), so the message is moved to {}; its recipients' stored statuses are those before"
                            + " the attempt", message.id(), cause.toString(), delivered, failed, end);
                    return;
                }
            } else {
                Instant until = retry.next(message.queuedAt(), message.attempts() + inARow).orElse(next);
                if (until.isAfter(now) && store.renewLease(message.id(), lease, now, Duration.between(now, until))) {
                    log.error("delivery {}: cannot record the attempt ({}), {} in a row (delivered={} failed={}); held"
                            + " until {} as its back-off, then attempted again", message.id(), cause.toString(), inARow,
                            delivered, failed, until);
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn("delivery {}: cannot hold or settle the message whose attempt was not recorded: {}", message.id(),
                    e.toString());
        }
        log.error("delivery {}: cannot record the attempt (delivered={} failed={}): {}; it is retried when the lease ends",
                message.id(), delivered, failed, cause.toString());
    }

    /** Sleeps; false if the worker was interrupted meanwhile (the service is stopping). */
    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String queueDsn(StoredMessage original, List<DsnWriter.Failure> failures) throws IOException {
        Instant now = clock.instant();
        byte[] header;
        // The header as the message came to us, without the fields we put in front of it (Received, Authentication-Results,
        // X-Mamori-Verdict with its score and finding codes): a sender of phishing to an unknown address would otherwise
        // learn how we judged it and could tune the next message. For the same reason a sender outside gets the Subject
        // it wrote, not our tagged one, and no Content-* fields of a rewrite.
        try (InputStream content = store.openOriginal(original.id())) {
            header = DsnWriter.readHeader(content);
            if (original.direction() == Direction.INBOUND) {
                header = DsnWriter.asReceived(header, original.subject());
            }
        } catch (IOException | RuntimeException e) {
            // content lost or unreadable (a missing file, a key not in the keyset): the sender is still told, without the
            // copy of the header; otherwise the DSN, and with it the failure, would be retried for ever
            log.warn("delivery {}: its content cannot be read ({}); the DSN goes without the original header", original.id(),
                    e.toString());
            header = new byte[0];
        }
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                // the next hop of inbound mail is the organisation's own mail system: its replies and connection errors
                // may name internal hosts, which a sender outside is not told (as at RCPT, see NextHopRecipients)
                List<DsnWriter.Failure> told = original.direction() == Direction.INBOUND
                        ? failures.stream().map(DsnWriter::inOwnWords).toList() : failures;
                dsnWriter.write(original.id(), original.mailFrom(), original.receivedAt(), told,
                        new java.io.ByteArrayInputStream(header), out);
            }
            // back the way the original came: the sender of outbound mail is one of ours, reached through the inbound
            // next hop (their mailbox service); the sender of inbound mail is outside, reached outbound
            Direction back = original.direction() == Direction.OUTBOUND ? Direction.INBOUND : Direction.OUTBOUND;
            Envelope envelope = new Envelope(back, "", List.of(original.mailFrom()), "127.0.0.1",
                    settings.heloName(), null, false, now);
            NewMessage dsn = new NewMessage(envelope, DsnWriter.subject(), new Verdict(Action.DELIVER, 0, List.of()),
                    MessageState.QUEUED);
            StoredMessage stored = store.commit(spool, dsn, "");
            metrics.dsn();
            wakeUp();
            return stored.id();
        }
    }

    private static List<StoredRecipient> reopenFailed(List<StoredRecipient> outcomes) {
        List<StoredRecipient> result = new ArrayList<>();
        for (StoredRecipient r : outcomes) {
            result.add(r.status() == RecipientStatus.FAILED ? new StoredRecipient(r.address(), RecipientStatus.PENDING, r.lastReply()) : r);
        }
        return result;
    }

    private static long count(List<StoredRecipient> outcomes, RecipientStatus status) {
        return outcomes.stream().filter(r -> r.status() == status).count();
    }
}
