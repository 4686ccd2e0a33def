package io.mamori.core.auth;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the answers of one message's evaluation so that SPF, DKIM, DMARC and ARC never ask the same
 * question twice (the DMARC tree walk and SPF's {@code include}s overlap). A question asked ahead with
 * {@link #lookupAsync} (the evaluation sends the ones it will surely ask together, up front) is waited for when it is
 * looked up. One instance per message, then dropped: no TTL handling needed. Thread-safe.
 */
final class CachingDnsResolver implements DnsResolver {

    private record Question(String name, Type type) {
    }

    private final DnsResolver delegate;
    private final Map<Question, CompletableFuture<DnsAnswer>> answers = new ConcurrentHashMap<>();
    /** {@link System#nanoTime()} after which no answer is waited for, or {@link Long#MAX_VALUE}. */
    private final long deadline;

    CachingDnsResolver(DnsResolver delegate) {
        this(delegate, null);
    }

    /**
     * As above, and the whole evaluation's DNS ends {@code within} from now: past it, an unanswered question is a
     * temporary error at once. The sender chooses the name servers of its own domains: answering each question just
     * inside the resolver's timeout through a chain of SPF includes (or ARC seals) made the evaluation overrun the
     * analyzer's budget, and the failed analyzer's TAG replaced what DMARC would have said about the From domain —
     * whose policy question went out first ({@code askAhead}) and is answered in time. {@code null}: no limit.
     */
    CachingDnsResolver(DnsResolver delegate, java.time.Duration within) {
        this.delegate = delegate;
        this.deadline = within == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, within.toNanos());
    }

    @Override
    public DnsAnswer lookup(String name, Type type) {
        CompletableFuture<DnsAnswer> pending = lookupAsync(name, type);
        if (deadline == Long.MAX_VALUE || pending.isDone()) {
            return DnsAnswer.await(pending, type + " " + name);
        }
        long left = deadline - System.nanoTime();
        try {
            return pending.get(Math.max(0, left), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new DnsAnswer.TempFail(type + " " + name + ": the time for this message's DNS questions is up");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DnsAnswer.TempFail(type + " " + name + ": interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return DnsAnswer.await(pending, type + " " + name);
        }
    }

    @Override
    public CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
        Question q = new Question(TableDnsResolver.normal(name.toLowerCase(Locale.ROOT)), type);
        CompletableFuture<DnsAnswer> known = answers.get(q);
        if (known != null) {
            return known;
        }
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
            // not asked at all: its answer could not be waited for
            return CompletableFuture.completedFuture(new DnsAnswer.TempFail(type + " " + name
                    + ": the time for this message's DNS questions is up"));
        }
        return answers.computeIfAbsent(q, k -> delegate.lookupAsync(k.name(), k.type()));
    }
}
