package io.mamori.console.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.console.testing.MutableClock;
import io.mamori.console.testing.TestDatabases;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The directory and its CSV import, against H2 and PostgreSQL, each migrated by Flyway from the V4 scripts. */
class JdbcDirectoryTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

    static java.util.stream.Stream<String> vendors() {
        return TestDatabases.vendors();
    }

    @AfterAll
    static void drop() throws Exception {
        TestDatabases.dropSchemas();
    }

    @TempDir
    Path dir;
    private javax.sql.DataSource dataSource;

    private JdbcDirectory directory(String vendor) {
        dataSource = TestDatabases.fresh(vendor);
        return new JdbcDirectory(dataSource, clock);
    }

    /** Gives {@code email} a console account as {@code mamori console add-user} does (a person made by hand). */
    private void account(JdbcDirectory directory, String email, Set<Role> roles) throws Exception {
        new ConsoleAccounts(dataSource, directory, MasterKeys.openOrCreate(dir.resolve("keys")), new Argon2id(1024, 1, 1),
                new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock).createUser(email, "管理者", null, roles);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String HEADER = "email,display_name,department,manager_email,roles,approver_departments,language,active\n";

    private static final String FIRST = HEADER
            + "hanako@example.co.jp,佐藤 花子,経営企画部,,admin,,ja,true\n"
            + "taro@example.co.jp,山田 太郎,営業部,hanako@example.co.jp,approver,営業部;営業二課,ja,true\n"
            + "jiro@example.co.jp,鈴木 次郎,営業部,taro@example.co.jp,,,en,true\n"
            + "saburo@example.co.jp,高橋 三郎,経理部,hanako@example.co.jp,employee,,,true\n";

    @ParameterizedTest
    @MethodSource("vendors")
    void aSavedPersonIsReadBackWithRolesAndApproverDepartments(String vendor) {
        JdbcDirectory directory = directory(vendor);
        Person taro = new Person("taro@example.co.jp", "山田 太郎", "営業部", "hanako@example.co.jp",
                Set.of(Role.APPROVER, Role.EMPLOYEE), new TreeSet<>(Set.of("営業部", "営業二課")), "ja", true, Person.Source.CSV);
        directory.save(taro);

        assertThat(directory.find("Taro@Example.co.jp")).contains(taro);
        assertThat(directory.departments()).containsExactly("営業二課", "営業部");
        assertThat(directory.find("nobody@example.co.jp")).isEmpty();

        Person moved = new Person(taro.email(), taro.displayName(), "経理部", null, Set.of(Role.AUDITOR), new TreeSet<>(),
                "en", true, Person.Source.CONSOLE);
        directory.save(moved);
        assertThat(directory.find(taro.email())).contains(moved);
        assertThat(directory.list()).containsExactly(moved);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void departmentsOfAddressesCountOnlyActivePeopleInAnyCase(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        new DirectoryImport(directory).run(utf8(FIRST + "shiro@example.co.jp,四郎,総務部,,,,,false\n"), "people.csv", false);

        assertThat(directory.departmentsOf(List.of("JIRO@example.co.jp", "stranger@partner.example", "saburo@example.co.jp")))
                .containsExactly("営業部", "経理部");
        assertThat(directory.departmentsOf(List.of("shiro@example.co.jp"))).as("inactive").isEmpty();
        assertThat(directory.departmentsOf(List.of())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anImportReportsAddedUpdatedDeactivatedAndUnchangedAndASecondRunChangesNothing(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        DirectoryImport importer = new DirectoryImport(directory);

        ImportReport first = importer.run(utf8(FIRST), "people.csv", false);
        assertThat(first.added()).containsExactly("hanako@example.co.jp", "taro@example.co.jp", "jiro@example.co.jp",
                "saburo@example.co.jp");
        assertThat(first.summary()).isEqualTo("added=4 updated=0 deactivated=0 unchanged=0");

        ImportReport again = importer.run(utf8(FIRST), "people.csv", false);
        assertThat(again.changesAnything()).isFalse();
        assertThat(again.unchanged()).isEqualTo(4);

        String second = HEADER
                + "hanako@example.co.jp,佐藤 花子,経営企画部,,admin,,ja,true\n"
                + "taro@example.co.jp,山田 太郎,営業部,hanako@example.co.jp,approver,営業部,ja,true\n"
                + "jiro@example.co.jp,鈴木 次郎,経理部,taro@example.co.jp,,,en,false\n"
                + "shiro@example.co.jp,伊藤 四郎,総務部,hanako@example.co.jp,auditor,,,\n";
        ImportReport report = importer.run(utf8(second), "people.csv", false);
        assertThat(report.added()).containsExactly("shiro@example.co.jp");
        assertThat(report.updated()).containsExactly(new ImportReport.Change("taro@example.co.jp",
                List.of("approver_departments: 営業二課;営業部 → 営業部")));
        assertThat(report.deactivated()).containsExactly("jiro@example.co.jp", "saburo@example.co.jp");
        assertThat(report.unchanged()).isEqualTo(1);
        assertThat(directory.find("saburo@example.co.jp").orElseThrow().active()).isFalse();
        assertThat(directory.find("jiro@example.co.jp").orElseThrow().department()).isEqualTo("経理部");
        assertThat(directory.find("shiro@example.co.jp").orElseThrow().roles()).containsExactly(Role.AUDITOR);
        assertThat(report.changeLines()).containsExactly("  + shiro@example.co.jp",
                "  ~ taro@example.co.jp: approver_departments: 営業二課;営業部 → 営業部", "  - jiro@example.co.jp",
                "  - saburo@example.co.jp");

        assertThat(importer.run(utf8(second), "people.csv", false).changesAnything()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDryRunReportsWithoutChanging(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        ImportReport report = new DirectoryImport(directory).run(utf8(FIRST), "people.csv", true);
        assertThat(report.added()).hasSize(4);
        assertThat(report.applied()).isFalse();
        assertThat(report.changeLines()).hasSize(4);
        assertThat(directory.list()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void peopleCreatedByHandAreNotDeactivatedByAnImportThatDoesNotListThem(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        Person admin = new Person("admin@example.co.jp", "管理者", null, null, Set.of(Role.ADMIN), new TreeSet<>(), "ja",
                true, Person.Source.CONSOLE);
        directory.save(admin);

        ImportReport report = new DirectoryImport(directory).run(utf8(FIRST), "people.csv", false);
        assertThat(report.deactivated()).isEmpty();
        assertThat(directory.find(admin.email())).contains(admin);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aPersonCreatedByHandStaysSoWhenAFileListsThemAndTheNextFileCannotDeactivateThem(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        account(directory, "admin@example.co.jp", Set.of(Role.ADMIN));
        DirectoryImport importer = new DirectoryImport(directory);

        importer.run(utf8(FIRST + "admin@example.co.jp,情報システム 管理者,情報システム部,,admin,,ja,true\n"), "people.csv", false);
        Person listed = directory.find("admin@example.co.jp").orElseThrow();
        assertThat(listed.department()).isEqualTo("情報システム部");
        assertThat(listed.source()).isEqualTo(Person.Source.CONSOLE);

        ImportReport next = importer.run(utf8(FIRST), "people.csv", false);
        assertThat(next.deactivated()).isEmpty();
        assertThat(directory.find("admin@example.co.jp").orElseThrow().active()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anImportThatLeavesOnlyAdministratorsWithoutAnAccountChangesNothing(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        account(directory, "admin@example.co.jp", Set.of(Role.ADMIN));
        DirectoryImport importer = new DirectoryImport(directory);

        // the one administrator who can sign in is demoted; the administrator the file names has no account
        DirectoryFileException e = catchThrowableOfType(DirectoryFileException.class, () -> importer.run(
                utf8(HEADER + "admin@example.co.jp,管理者,,,employee,,ja,true\ncio@example.co.jp,最高情報責任者,,,admin,,ja,true\n"),
                "people.csv", false));

        assertThat(e.getMessage()).contains("no active administrator who can sign in");
        assertThat(directory.find("admin@example.co.jp").orElseThrow().roles()).containsExactly(Role.ADMIN);
        assertThat(directory.find("cio@example.co.jp")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anImportThatWouldLeaveNoActiveAdministratorChangesNothing(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        DirectoryImport importer = new DirectoryImport(directory);
        importer.run(utf8(FIRST), "people.csv", false);
        account(directory, "hanako@example.co.jp", Set.of(Role.ADMIN));

        DirectoryFileException e = catchThrowableOfType(DirectoryFileException.class, () -> importer.run(
                utf8(HEADER + "hanako@example.co.jp,佐藤 花子,経営企画部,,employee,,ja,true\n"), "people.csv", false));
        assertThat(e.getMessage()).contains("no active administrator");
        assertThat(directory.find("hanako@example.co.jp").orElseThrow().roles()).containsExactly(Role.ADMIN);
        assertThat(directory.find("taro@example.co.jp").orElseThrow().active()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLanguageLeftEmptyKeepsThePersonsOwnChoice(String vendor) throws Exception {
        JdbcDirectory directory = directory(vendor);
        DirectoryImport importer = new DirectoryImport(directory);
        importer.run(utf8(FIRST), "people.csv", false);
        assertThat(directory.find("saburo@example.co.jp").orElseThrow().language())
                .as("not set: pages follow the browser, notices come in both languages").isNull();

        assertThat(directory.setLanguage("saburo@example.co.jp", "en")).isTrue();
        assertThat(importer.run(utf8(FIRST), "people.csv", false).changesAnything()).isFalse();
        assertThat(directory.find("saburo@example.co.jp").orElseThrow().language()).isEqualTo("en");
        assertThat(directory.setLanguage("nobody@example.co.jp", "en")).isFalse();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aManagerMustBeInTheFileOrTheDirectory(String vendor) {
        JdbcDirectory directory = directory(vendor);
        DirectoryFileException e = catchThrowableOfType(DirectoryFileException.class, () -> new DirectoryImport(directory)
                .run(utf8(HEADER + "taro@example.co.jp,山田 太郎,営業部,boss@example.co.jp,admin,,ja,true\n"), "people.csv", false));
        assertThat(e.problems()).extracting(CsvProblem::render).containsExactly(
                "people.csv:2: manager_email: manager boss@example.co.jp is neither in the file nor in the directory");
        assertThat(directory.list()).isEmpty();
    }
}
