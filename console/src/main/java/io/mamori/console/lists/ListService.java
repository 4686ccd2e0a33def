package io.mamori.console.lists;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.AuditTrail;
import io.mamori.core.lists.InvalidListEntry;
import io.mamori.core.lists.ListEntry;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListTarget;
import io.mamori.gateway.lists.JdbcListStore;
import io.mamori.gateway.lists.JdbcListStore.StoredEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Allow and block list management shared by the REST API and the CLI. Entries added here go to the database
 * (organisation-wide, or one recipient's with {@code user}); the policy's and the list file's entries are shown
 * alongside, read-only (edit those files instead). Every call is recorded in the audit trail, refused ones too; an
 * addition or removal in one transaction with its entry ({@link AuditTrail#recordAlong}), so that when the entry cannot
 * be written the list is as it was and the call throws.
 *
 * <p>Errors are exceptions with a specific message in English and Japanese: {@link InvalidListEntry} for a bad
 * value, list, target, user or comment, {@link JdbcListStore.DuplicateEntry} for a value already listed,
 * {@link NotListed} for an unknown entry. Thread-safe.
 */
public final class ListService {

    /**
     * One entry as listed.
     *
     * @param id        database id, or {@code null} for policy and file entries
     * @param editable  whether it can be removed here (database entries only)
     */
    public record View(Long id, String list, String target, String value, String source, String origin, String owner,
            String comment, String createdBy, Instant createdAt, boolean editable) {
    }

    /** No such entry (by id), or the value is not on that list; the English text is the exception's message. */
    public static final class NotListed extends NoSuchElementException {
        private static final long serialVersionUID = 1L;
        private final String messageJa;

        NotListed(String message, String messageJa) {
            super(message);
            this.messageJa = messageJa;
        }

        /**
         * No entry with this id; also the answer for an entry the caller may not see, so that both read the same.
         */
        public static NotListed entry(long id) {
            return new NotListed("no list entry #" + id, "リストに #" + id + " の項目はありません");
        }

        public String messageJa() {
            return messageJa;
        }

        /** Japanese first, then English. */
        public String bilingual() {
            return messageJa + " / " + getMessage();
        }
    }

    private final JdbcListStore store;
    private final Supplier<List<ListEntry>> policyEntries;
    private final Supplier<List<ListEntry>> fileEntries;
    private final AuditTrail audit;
    private final Clock clock;

    public ListService(JdbcListStore store, Supplier<List<ListEntry>> policyEntries, Supplier<List<ListEntry>> fileEntries,
            AuditTrail audit, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.policyEntries = Objects.requireNonNull(policyEntries, "policyEntries");
        this.fileEntries = Objects.requireNonNull(fileEntries, "fileEntries");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The target a value implies when none is given: a URL is a link entry, anything else a sender entry. */
    public static ListTarget impliedTarget(String value) {
        return value != null && value.contains("://") ? ListTarget.LINK : ListTarget.SENDER;
    }

    /** Adds an entry to the organisation-wide list ({@code user == null}) or to one recipient's. */
    public View add(ListKind kind, ListTarget target, String user, String value, String comment, String actor, String source) {
        String object = object(kind, target, user, value);
        AtomicReference<StoredEntry> added = new AtomicReference<>();
        try {
            // the entry is recorded in the insert's transaction: no entry is added without its record
            StoredEntry e = audit.recordAlong(work -> store.add(kind, target, user, value, comment, actor, stored -> {
                added.set(stored);
                return work;
            }), done -> entry(actor, source, "lists.add", object, added.get().entry().origin(), true));
            return view(e);
        } catch (AuditLogException e) {
            throw e; // neither added nor recorded
        } catch (RuntimeException e) {
            // refused before the insert (an invalid value, a duplicate): nothing happened
            record(actor, source, "lists.add", object, e.getMessage(), false);
            throw e;
        }
    }

    /** Removes a database entry by id. @throws NotListed if there is none */
    public View remove(long id, String actor, String source) {
        StoredEntry e = store.find(id).orElse(null);
        if (e == null) {
            record(actor, source, "lists.remove", "#" + id, "no such entry", false);
            throw NotListed.entry(id);
        }
        if (!removeRecorded(id, "#" + id, object(e.entry().kind(), e.entry().target(), e.entry().owner(),
                e.entry().pattern().text()), "no such entry", actor, source)) {
            throw NotListed.entry(id);
        }
        return view(e);
    }

    /** Removes a database entry by value. @throws NotListed if that value is not on that list */
    public View remove(ListKind kind, ListTarget target, String user, String value, String actor, String source) {
        String object = object(kind, target, user, value);
        StoredEntry e;
        try {
            e = store.find(kind, target, user, value).orElse(null);
        } catch (IllegalArgumentException bad) {
            record(actor, source, "lists.remove", object, bad.getMessage(), false);
            throw bad;
        }
        if (e == null || !removeRecorded(e.id(), object, e.entry().origin(), "not listed", actor, source)) {
            if (e == null) {
                record(actor, source, "lists.remove", object, "not listed", false);
            }
            throw new NotListed("not on the " + kind.lowerName() + " list" + (user == null ? "" : " of " + user) + ": " + value,
                    kind.lowerName() + " リスト" + (user == null ? "" : " (" + user + ")") + "に登録されていません: " + value);
        }
        return view(e);
    }

    /**
     * The organisation-wide entries of every source ({@code user == null}: policy, list file, database) or one
     * recipient's database entries; {@code kind == null} for both lists.
     */
    public List<View> list(ListKind kind, String user, String actor, String source) {
        List<View> out = new ArrayList<>();
        try {
            if (user == null) {
                for (ListEntry e : policyEntries.get()) {
                    out.add(view(e));
                }
                for (ListEntry e : fileEntries.get()) {
                    out.add(view(e));
                }
            }
            for (StoredEntry e : store.list(user)) {
                out.add(view(e));
            }
        } catch (IllegalArgumentException e) {
            record(actor, source, "lists.list", user == null ? "global" : "user " + user, e.getMessage(), false);
            throw e;
        }
        List<View> filtered = kind == null ? out : out.stream().filter(v -> v.list().equals(kind.lowerName())).toList();
        record(actor, source, "lists.list", (kind == null ? "allow,block" : kind.lowerName())
                + (user == null ? " global" : " user " + user), filtered.size() + " entries", true);
        return filtered;
    }

    private static View view(ListEntry e) {
        return new View(null, e.kind().lowerName(), e.target().lowerName(), e.pattern().text(), e.source().lowerName(),
                e.origin(), e.owner(), "", "", null, false);
    }

    private static View view(StoredEntry s) {
        ListEntry e = s.entry();
        return new View(s.id(), e.kind().lowerName(), e.target().lowerName(), e.pattern().text(), e.source().lowerName(),
                e.origin(), e.owner(), s.comment(), s.createdBy(), s.createdAt(), true);
    }

    /** Records a request refused before it reached the lists (outside the caller's scope). */
    public void refused(String action, String object, String reason, String actor, String source) {
        record(actor, source, action, object, "refused: " + reason, false);
    }

    /** The owner of a database entry ({@code null} for an organisation-wide one), if there is such an entry. */
    public java.util.Optional<java.util.Optional<String>> ownerOf(long id) {
        return store.find(id).map(e -> java.util.Optional.ofNullable(e.entry().owner()));
    }

    private static String object(ListKind kind, ListTarget target, String user, String value) {
        return kind.lowerName() + " " + target.lowerName() + " " + value + (user == null ? "" : " user=" + user);
    }

    /** Removes a database entry with its record, in one transaction where the trail is the audit table. */
    private boolean removeRecorded(long id, String object, String removed, String notThere, String actor, String source) {
        return audit.recordAlong(work -> store.remove(id, work),
                gone -> entry(actor, source, "lists.remove", object, gone ? removed : notThere, gone));
    }

    private AuditEntry entry(String actor, String source, String action, String object, String after, boolean success) {
        return new AuditEntry(clock.instant(), actor, source, action, object, null, after, success);
    }

    private void record(String actor, String source, String action, String object, String after, boolean success) {
        audit.record(entry(actor, source, action, object, after, success));
    }
}
