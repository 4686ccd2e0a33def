package io.mamori.core.network;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed sign-ins (the console's, SMTP AUTH's) per client address in fixed windows and refuses an address
 * that reached the limit until its window ends; the per-account lockout catches guessing at one account, this catches
 * one client trying many (and, for SMTP AUTH, one client making the gateway compute password hashes without end). An IPv6 client counts by its /64, since one host usually holds a whole /64.
 *
 * <p>Kept in memory (a restart forgets it; the account lockout is in the database) and bounded: the least
 * recently touched addresses are dropped beyond {@value #MAX_ADDRESSES}. Thread-safe. Hand-written rather than
 * a rate-limit library because it is a counter per key with a clock and a size bound.
 */
public final class FailureThrottle {

    static final int MAX_ADDRESSES = 100_000;

    private record Window(Instant start, int failures) {
    }

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> windows = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public FailureThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** Whether {@code client} has used up its failures in the current window. */
    public synchronized boolean refused(InetAddress client) {
        Window w = current(key(client));
        return w != null && w.failures() >= maxFailures;
    }

    public synchronized void recordFailure(InetAddress client) {
        String key = key(client);
        Window w = current(key);
        windows.put(key, w == null ? new Window(clock.instant(), 1) : new Window(w.start(), w.failures() + 1));
    }

    private Window current(String key) {
        Window w = windows.get(key);
        if (w != null && !clock.instant().isBefore(w.start().plus(window))) {
            windows.remove(key);
            return null;
        }
        return w;
    }

    private static String key(InetAddress client) {
        byte[] bytes = client.getAddress();
        return Arrays.toString(bytes.length == 16 ? Arrays.copyOf(bytes, 8) : bytes);
    }
}
