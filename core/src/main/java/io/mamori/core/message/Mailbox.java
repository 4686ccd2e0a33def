package io.mamori.core.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One mailbox of an address header whose encoded words are already decoded, as the message parser gives them.
 * Hand-written because mime4j's address parsers work on the raw (ASCII) header and would turn the decoded
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

    /** The mailboxes of a header value, at most {@value #MAX_MAILBOXES}; group syntax is read as plain text. */
    public static List<Mailbox> parseList(String value) {
        List<Mailbox> mailboxes = new ArrayList<>();
        for (String item : splitOutsideQuotes(value)) {
            parse(item).ifPresent(mailboxes::add);
            if (mailboxes.size() >= MAX_MAILBOXES) {
                break;
            }
        }
        return mailboxes;
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
        Parts parts = parts(value);
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
        Parts parts = parts(value);
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

    /** Every item is looked at: padding the field with empty items must not push an address out of reach. */
    private static Parts parts(String value) {
        Mailbox first = null;
        int addresses = 0;
        List<String> shown = new ArrayList<>();
        List<String> phrases = new ArrayList<>();
        boolean quoted = false;
        for (String item : splitOutsideQuotes(value)) {
            // a bare word without @ ("Doe" of Doe, John <…>) is a phrase here, not an address, and so is a quoted
            // phrase whose only @ is inside the quotes ("Delivery@GLS.de", <x@evil.example>): a reader sees a name
            Optional<Mailbox> mailbox = parse(item).filter(m -> hasDomainPart(m.address()));
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
            String phrase = unquoted(item);
            if (!phrase.isEmpty() && phrases.size() < MAX_MAILBOXES) {
                phrases.add(phrase);
                shown.add(phrase);
                quoted |= item.strip().startsWith("\"");
            }
        }
        return new Parts(first, addresses, shown, phrases, quoted);
    }

    private static Optional<Mailbox> parse(String item) {
        int open = indexOutsideQuotes(item, '<');
        if (open >= 0) {
            int close = item.indexOf('>', open);
            String address = item.substring(open + 1, close < 0 ? item.length() : close).strip();
            return address.isEmpty() ? Optional.empty()
                    : Optional.of(new Mailbox(unquoted(item.substring(0, open)), address.toLowerCase(Locale.ROOT)));
        }
        StringBuilder bare = new StringBuilder();
        StringBuilder comment = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < item.length(); i++) {
            char c = item.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth > 0) {
                comment.append(c);
            } else {
                bare.append(c);
            }
        }
        String address = bare.toString().strip();
        if (address.isEmpty() || address.contains(" ")) {
            return Optional.empty();
        }
        return Optional.of(new Mailbox(comment.toString().strip(), address.toLowerCase(Locale.ROOT)));
    }

    private static String unquoted(String phrase) {
        String p = phrase.strip();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            p = p.substring(1, p.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return p.strip();
    }

    private static List<String> splitOutsideQuotes(String value) {
        List<String> items = new ArrayList<>();
        boolean quoted = false;
        boolean angle = false;
        int comment = 0;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"' && comment == 0) {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                comment++;
            } else if (!quoted && c == ')' && comment > 0) {
                comment--;
            } else if (comment > 0) {
                continue;
            } else if (!quoted && c == '<') {
                angle = true;
            } else if (!quoted && c == '>') {
                angle = false;
            } else if (!quoted && !angle && c == ',') {
                items.add(value.substring(start, i));
                start = i + 1;
            }
        }
        items.add(value.substring(start));
        return items;
    }

    /** Whether an address has an {@code @} outside quotes: {@code "a@b"} alone is a quoted phrase, not an address. */
    static boolean hasDomainPart(String address) {
        return indexOutsideQuotes(address, '@') >= 0;
    }

    private static int indexOutsideQuotes(String s, char wanted) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == wanted) {
                return i;
            }
        }
        return -1;
    }
}
