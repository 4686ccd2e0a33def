package io.mamori.gateway.delivery;

import io.mamori.core.network.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which addresses of MX hosts direct delivery may connect to.
 *
 * <p>A domain's owner writes its MX records, so anyone who gets mail sent to a domain of theirs (a user writing to
 * it, a bounce to a forged sender) chooses where the gateway connects on port 25. Taken as they come, an MX at
 * 127.0.0.1, 169.254.169.254 (a cloud's metadata service) or 10.0.0.5 makes the gateway a client of services inside
 * its own network, or of itself. RFC 5321 §5.1 requires an MX list that points at the local host to be detected and
 * the mail not to be delivered there; other MTAs refuse these targets too. So these are never used: loopback,
 * unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16, fe80::/10), multicast, reserved IPv4 (240.0.0.0/4 with the
 * broadcast address), and the gateway's own addresses.
 *
 * <p>Private addresses (10/8, 172.16/12, 192.168/16, the shared 100.64/10, fc00::/7, the old site-local fec0::/10)
 * are refused too unless allowed. Direct MX delivery is the way to the internet (internal domains go to the inbound
 * next hop), where an MX at a private address is another network's misconfiguration at best and a probe of ours at
 * worst; an intranet whose partners' MX hosts really have private addresses (a VPN with its own DNS) allows them
 * with {@code mamori.relay.mx-allow-private}.
 *
 * <p>Loopback is allowed only for tests, whose MX hosts are SMTP servers on loopback; no setting turns it on.
 *
 * @param allowPrivate  whether private addresses are delivered to
 * @param allowLoopback whether loopback addresses are delivered to (tests only)
 * @param ownAddresses  the gateway's own addresses, asked at each check (interfaces come and go)
 */
public record MxAddressPolicy(boolean allowPrivate, boolean allowLoopback, Supplier<Set<InetAddress>> ownAddresses) {

    /** For delivery to the internet: no private, loopback or other special address; no own address known. */
    public static final MxAddressPolicy INTERNET = new MxAddressPolicy(false, false, Set::of);

    /** For tests whose MX hosts listen on loopback: loopback allowed, everything else as {@link #INTERNET}. */
    public static final MxAddressPolicy LOOPBACK_FOR_TESTS = new MxAddressPolicy(false, true, Set::of);

    private static final List<Cidr> UNSPECIFIED = cidrs("0.0.0.0/8", "::/128");
    private static final List<Cidr> RESERVED = cidrs("240.0.0.0/4");
    private static final List<Cidr> PRIVATE = cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "fc00::/7", "fec0::/10");

    public MxAddressPolicy {
        Objects.requireNonNull(ownAddresses, "ownAddresses");
    }

    /**
     * The addresses of this host that listeners bound to {@code bound} answer on: a wildcard address stands for every
     * address of every interface, read anew at each call.
     */
    public static Supplier<Set<InetAddress>> listeningOn(Collection<InetAddress> bound) {
        List<InetAddress> binds = List.copyOf(bound);
        return () -> {
            Set<InetAddress> own = new HashSet<>();
            for (InetAddress b : binds) {
                if (b.isAnyLocalAddress()) {
                    own.addAll(interfaceAddresses());
                } else {
                    own.add(b);
                }
            }
            return own;
        };
    }

    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> all = new HashSet<>();
        try {
            NetworkInterface.networkInterfaces().forEach(i -> i.inetAddresses().forEach(all::add));
        } catch (SocketException e) {
            // without the list, loopback and the other special addresses are still refused; only a public address of
            // this host itself would get through, and mail sent there comes back to a listener that takes it again
        }
        return all;
    }

    /** Why mail must not go to {@code address} (e.g. {@code "loopback"}), or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        return refusal(address, ownAddresses.get());
    }

    /**
     * As {@link #refusal(InetAddress)}, with the own addresses read once for several checks. Scoped IPv6 addresses are
     * compared without their scope.
     */
    Optional<String> refusal(InetAddress address, Set<InetAddress> own) {
        if (address.isLoopbackAddress()) {
            return allowLoopback ? Optional.empty() : Optional.of("loopback");
        }
        if (address.isAnyLocalAddress() || in(UNSPECIFIED, address)) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        if (address instanceof Inet4Address && in(RESERVED, address)) {
            return Optional.of("reserved");
        }
        if (isOwn(address, own)) {
            return Optional.of("this gateway's own address");
        }
        if (!allowPrivate && in(PRIVATE, address)) {
            return Optional.of("private");
        }
        return Optional.empty();
    }

    private static boolean isOwn(InetAddress address, Set<InetAddress> own) {
        byte[] bytes = address.getAddress();
        for (InetAddress o : own) {
            if (java.util.Arrays.equals(o.getAddress(), bytes)) {
                return true;
            }
        }
        return false;
    }

    private static boolean in(List<Cidr> networks, InetAddress address) {
        return networks.stream().anyMatch(n -> n.contains(address));
    }

    private static List<Cidr> cidrs(String... networks) {
        return java.util.Arrays.stream(networks).map(Cidr::parse).toList();
    }
}
