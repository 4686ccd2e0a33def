package io.mamori.console.notice;

import java.util.Locale;
import java.util.Optional;

/** The languages notices are written in. Japanese is first: a notice to a user of unknown language has both. */
public enum NoticeLanguage {
    JA("ja"),
    EN("en");

    private final String tag;

    NoticeLanguage(String tag) {
        this.tag = tag;
    }

    /** BCP 47 primary tag, also the language part of template file names. */
    public String tag() {
        return tag;
    }

    /**
     * A user's language from a directory or a browser ({@code ja}, {@code ja-JP}, {@code en_US}, {@code English}…);
     * empty when it is missing or neither Japanese nor English, which means "send both".
     */
    public static Optional<NoticeLanguage> of(String language) {
        if (language == null || language.isBlank()) {
            return Optional.empty();
        }
        String l = language.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (l.equals("ja") || l.startsWith("ja-") || l.equals("japanese") || l.equals("日本語")) {
            return Optional.of(JA);
        }
        if (l.equals("en") || l.startsWith("en-") || l.equals("english") || l.equals("英語")) {
            return Optional.of(EN);
        }
        return Optional.empty();
    }
}
