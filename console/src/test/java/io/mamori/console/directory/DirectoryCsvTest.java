package io.mamori.console.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.access.Role;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectoryCsvTest {

    private final DirectoryCsv csv = new DirectoryCsv();

    private List<CsvProblem> problemsOf(String text) {
        DirectoryFileException e = catchThrowableOfType(DirectoryFileException.class,
                () -> csv.parse(text.getBytes(StandardCharsets.UTF_8), "people.csv"));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.problems();
    }

    @Test
    void japaneseNamesAreReadFromUtf8WithAndWithoutBom() throws Exception {
        String text = "email,display_name,department,manager_email,roles,approver_departments,language,active\r\n"
                + "Taro.Yamada@Example.co.jp,山田 太郎,営業部,hanako@example.co.jp,approver;employee,営業部;営業二課,ja,true\r\n"
                + "hanako@example.co.jp,\"佐藤, 花子\",経営企画部,,admin,,en,yes\r\n";
        for (byte[] content : List.of(text.getBytes(StandardCharsets.UTF_8),
                ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8))) {
            List<DirectoryCsv.Entry> entries = csv.parse(content, "people.csv");
            assertThat(entries).containsExactly(
                    new DirectoryCsv.Entry(2, "taro.yamada@example.co.jp", "山田 太郎", "営業部", "hanako@example.co.jp",
                            Set.of(Role.APPROVER, Role.EMPLOYEE), Set.of("営業部", "営業二課"), "ja", true),
                    new DirectoryCsv.Entry(3, "hanako@example.co.jp", "佐藤, 花子", "経営企画部", null,
                            Set.of(Role.ADMIN), Set.of(), "en", true));
        }
    }

    @Test
    void namesWithInvisibleFormattingCharactersAreRefused() {
        // a right-to-left override, a zero-width space, a line separator and an isolate: each can disguise a name
        List<CsvProblem> problems = problemsOf("email,display_name,department,roles,approver_departments\n"
                + "a@example.co.jp,山田\u202E太郎,,,\n"
                + "b@example.co.jp,佐藤\u200B花子,,,\n"
                + "c@example.co.jp,鈴木,営業\u2028部,,\n"
                + "d@example.co.jp,高橋,,approver,経理\u2066部\n");

        String invisible = "must not contain control characters, line breaks or invisible formatting characters (such as"
                + " U+202E, U+200B)";
        assertThat(problems).extracting(CsvProblem::render).contains(
                "people.csv:2: column 2 (display_name): " + invisible,
                "people.csv:3: column 2 (display_name): " + invisible,
                "people.csv:4: column 3 (department): " + invisible,
                "people.csv:5: column 5 (approver_departments): department names are at most 200 characters, without control"
                        + " or invisible formatting characters");
        assertThat(problems.get(0).render("ja")).contains("見えない書式文字");
    }

    @Test
    void aDepartmentThatNfkcLengthensPastTheLimitIsRefusedNotStored() {
        // ㍿ (one character) is 株式会社 (four) after NFKC: 51 of them are 204 characters
        List<CsvProblem> problems = problemsOf("email,display_name,department\na@example.co.jp,A," + "㍿".repeat(51) + "\n");

        assertThat(problems).extracting(CsvProblem::render)
                .containsExactly("people.csv:2: column 3 (department): longer than 200 characters");
    }

    @Test
    void onlyEmailAndNameAreRequiredAndColumnsMayComeInAnyOrder() throws Exception {
        List<DirectoryCsv.Entry> entries = csv.parse("Display_Name,EMAIL\n鈴木 一郎,ichiro@example.co.jp\n\n"
                .getBytes(StandardCharsets.UTF_8), "people.csv");
        assertThat(entries).containsExactly(new DirectoryCsv.Entry(2, "ichiro@example.co.jp", "鈴木 一郎", null, null,
                Set.of(), Set.of(), null, true));
    }

    @Test
    void fullWidthAndHalfWidthDepartmentNamesAreOneDepartment() throws Exception {
        List<DirectoryCsv.Entry> entries = csv.parse(("email,display_name,department\n"
                + "a@example.co.jp,A,営業１課\nb@example.co.jp,B,営業1課\n").getBytes(StandardCharsets.UTF_8), "people.csv");
        assertThat(entries).extracting(DirectoryCsv.Entry::department).containsExactly("営業1課", "営業1課");
    }

    @Test
    void anApproverWithoutListedDepartmentsApprovesForTheirOwn() throws Exception {
        List<DirectoryCsv.Entry> entries = csv.parse(("email,display_name,department,roles\n"
                + "a@example.co.jp,A,経理部,approver\n").getBytes(StandardCharsets.UTF_8), "people.csv");
        assertThat(entries.get(0).approverDepartments()).containsExactly("経理部");
    }

    @Test
    void everyBadValueIsNamedByLineAndColumn() {
        List<CsvProblem> problems = problemsOf("""
                email,display_name,department,manager_email,roles,approver_departments,language,active
                taro@,山田 太郎,営業部,,employee,,ja,true
                jiro@example.co.jp,,営業部,boss,superuser,,fr,maybe
                saburo@example.co.jp,三郎,,,approver,,ja,true
                shiro@example.co.jp,四郎,総務部,,employee,総務部,ja,true
                goro@example.co.jp,五郎,総務部,goro@example.co.jp,,,ja,true
                rokuro@example.co.jp,六郎
                taro@example.co.jp,太郎,営業部,,,,,
                TARO@example.co.jp,太郎,営業部,,,,,
                """);
        assertThat(problems).extracting(CsvProblem::render).containsExactly(
                "people.csv:2: column 1 (email): 'taro@' is not an email address",
                "people.csv:3: column 2 (display_name): must not be empty",
                "people.csv:3: column 4 (manager_email): 'boss' is not an email address",
                "people.csv:3: column 5 (roles): unknown role 'superuser'; expected admin, analyst, approver, auditor or employee (separate several with ;)",
                "people.csv:3: column 7 (language): 'fr' is not a console language; expected ja or en",
                "people.csv:3: column 8 (active): 'maybe' is not true or false",
                "people.csv:4: column 6 (approver_departments): an approver needs a department to approve for (this one or a department of their own)",
                "people.csv:5: column 6 (approver_departments): Departments to approve for need the approver role.",
                "people.csv:6: column 4 (manager_email): A person cannot be their own manager.",
                "people.csv:7: has 2 fields, the header has 8 (a comma inside a value must be quoted)",
                "people.csv:9: column 1 (email): taro@example.co.jp is listed twice (first on line 8)");
    }

    @Test
    void everyProblemIsWordedInJapaneseTooAsTheConsolesPagesWordIt() {
        List<CsvProblem> problems = problemsOf("""
                email,display_name,manager_email,roles,active
                taro@,山田 太郎,,approver,maybe
                goro@example.co.jp,五郎,goro@example.co.jp,employee,true
                """);
        assertThat(problems).extracting(p -> p.render("ja")).containsExactly(
                "people.csv:2: approver_departments: 承認者には承認する部署が必要です(この列か、本人の部署)",
                "people.csv:2: 1 列目 (email): 'taro@' はメールアドレスではありません",
                "people.csv:2: 5 列目 (active): 'maybe' は true でも false でもありません",
                "people.csv:3: 3 列目 (manager_email): 本人を上長にはできません。");
        assertThat(problems.get(3).message()).as("the users page's own text (users.problem.managerSelf)")
                .isEqualTo("A person cannot be their own manager.");
        assertThat(problems.get(1).renderBilingual())
                .isEqualTo("people.csv:2:1: email: 'taro@' はメールアドレスではありません / 'taro@' is not an email address");
        assertThat(problems).allSatisfy(p -> assertThat(p.messageJa()).isNotEqualTo(p.message()));
    }

    @Test
    void theHeaderMustNameKnownColumnsOnceAndIncludeTheRequiredOnes() {
        assertThat(problemsOf("mail,display_name,display_name\nx@example.co.jp,x,x\n")).extracting(CsvProblem::render)
                .containsExactly("people.csv:1: missing required column 'email'",
                        "people.csv:1: column 1 (mail): unknown column; expected some of email, display_name, department, manager_email, roles, approver_departments, language, active",
                        "people.csv:1: column 3 (display_name): duplicate column (first is column 2)");
        assertThat(problemsOf("")).extracting(CsvProblem::message)
                .singleElement().asString().startsWith("the file is empty");
    }

    @Test
    void shiftJisIsRefusedAtItsFirstLineWithAHint() {
        byte[] sjis = "email,display_name\nyamada@example.co.jp,山田\n".getBytes(Charset.forName("Shift_JIS"));
        DirectoryFileException e = catchThrowableOfType(DirectoryFileException.class, () -> csv.parse(sjis, "people.csv"));
        assertThat(e.problems()).extracting(CsvProblem::render).containsExactly(
                "people.csv:2: not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\"), not Shift_JIS");
    }

    @Test
    void anUnterminatedQuoteIsASyntaxErrorNamingItsLine() {
        List<CsvProblem> problems = problemsOf("email,display_name\na@example.co.jp,A\nb@example.co.jp,\"B\n");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).startsWith("CSV syntax:");
        });
    }

    @Test
    void lineNumbersFollowQuotedLineBreaksAndBlankLines() {
        List<CsvProblem> problems = problemsOf("email,display_name,department\n\na@example.co.jp,A,\"two\nlines\"\n"
                + "bad,B,x\n");
        assertThat(problems).extracting(CsvProblem::render).contains(
                "people.csv:3: column 3 (department): must not contain control characters, line breaks or invisible formatting"
                        + " characters (such as U+202E, U+200B)",
                "people.csv:5: column 1 (email): 'bad' is not an email address");
    }
}
