package io.mamori.core.link;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Services where anyone can publish a page, a form or a file, or create an app, under the service's own name
 * ({@code free-hosting.txt}: {@code *.web.app}, {@code *.firebaseapp.com}, {@code forms.gle/} …, and cloud object
 * storage, {@link CloudStorage}): for the link analyzer's {@code LINK_FREE_HOSTING}, and for the impersonation
 * analyzer's {@code SENDER_ON_FREE_HOSTING}, a sender whose address is on such a service's domain. Immutable.
 */
public final class FreeHosting {

    private static final FreeHosting SHIPPED = load("free-hosting.txt");

    /** Domains: every host below one counts (user.web.app), not the service's own site (web.app, www.web.app). */
    private final Set<String> domains;
    /** Host and path prefixes (docs.google.com/forms/). */
    private final List<String> prefixes;

    private FreeHosting(Set<String> domains, List<String> prefixes) {
        this.domains = Set.copyOf(domains);
        this.prefixes = List.copyOf(prefixes);
    }

    /** The shipped list. */
    public static FreeHosting shipped() {
        return SHIPPED;
    }

    /**
     * The listed domain {@code asciiHost} (lower-case ASCII) is a host below ({@code firebaseapp.com} for
     * {@code project-1.firebaseapp.com}), or empty; the service's own site ({@code www.web.app}) is none.
     */
    public Optional<String> domainAbove(String asciiHost) {
        int dot = asciiHost.indexOf('.');
        while (dot >= 0) {
            String parent = asciiHost.substring(dot + 1);
            if (domains.contains(parent)) {
                return asciiHost.equals("www." + parent) ? Optional.empty() : Optional.of(parent);
            }
            dot = asciiHost.indexOf('.', dot + 1);
        }
        return Optional.empty();
    }

    /** Whether a link to {@code asciiHost} ({@code url} for the listed paths, may be null) is to such a service. */
    boolean serves(String asciiHost, String url) {
        if (domainAbove(asciiHost).isPresent() || CloudStorage.isStorage(asciiHost)) {
            return true;
        }
        if (url != null) {
            String rest = url.substring(LinkAnalyzer.authorityStart(url)).toLowerCase(Locale.ROOT);
            for (String prefix : prefixes) {
                if (rest.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static FreeHosting load(String resource) {
        Set<String> entries = LinkAnalyzer.loadList(resource);
        return new FreeHosting(entries.stream().filter(e -> !e.contains("/")).collect(Collectors.toSet()),
                entries.stream().filter(e -> e.contains("/")).sorted().toList());
    }
}
