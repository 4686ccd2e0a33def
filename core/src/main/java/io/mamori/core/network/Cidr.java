package io.mamori.core.network;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 192.0.2.0/24} or {@code 2001:db8::/32}; a bare
 * address means a single host. Host bits below the prefix are cleared.
 *
 * <p>Hand-written because it is some thirty lines and the libraries that offer it (commons-net, Guava,
 * IPAddress) would each be a new dependency for this alone.
 */
public record Cidr(InetAddress network, int prefixLength) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + ": " + prefixLength);
        }
        network = mask(network, prefixLength);
    }

    /**
     * Parses {@code address[/prefix]}. Only literal addresses are accepted (never a host name, so parsing
     * never touches DNS).
     *
     * @throws IllegalArgumentException with the offending text if it is not a CIDR network
     */
    public static Cidr parse(String text) {
        String value = text == null ? "" : text.strip();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        boolean v4 = IPV4.matcher(address).matches();
        if (!v4 && !IPV6.matcher(address).matches()) {
            throw new IllegalArgumentException("not an IP network in CIDR notation: '" + text + "'");
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP network in CIDR notation: '" + text + "'", e);
        }
        if (v4 && !address.equals(parsed.getHostAddress())) {
            // getByName accepts octets above 255 in some forms; insist on the canonical dotted quad.
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int max = parsed.getAddress().length * 8;
        int prefix = max;
        if (slash >= 0) {
            String digits = value.substring(slash + 1);
            // digits only: Integer.parseInt takes "-0" and "+8", and 10.0.0.0/-0 would be every address
            if (!digits.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
            }
            prefix = Integer.parseInt(digits);
        }
        return new Cidr(parsed, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] net = network.getAddress();
        if (candidate.length != net.length) {
            return false;
        }
        return mask(candidate, prefixLength).equals(network);
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        return mask(address.getAddress(), prefix);
    }

    private static InetAddress mask(byte[] bytes, int prefix) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(masked);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Textual form for people: dotted quad, or the RFC 5952 compressed IPv6 form ({@code 2001:db8::1}). */
    public static String format(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    /** {@code 192.0.2.0/24}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
