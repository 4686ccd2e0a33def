package io.mamori.core.auth;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of ARC chain validation (RFC 8617 §5.2).
 *
 * @param kind    the chain validation status
 * @param sets    the ARC sets in instance order (empty for {@code none}, may be partial for {@code fail})
 * @param reason  why it failed, for people and logs (empty otherwise)
 */
public record ArcResult(Kind kind, List<ArcSet> sets, String reason) {

    public enum Kind {
        NONE, PASS, FAIL, TEMPERROR;

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One ARC set as the sealer wrote it.
     *
     * @param instance              {@code i=}
     * @param sealer                the ARC-Seal's {@code d=} (the intermediary that vouches for the set)
     * @param authenticationResults the ARC-Authentication-Results value after {@code i=N;}
     */
    public record ArcSet(int instance, String sealer, String authenticationResults) {
    }

    public ArcResult {
        Objects.requireNonNull(kind, "kind");
        sets = List.copyOf(sets);
        reason = reason == null ? "" : reason;
    }
}
