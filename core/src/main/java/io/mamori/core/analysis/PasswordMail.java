package io.mamori.core.analysis;

import java.util.List;
import java.util.Objects;

/**
 * Passwords a separate message gave for this message's encrypted attachments: the custom of sending a password-protected
 * zip and then its password in a second mail (PPAP's パスワード別送). The gateway re-analyzes a message it quarantined
 * for an encrypted attachment with the passwords of a later mail of the same sender to the same recipient.
 *
 * @param messageId the queue id of the mail that gave the passwords (named in evidence; never the passwords)
 * @param passwords the candidates that mail gave, in order
 */
public record PasswordMail(String messageId, List<String> passwords) {

    public PasswordMail {
        Objects.requireNonNull(messageId, "messageId");
        passwords = List.copyOf(passwords);
    }

    /** Never shows the passwords (a record's generated toString would). */
    @Override
    public String toString() {
        return "PasswordMail[messageId=" + messageId + ", " + passwords.size() + " password(s)]";
    }
}
