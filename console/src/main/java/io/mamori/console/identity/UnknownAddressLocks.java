package io.mamori.console.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed sign-ins of addresses that have no console account, counted as {@link JdbcAccounts} counts an account's, so
 * that the lockout answers alike for both: were only real accounts ever locked, ten wrong passwords would tell anyone
 * which addresses have one. Kept in memory only (nothing about addresses without an account is written to the
 * database), at most {@code maxAddresses} of them, the least recently tried forgotten first; flushing a count out
 * takes that many other addresses' attempts, which the per-client throttle slows down long before. Thread-safe.
 */
final class UnknownAddressLocks {
    static final int MAX_ADDRESSES = 10_000;

    private record State(int failures, Instant lockedUntil) {
    }

    private final Map<String, State> states;

    UnknownAddressLocks(int maxAddresses) {
        this.states = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** Until when the address is locked, if it is now. */
    synchronized Optional<Instant> lockedUntil(String address, Instant now) {
        State s = states.get(address);
        return s != null && s.lockedUntil() != null && now.isBefore(s.lockedUntil())
                ? Optional.of(s.lockedUntil()) : Optional.empty();
    }

    /** Counts a failure; when it is the {@code maxFailures}-th in a row, locks the address and says until when. */
    synchronized Optional<Instant> recordFailure(String address, Instant now, int maxFailures, Duration lockFor) {
        State s = states.get(address);
        int failures = (s == null ? 0 : s.failures()) + 1;
        if (failures >= maxFailures) {
            Instant until = now.plus(lockFor);
            states.put(address, new State(0, until));
            return Optional.of(until);
        }
        states.put(address, new State(failures, s == null ? null : s.lockedUntil()));
        return Optional.empty();
    }

    synchronized int size() {
        return states.size();
    }
}
