package io.mamori.console.web;

import io.mamori.core.network.Cidr;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address of the client behind a request, for access rules, rate limits and the audit log. The TCP peer
 * counts, unless it is one of the configured trusted proxies: then {@code X-Forwarded-For} is read from the
 * right (each proxy appends the address it received from), trusted proxies are skipped, and the first other
 * address counts. A header from any other peer is ignored, so a client cannot choose its own address.
 */
public final class ClientAddress {

    static final String ATTRIBUTE = ClientAddress.class.getName();
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d+");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::\\d+)?");

    private final List<Cidr> trustedProxies;

    ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** The client of {@code request}, computed once per request. */
    public InetAddress of(HttpServletRequest request) {
        Object cached = request.getAttribute(ATTRIBUTE);
        if (cached instanceof InetAddress address) {
            return address;
        }
        InetAddress address = resolve(request.getRemoteAddr(), Collections.list(request.getHeaders("X-Forwarded-For")));
        request.setAttribute(ATTRIBUTE, address);
        return address;
    }

    /**
     * The client address of a console request as the audit log records it: the one the console's filters
     * computed (trusted proxies applied), or the TCP peer where no console filter ran (the token API).
     */
    public static String recorded(HttpServletRequest request) {
        Object cached = request.getAttribute(ATTRIBUTE);
        return cached instanceof InetAddress address ? Cidr.format(address) : request.getRemoteAddr();
    }

    InetAddress resolve(String remoteAddr, List<String> forwardedFor) {
        InetAddress peer = literal(remoteAddr);
        if (peer == null) {
            throw new IllegalStateException("the servlet container reported a non-literal peer address: " + remoteAddr);
        }
        if (!trusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    hops.add(part.strip());
                }
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                // Not written by a proxy we trust (ours write addresses): stop at the last address we can vouch for.
                return client;
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        return trustedProxies.stream().anyMatch(n -> n.contains(address));
    }

    /** A literal IPv4 or IPv6 address (optionally with a port, as some proxies write it), never a DNS name. */
    static InetAddress literal(String text) {
        if (text == null || text.isBlank() || text.contains("/")) {
            return null;
        }
        String t = text.strip();
        java.util.regex.Matcher m = IPV4_WITH_PORT.matcher(t);
        if (m.matches()) {
            t = m.group(1);
        }
        m = BRACKETED_IPV6.matcher(t);
        if (m.matches()) {
            t = m.group(1);
        }
        int zone = t.indexOf('%');
        if (zone > 0) {
            t = t.substring(0, zone);
        }
        try {
            Cidr single = Cidr.parse(t);
            return single.prefixLength() == single.network().getAddress().length * 8 ? single.network() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
