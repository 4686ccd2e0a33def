package io.mamori.core.auth;

import java.net.IDN;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Configuration of sender authentication. Immutable.
 *
 * @param trustedArcSealers domains whose ARC seals are believed (e.g. {@code google.com},
 *                          {@code microsoft.com} / {@code outlook.com} for mail forwarded by Google or Microsoft
 *                          365): a DMARC failure is overridden when such a sealer sealed the newest set of a
 *                          valid chain and recorded {@code dmarc=pass} for the message's From domain in it
 *                          (RFC 8617 §7.2). Stored lower-case ASCII.
 * @param dnsTimeLimit      how long one message's evaluation waits for DNS answers in all: past it an unanswered
 *                          question is a temporary error. Below the analyzer's time budget, so that the evaluation
 *                          ends with what it knows (the From domain's DMARC policy is asked first) rather than being
 *                          cut off as a failed analyzer.
 */
public record SenderAuthSettings(Set<String> trustedArcSealers, Duration dnsTimeLimit) {

    /** Under the gateway's default analysis budget of 5 s, with time left to decide. */
    public static final Duration DEFAULT_DNS_TIME_LIMIT = Duration.ofSeconds(4);

    /** With the {@link #DEFAULT_DNS_TIME_LIMIT}. */
    public SenderAuthSettings(Set<String> trustedArcSealers) {
        this(trustedArcSealers, DEFAULT_DNS_TIME_LIMIT);
    }

    public SenderAuthSettings {
        if (dnsTimeLimit == null || dnsTimeLimit.isNegative() || dnsTimeLimit.isZero()) {
            throw new IllegalArgumentException("dnsTimeLimit must be positive: " + dnsTimeLimit);
        }
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
