package io.mamori.console.web;

import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.access.Role;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A console session's authentication: the user and how far the sign-in got. Only a {@link Stage#COMPLETE}
 * sign-in carries the {@link #CONSOLE} authority and the user's roles ({@code ROLE_ADMIN} …); an unfinished one
 * carries only its stage's authority, which opens nothing but that stage's page.
 */
final class ConsoleAuthentication extends AbstractAuthenticationToken {

    private static final long serialVersionUID = 1L;

    /** Authority of a completed sign-in; every console page requires it. */
    static final String CONSOLE = "CONSOLE";

    /** What the user must still do after the password. */
    enum Stage {
        /** The password was a one-time initial password. */
        CHANGE_PASSWORD("/account/password"),
        /** MFA is required and no TOTP key is enrolled yet. */
        ENROLL_TOTP("/account/totp"),
        /** A TOTP code (or a recovery code) is due. */
        TOTP("/login/totp"),
        COMPLETE("/");

        private final String page;

        Stage(String page) {
            this.page = page;
        }

        String page() {
            return page;
        }

        String authority() {
            return "STAGE_" + name();
        }
    }

    private final ConsoleUser user;
    private final Stage stage;
    private final InetAddress client;
    private final boolean secondFactor;
    /** The account's credentials when this session proved them ({@code ConsoleAccounts.credentialStamp}). */
    private final String credentials;

    ConsoleAuthentication(ConsoleUser user, Stage stage, InetAddress client, String credentials) {
        this(user, stage, client, false, credentials);
    }

    private ConsoleAuthentication(ConsoleUser user, Stage stage, InetAddress client, boolean secondFactor,
            String credentials) {
        super(authorities(user, stage));
        this.user = user;
        this.stage = stage;
        this.client = client;
        this.secondFactor = secondFactor;
        this.credentials = java.util.Objects.requireNonNull(credentials, "credentials");
        setAuthenticated(true);
    }

    private static List<GrantedAuthority> authorities(ConsoleUser user, Stage stage) {
        List<GrantedAuthority> list = new ArrayList<>();
        if (stage == Stage.COMPLETE) {
            list.add(new SimpleGrantedAuthority(CONSOLE));
            for (Role r : user.roles()) {
                list.add(new SimpleGrantedAuthority("ROLE_" + r.name()));
            }
        } else {
            list.add(new SimpleGrantedAuthority(stage.authority()));
        }
        return list;
    }

    ConsoleAuthentication withStage(Stage next) {
        return new ConsoleAuthentication(user, next, client, secondFactor, credentials);
    }

    /** The sign-in completed by a TOTP or recovery code (or a TOTP enrollment, which proves the same). */
    ConsoleAuthentication completedWithSecondFactor() {
        return new ConsoleAuthentication(user, Stage.COMPLETE, client, true, credentials);
    }

    ConsoleAuthentication withUser(ConsoleUser refreshed) {
        return new ConsoleAuthentication(refreshed, stage, client, secondFactor, credentials);
    }

    /** This session after it changed the account's credentials itself (its password, its TOTP key). */
    ConsoleAuthentication withCredentials(String current) {
        return new ConsoleAuthentication(user, stage, client, secondFactor, current);
    }

    /** The account's credentials when this session proved them. */
    String credentials() {
        return credentials;
    }

    /** Whether this session passed a second factor; a policy that starts requiring one sends it back to do so. */
    boolean secondFactor() {
        return secondFactor;
    }

    ConsoleUser user() {
        return user;
    }

    Stage stage() {
        return stage;
    }

    /** The client address the password was given from. */
    InetAddress client() {
        return client;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public ConsoleUser getPrincipal() {
        return user;
    }

    @Override
    public String getName() {
        return user.email();
    }
}
