package io.mamori.console.web;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.ConsoleAccounts.PasswordCheck;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.core.access.AccessDecision;
import io.mamori.core.access.AccessRules;
import io.mamori.core.policy.PolicyHolder;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * The password step of a console sign-in. In this order: a client address that failed too often is refused; the
 * policy's access rules are checked for the user's roles (before the password, so that a forbidden network cannot
 * be used to guess passwords); a locked account is refused; then the password is checked. The result is a
 * {@link ConsoleAuthentication} at the stage the user has to complete next.
 */
final class PasswordAuthenticationProvider implements AuthenticationProvider {

    private final ConsoleAccounts accounts;
    private final JdbcDirectory directory;
    private final PolicyHolder policy;
    private final io.mamori.core.network.FailureThrottle throttle;
    private final Clock clock;

    PasswordAuthenticationProvider(ConsoleAccounts accounts, JdbcDirectory directory, PolicyHolder policy,
            io.mamori.core.network.FailureThrottle throttle, Clock clock) {
        this.accounts = accounts;
        this.directory = directory;
        this.policy = policy;
        this.throttle = throttle;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String email = String.valueOf(authentication.getName()).strip().toLowerCase(Locale.ROOT);
        String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
        InetAddress client = (InetAddress) authentication.getDetails();
        if (throttle.refused(client)) {
            throw new SignInRefused.TooManyAttempts(email);
        }
        AccessRules rules = policy.current().access();
        Optional<Person> person = directory.find(email).filter(Person::active);
        if (person.isPresent()) {
            AccessDecision decision = rules.check(person.get().roles(), client, clock.instant());
            if (decision instanceof AccessDecision.Denied denied) {
                // counted as a failure of the address: refused before the password is checked (so that a forbidden
                // network costs no hash), the answer says that the account exists, and unthrottled it could be asked for
                // every address one wishes to know about
                throttle.recordFailure(client);
                throw new SignInRefused.ByAccessRule(email, denied);
            }
        }
        PasswordCheck check = accounts.checkPassword(email, password);
        if (check instanceof PasswordCheck.Locked locked) {
            throw new SignInRefused.Locked(email, locked.until(), false);
        }
        if (check instanceof PasswordCheck.Rejected rejected) {
            throttle.recordFailure(client);
            if (rejected.lockedUntil().isPresent()) {
                throw new SignInRefused.Locked(email, rejected.lockedUntil().get(), true);
            }
            throw new BadCredentialsException("wrong address or password");
        }
        PasswordCheck.Accepted accepted = (PasswordCheck.Accepted) check;
        Person p = accepted.person();
        ConsoleAuthentication.Stage stage = accepted.mustChangePassword() ? ConsoleAuthentication.Stage.CHANGE_PASSWORD
                : secondFactorStage(rules.mfaRequired(p.roles()), accepted.totpEnrolled());
        return new ConsoleAuthentication(ConsoleUser.of(p), stage, client, accepted.credentialStamp());
    }

    /** The stage after the password (or after changing it): a second factor when enrolled or required. */
    static ConsoleAuthentication.Stage secondFactorStage(boolean mfaRequired, boolean totpEnrolled) {
        if (totpEnrolled) {
            return ConsoleAuthentication.Stage.TOTP;
        }
        return mfaRequired ? ConsoleAuthentication.Stage.ENROLL_TOTP : ConsoleAuthentication.Stage.COMPLETE;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
