package io.mamori.core.contact;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.link.PublicSuffixList;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Mailbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code FIRST_CONTACT}: inbound mail whose From domain (its registrable domain) this gateway has had no contact
 * with in the window (policy {@code first_contact.window_days}, 90 by default). Alone it weighs little (most new
 * contacts are new customers); it matters in combination with a lure or a lookalike sender, the shape of business
 * e-mail compromise.
 *
 * <p>A history that has only just started knows nobody, so while it is younger than the learning period
 * ({@code first_contact.learning_days}) nothing is reported; otherwise every message of a new installation would
 * be a "first contact". Internal domains are never reported (mail that claims to be from them is the business of
 * sender authentication and impersonation checks). Messages without exactly one From address are skipped.
 *
 * <p>Thread-safe when the history is.
 */
public final class FirstContactAnalyzer implements Analyzer {

    public static final String NAME = "first-contact";
    public static final String FIRST_CONTACT = "FIRST_CONTACT";

    /**
     * @param window   a domain not contacted within this long counts as a first contact again
     * @param learning how old the history must be before anything is reported; zero reports at once
     * @param internal whether a domain is the organisation's own
     */
    public record Settings(Duration window, Duration learning, Predicate<String> internal) {
        public Settings {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(learning, "learning");
            Objects.requireNonNull(internal, "internal");
        }
    }

    private final SenderHistory history;
    private final Clock clock;
    private final Supplier<Settings> settings;
    private final PublicSuffixList suffixes = PublicSuffixList.builtIn();

    public FirstContactAnalyzer(SenderHistory history, Clock clock, Supplier<Settings> settings) {
        this.history = Objects.requireNonNull(history, "history");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> codes() {
        return Set.of(FIRST_CONTACT);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        if (input.envelope().direction() != Direction.INBOUND) {
            return List.of();
        }
        Optional<String> domain = fromDomain(input);
        Settings s = settings.get();
        if (domain.isEmpty() || s.internal().test(domain.get())) {
            return List.of();
        }
        Instant now = clock.instant();
        Optional<Instant> since = history.recordingSince();
        if (since.isEmpty() || since.get().isAfter(now.minus(s.learning()))) {
            return List.of();
        }
        Optional<SenderHistory.Contact> contact = history.lastContact(domain.get());
        if (contact.isEmpty()) {
            return List.of(Finding.of(FIRST_CONTACT, "domain=" + domain.get() + " never seen before"));
        }
        Instant last = contact.get().lastSeen();
        if (last.isBefore(now.minus(s.window()))) {
            long days = Duration.between(last, now).toDays();
            return List.of(Finding.of(FIRST_CONTACT, "domain=" + domain.get() + " last contact "
                    + last.atOffset(ZoneOffset.UTC).toLocalDate() + " (" + days + " days ago; window "
                    + s.window().toDays() + " days)"));
        }
        return List.of();
    }

    /** The registrable domain of the one From address, lower-case ASCII. */
    Optional<String> fromDomain(AnalysisInput input) {
        List<String> froms = input.message().headers("From");
        if (froms.size() != 1) {
            return Optional.empty();
        }
        List<Mailbox> mailboxes = Mailbox.parseList(froms.get(0));
        if (mailboxes.size() != 1) {
            return Optional.empty();
        }
        return mailboxes.get(0).domain().flatMap(suffixes::registrableDomain);
    }
}
