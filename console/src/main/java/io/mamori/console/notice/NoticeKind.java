package io.mamori.console.notice;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The notices Mamori sends to employees, each with the placeholders its template must contain. */
public enum NoticeKind {
    /** A user's roles or console access rules changed; says what changed. */
    ACCESS_CHANGED("access-changed", Set.of("changes")),
    /** A user has no multi-factor authentication enrolled; points to the enrollment page. */
    MFA_REMINDER("mfa-reminder", Set.of("setupUrl"));

    private final String fileName;
    private final Set<String> required;

    NoticeKind(String fileName, Set<String> required) {
        this.fileName = fileName;
        this.required = required;
    }

    /** The name in template file names ({@code <name>.<lang>.txt}) and on the command line. */
    public String fileName() {
        return fileName;
    }

    /** Placeholders without which the notice would not tell the user what it is for. */
    public Set<String> requiredPlaceholders() {
        return required;
    }

    public static Optional<NoticeKind> byFileName(String name) {
        for (NoticeKind k : values()) {
            if (k.fileName.equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
