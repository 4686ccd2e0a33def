package io.mamori.gateway.delivery;

import java.io.IOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link MxResolver} on dnsjava, asking a recursive resolver (the system's, or one given address).
 *
 * <p>Follows RFC 5321 §5.1: MX hosts by ascending preference, in random order among equal preferences to
 * spread load; without MX records the domain's own A/AAAA records act as an implicit MX of preference 0.
 * A null MX (a single MX record with target "." per RFC 7505) means the domain accepts no mail. For each
 * host, IPv4 addresses come before IPv6 ones. Addresses that the {@link MxAddressPolicy} refuses (loopback, the
 * gateway's own, link-local …) are left out. At most {@value #MAX_HOSTS} addresses are returned, and the addresses
 * of at most {@value #MAX_HOSTS} MX hosts are asked for, so one attempt stays bounded whatever the domain publishes.
 *
 * <p>Thread-safe (dnsjava resolvers are).
 */
public final class DnsjavaMxResolver implements MxResolver {

    static final int MAX_HOSTS = 10;

    private static final Logger log = LoggerFactory.getLogger(DnsjavaMxResolver.class);
    private static final Executor IN_PLACE = Runnable::run;
    private static final String TIME_UP = "time limit of the delivery attempt reached";

    private final Resolver resolver;
    private final RandomGenerator random;
    private final int smtpPort;
    private final MxAddressPolicy policy;

    /**
     * @param resolver a dnsjava resolver; never one that reaches the internet in tests
     * @param random   shuffles equal preferences (pass a seeded one for repeatable tests)
     * @param smtpPort port of the MX hosts: 25, except in tests whose SMTP peers listen on ephemeral ports
     * @param policy   the addresses mail may go to ({@link MxAddressPolicy#LOOPBACK_FOR_TESTS} in tests whose MX
     *                 hosts listen on loopback)
     */
    public DnsjavaMxResolver(Resolver resolver, RandomGenerator random, int smtpPort, MxAddressPolicy policy) {
        this.resolver = Objects.requireNonNull(resolver);
        this.random = Objects.requireNonNull(random);
        if (smtpPort < 1 || smtpPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + smtpPort);
        }
        this.smtpPort = smtpPort;
        this.policy = Objects.requireNonNull(policy);
    }

    /** Asks the recursive resolver at {@code server} (e.g. a local unbound, or a test DNS server on loopback). */
    public static DnsjavaMxResolver usingServer(InetSocketAddress server, Duration timeout, MxAddressPolicy policy) {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(timeout);
        return new DnsjavaMxResolver(r, new Random(), HostAndPort.SMTP_PORT, policy);
    }

    /** Asks the resolvers of the operating system's configuration ({@code /etc/resolv.conf}). */
    public static DnsjavaMxResolver usingSystemResolvers(Duration timeout, MxAddressPolicy policy) {
        ExtendedResolver r = new ExtendedResolver();
        r.setTimeout(timeout);
        return new DnsjavaMxResolver(r, new Random(), HostAndPort.SMTP_PORT, policy);
    }

    @Override
    public MxResolution resolve(String domain, Duration within) {
        Name name;
        try {
            String ascii = IDN.toASCII(domain.strip(), IDN.ALLOW_UNASSIGNED);
            name = Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (IllegalArgumentException | TextParseException e) {
            return new MxResolution.NoDomain("invalid domain name '" + domain + "'");
        }
        Lookup lookup = new Lookup(domain, within);
        Answer mx = lookup.query(name, Type.MX);
        if (mx instanceof Answer.Failed f) {
            return new MxResolution.TempFail("MX lookup for " + domain + " failed: " + f.reason());
        }
        if (mx instanceof Answer.NxDomain) {
            return new MxResolution.NoDomain("domain " + domain + " does not exist (NXDOMAIN)");
        }
        List<MXRecord> records = new ArrayList<>();
        for (Record r : ((Answer.Records) mx).records()) {
            if (r instanceof MXRecord m) {
                records.add(m);
            }
        }
        if (records.isEmpty()) {
            return implicitMx(lookup, name);
        }
        if (records.stream().allMatch(r -> r.getTarget().equals(Name.root))) {
            return new MxResolution.NoDomain("domain " + domain + " accepts no mail (null MX, RFC 7505)", "5.1.10");
        }
        String tempFailure = null;
        int asked = 0;
        for (MXRecord r : ordered(records)) {
            // RFC 5321 §5.1 lets a client stop after some MX hosts; asking for the addresses of all of them would let
            // a domain with hundreds of MX records make each attempt send hundreds of questions
            if (lookup.hosts.size() >= MAX_HOSTS || asked >= MAX_HOSTS) {
                break;
            }
            if (r.getTarget().equals(Name.root)) {
                continue;
            }
            asked++;
            Addresses a = lookup.addresses(r.getTarget());
            if (a.tempFailure != null) {
                tempFailure = a.tempFailure;
            }
            lookup.addUsable(r.getTarget(), a.addresses);
        }
        return lookup.outcome(tempFailure, "no MX host of " + domain + " has an address");
    }

    private MxResolution implicitMx(Lookup lookup, Name name) {
        Addresses a = lookup.addresses(name);
        lookup.addUsable(name, a.addresses);
        return lookup.outcome(a.tempFailure, "domain " + lookup.domain + " has no MX and no address records");
    }

    /** By preference; equal preferences shuffled (RFC 5321 §5.1). */
    private List<MXRecord> ordered(List<MXRecord> records) {
        List<MXRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(MXRecord::getPriority));
        List<MXRecord> result = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).getPriority() == sorted.get(i).getPriority()) {
                j++;
            }
            List<MXRecord> group = new ArrayList<>(sorted.subList(i, j));
            for (int k = group.size() - 1; k > 0; k--) {
                Collections.swap(group, k, random.nextInt(k + 1));
            }
            result.addAll(group);
            i = j;
        }
        return result;
    }

    private record Addresses(List<InetAddress> addresses, String tempFailure) {
    }

    private sealed interface Answer {
        record Records(List<Record> records) implements Answer {
        }

        record NxDomain() implements Answer {
        }

        record Failed(String reason) implements Answer {
        }
    }

    /** The state of one resolution: its time limit, the hosts found and the addresses refused. */
    private final class Lookup {

        private final String domain;
        /** {@link System#nanoTime()} by which no answer is awaited any more; {@code null}: none. */
        private final Long deadline;
        private final List<HostAndPort> hosts = new ArrayList<>();
        private final List<String> refused = new ArrayList<>();
        private Set<InetAddress> own;

        Lookup(String domain, Duration within) {
            this.domain = domain;
            this.deadline = within == null ? null : System.nanoTime() + Math.max(0, within.toNanos());
        }

        void addUsable(Name host, List<InetAddress> addresses) {
            for (InetAddress address : addresses) {
                if (hosts.size() >= MAX_HOSTS) {
                    return;
                }
                if (own == null) {
                    own = policy.ownAddresses().get();
                }
                Optional<String> refusal = policy.refusal(address, own);
                if (refusal.isPresent()) {
                    refused.add(host.toString(true) + " " + address.getHostAddress() + " (" + refusal.get() + ")");
                } else {
                    hosts.add(new HostAndPort(host.toString(true), smtpPort, address));
                }
            }
        }

        /**
         * The hosts found; else a temporary failure, which a later attempt may get past; else, when every address was
         * refused, a permanent failure naming them; else {@code nothing}.
         */
        MxResolution outcome(String tempFailure, String nothing) {
            if (!refused.isEmpty()) {
                log.info("MX of {}: not delivered to {}", domain, String.join(", ", refused));
            }
            if (!hosts.isEmpty()) {
                return new MxResolution.Hosts(hosts);
            }
            if (tempFailure != null) {
                return new MxResolution.TempFail(tempFailure);
            }
            if (!refused.isEmpty()) {
                return new MxResolution.NoUsableAddress("mail for " + domain + " is not delivered to the addresses its"
                        + " MX hosts have: " + String.join(", ", refused) + " (RFC 5321 section 5.1)");
            }
            return new MxResolution.NoDomain(nothing);
        }

        Addresses addresses(Name host) {
            List<InetAddress> found = new ArrayList<>();
            String temp = null;
            for (int type : new int[] {Type.A, Type.AAAA}) {
                Answer answer = query(host, type);
                if (answer instanceof Answer.Records r) {
                    for (Record rec : r.records()) {
                        if (rec instanceof ARecord a) {
                            found.add(a.getAddress());
                        } else if (rec instanceof AAAARecord a) {
                            found.add(a.getAddress());
                        }
                    }
                } else if (answer instanceof Answer.Failed f) {
                    temp = "address lookup for " + host + " failed: " + f.reason();
                }
            }
            return new Addresses(found, temp);
        }

        Answer query(Name name, int type) {
            Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
            Message response;
            try {
                if (deadline == null) {
                    response = resolver.send(query);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return new Answer.Failed(TIME_UP);
                    }
                    // the resolver's own timeout still ends the wait earlier when it is the shorter
                    CompletableFuture<Message> sent = resolver.sendAsync(query, IN_PLACE).toCompletableFuture();
                    try {
                        response = sent.get(left, TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        sent.cancel(true);
                        return new Answer.Failed(TIME_UP);
                    }
                }
            } catch (IOException e) {
                return failed(e);
            } catch (ExecutionException e) {
                return failed(e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer.Failed("interrupted");
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new Answer.NxDomain();
            }
            if (rcode != Rcode.NOERROR) {
                return new Answer.Failed(Rcode.string(rcode));
            }
            return new Answer.Records(response.getSection(Section.ANSWER));
        }
    }

    private static Answer failed(Throwable e) {
        return new Answer.Failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}
