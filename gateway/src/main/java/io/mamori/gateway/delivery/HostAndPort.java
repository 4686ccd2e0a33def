package io.mamori.gateway.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Where to deliver: a host name (used for TLS server-name indication and certificate verification) and a
 * port, optionally with the address already resolved (as {@link MxResolver} does, so delivery connects to
 * exactly the address DNS gave and never asks the system resolver again).
 *
 * @param host    DNS name or IP literal, without brackets
 * @param port    TCP port, 1–65535
 * @param address resolved address of {@code host}, or {@code null} to resolve at connect time
 */
public record HostAndPort(String host, int port, InetAddress address) {

    public static final int SMTP_PORT = 25;

    public HostAndPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
    }

    public HostAndPort(String host, int port) {
        this(host, port, null);
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; the port defaults to 25.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static HostAndPort parse(String text) {
        String s = text == null ? "" : text.strip();
        try {
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("missing ']'");
                }
                String host = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (rest.isEmpty()) {
                    return new HostAndPort(host, SMTP_PORT);
                }
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':' after ']'");
                }
                return new HostAndPort(host, Integer.parseInt(rest.substring(1)));
            }
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 addresses need brackets, e.g. [::1]:25");
            }
            return colon < 0 ? new HostAndPort(s, SMTP_PORT)
                    : new HostAndPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a host[:port]: '" + text + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal rather than a name. */
    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** The socket address to connect to (resolving {@code host} now if no address was given). */
    public InetSocketAddress socketAddress() {
        return address != null ? new InetSocketAddress(address, port) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return address == null || address.getHostAddress().equals(host)
                ? h + ":" + port : h + "[" + address.getHostAddress() + "]:" + port;
    }
}
