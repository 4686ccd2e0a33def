package io.mamori.console.audit;

/**
 * A row hash noted outside the database (printed by {@code mamori audit verify}, kept in a ticket or on paper).
 * The hash chain alone shows edits by someone who does not recompute the hashes; someone who can write the
 * database and rebuilds the whole chain after an edit is found only by comparing with a hash noted earlier.
 */
public record AuditAnchor(long seq, String hash) {

    public AuditAnchor {
        if (seq < 1) {
            throw new InvalidAuditInput("anchor seq must be at least 1: " + seq, "アンカーの seq は 1 以上にしてください: " + seq);
        }
        if (!AuditChain.isHash(hash)) {
            throw new InvalidAuditInput("anchor hash must be 64 lower-case hex digits: " + hash,
                    "アンカーのハッシュは 16 進数の小文字 64 桁にしてください: " + hash);
        }
    }

    /** Parses {@code SEQ:HASH}, as {@code mamori audit verify} prints it. */
    public static AuditAnchor parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidAuditInput("anchor must be SEQ:HASH, e.g. 42:9f86d0…: " + text,
                    "アンカーは SEQ:HASH の形で指定してください（例: 42:9f86d0…）: " + text);
        }
        try {
            return new AuditAnchor(Long.parseLong(text.substring(0, colon).trim()),
                    text.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT));
        } catch (NumberFormatException e) {
            throw new InvalidAuditInput("anchor seq is not a number: " + text, "アンカーの seq が数値ではありません: " + text);
        }
    }

    @Override
    public String toString() {
        return seq + ":" + hash;
    }
}
