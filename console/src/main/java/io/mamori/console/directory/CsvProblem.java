package io.mamori.console.directory;

/**
 * One problem in a directory CSV file.
 *
 * @param file    file name as given
 * @param line    1-based line where the record starts (the header is line 1)
 * @param column  1-based column, or 0 when the problem concerns the whole record or file
 * @param name    header name of the column, or {@code ""}
 * @param message short English description
 */
public record CsvProblem(String file, int line, int column, String name, String message) {

    /** {@code people.csv:5: column 4 (manager_email): 'taro@' is not an email address} */
    public String render() {
        String where = column > 0 ? "column " + column + (name.isEmpty() ? "" : " (" + name + ")") + ": "
                : name.isEmpty() ? "" : name + ": ";
        return file + ":" + line + ": " + where + message;
    }
}
