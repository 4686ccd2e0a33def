package io.mamori.core.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * The value and parameters of a {@code Content-Type} or {@code Content-Disposition} field, with parameter
 * values decoded the ways mailers actually write them: RFC 2231 (continuations {@code name*0*=} and
 * {@code charset'lang'percent-encoding}), RFC 2047 encoded words inside quotes, and raw 8-bit bytes.
 *
 * <p>Hand-written because Mime4j's {@code RawFieldParser} decodes values while it tokenises them (bare bytes
 * as UTF-8, quoted encoded words one at a time): a raw Shift_JIS name or an encoded word split across
 * sections is lost before RFC 2231 assembly could join it, and its RFC 2231 support decodes with the JDK
 * charsets, which lack Japanese vendor characters (see {@link MailCharsets}). The grammar is RFC 2045
 * section 5.1; values are kept as one char per byte until the charset is known. Immutable.
 */
final class MimeParameters {

    /** More sections than any real file name needs; bounds the work on hostile input. */
    private static final int MAX_SECTIONS = 256;
    /** A comment in a structured field value (RFC 5322 §3.2.2), not nested. */
    private static final Pattern COMMENT = Pattern.compile("\\([^)]*\\)");

    private final String value;
    private final List<NameValuePair> params;

    private MimeParameters(String value, List<NameValuePair> params) {
        this.value = value;
        this.params = params;
    }

    /** Parses the raw bytes of a field value (everything after the colon, folded or not). */
    static MimeParameters parse(byte[] rawValue) {
        String s = new String(rawValue, StandardCharsets.ISO_8859_1);
        int semicolon = s.indexOf(';');
        String main = semicolon < 0 ? s : s.substring(0, semicolon);
        if (main.indexOf('(') >= 0) {
            main = COMMENT.matcher(main).replaceAll("");
        }
        List<NameValuePair> params = new ArrayList<>();
        int i = semicolon < 0 ? s.length() : semicolon + 1;
        while (i < s.length() && params.size() < MAX_SECTIONS * 4) {
            int nameEnd = i;
            while (nameEnd < s.length() && s.charAt(nameEnd) != '=' && s.charAt(nameEnd) != ';') {
                nameEnd++;
            }
            String name = s.substring(i, nameEnd).strip();
            if (nameEnd >= s.length() || s.charAt(nameEnd) == ';') {
                i = nameEnd + 1;
                continue; // a parameter without a value: ignore it, as mailers do
            }
            int v = nameEnd + 1;
            while (v < s.length() && isFoldingWhiteSpace(s.charAt(v))) {
                v++;
            }
            StringBuilder value = new StringBuilder();
            if (v < s.length() && s.charAt(v) == '"') {
                v++;
                while (v < s.length() && s.charAt(v) != '"') {
                    char c = s.charAt(v);
                    if (c == '\\' && v + 1 < s.length()) {
                        v++;
                        c = s.charAt(v);
                    }
                    if (c != '\r' && c != '\n') {
                        value.append(c);
                    }
                    v++;
                }
                int next = s.indexOf(';', v);
                i = next < 0 ? s.length() : next + 1;
            } else {
                int next = s.indexOf(';', v);
                int end = next < 0 ? s.length() : next;
                value.append(s.substring(v, end).strip());
                i = end + 1;
            }
            if (!name.isEmpty()) {
                params.add(new NameValuePair(name, value.toString()));
            }
        }
        return new MimeParameters(main.strip().toLowerCase(Locale.ROOT), List.copyOf(params));
    }

    private static boolean isFoldingWhiteSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** The main value in lower case, e.g. {@code multipart/mixed} or {@code attachment}; empty when absent. */
    String value() {
        return value;
    }

