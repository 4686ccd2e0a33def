package io.mamori.core.contact;

import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * Which external domains this gateway has been in contact with, and when: the memory behind {@code FIRST_CONTACT}.
 * A domain counts as contacted when inbound mail from it was accepted for delivery, or when one of our users sent
 * mail to it (outbound recipients' domains: writing to someone makes them a known contact). Domains are
 * registrable domains in lower-case ASCII.
 *
 * <p>Contract: thread-safe. {@link #lastContact} is called for every inbound message under the analyzer's time
 * budget; {@link #record} is called after a message is committed and must not block the SMTP session for long
 * (implementations may buffer and write in batches, so a record can take a moment to become visible).
 */
public interface SenderHistory {

    /**
     * What is known about one domain.
     *
     * @param domain    registrable domain, lower-case ASCII
     * @param firstSeen first recorded contact
     * @param lastSeen  latest recorded contact
     * @param count     contacts recorded (messages, or outbound recipients)
     */
    record Contact(String domain, Instant firstSeen, Instant lastSeen, long count) {
        public Contact {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(firstSeen, "firstSeen");
            Objects.requireNonNull(lastSeen, "lastSeen");
        }
    }

    /** The history of a domain, or empty if it was never recorded. */
    Optional<Contact> lastContact(String domain);

    /** Records one contact with each of {@code domains} at {@code at}. */
    void record(Collection<String> domains, Instant at);

    /** When recording began (the earliest first contact), or empty while nothing is recorded. */
    Optional<Instant> recordingSince();
}
