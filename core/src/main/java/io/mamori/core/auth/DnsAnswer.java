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

    static DnsAnswer of(List<String> values, boolean nxdomain) {
        return values.isEmpty() ? new NoRecords(nxdomain) : new Records(values);
    }
}
