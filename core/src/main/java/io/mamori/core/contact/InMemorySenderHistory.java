package io.mamori.core.contact;

import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link SenderHistory} in memory, lost at exit: for tests and for tools that build a history from what they
 * see. Unbounded by design (one small entry per distinct domain). Thread-safe.
 */
public final class InMemorySenderHistory implements SenderHistory {

    private final ConcurrentMap<String, Contact> contacts = new ConcurrentHashMap<>();

    @Override
    public Optional<Contact> lastContact(String domain) {
        return Optional.ofNullable(contacts.get(domain));
    }

    @Override
    public void record(Collection<String> domains, Instant at) {
        Objects.requireNonNull(at, "at");
        for (String domain : domains) {
            contacts.merge(domain, new Contact(domain, at, at, 1), (old, add) -> new Contact(domain,
                    old.firstSeen().isBefore(at) ? old.firstSeen() : at,
                    old.lastSeen().isAfter(at) ? old.lastSeen() : at, old.count() + 1));
        }
    }

    @Override
    public Optional<Instant> recordingSince() {
        return contacts.values().stream().map(Contact::firstSeen).min(Instant::compareTo);
    }
}
