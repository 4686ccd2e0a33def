package io.mamori.console.notice;

import java.util.List;
import java.util.stream.Collectors;

/** A notice template that cannot be used; every problem names the template, line and column. */
public final class NoticeTemplateException extends Exception {

    /**
     * One problem in a template.
     *
     * @param source  the template file or resource, e.g. {@code config/notices/mfa-reminder.ja.txt}
     * @param line    1-based line, 0 when the problem concerns the whole template
     * @param column  1-based column, 0 when the problem concerns a whole line or template
     * @param message what is wrong, in Japanese then English
     */
    public record Problem(String source, int line, int column, String message) {
        @Override
        public String toString() {
            return source + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + message;
        }
    }

    private final List<Problem> problems;

    public NoticeTemplateException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
