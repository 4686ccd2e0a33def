package io.mamori.core.auth;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the answers of one message's evaluation so that SPF, DKIM, DMARC and ARC never ask the same
 * question twice (the DMARC tree walk and SPF's {@code include}s overlap). One instance per message, then
 * dropped: no TTL handling needed. Thread-safe.
 */
final class CachingDnsResolver implements DnsResolver {

    private record Question(String name, Type type) {
    }

    private final DnsResolver delegate;
    private final Map<Question, DnsAnswer> answers = new ConcurrentHashMap<>();

    CachingDnsResolver(DnsResolver delegate) {
        this.delegate = delegate;
    }

    @Override
    public DnsAnswer lookup(String name, Type type) {
        Question q = new Question(TableDnsResolver.normal(name.toLowerCase(Locale.ROOT)), type);
        DnsAnswer cached = answers.get(q);
        if (cached != null) {
            return cached;
        }
        DnsAnswer answer = delegate.lookup(q.name(), type);
        answers.put(q, answer);
        return answer;
    }
}
