package io.mamori.core.access;

import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Who may use the console from where and when: the {@code access} section of {@code policy.yaml}. A role
 * without an entry may sign in from any network at any time and needs MFA. Immutable and thread-safe.
 *
 * <p>A user with several roles must satisfy the rule of <em>each</em> of them: the strictest rule wins, so an
 * administrator restricted to the office network cannot escape the restriction through a looser second role.
 *
 * @param roles the rules written in the policy, by role
 */
public record AccessRules(Map<Role, RoleAccess> roles) {

    /** No restriction for any role; MFA for every role. What a policy without {@code access} gets. */
    public static final AccessRules DEFAULT = new AccessRules(Map.of());

    public AccessRules {
        EnumMap<Role, RoleAccess> copy = new EnumMap<>(Role.class);
        copy.putAll(roles);
        roles = Map.copyOf(copy);
    }

    /** The rule of {@code role}; {@link RoleAccess#UNRESTRICTED} when the policy names none. */
    public RoleAccess forRole(Role role) {
        return roles.getOrDefault(role, RoleAccess.UNRESTRICTED);
    }

    /**
     * Whether a user holding {@code userRoles} may use the console from {@code client} at {@code at}. A user
     * without any role is denied.
     */
    public AccessDecision check(Collection<Role> userRoles, InetAddress client, Instant at) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(at, "at");
        if (userRoles.isEmpty()) {
            return new AccessDecision.Denied(Role.EMPLOYEE, AccessDecision.Reason.NO_ROLE, "");
        }
        for (Role role : Role.values()) {
            if (!userRoles.contains(role)) {
                continue;
            }
            RoleAccess rule = forRole(role);
            if (!rule.allowsNetwork(client)) {
                return new AccessDecision.Denied(role, AccessDecision.Reason.NETWORK, rule.networks().stream()
                        .map(Cidr::toString).collect(Collectors.joining(", ")));
            }
            if (!rule.allowsTime(at)) {
                return new AccessDecision.Denied(role, AccessDecision.Reason.HOURS, rule.hours().orElseThrow().describe());
            }
        }
        return AccessDecision.ALLOWED;
    }

    /** Whether any of {@code userRoles} requires a second factor (a user without roles always does). */
    public boolean mfaRequired(Collection<Role> userRoles) {
        return userRoles.isEmpty() || userRoles.stream().anyMatch(r -> forRole(r).mfaRequired());
    }

    /**
     * The rule for one role.
     *
     * @param networks    client networks the role may sign in from; empty means any network
     * @param hours       when the role may use the console; empty means at any time
     * @param mfaRequired whether the role must pass a second factor (TOTP) at sign-in
     */
    public record RoleAccess(List<Cidr> networks, Optional<WeeklyHours> hours, boolean mfaRequired) {

        public static final RoleAccess UNRESTRICTED = new RoleAccess(List.of(), Optional.empty(), true);

        public RoleAccess {
            networks = List.copyOf(networks);
            Objects.requireNonNull(hours, "hours");
        }

        public boolean allowsNetwork(InetAddress client) {
            if (networks.isEmpty()) {
                return true;
            }
            // Java turns IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) into Inet4Address, so IPv4 networks match them.
            return networks.stream().anyMatch(n -> n.contains(client));
        }

        public boolean allowsTime(Instant at) {
            return hours.map(h -> h.contains(at)).orElse(true);
        }
    }
}
