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
import java.util.Random;
import java.util.random.RandomGenerator;
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
 * host, IPv4 addresses come before IPv6 ones. At most {@value #MAX_HOSTS} addresses are returned so one
 * attempt stays bounded.
 *
 * <p>Thread-safe (dnsjava resolvers are).
 */
public final class DnsjavaMxResolver implements MxResolver {

    static final int MAX_HOSTS = 10;

    private final Resolver resolver;
    private final RandomGenerator random;
    private final int smtpPort;

    /**
     * @param resolver a dnsjava resolver; never one that reaches the internet in tests
     * @param random   shuffles equal preferences (pass a seeded one for repeatable tests)
     * @param smtpPort port of the MX hosts: 25, except in tests whose SMTP peers listen on ephemeral ports
     */
    public DnsjavaMxResolver(Resolver resolver, RandomGenerator random, int smtpPort) {
        this.resolver = Objects.requireNonNull(resolver);
        this.random = Objects.requireNonNull(random);
        if (smtpPort < 1 || smtpPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + smtpPort);
        }
        this.smtpPort = smtpPort;
    }

    /** Asks the recursive resolver at {@code server} (e.g. a local unbound, or a test DNS server on loopback). */
    public static DnsjavaMxResolver usingServer(InetSocketAddress server, Duration timeout) {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(timeout);
        return new DnsjavaMxResolver(r, new Random(), HostAndPort.SMTP_PORT);
    }

    /** Asks the resolvers of the operating system's configuration ({@code /etc/resolv.conf}). */
    public static DnsjavaMxResolver usingSystemResolvers(Duration timeout) {
        ExtendedResolver r = new ExtendedResolver();
        r.setTimeout(timeout);
        return new DnsjavaMxResolver(r, new Random(), HostAndPort.SMTP_PORT);
    }

    @Override
    public MxResolution resolve(String domain) {
        Name name;
        try {
            String ascii = IDN.toASCII(domain.strip(), IDN.ALLOW_UNASSIGNED);
            name = Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (IllegalArgumentException | TextParseException e) {
            return new MxResolution.NoDomain("invalid domain name '" + domain + "'");
        }
        Answer mx = query(name, Type.MX);
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
            return implicitMx(domain, name);
        }
        if (records.stream().allMatch(r -> r.getTarget().equals(Name.root))) {
            return new MxResolution.NoDomain("domain " + domain + " accepts no mail (null MX, RFC 7505)");
        }
        List<HostAndPort> hosts = new ArrayList<>();
        String tempFailure = null;
        for (MXRecord r : ordered(records)) {
            if (r.getTarget().equals(Name.root)) {
                continue;
            }
            Addresses a = addresses(r.getTarget());
            if (a.tempFailure != null) {
                tempFailure = a.tempFailure;
            }
            addAll(hosts, r.getTarget(), a.addresses);
        }
        if (!hosts.isEmpty()) {
            return new MxResolution.Hosts(hosts);
        }
        return tempFailure != null ? new MxResolution.TempFail(tempFailure)
                : new MxResolution.NoDomain("no MX host of " + domain + " has an address");
    }

    private MxResolution implicitMx(String domain, Name name) {
        Addresses a = addresses(name);
        if (!a.addresses.isEmpty()) {
            List<HostAndPort> hosts = new ArrayList<>();
            addAll(hosts, name, a.addresses);
            return new MxResolution.Hosts(hosts);
        }
        return a.tempFailure != null ? new MxResolution.TempFail(a.tempFailure)
                : new MxResolution.NoDomain("domain " + domain + " has no MX and no address records");
    }

    private void addAll(List<HostAndPort> hosts, Name host, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            if (hosts.size() < MAX_HOSTS) {
                hosts.add(new HostAndPort(host.toString(true), smtpPort, address));
            }
        }
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

    private Addresses addresses(Name host) {
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

    private sealed interface Answer {
        record Records(List<Record> records) implements Answer {
        }

        record NxDomain() implements Answer {
        }

        record Failed(String reason) implements Answer {
        }
    }

    private Answer query(Name name, int type) {
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            return new Answer.Failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
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
