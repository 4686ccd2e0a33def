package io.mamori.core.auth;

import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literal parsing and matching without ever touching the DNS. */
final class IpAddresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpAddresses() {
    }

    /**
     * The address of a textual IPv4 or IPv6 literal, or {@code null}. Checked before {@link InetAddress} sees
     * it, because {@code InetAddress.getByName} would query the DNS for anything that is not a literal.
     */
    static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.regionMatches(true, 0, "IPv6:", 0, 5)) {
            t = t.substring(5);
        }
        boolean v4 = IPV4.matcher(t).matches();
        boolean v6 = t.contains(":") && IPV6.matcher(t).matches();
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String octet : t.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Whether {@code a} lies in {@code network}/{@code prefix}; addresses of different families never match. */
    static boolean inNetwork(InetAddress a, InetAddress network, int prefix) {
        if (a == null || network == null) {
            return false;
        }
        byte[] x = a.getAddress();
        byte[] y = network.getAddress();
        if (x.length != y.length) {
            return false;
        }
        int bits = Math.min(prefix, x.length * 8);
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The {@code i} macro form: dotted quad, or 32 dot-separated nibbles for IPv6 (RFC 7208 §7.3). */
    static String dotted(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            if (s.length() > 0) {
                s.append('.');
            }
            // upper-case nibbles, as the RFC 7208 suite expects in explanations; the DNS ignores the case
            s.append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16))).append('.')
                    .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
        }
        return s.toString();
    }

    /** Textual form for people: dotted quad, or the RFC 5952 compressed IPv6 form ({@code 2001:db8::1}). */
    static String text(InetAddress a) {
        return Cidr.format(a);
    }

    /** The reverse lookup name ({@code in-addr.arpa} / {@code ip6.arpa}). */
    static String reverseName(InetAddress a) {
        String[] parts = dotted(a).split("\\.");
        StringBuilder s = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) {
            s.append(parts[i]).append('.');
        }
        return s + (a.getAddress().length == 4 ? "in-addr.arpa" : "ip6.arpa");
    }
}
