package io.mamori.core.lists;

import java.util.Objects;

/**
 * One allow or block entry, wherever it is kept.
 *
 * @param kind    allow or block
 * @param target  sender or link (allow entries are always SENDER)
 * @param pattern the parsed value
 * @param source  where it is kept
 * @param owner   for {@link ListSource#USER}: the recipient address (lower case) whose list it is on; else {@code null}
 * @param ref     where exactly: the policy key ({@code lists.block.senders[0]}), the file and line
 *                ({@code lists.txt:12}) or the database id ({@code 17})
 */
public record ListEntry(ListKind kind, ListTarget target, ListPattern pattern, ListSource source, String owner, String ref) {

    public ListEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(ref, "ref");
        if (kind == ListKind.ALLOW && target != ListTarget.SENDER) {
            throw InvalidListEntry.allowOnlyForSenders();
        }
        if ((source == ListSource.USER) != (owner != null)) {
            throw new InvalidListEntry("an owner is given exactly for user entries",
                    "所有者 (owner) はユーザーごとの項目にだけ、必ず指定します");
        }
    }

    /**
     * Where the entry is, for evidence and lists: {@code policy:lists.block.senders[0]}, {@code file:lists.txt:12},
     * {@code global#17}, {@code user:sato@example.co.jp#18}.
     */
    public String origin() {
        return switch (source) {
            case POLICY -> "policy:" + ref;
            case FILE -> "file:" + ref;
            case GLOBAL -> "global#" + ref;
            case USER -> "user:" + owner + "#" + ref;
        };
    }

    /** {@code entry=partner.co.jp source=user:sato@example.co.jp#18}, the part of the evidence that names the entry. */
    public String evidence() {
        return "entry=" + pattern.text() + " source=" + origin();
    }
}
