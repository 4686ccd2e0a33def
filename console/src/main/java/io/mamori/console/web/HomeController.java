package io.mamori.console.web;

import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The console's start page after sign-in; the dashboard will take its place. */
@Controller
class HomeController {

    private final ConsoleAccounts accounts;

    HomeController(ConsoleAccounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/")
    String home(@AuthenticationPrincipal ConsoleUser user, Model model) {
        model.addAttribute("recoveryCodesLeft", accounts.totpEnrolled(user.email()) ? accounts.recoveryCodesLeft(user.email()) : -1);
        return "home";
    }
}
