package io.mamori.core.auth;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Mailbox;
import io.mamori.core.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Whether mail submitted with SMTP AUTH is sent as the login that authenticated: its envelope sender, and each address
 * of its {@code From} and {@code Sender} fields, must be the login's own address or one the policy's {@code send_as}
 * gives it ({@link Policy.SendAs}). Otherwise {@code SEND_AS_NOT_PERMITTED}, naming the login and the addresses; the
 * shipped policy rejects such mail, as Microsoft 365 refuses a mailbox without "send as" rights (5.7.60). Without
 * it, any employee with an app password could send as the president, and the console's ownership of outbound mail
 * (who may see and release a held message) would follow whatever sender the client claimed.
 *
 * <p>Only authenticated outbound mail is judged: inbound mail has no login, and clients of the trusted networks relay
 * without one (keep those to the servers that need it). The null sender {@code <>} (a read receipt, a bounce) names
 * no address, so only its header fields are judged. Stateless and thread-safe.
 */
public final class SendAsAnalyzer implements Analyzer {

    public static final String CODE = "SEND_AS_NOT_PERMITTED";
    private static final int MAX_EVIDENCE_ADDRESSES = 3;

    private final Supplier<Policy.SendAs> sendAs;

    /** @param sendAs the {@code send_as} section of the policy in force */
    public SendAsAnalyzer(Supplier<Policy.SendAs> sendAs) {
        this.sendAs = sendAs;
    }

    @Override
    public String name() {
        return "send-as";
    }

    @Override
    public Set<String> codes() {
        return Set.of(CODE);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        Envelope envelope = input.envelope();
        String login = envelope.authenticatedUser();
        if (envelope.direction() != Direction.OUTBOUND || login == null || login.isBlank()) {
            return List.of();
        }
        Policy.SendAs rights = sendAs.get();
        List<String> refused = new ArrayList<>();
        if (!envelope.mailFrom().isEmpty() && !rights.permits(login, envelope.mailFrom())) {
            refused.add("envelope sender " + envelope.mailFrom());
        }
        for (String field : List.of("From", "Sender")) {
            for (String value : input.message().headers(field)) {
                List<Mailbox> mailboxes = Mailbox.parseList(value);
                if (mailboxes.size() >= Mailbox.MAX_MAILBOXES) {
                    // more than are read: the ones not read cannot be shown to be the login's
                    refused.add(field + " with " + mailboxes.size() + " or more addresses");
                    continue;
                }
                for (Mailbox m : mailboxes) {
                    // a phrase without an address ("Doe" of "Doe, John <…>") names nobody; FROM_INVALID judges the form
                    if (m.address().contains("@") && !rights.permits(login, m.address())) {
                        String item = field + " " + m.address();
                        if (!refused.contains(item)) {
                            refused.add(item);
                        }
                    }
                }
            }
        }
        if (refused.isEmpty()) {
            return List.of();
        }
        List<String> shown = refused.subList(0, Math.min(refused.size(), MAX_EVIDENCE_ADDRESSES));
        return List.of(Finding.of(CODE, "login " + login + " may not send as: " + String.join("; ", shown)
                + (refused.size() > shown.size() ? "; " + (refused.size() - shown.size()) + " more" : "")));
    }
}
