package io.mamori.core.analysis;

import java.util.List;
import java.util.Objects;

/**
 * Passwords given outside a message for its encrypted attachments: by a separate mail — the custom of sending a
 * password-protected zip and then its password in a second mail (PPAP's パスワード別送) — or by an analyst who got the
 * password from the sender another way. The gateway analyzes a message it quarantined for an encrypted attachment again
 * with them.
 *
 * @param messageId the queue id of the mail that gave the passwords; {@code null} when an analyst gave them
 * @param passwords the candidates, in order
 * @param analyst   who gave them in the console or API; {@code null} for a password mail
 */
public record PasswordMail(String messageId, List<String> passwords, String analyst) {

    public PasswordMail {
        if ((messageId == null) == (analyst == null)) {
            throw new IllegalArgumentException("a password mail's queue id or an analyst, exactly one of them");
        }
        passwords = List.copyOf(passwords);
    }

    /** The passwords a separate mail gave. */
    public PasswordMail(String messageId, List<String> passwords) {
        this(Objects.requireNonNull(messageId, "messageId"), passwords, null);
    }

    /** A password an analyst gave. */
    public static PasswordMail fromAnalyst(String analyst, String password) {
        return new PasswordMail(null, List.of(password), Objects.requireNonNull(analyst, "analyst"));
    }

    public boolean fromAnalyst() {
        return analyst != null;
    }

    /** Where the passwords came from, for evidence: {@code message <id>} or {@code analyst <name>}. */
    public String source() {
        return analyst != null ? "analyst " + analyst : "message " + messageId;
    }

    /** Never shows the passwords (a record's generated toString would). */
    @Override
    public String toString() {
        return "PasswordMail[" + source() + ", " + passwords.size() + " password(s)]";
    }
}
