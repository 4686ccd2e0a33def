package io.mamori.console.directory;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A directory CSV file that cannot be imported; lists every problem found, in file order. The message has them in
 * English, one a line (for logs); readers get {@link CsvProblem#render(String)} or {@link CsvProblem#renderBilingual()}.
 */
public final class DirectoryFileException extends Exception {

    private final transient List<CsvProblem> problems;

    public DirectoryFileException(List<CsvProblem> problems) {
        super(problems.stream().map(CsvProblem::render).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<CsvProblem> problems() {
        return problems;
    }
}
