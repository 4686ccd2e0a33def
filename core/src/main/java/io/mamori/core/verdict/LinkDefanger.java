package io.mamori.core.verdict;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.IDN;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns URLs into text that shows where they lead but that no mail client turns back into a link: the scheme
 * becomes {@code hxxp}/{@code hxxps}/{@code fxp} and every dot becomes {@code [.]} (in bare host names with a known
 * top-level domain too, {@code evil[.]example[.]com/login}), e.g.
 * {@code hxxps://login[.]example[.]com/a[.]html}. This is the convention of CyberChef's "Defang URL" and of
 * threat-intelligence reports. Every dot, not only the host's: a path such as {@code /www.evil.example/} would
 * otherwise still be linkified by clients that find {@code www.} or bare domains in text. Stateless and
 * thread-safe.
 */
final class LinkDefanger {

    /** Longest target shown beside a link; the rest is cut with an ellipsis. */
    static final int MAX_SHOWN = 120;

    /**
     * URLs that mail clients linkify in text: a web or FTP scheme, or a host starting with {@code www.}, wherever they
     * start: Japanese is written without spaces ({@code 詳細はhttps://…}), and a word boundary ({@code \\b}, which in
     * Java counts a kanji as a word character) before the scheme left such URLs clickable. Defanging one more
     * {@code www.} inside a word costs nothing. ASCII only after the start, so Japanese text after a URL ends it.
     */
    private static final Pattern URL_IN_TEXT = Pattern.compile(
            "(?i)(?:(?:https?|ftp)(?::|%3a)(?://|%2f%2f)|www\\.)[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]*");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*):");
    /**
     * A bare host name in text ({@code evil.example/login}, no scheme and no {@code www.}), which webmail such as
     * Gmail also turns into a link when its last label is a top-level domain: labels of ASCII letters, digits and
     * hyphens, not part of an e-mail address or a longer name. Defanged only when the public suffix list knows its
     * top-level domain, so that {@code invoice.pdf} and {@code v1.2.3} stay as written.
     */
    private static final Pattern BARE_HOST = Pattern.compile(
            // at most 126 labels before the top-level one, as in DNS: each repetition of the group is a stack frame deeper,
            // and "a." thousands of times overflowed the stack
            "(?<![A-Za-z0-9@._%+\\-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,126}[A-Za-z]{2,63}"
                    + "(?![A-Za-z0-9\\-])");
    private static final io.mamori.core.link.PublicSuffixList SUFFIXES = io.mamori.core.link.PublicSuffixList.builtIn();

    private LinkDefanger() {
    }

    /**
     * What to show for a link target, or {@code null} when there is nothing worth showing (a fragment or a
     * relative reference). Web and FTP URLs and {@code mailto:} are defanged (when {@code defang}), hosts are
     * shown in ASCII (Punycode); other schemes show the scheme only ({@code javascript:…}).
     */
    static String shown(String href, boolean defang) {
        String h = clean(href);
        if (h.isEmpty() || h.startsWith("#")) {
            return null;
        }
        Matcher m = SCHEME.matcher(h);
        String scheme = m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
        String target;
        if (scheme == null) {
            if (h.startsWith("//")) {
                target = withHostInFull("http://", h, 2);
            } else if (h.regionMatches(true, 0, "www.", 0, 4)) {
                target = withHostInFull("", h, 0);
            } else {
                return null;
            }
        } else if (scheme.equals("http") || scheme.equals("https") || scheme.equals("ftp")) {
            int start = m.end();
            while (start < h.length() && (h.charAt(start) == '/' || h.charAt(start) == '\\')) {
                start++;
            }
            target = withHostInFull(scheme + "://", h, start);
        } else if (scheme.equals("mailto")) {
            target = h.length() > MAX_SHOWN ? h.substring(0, MAX_SHOWN) + "…" : h;
        } else {
            // the scheme's name may hold dots (www.:x is a scheme "www."): defanged like any other text
            return (defang ? scheme.replace(".", "[.]") : scheme) + ":…";
        }
        return defang ? defang(target) : target;
    }

    /** Longest host name DNS allows (RFC 1035 §2.3.4); a longer "host" in a link is cut with "…". */
    private static final int MAX_HOST = 253;

    /** Longest user part ({@code user@}) of a URL shown before its host; a longer one is cut with "…". */
    private static final int MAX_SHOWN_USERINFO = 20;

    /**
     * {@code prefix} and the URL in {@code s} from {@code start} on, as the reader is shown where it leads: the host
     * always in full (in ASCII form) — it is where the link goes, and a cut made for length must never fall before it
     * ({@code https://www.bank.example.login.…evil.example/}, or a long {@code user@} part before the real host); the
     * user part shortened; only the path and query cut, to {@value #MAX_SHOWN} characters in all.
     */
    private static String withHostInFull(String prefix, String s, int start) {
        int end = start;
        while (end < s.length() && "/?#\\".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        String authority = s.substring(start, end);
        int at = authority.lastIndexOf('@');
        String userinfo = at >= 0 ? authority.substring(0, at) : null;
        String hostPort = authority.substring(at + 1);
        String host = hostPort;
        String port = "";
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.startsWith("[")) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon);
        }
        if (host.chars().anyMatch(c -> c > 0x7e)) {
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                // shown as written: a host that is not even a valid IDN is still not a link once defanged
            }
        }
        if (host.length() > MAX_HOST) {
            // no host name is longer (RFC 1035): what a sender wrote beyond that is not shown in full either
            host = host.substring(0, MAX_HOST) + "…";
        }
        String user = userinfo == null ? ""
                : (userinfo.length() > MAX_SHOWN_USERINFO ? userinfo.substring(0, MAX_SHOWN_USERINFO) + "…" : userinfo) + "@";
        String head = prefix + user + host + port;
        String rest = s.substring(end);
        int room = Math.max(0, MAX_SHOWN - head.length());
        return head + (rest.length() > room ? rest.substring(0, room) + "…" : rest);
    }

    /** The URLs and bare host names in a piece of text, defanged; the rest of the text unchanged. */
    static String defangText(String text) {
        Matcher m = URL_IN_TEXT.matcher(text);
        String urls = text;
        if (m.find()) {
            StringBuilder out = new StringBuilder(text.length() + 16);
            int last = 0;
            do {
                out.append(text, last, m.start()).append(defang(m.group()));
                last = m.end();
            } while (m.find());
            urls = out.append(text, last, text.length()).toString();
        }
        return bareHostsDefanged(urls);
    }

    /** The bare host names of {@link #BARE_HOST} whose top-level domain is known, their dots bracketed. */
    private static String bareHostsDefanged(String text) {
        if (text.indexOf('.') < 0) {
            return text;
        }
        Matcher m = BARE_HOST.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (!SUFFIXES.hasKnownTld(m.group())) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            out.append(text, last, m.start()).append(m.group().replace(".", "[.]"));
            last = m.end();
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }

    /**
     * Copies text from {@code in} to {@code out} with its URLs defanged, in pieces cut where no URL can be (at
     * whitespace or a non-ASCII character), so memory stays bounded whatever the length of the text.
     */
    static void defangStream(Reader in, Writer out) throws IOException {
        Writer defanging = defanging(out);
        in.transferTo(defanging);
        defanging.close();
    }

    /**
     * A writer that passes what is written to {@code out} with its URLs defanged, however the text arrives: a URL
     * written in several pieces ({@code ht} and {@code tp://…}, as an HTML page's inline elements cut its text) is
     * defanged whole. Text is held until a place where no URL can be cut ({@link #lastSafeCut}) past 64 KiB; closing
     * it writes the rest and leaves {@code out} open.
     */
    static Writer defanging(Writer out) {
        return new Defanging(out);
    }

    /**
     * Text that arrives in pieces, defanged as if it had come whole: held until a place where no URL can be cut
     * ({@link #lastSafeCut}) once it passes 64 K characters, so memory stays bounded however long the text. Used by the
     * text output's writer ({@link #defanging}) and by the HTML output's text nodes ({@code DisarmedHtml}).
     */
    static final class HeldText {
        private static final int CHUNK = 64 * 1024;
        private final StringBuilder pending = new StringBuilder();

        /** Takes {@code text}; what can go out already, defanged, or {@code null} while everything is held. */
        String add(CharSequence text, int start, int end) {
            pending.append(text, start, end);
            if (pending.length() < CHUNK) {
                return null;
            }
            char[] chars = new char[pending.length()];
            pending.getChars(0, chars.length, chars, 0);
            int cut = lastSafeCut(chars, chars.length);
            pending.delete(0, cut);
            return defangText(new String(chars, 0, cut));
        }

        /** The rest, defanged, and nothing held any more; empty when nothing was. */
        String rest() {
            if (pending.length() == 0) {
                return "";
            }
            String rest = defangText(pending.toString());
            pending.setLength(0);
            return rest;
        }
    }

    private static final class Defanging extends Writer {
        private final Writer out;
        private final HeldText held = new HeldText();

        Defanging(Writer out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            take(java.nio.CharBuffer.wrap(chars), off, off + len);
        }

        @Override
        public void write(String text, int off, int len) throws IOException {
            take(text, off, off + len);
        }

        private void take(CharSequence text, int start, int end) throws IOException {
            String ready = held.add(text, start, end);
            if (ready != null) {
                out.write(ready);
            }
        }

        /** Flushes {@code out}; the text after the last safe cut stays held, since a URL may go on in it. */
        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.write(held.rest());
            out.flush();
        }
    }

    /**
     * Where text may be cut without cutting a URL: after its last character that ends one. Where there is none (a run
     * of URL characters longer than the buffer), a cut that splits no scheme or {@code www.}: 16 characters before the
     * end, moved back before any h, f or w of the 14 characters before it, since a scheme as {@link #URL_IN_TEXT}
     * reads it is at most 14 characters long ({@code https%3a%2f%2f}); one that starts earlier ends before the cut and
     * is defanged in the head, with the URL it starts. Cutting at the end instead could split {@code htt|ps://}, and
     * neither piece would be defanged.
     */
    static int lastSafeCut(char[] buffer, int length) {
        for (int i = length - 1; i > 0; i--) {
            if (endsUrl(buffer[i])) {
                return i;
            }
        }
        if (length <= 32) {
            return Character.isHighSurrogate(buffer[length - 1]) ? length - 1 : length;
        }
        // no character ends a URL, so all are printable ASCII: no surrogate pair to keep together
        int cut = length - 16;
        for (int i = cut - 1; i >= cut - 14; i--) {
            char c = Character.toLowerCase(buffer[i]);
            if (c == 'h' || c == 'f' || c == 'w') {
                cut = i;
            }
        }
        return cut;
    }

    static boolean endsUrl(char c) {
        return c <= ' ' || c > 0x7e || c == '<' || c == '>' || c == '"';
    }

    private static String defang(String url) {
        String s = url;
        Matcher scheme = SCHEME.matcher(s);
        if (scheme.find()) {
            String name = scheme.group(1).toLowerCase(Locale.ROOT);
            String replaced = switch (name) {
                case "http" -> "hxxp";
                case "https" -> "hxxps";
                case "ftp" -> "fxp";
                default -> scheme.group(1);
            };
            s = replaced + s.substring(scheme.end() - 1);
        }
        // Percent-encoded scheme separators (http%3A%2F%2F) are left alone: no client linkifies them.
        return s.replace(".", "[.]");
    }


    /** Drops control characters and whitespace that browsers ignore inside URLs (and that would break a line). */
    private static String clean(String href) {
        StringBuilder b = new StringBuilder(Math.min(href.length(), 4096));
        for (int i = 0; i < href.length() && b.length() < 4096; i++) {
            char c = href.charAt(i);
            if (c > ' ' && c != 0x7f) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
