package io.mamori.core.auth;

import io.mamori.core.analysis.RawMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * DKIM and ARC over one read of the raw message: header fields first, then one pass over the body feeding
 * every signature's body hasher; signatures that canonicalize and hash the body the same way (a sender's and its
 * mail service's DKIM signatures, the ARC-Message-Signature of a relay) share one hasher, since their body hashes
 * are the same bytes. Stateless and thread-safe.
 */
final class SignatureChecks {

    record Outcome(List<DkimResult> dkim, ArcResult arc) {
    }

    private final DkimVerifier dkim;
    private final ArcVerifier arc;

    SignatureChecks(DkimVerifier dkim, ArcVerifier arc) {
        this.dkim = dkim;
        this.arc = arc;
    }

    Outcome run(RawMessage raw) throws IOException {
        try (InputStream in = raw.open(); RawMail mail = RawMail.read(in)) {
            List<DkimVerifier.Check> checks = dkim.prepare(mail);
            ArcVerifier.Chain chain = arc.prepare(mail);
            List<BodyHasher> hashers = new ArrayList<>();
            for (DkimVerifier.Check c : checks) {
                if (c.decided == null) {
                    c.hasher = shared(hashers, c.hasher);
                }
            }
            if (chain.decided == null && chain.newestAms.decided == null) {
                chain.newestAms.hasher = shared(hashers, chain.newestAms.hasher);
            }
            if (!hashers.isEmpty()) {
                byte[] line;
                while ((line = mail.nextLine()) != null) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new IOException("interrupted");
                    }
                    for (BodyHasher h : hashers) {
                        h.line(line);
                    }
                }
            }
            List<DkimResult> results = new ArrayList<>();
            for (DkimVerifier.Check c : checks) {
                results.add(dkim.finish(c, mail));
            }
            return new Outcome(results, arc.finish(chain, mail));
        }
    }

    /** A hasher of {@code hashers} that computes what {@code hasher} would, else {@code hasher}, added to them. */
    private static BodyHasher shared(List<BodyHasher> hashers, BodyHasher hasher) {
        for (BodyHasher h : hashers) {
            if (h.sameHashAs(hasher)) {
                return h;
            }
        }
        hashers.add(hasher);
        return hasher;
    }
}
