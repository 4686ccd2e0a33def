package io.mamori.core.lists;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.auth.DkimResult;
import io.mamori.core.auth.DmarcResult;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthResult;
import io.mamori.core.auth.SpfResult;
import io.mamori.core.link.PublicSuffixList;
import java.util.Objects;
import java.util.Optional;

/**
 * A From domain counts as authenticated when DMARC passes (RFC 7489: an SPF or DKIM pass aligned with the From
 * domain; also a failure that a trusted ARC sealer vouches for, as the gateway treats it everywhere), or, for a
 * domain that publishes no DMARC record, when SPF or DKIM passes for a domain aligned with it in the relaxed
 * sense of RFC 7489 §3.1 (same registrable domain by the Public Suffix List). The second case matters: many
 * partners publish SPF and sign with DKIM but have no DMARC record, and their genuine mail is just as
 * authenticated. Anything else (fail, temporary error, nothing aligned) is not.
 *
 * <p>It takes the results of the sender-authentication checks from {@link SenderAuthAnalyzer#evaluate}, which
 * evaluates once per input: the analyzers run in parallel, and whichever of the sender-auth analyzer and this check
 * asks first does the DNS work while the other waits for its result. Thread-safe.
 */
public final class DmarcAlignment implements SenderVerifier {

    private final SenderAuthAnalyzer senderAuth;
    private final PublicSuffixList suffixes = PublicSuffixList.builtIn();

    public DmarcAlignment(SenderAuthAnalyzer senderAuth) {
        this.senderAuth = Objects.requireNonNull(senderAuth, "senderAuth");
    }

    @Override
    public Verification verify(AnalysisInput input) {
        SenderAuthResult r = senderAuth.evaluate(input);
        DmarcResult dmarc = r.dmarc();
        if (r.effectiveDmarc() == DmarcResult.Kind.PASS) {
            return new Verification(true, r.arcOverride().isPresent()
                    ? "dmarc=pass (trusted ARC sealer " + r.arcOverride().get().sealer() + ")" : "dmarc=pass");
        }
        if (dmarc.kind() != DmarcResult.Kind.NONE || dmarc.fromDomain().isEmpty()) {
            return new Verification(false, "dmarc=" + dmarc.kind().lowerName());
        }
        Optional<String> from = organisation(dmarc.fromDomain());
        if (from.isPresent()) {
            if (r.spf().kind() == SpfResult.Kind.PASS && from.equals(organisation(r.spf().domain()))) {
                return new Verification(true, "spf=pass aligned (no DMARC record)");
            }
            for (DkimResult d : r.dkim()) {
                if (d.kind() == DkimResult.Kind.PASS && from.equals(organisation(d.domain()))) {
                    return new Verification(true, "dkim=pass d=" + d.domain() + " aligned (no DMARC record)");
                }
            }
        }
        return new Verification(false, "dmarc=none, no aligned SPF or DKIM pass");
    }

    private Optional<String> organisation(String domain) {
        return domain == null || domain.isEmpty() ? Optional.empty() : suffixes.registrableDomain(domain);
    }
}
