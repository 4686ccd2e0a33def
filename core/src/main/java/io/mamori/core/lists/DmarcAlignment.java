package io.mamori.core.lists;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthResult;
import java.util.Objects;

/**
 * A From domain counts as authenticated as {@link SenderAuthResult#author()} says: DMARC passes (a trusted ARC
 * sealer's word included), or, for a domain without a DMARC record, an SPF or DKIM pass of the same organisation;
 * and only when that judgement was of the domain that matched the allow entry.
 *
 * <p>It takes the results of the sender-authentication checks from {@link SenderAuthAnalyzer#evaluate}, which
 * evaluates once per input: the analyzers run in parallel, and whichever of the sender-auth analyzer and this check
 * asks first does the DNS work while the other waits for its result. Thread-safe.
 */
public final class DmarcAlignment implements SenderVerifier {

    private final SenderAuthAnalyzer senderAuth;

    public DmarcAlignment(SenderAuthAnalyzer senderAuth) {
        this.senderAuth = Objects.requireNonNull(senderAuth, "senderAuth");
    }

    @Override
    public Verification verify(AnalysisInput input, String fromDomain) {
        SenderAuthResult result = senderAuth.evaluate(input);
        // the DMARC from-domain is what the pass (DMARC's, or an aligned SPF or DKIM pass without a DMARC record) was
        // judged for; the lists and DMARC read the From field alike, and should they ever not, nothing is allowed
        String judged = result.dmarc().fromDomain();
        if (!judged.equals(fromDomain)) {
            return new Verification(false, "authentication judged " + (judged.isEmpty() ? "no From domain" : judged)
                    + ", not " + fromDomain);
        }
        SenderAuthResult.Author author = result.author();
        return new Verification(author.authenticated(), author.detail());
    }
}
