package io.mamori.gateway.smtp;

/**
 * Whether the inbound listener takes mail for one address of an internal domain, asked on every inbound RCPT after the
 * domain check. Implementations answer quickly (the client waits for the reply) and never throw.
 */
@FunctionalInterface
public interface RecipientCheck {

    /** Every address of an internal domain is taken (the next hop decides, and its refusals come back as DSNs). */
    RecipientCheck ACCEPT_ALL = address -> null;

    /**
     * @param address the recipient as given, without angle brackets
     * @return {@code null} to take it, or the whole SMTP reply refusing it (such as {@code 550 5.1.1 …})
     */
    String refusal(String address);
}
