package io.mamori.gateway.dns;

import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * {@link DnsResolver} on dnsjava, asking one recursive resolver (a local unbound in production). A timeout,
 * SERVFAIL, REFUSED or any network error is {@link DnsAnswer.TempFail} (RFC 7208 §4.4, RFC 7489 §6.6.2);
 * NXDOMAIN and NODATA are {@link DnsAnswer.NoRecords}. The recursive resolver follows CNAMEs; the answer
 * records of the asked type are taken whatever their owner name.
 *
 * <p>A small cache keeps positive answers for their TTL and negative ones for {@value #NEGATIVE_TTL_SECONDS}
 * seconds, both at most {@value #MAX_TTL_SECONDS} seconds and {@value #MAX_ENTRIES} entries (then it starts
 * afresh); temporary failures are never cached. Thread-safe (dnsjava resolvers are).
 */
public final class DnsjavaResolver implements DnsResolver {

    static final int MAX_ENTRIES = 10_000;
    static final long MAX_TTL_SECONDS = 3600;
    static final long NEGATIVE_TTL_SECONDS = 60;

    /**
     * Runs dnsjava's completion of each answer on the thread that received it (dnsjava's selector thread). Without
     * an executor dnsjava uses {@code ForkJoinPool.commonPool()}, which {@code CompletableFuture} replaces by a new
     * thread per task when the common pool has fewer than two threads (any machine with two cores): one thread
     * created per DNS answer, about 160 µs each on this kind of VM. The completion only parses the answer (or
     * starts a TCP retry, asynchronously) and completes the future our caller waits on, so it never blocks the
     * selector; running it in place saves a thread hand-off per answer. The caller's wait is bounded anyway.
     */
    private static final Executor IN_PLACE = Runnable::run;

    private record Key(String name, DnsResolver.Type type) {
    }

    private record Cached(DnsAnswer answer, Instant expires) {
    }

    private final Resolver resolver;
    private final Clock clock;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param resolver a dnsjava resolver with its timeout set; never one that reaches the internet in tests
     * @param clock    for cache expiry
     */
    public DnsjavaResolver(Resolver resolver, Clock clock) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Asks the recursive resolver at {@code server} (e.g. 127.0.0.1:53), giving up after {@code timeout}. */
    public static DnsjavaResolver usingServer(InetSocketAddress server, Duration timeout, Clock clock) {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(timeout);
        return new DnsjavaResolver(r, clock);
    }

    /** Asks the resolvers of the operating system's configuration ({@code /etc/resolv.conf}). */
    public static DnsjavaResolver usingSystemResolvers(Duration timeout, Clock clock) {
        ExtendedResolver r = new ExtendedResolver();
        r.setTimeout(timeout);
        return new DnsjavaResolver(r, clock);
    }

    @Override
    public DnsAnswer lookup(String name, DnsResolver.Type type) {
        // completes within the resolver's timeout (dnsjava's own, and the safety net of lookupAsync after it)
        return DnsAnswer.await(lookupAsync(name, type), type + " " + name);
    }

    /**
     * Sends the question and returns at once (answers from the cache are complete already); the answer is made on
     * dnsjava's selector thread when the response arrives. Never completes exceptionally: every failure is a
     * {@link DnsAnswer.TempFail}.
     */
    @Override
    public CompletableFuture<DnsAnswer> lookupAsync(String name, DnsResolver.Type type) {
        String n = name.toLowerCase(Locale.ROOT);
        Key key = new Key(n.endsWith(".") ? n : n + ".", type);
        Instant now = clock.instant();
        Cached hit = cache.get(key);
        if (hit != null && now.isBefore(hit.expires)) {
            return CompletableFuture.completedFuture(hit.answer);
        }
        Name qname;
        try {
            qname = Name.fromString(key.name);
        } catch (TextParseException e) {
            // a name the DNS cannot carry (label over 63 octets, ...) cannot exist
            return CompletableFuture.completedFuture(new DnsAnswer.NoRecords(true));
        }
        int qtype = switch (type) {
            case A -> org.xbill.DNS.Type.A;
            case AAAA -> org.xbill.DNS.Type.AAAA;
            case MX -> org.xbill.DNS.Type.MX;
            case TXT -> org.xbill.DNS.Type.TXT;
            case PTR -> org.xbill.DNS.Type.PTR;
        };
        CompletableFuture<Message> sent;
        try {
            sent = resolver.sendAsync(Message.newQuery(Record.newRecord(qname, qtype, DClass.IN)), IN_PLACE)
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(tempFail(type, name, e));
        }
        // dnsjava completes the future itself when its own timeout passes; the extra second is a safety net
        return sent.orTimeout(resolver.getTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((response, error) -> error != null ? tempFail(type, name, error)
                        : answered(key, name, qtype, response, now));
    }

    private DnsAnswer answered(Key key, String name, int qtype, Message response, Instant now) {
        int rcode = response.getRcode();
        DnsAnswer answer;
        long ttl;
        if (rcode == Rcode.NXDOMAIN) {
            answer = new DnsAnswer.NoRecords(true);
            ttl = NEGATIVE_TTL_SECONDS;
        } else if (rcode != Rcode.NOERROR) {
            return new DnsAnswer.TempFail(key.type + " " + name + ": " + Rcode.string(rcode));
        } else {
            List<String> values = new ArrayList<>();
            ttl = MAX_TTL_SECONDS;
            for (Record r : response.getSection(Section.ANSWER)) {
                String v = text(r, qtype);
                if (v != null) {
                    values.add(v);
                    ttl = Math.min(ttl, r.getTTL());
                }
            }
            answer = DnsAnswer.of(values, false);
            if (values.isEmpty()) {
                ttl = NEGATIVE_TTL_SECONDS;
            }
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        if (ttl > 0) {
            cache.put(key, new Cached(answer, now.plusSeconds(Math.min(ttl, MAX_TTL_SECONDS))));
        }
        return answer;
    }

    /** A failure to get an answer, with the reason of the innermost exception (never the query's data beyond its name). */
    private static DnsAnswer tempFail(DnsResolver.Type type, String name, Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        String reason = e instanceof TimeoutException ? "timed out"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new DnsAnswer.TempFail(type + " " + name + ": " + reason);
    }

    private static String text(Record r, int qtype) {
        if (r.getType() != qtype) {
            return null;
        }
        if (r instanceof TXTRecord t) {
            return String.join("", t.getStrings());
        }
        if (r instanceof ARecord a) {
            return a.getAddress().getHostAddress();
        }
        if (r instanceof AAAARecord a) {
            return a.getAddress().getHostAddress();
        }
        if (r instanceof MXRecord m) {
            return m.getTarget().equals(Name.root) ? null : m.getTarget().toString(true);
        }
        if (r instanceof PTRRecord p) {
            return p.getTarget().toString(true);
        }
        return null;
    }
}
