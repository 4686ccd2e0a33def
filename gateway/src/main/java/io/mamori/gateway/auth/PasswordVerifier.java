package io.mamori.gateway.auth;

/**
 * Checks a user name and password presented in SMTP AUTH (PLAIN or LOGIN).
 *
 * <p>Contract: thread-safe (called from every SMTP session concurrently); never logs the password; returns
 * {@code false} for any unknown user or wrong password (it does not say which), and should spend about the
 * same time in both cases. A runtime exception means "could not check now" and the session answers
 * {@code 454 4.7.0} (temporary), never success.
 */
@FunctionalInterface
public interface PasswordVerifier {

    boolean verify(String user, String password);
}
