package io.mamori.core.link;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The host of a web URL as a browser reads it (WHATWG URL standard, "host parsing"), for every check that compares
 * where a link leads with a name: what the link analyzer judges and what the block lists match must be the host the
 * browser opens, not the host as written. Stateless.
 */
public final class UrlHosts {

    private UrlHosts() {
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
