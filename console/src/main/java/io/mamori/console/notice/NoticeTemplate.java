package io.mamori.console.notice;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One notice template: a subject and a plain-text body with placeholders, in one language.
 *
 * <p>File format (UTF-8; a BOM and CRLF line ends are accepted):
 * <pre>
 * Subject: 【{company}】多要素認証（MFA）の設定をお願いします
 *
 * {department} {userName} 様
 * …
 * </pre>
 * The first line is {@code Subject:} and the text of the subject, the second line is empty, the rest is the
 * body. Placeholders are {@code {company}}, {@code {department}}, {@code {userName}}, {@code {changes}} (the list
 * of changes, one per line; body only) and {@code {setupUrl}}; {@code {{} and {@code }}} stand for literal braces.
 * Anything else in braces is an error that names its line and column, so a typo never reaches a user.
 *
 * <p>Immutable and thread-safe.
 */
public final class NoticeTemplate {

    /** Every placeholder a template may use. */
    public static final List<String> PLACEHOLDERS = List.of("company", "department", "userName", "changes", "setupUrl");
    static final int MAX_CHARS = 32 * 1024;
    private static final int MAX_SUBJECT = 200;

    private sealed interface Part {
    }

    private record Text(String text) implements Part {
    }

    private record Slot(String name) implements Part {
    }

    private final NoticeKind kind;
    private final NoticeLanguage language;
    private final String source;
    private final List<Part> subject;
    private final List<Part> body;

    private NoticeTemplate(NoticeKind kind, NoticeLanguage language, String source, List<Part> subject, List<Part> body) {
        this.kind = kind;
        this.language = language;
        this.source = source;
        this.subject = subject;
        this.body = body;
    }

    /** Where the text came from (a file, or the shipped default's name), as its problems name it. */
    public String source() {
        return source;
    }

    public NoticeKind kind() {
        return kind;
    }

    public NoticeLanguage language() {
        return language;
    }

