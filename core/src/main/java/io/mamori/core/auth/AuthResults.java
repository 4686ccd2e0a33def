package io.mamori.core.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The results an {@code Authentication-Results} payload records (RFC 8601 §2.2), as an
 * ARC-Authentication-Results field carries them after its {@code i=N;} (RFC 8617 §4.1.1): the authserv-id, then
 * {@code ; method=result [reason=...] [ptype.property=value ...]} per result. Comments are no part of a result: a
 * {@code (dmarc=pass)} inside one says nothing. A result that does not follow the grammar is left out, because its
 * callers look for what a result vouches for, and a claim that cannot be read vouches for nothing. Stateless.
 */
final class AuthResults {

    /**
     * One {@code resinfo}.
     *
     * @param method     the method, lower-case, without its {@code /version}
     * @param result     the result, lower-case
     * @param properties {@code ptype.property} (and {@code reason}, and the bare keywords some writers add, such
     *                   as Microsoft's {@code action}) lower-case, to the value as written
     */
    record Result(String method, String result, Map<String, String> properties) {
        Result {
            properties = Map.copyOf(properties);
        }
    }

    /** RFC 8601 §2.2 Keyword (RFC 5234 ALPHA / DIGIT, and "-" inside); extension writers use "_" as well. */
    private static final Pattern KEYWORD = Pattern.compile("[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?");
    /** ptype "." property, or a bare keyword ({@code reason}, and non-standard ones like {@code action}). */
    private static final Pattern PROPERTY = Pattern.compile("[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\\.[a-z0-9_-]+)?");

    private AuthResults() {
    }

    /** The results of {@code payload}, in order; empty for {@code none}, or when there is no authserv-id. */
    static List<Result> of(String payload) {
        List<String> segments = segments(payload);
        List<Result> out = new ArrayList<>();
        List<Token> authservId = segments == null ? null : tokens(segments.get(0));
        if (authservId == null || authservId.isEmpty()) {
            return out;
        }
        for (int k = 1; k < segments.size(); k++) {
            Result r = result(segments.get(k));
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private enum Kind { WORD, QUOTED, EQUALS }

    private record Token(Kind kind, String text) {
    }

    /** A resinfo's {@code methodspec [reasonspec] *propspec}, or {@code null} if it is not one. */
    private static Result result(String segment) {
        List<Token> t = tokens(segment);
        if (t == null) {
            return null;
        }
        int i = 0;
        StringBuilder method = new StringBuilder();
        for (; i < t.size() && t.get(i).kind() == Kind.WORD; i++) {
            method.append(t.get(i).text());   // "dmarc / 1" is method "dmarc" version 1
        }
        if (method.isEmpty() || i + 1 >= t.size() || t.get(i).kind() != Kind.EQUALS || t.get(i + 1).kind() != Kind.WORD) {
            return null;
        }
        String name = method.toString().toLowerCase(Locale.ROOT);
        int slash = name.indexOf('/');
        name = slash < 0 ? name : name.substring(0, slash);
        String result = t.get(i + 1).text().toLowerCase(Locale.ROOT);
        if (!KEYWORD.matcher(name).matches() || !KEYWORD.matcher(result).matches()) {
            return null;
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (i += 2; i < t.size(); ) {
            StringBuilder property = new StringBuilder();
            for (; i < t.size() && t.get(i).kind() == Kind.WORD; i++) {
                property.append(t.get(i).text());   // "header . from" is header.from (CFWS around the dot)
            }
            if (i + 1 >= t.size() || t.get(i).kind() != Kind.EQUALS || t.get(i + 1).kind() == Kind.EQUALS) {
                return null;
            }
            String key = property.toString().toLowerCase(Locale.ROOT);
            // a property given twice is ambiguous: which one the writer meant cannot be known
            if (!PROPERTY.matcher(key).matches() || properties.putIfAbsent(key, t.get(i + 1).text()) != null) {
                return null;
            }
            i += 2;
        }
        return new Result(name, result, properties);
    }

    /** The payload split at the semicolons outside comments and quoted strings, or {@code null} if unbalanced. */
    private static List<String> segments(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((depth > 0 || quoted) && c == '\\') {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (c == '(') {
                depth++;
            } else if (depth > 0) {
                depth -= c == ')' ? 1 : 0;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ';') {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (depth > 0 || quoted) {
            return null;
        }
        out.add(s.substring(start));
        return out;
    }

    /**
     * Words, quoted strings and "=" signs of one segment; comments and white space (folding included) separate
     * them. {@code null} if a comment or quoted string is left open, or a stray ")" appears.
     */
    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == '"' || c == '=' || c == ')') {
                if (!word.isEmpty()) {
                    out.add(new Token(Kind.WORD, word.toString()));
                    word.setLength(0);
                }
            }
            if (c == ')') {
                return null;
            } else if (c == '=') {
                out.add(new Token(Kind.EQUALS, "="));
            } else if (c == '(') {
                int depth = 1;
                for (i++; i < s.length() && depth > 0; i++) {
                    char d = s.charAt(i);
                    if (d == '\\') {
                        i++;
                    } else {
                        depth += d == '(' ? 1 : d == ')' ? -1 : 0;
                    }
                }
                if (depth > 0) {
                    return null;
                }
                i--;
            } else if (c == '"') {
                StringBuilder q = new StringBuilder();
                for (i++; i < s.length() && s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    q.append(s.charAt(i));
                }
                if (i >= s.length()) {
                    return null;
                }
                out.add(new Token(Kind.QUOTED, q.toString()));
            } else if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            out.add(new Token(Kind.WORD, word.toString()));
        }
        return out;
    }
}
