package io.mamori.core.auth;

/**
 * The DNS as sender authentication needs it: one question, one typed answer. A port: production uses the
 * gateway's dnsjava adapter, tests and conformance suites a {@link TableDnsResolver}.
 *
 * <p>Contract: {@link #lookup} never throws for DNS trouble; a timeout, SERVFAIL, REFUSED or network error is
 * {@link DnsAnswer.TempFail} (RFC 7208 §4.4, RFC 7489 §6.6.2: a temporary error is never a failure). NXDOMAIN
 * and an empty answer (NODATA) are {@link DnsAnswer.NoRecords}. A CNAME chain is followed by the
 * implementation. Names are given in ASCII (A-labels), without a trailing dot, in any letter case.
 *
 * <p>Implementations must be thread-safe: one resolver serves all sessions.
 */
public interface DnsResolver {

    /** The record types sender authentication asks for. */
    enum Type {
        /** IPv4 addresses, in textual form. */
        A,
        /** IPv6 addresses, in textual form. */
        AAAA,
        /** Exchange host names (without preference or trailing dot); a null MX ({@code .}) is left out. */
        MX,
        /** One string per record: the record's character-strings concatenated without separator (RFC 7208 §3.3). */
        TXT,
        /** Host names (without trailing dot) of a reverse name such as {@code 4.3.2.1.in-addr.arpa}. */
        PTR
    }

    DnsAnswer lookup(String name, Type type);

    /**
     * The same question without waiting for its answer, for a caller that asks several at once (the block lists ask
     * up to twenty domains in each list). The future completes with what {@link #lookup} would return, never
     * exceptionally, within the resolver's own timeout. This default answers on the calling thread before it returns;
     * the gateway's resolver sends the question and returns at once.
     */
    default java.util.concurrent.CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
        return java.util.concurrent.CompletableFuture.completedFuture(lookup(name, type));
    }
}
