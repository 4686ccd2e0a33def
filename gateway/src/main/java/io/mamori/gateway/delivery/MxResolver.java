package io.mamori.gateway.delivery;

import java.time.Duration;
import java.util.List;

/**
 * Port: where to deliver mail for a domain (RFC 5321 §5.1).
 *
 * <p>Contract: thread-safe; never throws for DNS trouble — it answers {@link MxResolution.TempFail}, so a
 * DNS outage delays mail and never bounces it. Answers {@link MxResolution.NoDomain} only for a definite
 * answer that mail cannot be delivered (NXDOMAIN, a null MX per RFC 7505, no MX and no address), and
 * {@link MxResolution.NoUsableAddress} when the MX hosts have addresses but mail must go to none of them.
 */
public interface MxResolver {

    /**
     * @param domain the recipient domain (an A-label or U-label; trailing dot optional)
     * @return the hosts to try in order, each with its resolved address and port 25
     */
    default MxResolution resolve(String domain) {
        return resolve(domain, null);
    }

    /**
     * As {@link #resolve(String)}, ending by {@code within}: no question is sent after it, and an answer still awaited
     * then counts as a DNS failure ({@link MxResolution.TempFail}), unless some hosts are known already.
     *
     * @param within the time the lookups may take ({@code null}: only the resolver's own timeout per question)
     */
    MxResolution resolve(String domain, Duration within);

    /** The answer of {@link #resolve}. */
    sealed interface MxResolution {

        /** Hosts in the order to try: MX preference, shuffled among equal preferences. Never empty. */
        record Hosts(List<HostAndPort> hosts) implements MxResolution {
            public Hosts {
                hosts = List.copyOf(hosts);
                if (hosts.isEmpty()) {
                    throw new IllegalArgumentException("no hosts");
                }
            }
        }

        /**
         * The domain cannot receive mail: deliveries fail permanently with {@code reason} and the enhanced status
         * {@code status}: 5.1.2 (bad destination system) for a domain that does not exist, 5.1.10 for a null MX
         * (RFC 7505 §4.2: the domain says it accepts no mail).
         */
        record NoDomain(String reason, String status) implements MxResolution {
            /** A domain that does not exist or is not a domain name: 5.1.2. */
            public NoDomain(String reason) {
                this(reason, "5.1.2");
            }
        }

        /**
         * The MX hosts (or, without MX, the domain itself) resolve only to addresses mail must not go to: loopback,
         * this gateway's own, link-local … ({@link MxAddressPolicy}). Deliveries fail permanently with
         * {@code reason}: RFC 5321 §5.1 has mail whose MX list points at the local host not delivered there, and it
         * takes the domain's owner, not a later attempt, to change that.
         */
        record NoUsableAddress(String reason) implements MxResolution {
        }

        /** DNS could not answer now (timeout, SERVFAIL): try again later. */
        record TempFail(String reason) implements MxResolution {
        }
    }
}
