package io.mamori.console.web;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.text.VisibleText;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every console page's layout needs: the signed-in user (only once the sign-in is complete), the page's
 * language, and the path the language switch returns to. Also given to Spring Boot's error page.
 */
@ControllerAdvice(basePackages = {"io.mamori.console", "org.springframework.boot.autoconfigure.web.servlet.error"})
class ConsoleModel {

    @ModelAttribute("user")
    ConsoleUser user() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof ConsoleAuthentication signIn && signIn.stage() == ConsoleAuthentication.Stage.COMPLETE
                ? signIn.user() : null;
    }

    @ModelAttribute("lang")
    String lang(Locale locale) {
        return locale.getLanguage();
    }

    @ModelAttribute("here")
    String here(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        // Pages reached by forward (refusals) and the error page have nothing to return to but the sign-in.
        if (path.isEmpty() || path.equals("/denied") || path.startsWith("/login/locked") || path.equals("/error")) {
            return path.isEmpty() ? "/" : "/login";
        }
        return path;
    }

    /** {@code ${shown.of(m.subject)}}: a stored message's own words as a page shows them ({@link Shown}). */
    @ModelAttribute("shown")
    Shown shown() {
        return Shown.INSTANCE;
    }

    /**
     * Writes out the invisible formatting and control characters of text that came with mail (a subject, a sender
     * address), as {@code <U+202E>}, so that a right-to-left override or a zero-width character cannot make it read
     * as something else ({@link VisibleText}). The message page's header fields, links and attachment names come
     * written out already ({@code SafeMessage}).
     */
    public static final class Shown {
        static final Shown INSTANCE = new Shown();

        private Shown() {
        }

        public String of(String text) {
            return VisibleText.of(text);
        }
    }
}
