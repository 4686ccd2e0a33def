package io.mamori.console.tracking;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.identity.Scope;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.StoredMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message tracking for the console pages and the REST API, always within the {@link Scope} of the user asking:
 * searches filter in the database by the addresses whose mail the user may see, and every message shown is checked
 * again with {@link Scope#canSeeMessage}. A message outside the scope is answered exactly like a message that does
 * not exist, so changing an id in a URL reveals nothing. Searches and views are audited ({@code message.search},
 * {@code message.view}), since they reveal senders, subjects and content.
 *
 * <p>Thread-safe.
 */
public final class MessageTracking {

    private static final Logger log = LoggerFactory.getLogger(MessageTracking.class);

    /** A finding code with its reason for people. */
    public record Reason(String code, String reasonJa, String reasonEn) {
    }

    /** A page of search results; {@code more} says whether another page follows. */
    public record Page(List<StoredMessage> messages, int offset, int limit, boolean more) {
    }

    /**
     * One message in detail: its record, reasons, safe rendering (empty if the content is gone, e.g. deleted) and
     * whether the user may act on it.
     */
    public record Detail(StoredMessage message, List<Reason> reasons, Optional<SafeMessage> content, boolean canAct) {
    }

    private final MessageStore store;
    private final Scope scope;
    private final FindingCatalogue catalogue;
    private final AuditTrail audit;
    private final Clock clock;

    public MessageTracking(MessageStore store, Scope scope, FindingCatalogue catalogue, AuditTrail audit, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Messages matching {@code query} that {@code user} may see, newest first; audited when {@code source != null}. */
    public Page search(ConsoleUser user, MessageQuery query, String source) {
        // One more than asked tells whether another page follows.
        MessageQuery scoped = query.withParties(scope.messageOwners(user)).withPage(query.offset(),
                Math.min(1000, query.limit() + 1));
        List<StoredMessage> found = new ArrayList<>(store.search(scoped));
        boolean more = found.size() > query.limit();
        List<StoredMessage> shown = found.stream().limit(query.limit()).filter(m -> scope.canSeeMessage(user, m)).toList();
        if (source != null) {
            record(user, source, "message.search", describe(query), shown.size() + " message(s)", true);
        }
        return new Page(shown, query.offset(), query.limit(), more);
    }

    /** The message if it exists and {@code user} may see it (not audited: callers audit what they do with it). */
    public Optional<StoredMessage> visible(ConsoleUser user, String id) {
        if (id == null || id.isBlank() || id.length() > 64) {
            return Optional.empty();
        }
        return store.find(id).filter(m -> scope.canSeeMessage(user, m));
    }

    /** Whether {@code user} may release, delete or approve {@code message}; never for a read-only user. */
    public boolean canAct(ConsoleUser user, StoredMessage message) {
        return !scope.readOnly(user) && scope.canActOnMessage(user, message);
    }

    /** Whether the user may only read (an auditor without another acting role). */
    public boolean readOnly(ConsoleUser user) {
        return scope.readOnly(user);
    }

    /**
     * A message with its content rendered safely, or empty when it does not exist or is outside the user's scope
     * (the two are not told apart). Audited as {@code message.view}.
     */
    public Optional<Detail> detail(ConsoleUser user, String id, String source) {
        Optional<StoredMessage> found = visible(user, id);
        if (found.isEmpty()) {
            record(user, source, "message.view", clip(id), "not found or out of scope", false);
            return Optional.empty();
        }
        StoredMessage m = found.get();
        Optional<SafeMessage> content;
        try (InputStream in = store.openContent(m.id())) {
            content = Optional.of(SafeMessage.read(in));
        } catch (NoSuchFileException e) {
            if (m.state() != MessageState.DELETED) {
                log.warn("message {}: its content file is missing", m.id());
            }
            content = Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            // a file damaged or a key missing: the page says so instead of failing (the rest of the message is shown)
            log.warn("message {}: its content cannot be read: {}", m.id(), e.toString());
            content = Optional.empty();
        }
        record(user, source, "message.view", m.id(), m.state().name(), true);
        return Optional.of(new Detail(m, reasons(m.findingCodes()), content, canAct(user, m)));
    }

    /** Reasons (ja, en) for a comma-separated list of finding codes. */
    public List<Reason> reasons(String findingCodes) {
        List<Reason> out = new ArrayList<>();
        if (findingCodes == null || findingCodes.isBlank()) {
            return out;
        }
        for (String code : new LinkedHashSet<>(List.of(findingCodes.split(",")))) {
            String c = code.strip();
            if (!c.isEmpty()) {
                out.add(catalogue.entry(c).map(e -> new Reason(c, e.reasonJa(), e.reasonEn())).orElse(new Reason(c, "", "")));
            }
        }
        return out;
    }

    public FindingCatalogue catalogue() {
        return catalogue;
    }

    private void record(ConsoleUser user, String source, String action, String object, String after, boolean success) {
        audit.record(new AuditEntry(clock.instant(), user.email(), source == null ? "local" : source, action, object, null,
                after, success));
    }

    private static String describe(MessageQuery q) {
        StringBuilder s = new StringBuilder();
        append(s, "id", q.id());
        append(s, "sender", q.sender());
        append(s, "recipient", q.recipient());
        append(s, "subject", q.subject());
        append(s, "action", q.action());
        append(s, "state", q.state() == null ? null : q.state().name());
        append(s, "direction", q.direction() == null ? null : q.direction().name());
        append(s, "from", q.from() == null ? null : q.from().toString());
        append(s, "to", q.to() == null ? null : q.to().toString());
        append(s, "offset", q.offset() == 0 ? null : String.valueOf(q.offset()));
        return s.isEmpty() ? "all" : clip(s.toString());
    }

    private static void append(StringBuilder s, String name, String value) {
        if (value != null) {
            s.append(s.isEmpty() ? "" : " ").append(name).append('=').append(value);
        }
    }

    /** Typed text is cut and stripped of control characters before it is recorded (no forged log lines). */
    static String clip(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 320 ? text.substring(0, 320) : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return out.toString();
    }
}
