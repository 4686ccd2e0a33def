package io.mamori.gateway.contact;

import io.mamori.core.contact.SenderHistory;
import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Feeds the {@link SenderHistory} from accepted mail: for inbound mail committed for delivery (DELIVER or TAG), the
 * registrable domain of its single From address; for outbound mail committed for delivery, the registrable
 * domains of its recipients (writing to someone makes them a known contact). Held, quarantined and rejected mail
 * counts for nothing, so an attacker's blocked attempts never make its domain known. Internal domains are not
 * recorded. Thread-safe when the history is.
 */
public final class ContactRecorder {

    private final SenderHistory history;
    private final Supplier<Policy> policy;
    private final PublicSuffixList suffixes = PublicSuffixList.builtIn();

    public ContactRecorder(SenderHistory history, Supplier<Policy> policy) {
        this.history = Objects.requireNonNull(history, "history");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Records the contacts of a message just committed for delivery.
     *
     * @param message the parsed message (its headers), or {@code null} when parsing failed
     */
    public void accepted(Envelope envelope, ParsedMessage message, Instant at) {
        Set<String> domains = new LinkedHashSet<>();
        Policy p = policy.get();
        if (envelope.direction() == Direction.INBOUND) {
            if (message != null) {
                List<String> froms = message.headers("From");
                if (froms.size() == 1) {
                    List<Mailbox> mailboxes = Mailbox.parseList(froms.get(0));
                    if (mailboxes.size() == 1) {
                        registrable(mailboxes.get(0).address(), p).ifPresent(domains::add);
                    }
                }
            }
        } else {
            for (String recipient : envelope.recipients()) {
                registrable(recipient, p).ifPresent(domains::add);
            }
        }
        if (!domains.isEmpty()) {
            history.record(domains, at);
        }
    }

    private Optional<String> registrable(String address, Policy p) {
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        if (p.isInternal(a)) {
            return Optional.empty();
        }
        return Mailbox.domainOf(a).flatMap(suffixes::registrableDomain);
    }
}