    /** The decoded value of a parameter, if present. */
    Optional<String> get(String name) {
        String base = name.toLowerCase(Locale.ROOT);
        String plain = null;
        String extended = null;
        TreeMap<Integer, NameValuePair> sections = new TreeMap<>();
        for (NameValuePair p : params) {
            if (p.getName() == null || p.getValue() == null) {
                continue;
            }
            String n = p.getName().trim().toLowerCase(Locale.ROOT);
            if (n.equals(base)) {
                plain = plain == null ? p.getValue() : plain;
            } else if (n.equals(base + "*")) {
                extended = extended == null ? p.getValue() : extended;
            } else if (n.startsWith(base + "*")) {
                String rest = n.substring(base.length() + 1);
                String digits = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
                if (!digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(Character::isDigit)
                        && sections.size() < MAX_SECTIONS) {
                    sections.putIfAbsent(Integer.parseInt(digits), new NameValuePair(n, p.getValue()));
                }
            }
        }
        if (extended != null) {
            return Optional.of(decodeExtended(List.of(new NameValuePair(base + "*", extended))));
        }
        if (!sections.isEmpty()) {
            return Optional.of(decodeExtended(List.copyOf(sections.values())));
        }
        if (plain != null) {
            return Optional.of(EncodedWords.decode(latin1Bytes(plain)));
        }
        return Optional.empty();
    }

    /**
     * Every value a mail client might take for the parameter, {@link #get} first: each repeated plain and
     * extended value (clients disagree on whether the first or the last counts), and, when the RFC 2231
     * sections have a gap ({@code name*0}, {@code name*2}), the sections before it, where a client that
     * stops at the gap ends. Attachment names are judged by all of them, since the reader's client may
     * show any one.
     */
    List<String> all(String name) {
        String base = name.toLowerCase(Locale.ROOT);
        LinkedHashSet<String> values = new LinkedHashSet<>();
        get(name).ifPresent(values::add);
        TreeMap<Integer, NameValuePair> sections = new TreeMap<>();
        for (NameValuePair p : params) {
            if (p.getName() == null || p.getValue() == null) {
                continue;
            }
            String n = p.getName().trim().toLowerCase(Locale.ROOT);
            if (n.equals(base)) {
                values.add(EncodedWords.decode(latin1Bytes(p.getValue())));
            } else if (n.equals(base + "*")) {
                values.add(decodeExtended(List.of(new NameValuePair(base + "*", p.getValue()))));
            } else if (n.startsWith(base + "*")) {
                String rest = n.substring(base.length() + 1);
                String digits = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
                if (!digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(Character::isDigit)
                        && sections.size() < MAX_SECTIONS) {
                    sections.putIfAbsent(Integer.parseInt(digits), new NameValuePair(n, p.getValue()));
                }
            }
        }
        if (!sections.isEmpty()) {
            values.add(decodeExtended(List.copyOf(sections.values())));
            List<NameValuePair> unbroken = new ArrayList<>();
            for (int i = 0; sections.containsKey(i); i++) {
                unbroken.add(sections.get(i));
            }
            if (!unbroken.isEmpty()) {
                values.add(decodeExtended(unbroken));
            }
        }
        return List.copyOf(values);
    }

    /**
     * RFC 2231 sections 3 and 4: sections whose name ends in {@code *} are percent-encoded, the first may
     * start with {@code charset'language'}; the others are taken as they are. All bytes are joined before
     * decoding so that a character split between sections survives.
     */
    private static String decodeExtended(List<NameValuePair> sections) {
        String charset = null;
        boolean anyEncoded = false;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < sections.size(); i++) {
            NameValuePair s = sections.get(i);
            String v = s.getValue();
            if (s.getName().endsWith("*")) {
                anyEncoded = true;
                if (i == 0) {
                    int first = v.indexOf('\'');
                    int second = first < 0 ? -1 : v.indexOf('\'', first + 1);
                    if (second >= 0) {
                        charset = v.substring(0, first);
                        v = v.substring(second + 1);
                    }
                }
                bytes.writeBytes(percentDecode(v));
            } else {
                bytes.writeBytes(latin1Bytes(v));
            }
        }
        byte[] joined = bytes.toByteArray();
        if (charset != null && !charset.isBlank()) {
            return MailCharsets.decode(joined, charset);
        }
        // No charset: either plain continuations (some mailers split an RFC 2047 word across them) or raw bytes.
        String text = MailCharsets.decode(joined, null);
        return anyEncoded ? text : EncodedWords.decode(text);
    }

    private static byte[] percentDecode(String v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%' && i + 2 < v.length()) {
                int hi = Character.digit(v.charAt(i + 1), 16);
                int lo = Character.digit(v.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out.write(c & 0xFF);
        }
        return out.toByteArray();
    }

    /** Values hold one char per byte, so Latin-1 gives the original bytes back. */
    private static byte[] latin1Bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
