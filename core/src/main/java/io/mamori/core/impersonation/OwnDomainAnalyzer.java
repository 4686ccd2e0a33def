package io.mamori.core.impersonation;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.auth.DmarcResult;
import io.mamori.core.auth.SenderAuthAnalyzer;
import io.mamori.core.auth.SenderAuthResult;
import io.mamori.core.message.Direction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Inbound mail written in the organisation's own name that its own domain does not vouch for:
 * {@code OWN_DOMAIN_UNAUTHENTICATED} when the From domain is one of the organisation's internal domains and sender
 * authentication does not pass for it ({@link SenderAuthResult#author()}: no DMARC pass, nor, without a DMARC record,
 * an SPF or DKIM pass of the same organisation). Mail between colleagues stays inside Microsoft 365 or Google
 * Workspace and never reaches the gateway's inbound listener; what arrives there under the company's own domain is
 * a service sending on its behalf (which SPF or a DKIM signature for the domain authorises) or a forgery ("from the
 * IT department", a CEO's address, the recipient's own address in extortion mail). Many Japanese organisations
 * publish no DMARC record or {@code p=none}, so DMARC's own policy cannot be relied on to stop the forgery, which is
 * why this is judged here whatever the domain publishes. A temporary DNS error is never a failure (no finding), and
 * a message without its SMTP client's address (an offline scan) is not judged, nor one from a system the policy names
 * as the organisation's own sender ({@code organisation.own_senders}: a copier's scan-to-mail, an application server
 * that writes to employees through the MX without SPF or DKIM for the domain).
 * Thread-safe when the suppliers are.
 */
public final class OwnDomainAnalyzer implements Analyzer {

    static final String OWN_DOMAIN_UNAUTHENTICATED = "OWN_DOMAIN_UNAUTHENTICATED";

    /**
     * @param internalDomain whether a domain is the organisation's
     * @param ownSender      whether an SMTP client address (as text) is one of the organisation's own systems that
     *                       send in its name to the inbound listener (the policy's {@code organisation.own_senders})
     */
    public record Settings(Predicate<String> internalDomain, Predicate<String> ownSender) {
        public Settings {
            Objects.requireNonNull(internalDomain, "internalDomain");
            Objects.requireNonNull(ownSender, "ownSender");
        }
    }

    private final Function<AnalysisInput, SenderAuthResult> senderAuth;
    private final Supplier<Settings> settings;

    /**
     * @param senderAuth the sender-authentication results of an input (the sender-auth analyzer's, evaluated once per
     *                   input)
     * @param settings   the organisation's domains and own senders, asked once per message (policy reloads apply)
     */
    public OwnDomainAnalyzer(Function<AnalysisInput, SenderAuthResult> senderAuth, Supplier<Settings> settings) {
        this.senderAuth = Objects.requireNonNull(senderAuth, "senderAuth");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "own-domain";
    }

    @Override
    public Set<String> codes() {
        return Set.of(OWN_DOMAIN_UNAUTHENTICATED);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        if (input.envelope().direction() != Direction.INBOUND) {
            return List.of();
        }
        // decided from the header and the envelope first: most mail is not in the organisation's name, and need not
        // wait for the DNS answers of sender authentication. Without the SMTP client's address (an offline scan of a
        // stored message) SPF could not be asked: the domain may well authorise the server, so nothing is judged.
        Settings current = settings.get();
        String client = input.envelope().clientAddress();
        Optional<String> from = SenderAuthAnalyzer.authorDomain(input.message());
        if (from.isEmpty() || client == null || client.isBlank() || !current.internalDomain().test(from.get())
                || current.ownSender().test(client)) {
            return List.of();
        }
        SenderAuthResult result = senderAuth.apply(input);
        SenderAuthResult.Author author = result.author();
        if (author.kind() != DmarcResult.Kind.FAIL) {
            return List.of();
        }
        return List.of(Finding.of(OWN_DOMAIN_UNAUTHENTICATED,
                "from=" + result.dmarc().fromDomain() + " ip=" + client + " (" + author.detail() + ")"));
    }
}
