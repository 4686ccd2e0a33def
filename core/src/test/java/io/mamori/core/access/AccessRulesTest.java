package io.mamori.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.access.AccessRules.RoleAccess;
import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRulesTest {

    private static final WeeklyHours TOKYO_OFFICE_HOURS = new WeeklyHours(ZoneId.of("Asia/Tokyo"),
            List.of(new WeeklyHours.Window(Set.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
                    DayOfWeek.THURSDAY, DayOfWeek.FRIDAY), 8 * 60, 20 * 60)));

    private static final AccessRules RULES = new AccessRules(Map.of(
            Role.ADMIN, new RoleAccess(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8:10::/48")),
                    Optional.of(TOKYO_OFFICE_HOURS), true),
            Role.EMPLOYEE, new RoleAccess(List.of(), Optional.empty(), false)));

    /** Wednesday 2026-12-02 10:00 in Tokyo. */
    private static final Instant WEDNESDAY_MORNING_TOKYO = Instant.parse("2026-12-02T01:00:00Z");

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void aRoleWithoutARuleMayUseTheConsoleFromAnywhereAtAnyTimeWithMfa() throws Exception {
        assertThat(AccessRules.DEFAULT.check(Set.of(Role.ANALYST), ip("203.0.113.9"), Instant.parse("2026-12-06T18:00:00Z")))
                .isEqualTo(AccessDecision.ALLOWED);
        assertThat(AccessRules.DEFAULT.mfaRequired(Set.of(Role.EMPLOYEE))).isTrue();
        assertThat(RULES.forRole(Role.AUDITOR)).isEqualTo(RoleAccess.UNRESTRICTED);
    }

    @Test
    void networksMatchIpv4AndIpv6AddressesIncludingIpv4MappedOnes() throws Exception {
        assertThat(RULES.check(Set.of(Role.ADMIN), ip("192.0.2.77"), WEDNESDAY_MORNING_TOKYO).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN), ip("::ffff:192.0.2.77"), WEDNESDAY_MORNING_TOKYO).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN), ip("2001:db8:10:ff::1"), WEDNESDAY_MORNING_TOKYO).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN), ip("2001:db8:11::1"), WEDNESDAY_MORNING_TOKYO))
                .isEqualTo(new AccessDecision.Denied(Role.ADMIN, AccessDecision.Reason.NETWORK, "192.0.2.0/24, 2001:db8:10::/48"));
        assertThat(RULES.check(Set.of(Role.ADMIN), ip("127.0.0.1"), WEDNESDAY_MORNING_TOKYO).allowed()).isFalse();
    }

    @Test
    void hoursAreReadInTheRuleTimeZoneWithTheEndExclusive() throws Exception {
        InetAddress office = ip("192.0.2.1");
        // 07:59 and 20:00 Tokyo on a Wednesday are outside, 08:00 and 19:59 inside
        assertThat(RULES.check(Set.of(Role.ADMIN), office, Instant.parse("2026-12-01T22:59:00Z")).allowed()).isFalse();
        assertThat(RULES.check(Set.of(Role.ADMIN), office, Instant.parse("2026-12-01T23:00:00Z")).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN), office, Instant.parse("2026-12-02T10:59:00Z")).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN), office, Instant.parse("2026-12-02T11:00:00Z")))
                .isEqualTo(new AccessDecision.Denied(Role.ADMIN, AccessDecision.Reason.HOURS,
                        "Mon,Tue,Wed,Thu,Fri 08:00-20:00 (Asia/Tokyo)"));
        // Saturday 10:00 in Tokyo is still Friday in UTC: the local day counts
        assertThat(RULES.check(Set.of(Role.ADMIN), office, Instant.parse("2026-12-05T01:00:00Z")).allowed()).isFalse();
    }

    @Test
    void aUserWithSeveralRolesMustSatisfyEachOfThem() throws Exception {
        assertThat(RULES.check(Set.of(Role.EMPLOYEE), ip("203.0.113.9"), WEDNESDAY_MORNING_TOKYO).allowed()).isTrue();
        assertThat(RULES.check(Set.of(Role.ADMIN, Role.EMPLOYEE), ip("203.0.113.9"), WEDNESDAY_MORNING_TOKYO))
                .isInstanceOfSatisfying(AccessDecision.Denied.class, d -> assertThat(d.role()).isEqualTo(Role.ADMIN));
        assertThat(RULES.check(Set.of(), ip("192.0.2.1"), WEDNESDAY_MORNING_TOKYO))
                .isInstanceOfSatisfying(AccessDecision.Denied.class,
                        d -> assertThat(d.reason()).isEqualTo(AccessDecision.Reason.NO_ROLE));
    }

    @Test
    void mfaIsRequiredWhenAnyRoleRequiresIt() {
        assertThat(RULES.mfaRequired(Set.of(Role.EMPLOYEE))).isFalse();
        assertThat(RULES.mfaRequired(Set.of(Role.EMPLOYEE, Role.ADMIN))).isTrue();
        assertThat(RULES.mfaRequired(Set.of())).isTrue();
    }

    @Test
    void windowsFollowDaylightSavingTimeOfTheirZone() {
        WeeklyHours berlin = new WeeklyHours(ZoneId.of("Europe/Berlin"),
                List.of(new WeeklyHours.Window(EnumSet.allOf(DayOfWeek.class), 9 * 60, 17 * 60)));
        // 08:30 UTC is 09:30 in winter (CET) but 10:30 in summer (CEST); 07:30 UTC is inside only in summer
        assertThat(berlin.contains(Instant.parse("2026-01-15T07:30:00Z"))).isFalse();
        assertThat(berlin.contains(Instant.parse("2026-07-15T07:30:00Z"))).isTrue();
    }
}
