package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.access.AccessRules;
import io.mamori.core.access.AccessRules.RoleAccess;
import io.mamori.core.access.Role;
import io.mamori.core.access.WeeklyHours;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.network.Cidr;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code access} section of policy.yaml: per-role networks, hours and MFA. */
class PolicyAccessTest {

    private final PolicyLoader loader = new PolicyLoader(TestCatalogue.CATALOGUE);

    private static final String BASE = """
            version: 1
            organisation:
              name: 株式会社サンプル
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4 }
            outbound:
              thresholds: { tag: 6 }
            """;

    private List<PolicyError> errorsOf(String access) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(BASE + access, "policy.yaml"));
        assertThat(e).as("expected the policy to be rejected").isNotNull();
        return e.errors();
    }

    @Test
    void withoutAnAccessSectionEveryRoleIsUnrestrictedAndNeedsMfa() throws Exception {
        assertThat(loader.parse(BASE, "policy.yaml").access()).isEqualTo(AccessRules.DEFAULT);
        assertThat(loader.parse(BASE + "access:\n", "policy.yaml").access()).isEqualTo(AccessRules.DEFAULT);
    }

    @Test
    void rolesGetNetworksHoursAndMfaAsWritten() throws Exception {
        Policy p = loader.parse(BASE + """
                access:
                  roles:
                    admin:
                      networks: [192.0.2.0/24, "2001:db8:10::/48"]
                      hours:
                        time_zone: Asia/Tokyo
                        windows:
                          - { days: weekdays, from: 08:00, to: 20:00 }
                          - { days: [sat], from: "09:30", to: "24:00" }
                    employee:
                      mfa_required: false
                    auditor:
                """, "policy.yaml");
        RoleAccess admin = p.access().forRole(Role.ADMIN);
        assertThat(admin.networks()).containsExactly(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8:10::/48"));
        assertThat(admin.hours()).contains(new WeeklyHours(ZoneId.of("Asia/Tokyo"), List.of(
                new WeeklyHours.Window(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), 480, 1200),
                new WeeklyHours.Window(EnumSet.of(DayOfWeek.SATURDAY), 570, 1440))));
        assertThat(admin.mfaRequired()).isTrue();
        assertThat(p.access().forRole(Role.EMPLOYEE)).isEqualTo(new RoleAccess(List.of(), Optional.empty(), false));
        assertThat(p.access().forRole(Role.AUDITOR)).isEqualTo(RoleAccess.UNRESTRICTED);
    }

    @Test
    void everyMistakeIsReportedWithItsPositionAndKey() {
        List<PolicyError> errors = errorsOf("""
                access:
                  roles:
                    admn:
                      mfa_required: true
                    analyst:
                      networks: [192.0.2.0/33, mail.example.co.jp]
                      mfa_required: "yes"
                    approver:
                      hours:
                        time_zone: Asia/Tokio
                        windows:
                          - { days: [mon, funday], from: "25:00", to: "08:00" }
                    auditor:
                      networks: []
                    employee:
                      hours:
                        time_zone: UTC
                        windows:
                          - { days: every_day, from: "20:00", to: "08:00" }
                """);
        assertThat(errors).extracting(PolicyError::render).containsExactly(
                "policy.yaml:11:5: access.roles.admn: unknown role; did you mean 'admin'?",
                "policy.yaml:14:18: access.roles.analyst.networks[0]: prefix length must be 0..32: 33",
                "policy.yaml:14:32: access.roles.analyst.networks[1]: not an IP network in CIDR notation: 'mail.example.co.jp'",
                "policy.yaml:15:21: access.roles.analyst.mfa_required: must be true or false, got a string 'yes'",
                "policy.yaml:18:20: access.roles.approver.hours.time_zone: unknown time zone 'Asia/Tokio'; write an IANA name such as Asia/Tokyo",
                "policy.yaml:20:27: access.roles.approver.hours.windows[0].days[1]: unknown day 'funday'; expected mon, tue, wed, thu, fri, sat, sun, or one of weekdays, weekends, every_day",
                "policy.yaml:20:42: access.roles.approver.hours.windows[0].from: '25:00' is not a time of day HH:MM (00:00..23:59)",
                "policy.yaml:22:17: access.roles.auditor.networks: must list at least one network; leave the key out to allow every network",
                "policy.yaml:27:51: access.roles.employee.hours.windows[0].to: must be after from; a window cannot cross midnight (write two windows)");
    }

    @Test
    void hoursNeedATimeZoneAndWindows() {
        assertThat(errorsOf("""
                access:
                  roles:
                    admin:
                      hours:
                        windows:
                          - { days: weekdays, from: "08:00", to: "20:00" }
                """)).extracting(PolicyError::render).containsExactly(
                "policy.yaml:13:9: access.roles.admin.hours.time_zone: missing required key");
    }

    @Test
    void theShippedDefaultAllowsEveryRoleEverywhereWithMfa() {
        Policy p = new PolicyLoader(FindingCatalogue.builtIn()).defaults();
        for (Role role : Role.values()) {
            assertThat(p.access().forRole(role)).as(role.key()).isEqualTo(RoleAccess.UNRESTRICTED);
        }
    }
}
