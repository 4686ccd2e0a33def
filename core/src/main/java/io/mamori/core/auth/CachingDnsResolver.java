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

    CachingDnsResolver(DnsResolver delegate) {
        this.delegate = delegate;
    }

    @Override
    public DnsAnswer lookup(String name, Type type) {
        return DnsAnswer.await(lookupAsync(name, type), type + " " + name);
    }

    @Override
    public CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
        Question q = new Question(TableDnsResolver.normal(name.toLowerCase(Locale.ROOT)), type);
        return answers.computeIfAbsent(q, k -> delegate.lookupAsync(k.name(), k.type()));
    }
}
