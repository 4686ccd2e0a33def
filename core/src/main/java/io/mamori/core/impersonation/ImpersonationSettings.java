package io.mamori.core.impersonation;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the impersonation analyzer protects, taken from the policy.
 *
 * @param internalDomains         our own domains (any host name; its registrable domain is what counts)
 * @param protectedPartnerDomains partners' domains whose lookalikes are reported too
 * @param people                  protected people and their real addresses
 */
public record ImpersonationSettings(Set<String> internalDomains, Set<String> protectedPartnerDomains,
        List<ProtectedPerson> people) {

    public ImpersonationSettings {
        internalDomains = lowerCase(internalDomains);
        protectedPartnerDomains = lowerCase(protectedPartnerDomains);
        people = List.copyOf(people);
    }

    /** Nothing protected: only the Reply-To and Return-Path checks apply. */
    public static ImpersonationSettings none() {
        return new ImpersonationSettings(Set.of(), Set.of(), List.of());
    }

    private static Set<String> lowerCase(Set<String> domains) {
        return domains.stream().map(d -> d.strip().toLowerCase(Locale.ROOT)).filter(d -> !d.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
