package io.mamori.console.directory;

import io.mamori.console.text.ConsoleMessages;
import java.util.Locale;
import java.util.Objects;

/**
 * One problem in a directory CSV file, described in English and in Japanese (an administrator reads it on the console's
 * import page in their language, and from {@code mamori directory import} in both), as a policy file's errors are.
 *
 * @param file      file name as given
 * @param line      1-based line where the record starts (the header is line 1)
 * @param column    1-based column, or 0 when the problem concerns the whole record or file
 * @param name      header name of the column, or {@code ""}
 * @param message   short English description
 * @param messageJa the same description in Japanese
 */
public record CsvProblem(String file, int line, int column, String name, String message, String messageJa) {

    public CsvProblem {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(messageJa, "messageJa");
    }

    /** A problem worded by the console's texts ({@code messages_*.properties}): {@code key} with its arguments. */
    static CsvProblem of(String file, int line, int column, String name, String key, Object... arguments) {
        return new CsvProblem(file, line, column, name, ConsoleMessages.text(Locale.ENGLISH, key, arguments),
                ConsoleMessages.text(Locale.JAPANESE, key, arguments));
    }

    /** The description in the given language: {@code "ja"} gives Japanese, anything else English. */
    public String message(String lang) {
        return "ja".equals(lang) ? messageJa : message;
    }

    /** {@code people.csv:5: column 4 (manager_email): 'taro@' is not an email address} */
    public String render() {
        return render("en");
    }

    /** {@code people.csv:5: 4 列目 (manager_email): 'taro@' はメールアドレスではありません} for {@code "ja"}, else English. */
    public String render(String lang) {
        boolean ja = "ja".equals(lang);
        String where = column > 0 ? (ja ? column + " 列目" : "column " + column) + (name.isEmpty() ? "" : " (" + name + ")") + ": "
                : name.isEmpty() ? "" : name + ": ";
        return file + ":" + line + ": " + where + message(lang);
    }

    /** Japanese first, then English: {@code people.csv:5:4: manager_email: 日本語 / English}. */
    public String renderBilingual() {
        String where = file + ":" + line + (column > 0 ? ":" + column : "") + ": " + (name.isEmpty() ? "" : name + ": ");
        return where + (messageJa.equals(message) ? message : messageJa + " / " + message);
    }
}
