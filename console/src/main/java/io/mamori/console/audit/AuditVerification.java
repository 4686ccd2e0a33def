package io.mamori.console.audit;

/** The outcome of walking the audit chain ({@link JdbcAuditTrail#verify}). */
public sealed interface AuditVerification {

    /** Whether the chain is intact. */
    boolean intact();

    /** The whole chain checks out: {@code count} rows, the last one {@code lastSeq} with hash {@code lastHash}. */
    record Intact(long count, long lastSeq, String lastHash) implements AuditVerification {
        @Override
        public boolean intact() {
            return true;
        }
    }

    /**
     * The first place where the chain is broken.
     *
     * @param seq     the first seq at which the break shows
     * @param problem what kind of break
     * @param detail  what was found there, in Japanese then English
     * @param checked rows checked before the break
     */
    record Broken(long seq, Problem problem, String detail, long checked) implements AuditVerification {
        @Override
        public boolean intact() {
            return false;
        }
    }

    enum Problem {
        /** A row's contents no longer match its own stored hash. */
        EDITED,
        /** Rows are missing: seq jumps, the first row is not 1, or the chain head records rows past the last one. */
        DELETED,
        /** A row links to a row that comes after it: rows were moved to other seq numbers. */
        REORDERED,
        /** A row's link does not match the previous row's hash although each row matches its own hash. */
        RELINKED,
        /** A verification anchor noted earlier no longer matches: the chain was rebuilt from that point. */
        ANCHOR_MISMATCH
    }
}
