package io.mamori.core.link;

import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The host of a web URL as a browser reads it (WHATWG URL standard, "host parsing"), for every check that compares
 * where a link leads with a name: what the link analyzer judges and what the block lists match must be the host the
 * browser opens, not the host as written. Stateless.
 */
public final class UrlHosts {

    private UrlHosts() {
    }

    /**
     * The base URL a mail client resolves a document's relative links against: the first {@code <base href>}, when it
     * is an absolute web URL (HTML, "the document base URL"; a message has no address of its own to resolve a relative
     * base against). Without it {@code <a href="share/login">} looks like a link to nowhere while the reader's click
     * goes to the base's site.
     */
    public static Optional<URL> base(Document doc) {
        Element base = doc.selectFirst("base[href]");
        if (base == null) {
            return Optional.empty();
        }
        String href = LinkAnalyzer.cleaned(base.attr("href"));
        int end = LinkAnalyzer.schemeEnd(href);
        String scheme = end == 0 ? "" : href.substring(0, end - 1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new URL(href));
        } catch (MalformedURLException e) {
            return Optional.empty();
        }
    }

    /** A link as written, resolved against the document's base when it is relative (has no scheme). */
    public static String resolved(String href, Optional<URL> base) {
        String url = LinkAnalyzer.cleaned(href);
        if (base.isEmpty() || url.isEmpty() || LinkAnalyzer.schemeEnd(url) != 0 || url.startsWith("#")) {
            return href;
        }
        try {
            return new URL(base.get(), url).toString();
        } catch (MalformedURLException e) {
            return href;
        }
    }

    /**
     * The host a browser opens for a web URL's host as written (lower case, without user info, port or trailing dot,
     * as {@link LinkAnalyzer#host} gives it), in one spelling per destination: a name in lower-case ASCII (Punycode),
     * %-escapes decoded; an IPv4 address in dotted decimal however it was written ({@code 3221225985},
     * {@code 0xc0000201}, {@code 192.0.513} and {@code 0300.0.2.1} are all 192.0.2.1); an IPv6 address in brackets,
     * compressed as the URL standard writes it ({@code [2001:db8::1]}), and an IPv4-mapped one
     * ({@code [::ffff:192.0.2.1]}) as its IPv4 address, which a dual-stack browser connects to. Empty when a browser
     * refuses the host (an invalid address, a name IDNA cannot convert).
     */
    public static Optional<String> of(String written) {
        if (written.startsWith("[")) {
            // the host parser reads a bracketed host as IPv6 before any decoding ("host parsing", step 2)
            return written.length() > 2 && written.endsWith("]") ? ipv6(written.substring(1, written.length() - 1))
                    : Optional.empty();
        }
        String name = PublicSuffixList.ascii(percentDecoded(written));
        if (name == null) {
            return Optional.empty();
        }
        return endsInANumber(name) ? ipv4(name) : Optional.of(name);
    }

    /**
     * Whether a browser reads a host as written as an IP address, valid or not: a bracketed host, or one whose last
     * label is a number once decoded and converted to ASCII ({@code 0x7f.1}, {@code １９２．０．２．１}).
     */
    public static boolean isIpAddress(String written) {
        if (written.startsWith("[")) {
            return true;
        }
        String name = PublicSuffixList.ascii(percentDecoded(written));
        return name != null && endsInANumber(name);
    }

    /**
     * The URL standard's "ends in a number checker": the last label (after one trailing dot) is all digits, or a
     * number in its IPv4 notation ({@code 0x1f}); such a host is an IPv4 address or no host at all.
     */
    private static boolean endsInANumber(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        String last = n.substring(n.lastIndexOf('.') + 1);
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return ipv4Number(last) >= 0;
    }

    /*
     * Hand-written because no library reads IPv4 addresses as browsers do: InetAddress takes only decimal parts (and,
     * in recent JDKs, refuses some as ambiguous), and Guava, which is not on our class path, neither. The parser is
     * the URL standard's "IPv4 parser": one to four parts, each decimal, octal (leading 0) or hexadecimal (0x); the
     * last part fills the bytes the missing parts leave, so 192.0.513 is 192.0.2.1 and 3221225985 is 192.0.2.1.
     */
    private static Optional<String> ipv4(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        String[] parts = n.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long address = 0;
        for (int i = 0; i < parts.length; i++) {
            long number = ipv4Number(parts[i]);
            boolean last = i == parts.length - 1;
            if (number < 0 || (!last && number > 255) || (last && number >= 1L << (8 * (5 - parts.length)))) {
                return Optional.empty();
            }
            address += last ? number : number << (8 * (3 - i));
        }
        return Optional.of((address >>> 24) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "."
                + (address & 255));
    }

    /** The URL standard's "IPv4 number parser"; -1 for failure, and for numbers past 32 bits, which no address has. */
    private static long ipv4Number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() >= 2 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 'z') {
                return -1;
            }
            value = value * radix + d;
            if (value > 0xFFFF_FFFFL) {
                return -1;
            }
        }
        return value;
    }

    /**
     * An IPv6 address read by the JDK, which never asks DNS for a bracketed host that contains a colon: it parses it
     * or throws. Only the characters of an address are let through, so no zone ({@code %eth0}), which the URL standard
     * does not allow either. The JDK returns an IPv4-mapped address as its IPv4 address.
     */
    private static Optional<String> ipv6(String address) {
        if (address.indexOf(':') < 0 || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 'z'
                || c == ':' || c == '.')) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName("[" + address + "]").getAddress();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        if (bytes.length == 4) {
            return Optional.of((bytes[0] & 255) + "." + (bytes[1] & 255) + "." + (bytes[2] & 255) + "." + (bytes[3] & 255));
        }
        return Optional.of("[" + serialised(bytes) + "]");
    }

    /** The URL standard's "IPv6 serializer": lower-case hex pieces, the first longest run of two or more zeros as ::. */
    private static String serialised(byte[] bytes) {
        int[] pieces = new int[8];
        for (int i = 0; i < 8; i++) {
            pieces[i] = (bytes[2 * i] & 255) << 8 | (bytes[2 * i + 1] & 255);
        }
        int compress = -1;
        int longest = 1;
        for (int i = 0; i < 8; ) {
            int run = 0;
            while (i + run < 8 && pieces[i + run] == 0) {
                run++;
            }
            if (run > longest) {
                longest = run;
                compress = i;
            }
            i += Math.max(run, 1);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == compress) {
                out.append(i == 0 ? "::" : ":");
                i += longest - 1;
                continue;
            }
            out.append(Integer.toHexString(pieces[i]));
            if (i != 7) {
                out.append(':');
            }
        }
        return out.toString();
    }

    /**
     * The host with its {@code %}-escapes decoded, in lower case: the host parser percent-decodes the host and reads
     * the bytes as UTF-8 before anything else ("host parsing", steps 4 and 5), so {@code %65vil.example} and
     * {@code evil%2Eexample} are evil.example and {@code %E4%BE%8B.jp} is 例.jp. Escapes are decoded once, as the
     * browser does ({@code %2565} is {@code %65}); a {@code %} without two hex digits stays as it is.
     */
    public static String percentDecoded(String host) {
        if (host.indexOf('%') < 0) {
            return host;
        }
        byte[] in = host.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            int high = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int low = high >= 0 ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && low >= 0) {
                out[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                out[n++] = in[i];
            }
        }
        // "UTF-8 decode without BOM": a malformed sequence becomes U+FFFD, which no host name may contain
        return new String(out, 0, n, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }
}
