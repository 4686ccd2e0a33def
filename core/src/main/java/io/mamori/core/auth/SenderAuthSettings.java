package io.mamori.core.auth;

import java.net.IDN;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Configuration of sender authentication. Immutable.
 *
 * @param trustedArcSealers domains whose ARC seals are believed (e.g. {@code google.com},
 *                          {@code microsoft.com} / {@code outlook.com} for mail forwarded by Google or Microsoft
 *                          365): a DMARC failure is overridden when such a sealer recorded {@code dmarc=pass}
 *                          in a valid chain (RFC 8617 §7.2). Stored lower-case ASCII.
 */
public record SenderAuthSettings(Set<String> trustedArcSealers) {

    public SenderAuthSettings {
        trustedArcSealers = trustedArcSealers.stream().map(d -> {
            String s = d.strip();
            if (s.isEmpty() || s.contains("@") || s.contains(" ")) {
                throw new IllegalArgumentException("not a domain: '" + d + "'");
            }
            return IDN.toASCII(s.endsWith(".") ? s.substring(0, s.length() - 1) : s).toLowerCase(Locale.ROOT);
        }).collect(Collectors.toUnmodifiableSet());
    }

    /** No trusted sealer: ARC is verified and reported, but never overrides DMARC. */
    public static SenderAuthSettings defaults() {
        return new SenderAuthSettings(Set.of());
    }
}
