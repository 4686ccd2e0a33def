package io.mamori.core.auth;

import java.util.List;
import java.util.Objects;

/** The outcome of one DNS question (see {@link DnsResolver} for the contract). */
public sealed interface DnsAnswer {

    /** At least one record of the type asked for, in textual form (see {@link DnsResolver.Type}). */
    record Records(List<String> values) implements DnsAnswer {
        public Records {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("Records needs at least one value; use NoRecords");
            }
        }
    }

    /**
     * No record of that type.
     *
     * @param nxdomain {@code true} if the name does not exist at all (NXDOMAIN), {@code false} for NODATA;
     *                 DMARC's {@code np} tag (RFC 9989) depends on the difference
     */
    record NoRecords(boolean nxdomain) implements DnsAnswer {
    }

    /** A temporary error: timeout, SERVFAIL, network trouble. Never a reason to fail a message. */
    record TempFail(String reason) implements DnsAnswer {
        public TempFail {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Waits for an answer asked with {@link DnsResolver#lookupAsync}, which completes within the resolver's timeout. An
     * interrupted wait is a temporary failure, the thread's interrupt kept; so is a future that failed, which the
     * contract rules out.
     *
     * @param question what was asked ({@code "TXT example.com"}), for the reason of a failure
     */
    static DnsAnswer await(java.util.concurrent.CompletableFuture<DnsAnswer> pending, String question) {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TempFail(question + ": interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return new TempFail(question + ": " + (e.getCause() == null ? "failed" : e.getCause().getClass().getSimpleName()));
        }
    }

    static DnsAnswer of(List<String> values, boolean nxdomain) {
        return values.isEmpty() ? new NoRecords(nxdomain) : new Records(values);
    }
}
