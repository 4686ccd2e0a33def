package io.mamori.console.web;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.LocaleResolver;

/**
 * The language of console pages, Japanese or English: the signed-in user's own setting, when they have one;
 * otherwise the language chosen with the switch (a cookie); otherwise the first of the browser's languages
 * (Accept-Language) that the console has; otherwise Japanese.
 */
final class ConsoleLocaleResolver implements LocaleResolver {

    static final String COOKIE = "mamori-lang";
    static final Locale JAPANESE = Locale.JAPANESE;

    @Override
    public Locale resolveLocale(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof ConsoleAuthentication signIn && signIn.user().locale() != null) {
            return signIn.user().locale();
        }
        if (request.getCookies() != null) {
            for (Cookie c : request.getCookies()) {
                Locale chosen = supported(c.getValue());
                if (COOKIE.equals(c.getName()) && chosen != null) {
                    return chosen;
                }
            }
        }
        if (request.getHeader("Accept-Language") != null) {
            for (Locale l : Collections.list(request.getLocales())) {
                Locale match = supported(l.getLanguage());
                if (match != null) {
                    return match;
                }
            }
        }
        return JAPANESE;
    }

    /** Remembers an explicit choice in a cookie (for pages before sign-in). */
    @Override
    public void setLocale(HttpServletRequest request, HttpServletResponse response, Locale locale) {
        Locale chosen = locale == null ? null : supported(locale.getLanguage());
        if (chosen == null) {
            return;
        }
        ResponseCookie cookie = ResponseCookie.from(COOKIE, chosen.getLanguage()).path(request.getContextPath() + "/")
                .maxAge(Duration.ofDays(365)).httpOnly(true).secure(request.isSecure()).sameSite("Lax").build();
        response.addHeader("Set-Cookie", cookie.toString());
    }

    /** {@code ja} or {@code en} as a locale, or {@code null} for anything else. */
    static Locale supported(String language) {
        if ("ja".equalsIgnoreCase(language)) {
            return Locale.JAPANESE;
        }
        if ("en".equalsIgnoreCase(language)) {
            return Locale.ENGLISH;
        }
        return null;
    }
}
