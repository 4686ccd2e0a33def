package io.mamori.core.auth;

import io.mamori.core.analysis.RawMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * DKIM and ARC over one read of the raw message: header fields first, then every signature's key, then one pass
 * over the body feeding the body hasher of every signature whose key was found (none when no key can be had, as
 * offline or for forged signatures); signatures that canonicalize and hash the body the same way (a sender's and its
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
            // keys before bodies (RFC 6376 §6.1.2, then §6.1.3): a signature whose key cannot be had needs no body hash;
            // all the keys asked for together first
            for (DkimVerifier.Check c : checks) {
                dkim.askForKey(c);
            }
            if (chain.decided == null) {
                dkim.askForKey(chain.newestAms);
            }
            for (DkimVerifier.Check c : checks) {
                dkim.fetchKey(c);
            }
            if (chain.decided == null) {
                dkim.fetchKey(chain.newestAms);
            }
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