    /**
     * Parses and checks a template.
     *
     * @param source where the text came from, named in errors
     * @throws NoticeTemplateException listing every problem found
     */
    public static NoticeTemplate parse(NoticeKind kind, NoticeLanguage language, String text, String source)
            throws NoticeTemplateException {
        List<NoticeTemplateException.Problem> problems = new ArrayList<>();
        if (text.length() > MAX_CHARS) {
            throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(source, 0, 0,
                    "テンプレートが長すぎます / template longer than " + MAX_CHARS + " characters")));
        }
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        t = t.replace("\r\n", "\n").replace('\r', '\n');
        String[] lines = t.split("\n", -1);
        String first = lines[0];
        if (!first.regionMatches(true, 0, "Subject:", 0, 8)) {
            problems.add(new NoticeTemplateException.Problem(source, 1, 1,
                    "1行目は「Subject: 件名」にしてください / the first line must be 'Subject: <subject>'"));
            throw new NoticeTemplateException(problems);
        }
        String subjectText = first.substring(8).strip();
        int subjectColumn = first.length() - first.substring(8).stripLeading().length() + 1;
        if (subjectText.isEmpty()) {
            problems.add(new NoticeTemplateException.Problem(source, 1, 9, "件名が空です / the subject is empty"));
        } else if (subjectText.length() > MAX_SUBJECT) {
            problems.add(new NoticeTemplateException.Problem(source, 1, 0,
                    "件名が長すぎます / the subject is longer than " + MAX_SUBJECT + " characters"));
        }
        if (lines.length < 2 || !lines[1].isBlank()) {
            problems.add(new NoticeTemplateException.Problem(source, 2, 1,
                    "2行目は空行にしてください（件名と本文の区切り） / the second line must be empty (it separates subject and body)"));
        }
        List<Part> subject = parts(subjectText, 1, subjectColumn, source, problems);
        for (Part p : subject) {
            if (p instanceof Slot s && s.name().equals("changes")) {
                problems.add(new NoticeTemplateException.Problem(source, 1, 0,
                        "{changes} は複数行なので件名には使えません / {changes} spans lines and cannot be used in the subject"));
            }
        }
        List<Part> body = new ArrayList<>();
        StringBuilder bodyText = new StringBuilder();
        for (int i = 2; i < lines.length; i++) {
            List<Part> line = parts(lines[i], i + 1, 1, source, problems);
            body.addAll(line);
            body.add(new Text("\n"));
            bodyText.append(lines[i]);
        }
        if (bodyText.toString().isBlank()) {
            problems.add(new NoticeTemplateException.Problem(source, 3, 0, "本文が空です / the body is empty"));
        }
        Set<String> used = new HashSet<>();
        for (Part p : body) {
            if (p instanceof Slot s) {
                used.add(s.name());
            }
        }
        for (String required : kind.requiredPlaceholders().stream().sorted().toList()) {
            if (!used.contains(required)) {
                problems.add(new NoticeTemplateException.Problem(source, 0, 0, "本文に {" + required
                        + "} が必要です / the body of a " + kind.fileName() + " notice must contain {" + required + "}"));
            }
        }
        if (!problems.isEmpty()) {
            throw new NoticeTemplateException(problems);
        }
        return new NoticeTemplate(kind, language, source, List.copyOf(subject), List.copyOf(trimTrailingNewlines(body)));
    }

    private static List<Part> parts(String line, int lineNo, int firstColumn, String source,
            List<NoticeTemplateException.Problem> problems) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            int column = firstColumn + i;
            if (c == '{' && i + 1 < line.length() && line.charAt(i + 1) == '{') {
                text.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < line.length() && line.charAt(i + 1) == '}') {
                text.append('}');
                i += 2;
            } else if (c == '{') {
                int close = line.indexOf('}', i + 1);
                if (close < 0) {
                    problems.add(new NoticeTemplateException.Problem(source, lineNo, column,
                            "「{」が閉じていません（文字の { は {{ と書きます） / unclosed '{' (write {{ for a literal brace)"));
                    break;
                }
                String name = line.substring(i + 1, close);
                if (!PLACEHOLDERS.contains(name)) {
                    problems.add(new NoticeTemplateException.Problem(source, lineNo, column,
                            "不明な差し込み項目 {" + name + "} / unknown placeholder {" + name + "}; allowed: "
                                    + String.join(", ", PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList())));
                } else {
                    if (!text.isEmpty()) {
                        parts.add(new Text(text.toString()));
                        text.setLength(0);
                    }
                    parts.add(new Slot(name));
                }
                i = close + 1;
            } else if (c == '}') {
                problems.add(new NoticeTemplateException.Problem(source, lineNo, column,
                        "対応する「{」のない「}」（文字の } は }} と書きます） / stray '}' (write }} for a literal brace)"));
                i++;
            } else {
                text.append(c);
                i++;
            }
        }
        if (!text.isEmpty()) {
            parts.add(new Text(text.toString()));
        }
        return parts;
    }

    private static List<Part> trimTrailingNewlines(List<Part> body) {
        List<Part> b = new ArrayList<>(body);
        while (!b.isEmpty() && b.get(b.size() - 1) instanceof Text t && t.text().isBlank()) {
            b.remove(b.size() - 1);
        }
        return b;
    }

    /** The subject with {@code values} filled in (values must not contain line breaks). */
    public String subject(Map<String, String> values) {
        return render(subject, values);
    }

    /** The body with {@code values} filled in, lines separated by LF, no trailing line break. */
    public String body(Map<String, String> values) {
        return render(body, values);
    }

    private static String render(List<Part> parts, Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                b.append(t.text());
            } else if (p instanceof Slot s) {
                b.append(values.getOrDefault(s.name(), ""));
            }
        }
        return b.toString();
    }

    /** Whether the subject or body uses {@code placeholder}. */
    public boolean uses(String placeholder) {
        return subject.contains(new Slot(placeholder)) || body.contains(new Slot(placeholder));
    }
}
