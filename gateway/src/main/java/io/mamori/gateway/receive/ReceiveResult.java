package io.mamori.gateway.receive;

/** What the SMTP session answers at the end of DATA. */
public sealed interface ReceiveResult {

    /** Committed: answer {@code 250 2.0.0 Ok: queued as <queueId>}. */
    record Accepted(String queueId) implements ReceiveResult {
    }

    /**
     * Refused: answer {@code code enhanced text}, e.g. {@code 550 5.7.1 Message rejected by policy}.
     * 4xx codes are temporary refusals.
     */
    record Refused(int code, String enhancedStatus, String text) implements ReceiveResult {
        public Refused {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("refusal code must be 4xx or 5xx: " + code);
            }
        }

        public String reply() {
            return code + " " + enhancedStatus + " " + text;
        }
    }
}
