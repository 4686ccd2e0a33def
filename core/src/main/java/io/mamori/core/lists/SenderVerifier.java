package io.mamori.core.lists;

import io.mamori.core.analysis.AnalysisInput;
import java.util.Objects;

/**
 * Tells whether the From domain of a message is authenticated, which an allow entry needs before it may lower
 * anything: an allow list keyed on a From address that anyone can forge would let spoofed mail in.
 *
 * <p>Contract: thread-safe; called only for messages whose From matches an allow entry; may do DNS work. Only an
 * authentication of the very domain that matched counts: a pass for another domain read from the same field (an
 * address in a comment or quotes that one parser takes and another does not) is the forger's own.
 */
public interface SenderVerifier {

    /**
     * @param authenticated whether the From domain passed
     * @param detail        what decided it, for the evidence, e.g. {@code dmarc=pass} or {@code dmarc=fail}
     */
    record Verification(boolean authenticated, String detail) {
        public Verification {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * @param fromDomain the lower-case ASCII domain of the From address that matched the allow entry
     */
    Verification verify(AnalysisInput input, String fromDomain);
}
