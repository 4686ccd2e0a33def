package io.mamori.console.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.directory.DirectoryImport;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.testing.TestDatabases;
import io.mamori.core.access.Role;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who may see and act on which message, with departments from a real directory. */
class ScopeTest {

    private Scope scope;

    @BeforeEach
    void directory() throws Exception {
        JdbcDirectory directory = new JdbcDirectory(TestDatabases.fresh("h2"), Clock.systemUTC());
        new DirectoryImport(directory).run(("""
                email,display_name,department,roles,approver_departments,active
                sales1@example.co.jp,営業 一郎,営業部,,,true
                sales2@example.co.jp,営業 二郎,営業部,,,false
                acct1@example.co.jp,経理 一郎,経理部,,,true
                boss@example.co.jp,部長,営業部,approver,営業部,true
                admin@example.co.jp,管理者,情報システム部,admin,,true
                """).getBytes(StandardCharsets.UTF_8), "people.csv", false);
        scope = new Scope(directory);
    }

    private static ConsoleUser user(String email, Set<Role> roles, String... approves) {
        return new ConsoleUser(email, email, null, roles, new TreeSet<>(List.of(approves)), Locale.JAPANESE);
    }

    @Test
    void anApproverSeesAndActsOnTheirDepartmentsMessagesOnly() {
        ConsoleUser approver = user("boss@example.co.jp", Set.of(Role.APPROVER), "営業部");
        assertThat(scope.canSeeMessage(approver, Direction.INBOUND, "x@partner.example", List.of("SALES1@example.co.jp"))).isTrue();
        assertThat(scope.canActOnMessage(approver, Direction.INBOUND, MessageState.QUARANTINED, "x@partner.example", List.of("sales1@example.co.jp"))).isTrue();
        assertThat(scope.canSeeMessage(approver, Direction.INBOUND, "x@partner.example", List.of("acct1@example.co.jp"))).isFalse();
        assertThat(scope.canActOnMessage(approver, Direction.INBOUND, MessageState.QUARANTINED, "x@partner.example", List.of("acct1@example.co.jp"))).isFalse();
        assertThat(scope.canSeeMessage(approver, Direction.OUTBOUND, "sales1@example.co.jp", List.of("y@partner.example"))).isTrue();
        assertThat(scope.canSeeMessage(approver, Direction.INBOUND, "x@partner.example", List.of("sales2@example.co.jp")))
                .as("a deactivated person no longer counts for the department").isFalse();
        assertThat(scope.coversDepartment(approver, "営業部")).isTrue();
        assertThat(scope.coversDepartment(approver, "経理部")).isFalse();
    }

    @Test
    void theEnvelopeSenderOfInboundMailGivesNoScopeBecauseAnyoneCanForgeIt() {
        ConsoleUser approver = user("boss@example.co.jp", Set.of(Role.APPROVER), "営業部");
        assertThat(scope.canSeeMessage(approver, Direction.INBOUND, "sales1@example.co.jp", List.of("acct1@example.co.jp"))).isFalse();
        ConsoleUser employee = user("sales1@example.co.jp", Set.of(Role.EMPLOYEE));
        assertThat(scope.canSeeMessage(employee, Direction.INBOUND, "sales1@example.co.jp", List.of("acct1@example.co.jp"))).isFalse();
        assertThat(scope.canActOnMessage(employee, Direction.INBOUND, MessageState.QUARANTINED, "sales1@example.co.jp", List.of("acct1@example.co.jp"))).isFalse();
    }

    @Test
    void anEmployeeSeesOwnMailAndActsOnlyOnHeldOutboundMailTheySent() {
        ConsoleUser employee = user("acct1@example.co.jp", Set.of(Role.EMPLOYEE));
        assertThat(scope.canSeeMessage(employee, Direction.INBOUND, "x@partner.example", List.of("a@example.co.jp", "Acct1@example.co.jp"))).isTrue();
        assertThat(scope.canActOnMessage(employee, Direction.INBOUND, MessageState.QUARANTINED, "x@partner.example", List.of("acct1@example.co.jp"))).isFalse();
        assertThat(scope.canSeeMessage(employee, Direction.OUTBOUND, "acct1@example.co.jp", List.of("y@partner.example"))).isTrue();
        assertThat(scope.canActOnMessage(employee, Direction.OUTBOUND, MessageState.HELD, "acct1@example.co.jp", List.of("y@partner.example"))).isTrue();
        assertThat(scope.canActOnMessage(employee, Direction.OUTBOUND, MessageState.QUARANTINED, "acct1@example.co.jp", List.of("y@partner.example")))
                .as("outbound mail the policy quarantined (malware, a leak) is not the sender's to release").isFalse();
        assertThat(scope.canActOnMessage(employee, Direction.OUTBOUND, MessageState.HELD, "sales1@example.co.jp", List.of("y@partner.example"))).isFalse();
        assertThat(scope.canSeeMessage(employee, Direction.INBOUND, "x@partner.example", List.of("sales1@example.co.jp"))).isFalse();
    }

    @Test
    void analystsAndAdminsSeeAndActOnEverythingAuditorsOnlySee() {
        for (Role role : List.of(Role.ADMIN, Role.ANALYST)) {
            ConsoleUser u = user("admin@example.co.jp", Set.of(role));
            assertThat(scope.canSeeMessage(u, Direction.INBOUND, "x@partner.example", List.of("acct1@example.co.jp"))).isTrue();
            assertThat(scope.canActOnMessage(u, Direction.INBOUND, MessageState.QUARANTINED, "x@partner.example", List.of("acct1@example.co.jp"))).isTrue();
        }
        ConsoleUser auditor = user("audit@example.co.jp", Set.of(Role.AUDITOR));
        assertThat(scope.canSeeMessage(auditor, Direction.INBOUND, "x@partner.example", List.of("acct1@example.co.jp"))).isTrue();
        assertThat(scope.canActOnMessage(auditor, Direction.INBOUND, MessageState.QUARANTINED, "x@partner.example", List.of("acct1@example.co.jp"))).isFalse();
        assertThat(scope.coversDepartment(auditor, "経理部")).isFalse();
    }

    @Test
    void messageOwnersAreTheUsersOwnAddressAndTheActivePeopleOfTheDepartmentsTheyApproveFor() {
        assertThat(scope.messageOwners(user("Acct1@Example.co.jp", Set.of(Role.EMPLOYEE)))).containsExactly("acct1@example.co.jp");
        assertThat(scope.messageOwners(user("boss@example.co.jp", Set.of(Role.APPROVER), "営業部")))
                .as("the deactivated sales2 is left out").containsExactlyInAnyOrder("boss@example.co.jp", "sales1@example.co.jp");
        for (Role role : List.of(Role.ADMIN, Role.ANALYST, Role.AUDITOR)) {
            assertThat(scope.messageOwners(user("admin@example.co.jp", Set.of(role)))).as("%s sees all", role).isNull();
        }
        assertThat(scope.readOnly(user("audit@example.co.jp", Set.of(Role.AUDITOR)))).isTrue();
        assertThat(scope.readOnly(user("audit@example.co.jp", Set.of(Role.AUDITOR, Role.APPROVER), "営業部"))).isFalse();
        assertThat(scope.readOnly(user("acct1@example.co.jp", Set.of(Role.EMPLOYEE)))).isFalse();
    }
}
