package io.mamori.core.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One mailbox of an address header whose encoded words are already decoded, as the message parser gives them
 * ({@link #author} reads the field as written). Hand-written because mime4j's address parsers work on the raw (ASCII) header and would turn the decoded
 * Japanese display names into question marks; a display name is all we need beyond the address.
 *
 * @param displayName the phrase before {@code <...>} or the comment after a bare address, unquoted; may be empty
 * @param address     the address, lower-case
 */
public record Mailbox(String displayName, String address) {

    /** The most mailboxes {@link #parseList} reads of one header value. */
    public static final int MAX_MAILBOXES = 50;

    /** The domain part of the address, or empty when there is none. */
    public Optional<String> domain() {
        return domainOf(address);
    }

    public static Optional<String> domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return Optional.empty();
        }
        String domain = address.substring(at + 1).strip();
        if (domain.startsWith("[") || domain.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(domain.toLowerCase(Locale.ROOT));
    }

    /**
     * The mailboxes of a header value, at most {@value #MAX_MAILBOXES}. A group ({@code Board: a@x, b@y;}) gives its
     * members; its name is no mailbox.
     */
    public static List<Mailbox> parseList(String value) {
        List<Mailbox> mailboxes = new ArrayList<>();
        for (Item item : items(value)) {
            if (!item.groupName()) {
                parse(item).ifPresent(mailboxes::add);
            }
            if (mailboxes.size() >= MAX_MAILBOXES) {
                break;
            }
        }
        return mailboxes;
    }

    /**
     * The author of a From field: the mailbox whose domain DMARC judges (RFC 7489 §6.6.1) and the sender lists match,
     * so that both judge the same address. It is the field's only item with an {@code @} outside quoted strings,
     * comments and domain literals, read as an address. Anything that makes the address a matter of interpretation
     * gives none: a second such item (after a comma, inside a group), an item that is no address (two {@code @}, an
     * {@code @} after the angle brackets, words between the atoms), or an unclosed quote, comment, literal or angle
     * bracket. Phrases beside it (a comment, a quoted string, a group's name, a bare word like "Doe" of
     * {@code Doe, John <jdoe@example.com>}) name nobody. Every item is looked at, past {@value #MAX_MAILBOXES}.
     *
     * @param field the From field; its structure is read from the value {@linkplain HeaderField#asWritten() as
     *              written}, and the display name then decoded
     */
    public static Optional<Mailbox> author(HeaderField field) {
        return author(field.asWritten()).map(m -> new Mailbox(EncodedWords.decode(m.displayName()), m.address()));
    }

    /** {@link #author(HeaderField)} of a value as written (encoded words not decoded). */
    static Optional<Mailbox> author(String value) {
        Scanned scanned = Scanned.of(value);
        if (!scanned.closed()) {
            return Optional.empty();
        }
        Item only = null;
        for (Item item : items(scanned)) {
            if (item.mask().indexOf('@') < 0) {
                continue;
            }
            if (only != null || item.groupName()) {
                return Optional.empty();
            }
            only = item;
        }
        return only == null ? Optional.empty() : parse(only).filter(m -> hasDomainPart(m.address()));
    }

    /**
     * Every word of a header value (as written) with an {@code @} outside quoted strings and comments, lower-case, at
     * most {@value #MAX_MAILBOXES}: what a lenient program could take for an address, also where the field is no valid
     * list ({@code "x"<TAB>offers@spam.example}, {@code Spam Co offers@spam.example}) and so has no mailbox or author.
     * For block lists, where one more candidate can only block more; never for anything that grants.
     */
    public static List<String> addressLikeWords(String value) {
        String mask = Scanned.of(value).mask();
        List<String> words = new ArrayList<>();
        for (int at = mask.indexOf('@'); at >= 0 && words.size() < MAX_MAILBOXES; at = mask.indexOf('@', at + 1)) {
            int start = at;
            while (start > 0 && !wordEnd(mask.charAt(start - 1))) {
                start--;
            }
            int end = at + 1;
            while (end < mask.length() && !wordEnd(mask.charAt(end))) {
                end++;
            }
            words.add(value.substring(start, end).toLowerCase(Locale.ROOT));
            at = end - 1;
        }
        return words;
    }

    private static boolean wordEnd(char maskChar) {
        return Character.isWhitespace(maskChar) || "<>,;:".indexOf(maskChar) >= 0;
    }

    /** The first mailbox of a header value. */
    public static Optional<Mailbox> first(String value) {
        List<Mailbox> all = parseList(value);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * The sender as a reader takes it from a From field: its first mailbox, whose display name is everything the
     * field shows besides addresses. Phrases of the list that hold no address are joined to it in field order, with
     * the comma that separated them: an unquoted comma in a name ({@code Doe, John <jdoe@example.com>} is
     * "Doe, John", not "John"), or a name put before a comma to hide it from parsers that take the first mailbox's
     * phrase alone ({@code Microsoft account team ,_<x@evil.example>} shows "Microsoft account team" to the reader and
     * "_" to such a parser). Other mailboxes of the field are left out. A field with no address holding an {@code @}
     * gives its first mailbox as {@link #first} does.
     */
    public static Optional<Mailbox> sender(String value) {
        Parts parts = shownParts(value);
        if (parts.first() == null) {
            // no address with a domain at all ("Mail Delivery Subsystem <MAILER-DAEMON>"): the first mailbox as it is
            return first(value);
        }
        String name = String.join(", ", parts.shown());
        Mailbox first = parts.first();
        return Optional.of(name.equals(first.displayName()) ? first : new Mailbox(name, first.address()));
    }

    /**
     * The name a From field shows apart from its only address, when it stands there on purpose: a phrase that holds no
     * address, separated from the address by a comma, where the address carries no name of its own
     * ({@code Kundenservice, <service@example.de>}, {@code Microsoft account team ,_<x@evil.example>}), the same name
     * again ({@code Decathlon, Decathlon <x@example.net>}), or the phrase was quoted as a whole
     * ({@code "Paket-Service", jehd <x@example.de>}). Parsers that take the first mailbox's phrase (DMARC's, many
     * filters') see another name than the reader. An unquoted comma inside a person's or company's name
     * ({@code Doe, John <jdoe@example.com>}, {@code Widgets, Inc. <news@example.com>}) is a sending program's mistake,
     * not this: its address has a name of its own. Empty for a field with no address or with more than one.
     */
    public static Optional<String> detachedName(String value) {
        Parts parts = shownParts(value);
        if (parts.addresses() != 1 || parts.phrases().isEmpty()) {
            return Optional.empty();
        }
        String own = parts.first().displayName();
        boolean nameless = own.codePoints().noneMatch(Character::isLetterOrDigit);
        boolean repeated = parts.phrases().stream().anyMatch(p -> p.equalsIgnoreCase(own));
        return nameless || repeated || parts.quotedPhrase() ? Optional.of(String.join(", ", parts.phrases()))
                : Optional.empty();
    }

    /**
     * An address field as a reader sees it.
     *
     * @param first        the first mailbox with an address holding {@code @}, or {@code null}
     * @param addresses    how many such mailboxes the field holds
     * @param shown        what the field shows besides addresses, in field order: its phrases and the first mailbox's
     *                     own name
     * @param phrases      the items that hold no address (a bare word without {@code @} is one), at most
     *                     {@value #MAX_MAILBOXES}
     * @param quotedPhrase whether one of them was quoted as a whole
     */
    private record Parts(Mailbox first, int addresses, List<String> shown, List<String> phrases, boolean quotedPhrase) {
    }

    /**
     * {@link #parts} as a reader's program shows the field. A field whose only address is inside a comment
     * ({@code Temu,(<service@example.de>)}) has no mailbox for a parser ({@link #author} gives none: no author, no
     * DMARC domain), but programs show a comment's text, so the reader sees the name "Temu" and that address: the
     * sender analyzers judge what the reader sees, so for them the comment is read as text.
     */
    private static Parts shownParts(String value) {
        Parts parts = parts(value);
        if (parts.addresses() > 0 || value.indexOf('(') < 0) {
            return parts;
        }
        return parts(commentsAsText(value));
    }

    /** {@code value} with the parentheses of its comments (outside quoted strings) made spaces. */
    private static String commentsAsText(String value) {
        StringBuilder b = new StringBuilder(value.length());
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                b.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            b.append(!quoted && (c == '(' || c == ')') ? ' ' : c);
        }
        return b.toString();
    }

    /** Every item is looked at: padding the field with empty items must not push an address out of reach. */
    private static Parts parts(String value) {
        Mailbox first = null;
        int addresses = 0;
        List<String> shown = new ArrayList<>();
        List<String> phrases = new ArrayList<>();
        boolean quoted = false;
        for (Item item : items(value)) {
            // a bare word without @ ("Doe" of Doe, John <…>) is a phrase here, not an address, and so is a quoted
            // phrase whose only @ is inside the quotes ("Delivery@GLS.de", <x@evil.example>), and a group's name: a
            // reader sees a name
            Optional<Mailbox> mailbox = item.groupName() ? Optional.empty()
                    : parse(item).filter(m -> hasDomainPart(m.address()));
            if (mailbox.isPresent()) {
                addresses++;
                if (first == null) {
                    first = mailbox.get();
                    if (!first.displayName().isEmpty()) {
                        shown.add(first.displayName());
                    }
                }
                continue;
            }
            String phrase = unquoted(item.text());
            if (!phrase.isEmpty() && phrases.size() < MAX_MAILBOXES) {
                phrases.add(phrase);
                shown.add(phrase);
                quoted |= item.text().strip().startsWith("\"");
            }
        }
        return new Parts(first, addresses, shown, phrases, quoted);
    }

    private static Optional<Mailbox> parse(Item item) {
        String text = item.text();
        String mask = item.mask();
        int open = mask.indexOf('<');
        if (open >= 0) {
            int close = mask.indexOf('>', open);
            int end = close < 0 ? text.length() : close;
            if (close >= 0 && mask.indexOf('@', close) >= 0) {
                // "<x@evil.example> ceo@victim.example": which of the two a program shows is anyone's guess
                return Optional.empty();
            }
            return addrSpec(text.substring(open + 1, end), mask.substring(open + 1, end), true)
                    .map(a -> new Mailbox(unquoted(text.substring(0, open)), a));
        }
        return addrSpec(text, mask, false).map(a -> new Mailbox(commentText(text), a));
    }

    /**
     * The address of an addr-spec, lower-case, without its comments and the folding white space RFC 5322 §4.4 lets
     * stand around its dots and {@code @} (obsolete syntax, still to be read: {@code jdoe@machine(comment). example});
     * an obsolete route ({@code <@relay.example:jdoe@example.com>}) is dropped. Empty when it is none: two {@code @}
     * outside quotes, or white space between two words ({@code Taro Yamada taro@example.com}). Outside angle brackets,
     * text without an {@code @} is a bare word when it is one word ({@code postmaster}, "Doe" of {@code Doe, John
     * <…>}), and a phrase, so nothing, when it is several.
     */
    private static Optional<String> addrSpec(String text, String mask, boolean angle) {
        int from = 0;
        if (angle && mask.stripLeading().startsWith("@")) {
            int colon = mask.indexOf(':');
            if (colon >= 0) {
                from = colon + 1;
            }
        }
        StringBuilder address = new StringBuilder(text.length() - from);
        StringBuilder structure = new StringBuilder(text.length() - from);
        boolean wordsApart = false;
        boolean gap = false;
        char before = 0;
        for (int i = from; i < mask.length(); i++) {
            char m = mask.charAt(i);
            if (Character.isWhitespace(m)) {
                gap = true;
                continue;
            }
            if (gap && before != 0 && before != '.' && before != '@' && m != '.' && m != '@') {
                wordsApart = true;
            }
            gap = false;
            before = m;
            address.append(text.charAt(i));
            structure.append(m);
        }
        if (address.isEmpty() || wordsApart || structure.chars().filter(c -> c == '@').count() > 1) {
            return Optional.empty();
        }
        return Optional.of(address.toString().toLowerCase(Locale.ROOT));
    }

    /** The text of the comments of a bare address, its display name ({@code a@example.com (Accounts)}). */
    private static String commentText(String text) {
        StringBuilder comment = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && (depth > 0 || quoted) && i + 1 < text.length()) {
                if (depth > 0) {
                    comment.append(text.charAt(i + 1));
                }
                i++;
            } else if (depth == 0 && c == '"') {
                quoted = !quoted;
            } else if (quoted) {
                continue;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth > 0) {
                comment.append(c);
            }
        }
        return comment.toString().strip();
    }

    private static String unquoted(String phrase) {
        String p = phrase.strip();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            p = p.substring(1, p.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return p.strip();
    }

    /**
     * One item of an address list: a mailbox, a phrase, or the name of a group.
     *
     * @param text      the item as written
     * @param mask      its {@link Scanned#mask() mask}
     * @param groupName whether it is the name before a group's colon ({@code Board} of {@code Board: a@x, b@y;})
     */
    private record Item(String text, String mask, boolean groupName) {
    }

    /**
     * A header value and its mask: the same characters where they are structure, a space for each character of a
     * comment (RFC 5322 §3.2.2 counts comments as folding white space), and {@link #HIDDEN} for each character inside
     * a quoted string or a domain literal, so that a special found in the mask ({@code < > , ; : @}) is one. Quoted
     * pairs (RFC 5322 §3.2.1) are read in comments too: {@code (\) <x@evil.example>)} is one comment.
     *
     * @param closed whether every quoted string, comment, domain literal and angle bracket was closed
     */
    private record Scanned(String text, String mask, boolean closed) {
        static final char HIDDEN = 'x';

        static Scanned of(String value) {
            StringBuilder m = new StringBuilder(value.length());
            int comment = 0;
            boolean quoted = false;
            boolean literal = false;
            boolean angle = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean inside = comment > 0 || quoted || literal;
                char hidden = comment > 0 ? ' ' : HIDDEN;
                if (inside && c == '\\' && i + 1 < value.length()) {
                    m.append(hidden).append(hidden);
                    i++;
                } else if (comment > 0) {
                    comment += c == '(' ? 1 : c == ')' ? -1 : 0;
                    m.append(' ');
                } else if (quoted || literal) {
                    boolean ends = quoted ? c == '"' : c == ']';
                    quoted &= !ends;
                    literal &= !ends;
                    m.append(ends ? c : HIDDEN);
                } else if (c == '(') {
                    comment = 1;
                    m.append(' ');
                } else {
                    quoted = c == '"';
                    literal = c == '[';
                    angle = c == '<' || (angle && c != '>');
                    m.append(c);
                }
            }
            return new Scanned(value, m.toString(), comment == 0 && !quoted && !literal && !angle);
        }
    }

    private static List<Item> items(String value) {
        return items(Scanned.of(value));
    }

    /**
     * The items of an address list: split at commas, at the colon after a group's name and at the semicolon that ends
     * the group (RFC 5322 §3.4), outside angle brackets and what the mask hides.
     */
    private static List<Item> items(Scanned scanned) {
        String text = scanned.text();
        String mask = scanned.mask();
        List<Item> items = new ArrayList<>();
        boolean angle = false;
        int start = 0;
        for (int i = 0; i < mask.length(); i++) {
            char c = mask.charAt(i);
            if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            } else if (!angle && (c == ',' || c == ';' || c == ':')) {
                items.add(new Item(text.substring(start, i), mask.substring(start, i), c == ':'));
                start = i + 1;
            }
        }
        items.add(new Item(text.substring(start), mask.substring(start), false));
        return items;
    }

    /** Whether an address has an {@code @} outside quotes: {@code "a@b"} alone is a quoted phrase, not an address. */
    static boolean hasDomainPart(String address) {
        return Scanned.of(address).mask().indexOf('@') >= 0;
    }
}
