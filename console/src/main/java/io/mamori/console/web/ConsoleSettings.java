package io.mamori.console.web;

import io.mamori.core.network.Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the web console (keys {@code mamori.console.*}, validated by the application at start).
 *
 * @param sessionTimeout        idle time after which a signed-in session ends
 * @param maxFailuresPerAddress failed sign-ins from one client address (an IPv6 /64 counts as one) within
 *                              {@code addressWindow} after which that address is refused until the window ends
 * @param addressWindow         length of the per-address window
 * @param trustedProxies        reverse proxies whose {@code X-Forwarded-For} is believed; empty: none
 * @param issuer                name shown in authenticator apps next to the account
 * @param metricsNetworks       clients that may read the Prometheus metrics without a token (others need an
 *                              administrator's or auditor's API token)
 */
public record ConsoleSettings(Duration sessionTimeout, int maxFailuresPerAddress, Duration addressWindow,
        List<Cidr> trustedProxies, String issuer, List<Cidr> metricsNetworks) {

    public ConsoleSettings {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(addressWindow, "addressWindow");
        Objects.requireNonNull(issuer, "issuer");
        trustedProxies = List.copyOf(trustedProxies);
        metricsNetworks = List.copyOf(metricsNetworks);
        if (sessionTimeout.toSeconds() < 60) {
            throw new IllegalArgumentException("session timeout must be at least one minute: " + sessionTimeout);
        }
        if (maxFailuresPerAddress < 1) {
            throw new IllegalArgumentException("max failures per address must be at least 1: " + maxFailuresPerAddress);
        }
    }
}
