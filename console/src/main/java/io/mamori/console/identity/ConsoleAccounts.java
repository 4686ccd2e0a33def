package io.mamori.console.identity;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.text.ConsoleMessages;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Console accounts: creating them with a one-time initial password, checking passwords with lockout, changing
 * passwords, enrolling and checking TOTP and one-time recovery codes. Used by the sign-in pages and by the
 * {@code mamori console} commands; the callers record the audit entries (they know who acts and from where).
 *
 * <p>Passwords and recovery codes are stored as Argon2id hashes; the TOTP key is encrypted under the master
 * keyset and bound to the account. An unknown address costs the same Argon2id computation as a known one, so
 * timing does not tell which accounts exist. Thread-safe.
 */
public final class ConsoleAccounts {

    private static final Logger log = LoggerFactory.getLogger(ConsoleAccounts.class);

    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 128;
    /** How far back a code counts as "expired" rather than "wrong", for the message and the audit entry. */
    private static final int EXPIRED_STEPS_REPORTED = 20;

    /** How many recovery codes an enrolment issues. */
    public static final int RECOVERY_CODES = RecoveryCodes.COUNT;

    /**
     * @param maxFailures wrong passwords or codes in a row that lock the account
     * @param lockFor     how long a lock lasts
     */
    public record Lockout(int maxFailures, Duration lockFor) {
        public static final Lockout DEFAULT = new Lockout(10, Duration.ofMinutes(15));

        public Lockout {
            if (maxFailures < 1 || lockFor.isNegative() || lockFor.isZero()) {
                throw new IllegalArgumentException("lockout needs at least one failure and a positive duration");
            }
        }
    }

    /** The result of a password check. */
    public sealed interface PasswordCheck {
        /** Right password; what the user must still do is in the flags. */
        /**
         * @param credentialStamp what the account's credentials are now ({@link ConsoleAccounts#credentialStamp}), read
         *                        with the password that was checked
         */
        record Accepted(Person person, boolean mustChangePassword, boolean totpEnrolled, String credentialStamp)
                implements PasswordCheck {
        }

        /**
         * Wrong password, or no active person with an account ({@code knownAccount} is for the audit log only;
         * users see the same answer either way).
         *
         * @param lockedUntil set when this failure locked the account
         */
        record Rejected(boolean knownAccount, Optional<Instant> lockedUntil) implements PasswordCheck {
        }

        /** The account is locked; the password was not checked. */
        record Locked(Instant until) implements PasswordCheck {
        }
    }

    /** The result of a second-factor check. */
    public sealed interface SecondFactorCheck {
        /** @param recoveryCode whether a recovery code was used; {@code remaining} unused ones are left */
        record Accepted(boolean recoveryCode, int remaining) implements SecondFactorCheck {
        }

        /** @param lockedUntil set when this failure locked the account */
        record Rejected(Reason reason, Optional<Instant> lockedUntil) implements SecondFactorCheck {
        }

        record Locked(Instant until) implements SecondFactorCheck {
        }

        /**
         * {@code UNREADABLE}: the stored TOTP key cannot be decrypted with the master keyset (its key was removed, or
         * the row is damaged), so no code can be checked; a recovery code still works.
         */
        enum Reason { WRONG, EXPIRED, REUSED, NOT_ENROLLED, UNREADABLE }
    }

    /**
     * The outcome of {@link #reencryptTotpSecrets()}.
     *
     * @param reencrypted keys now encrypted under the primary master key that were not before
     * @param unreadable  keys that could not be decrypted, left as they were (their users cannot sign in with a code)
     */
    public record Reencryption(int reencrypted, int unreadable) {
    }

    /** Why a new password was refused; the name is the message key suffix ({@code password.error.*}). */
    public enum PasswordProblem { CURRENT_WRONG, TOO_SHORT, TOO_LONG, MISMATCH, SAME_AS_CURRENT, CONTAINS_EMAIL }

    /**
     * A TOTP key being enrolled, kept by the caller (the session) until the user confirms it with a code.
     *
     * @param displaySecret the key in base32 for typing into an app
     * @param qrDataUri     a PNG {@code data:} URI of the {@code otpauth://} QR code
     */
    public record Enrollment(byte[] secret, String displaySecret, String qrDataUri) implements java.io.Serializable {
        @Override
        public String toString() {
            return "Enrollment[secret hidden]";
        }
    }

    private final JdbcAccounts accounts;
    private final JdbcDirectory directory;
    private final MasterKeys keys;
    private final Argon2id argon2;
    private final Lockout lockout;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Totp totp = new Totp(random);
    private final RecoveryCodes codes;
    private final String dummyHash;
    private final UnknownAddressLocks unknownLocks;

    public ConsoleAccounts(DataSource dataSource, JdbcDirectory directory, MasterKeys keys, Argon2id argon2,
            Lockout lockout, Clock clock) {
        this.accounts = new JdbcAccounts(dataSource);
        this.directory = directory;
        this.keys = keys;
        this.argon2 = argon2;
        this.lockout = lockout;
        this.clock = clock;
        this.codes = new RecoveryCodes(random, argon2);
        this.dummyHash = argon2.hash(codes.randomCode());
        this.unknownLocks = new UnknownAddressLocks(UnknownAddressLocks.MAX_ADDRESSES);
    }

    /** Whether any console account exists (a fresh gateway has none). */
    public boolean anyAccount() {
        return accounts.count() > 0;
    }

    /** Whether {@code email} has a console account. */
    public boolean hasAccount(String email) {
        return accounts.find(normalize(email)).isPresent();
    }

    /**
     * Creates a console account and returns its one-time initial password, which must be changed at first
     * sign-in. A person missing from the directory is added (as created by hand, so imports do not deactivate
     * them); an existing person gets {@code roles} when given and is reactivated.
     *
     * @param roles roles to give; empty keeps an existing person's roles (a new person becomes an employee)
     * @throws io.mamori.core.text.InvalidInput if {@code email} is not an address or already has an account, with the
     *                                          users page's words for it
     */
    public String createUser(String email, String displayName, String department, Set<Role> roles) {
        return createUser(email, displayName, department, roles, person -> Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #createUser(String, String, String, Set)}, the person saved and the account created in one transaction
     * with the work {@code alongside} gives for the person as saved (the audit entry of who created the account): all of
     * it commits, or none. A refused address or an existing account is refused before, and runs nothing.
     */
    public String createUser(String email, String displayName, String department, Set<Role> roles,
            java.util.function.Function<Person, TransactionWork> alongside) {
        String address = requireEmail(email);
        Optional<Person> existing = directory.find(address);
        Person person;
        if (existing.isEmpty()) {
            String name = displayName == null || displayName.isBlank() ? address.substring(0, address.indexOf('@')) : displayName.strip();
            person = new Person(address, name, blankToNull(department), null, roles, new TreeSet<>(
                    roles.contains(Role.APPROVER) && blankToNull(department) != null ? Set.of(department.strip()) : Set.of()),
                    null, true, Person.Source.CONSOLE);
        } else {
            Person p = existing.get();
            person = new Person(p.email(), p.displayName(), p.department(), p.managerEmail(),
                    roles.isEmpty() ? p.roles() : roles, p.approverDepartments(), p.language(), true, p.source());
        }
        if (accounts.find(address).isPresent()) {
            throw ConsoleMessages.invalid("users.problem.accountExists");
        }
        String password = RecoveryCodes.display(codes.randomCode());
        String hash = argon2.hash(password);
        Person saved = person;
        try {
            directory.save(person, (c, done) -> {
                if (!accounts.create(c, address, hash, clock.instant())) {
                    throw new AccountExists(); // created meanwhile: the person's save is rolled back with it
                }
                alongside.apply(saved).run(c, true);
            });
        } catch (AccountExists e) {
            throw ConsoleMessages.invalid("users.problem.accountExists");
        }
        return password;
    }

    /**
     * Gives an account a new one-time initial password (to change at the next sign-in) and lifts a lock; with
     * {@code clearTotp} the user also enrolls TOTP again (a lost phone).
     *
     * @return the new password, or empty if {@code email} has no account
     */
    public Optional<String> resetUser(String email, boolean clearTotp) {
        return resetUser(email, clearTotp, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #resetUser(String, boolean)}, with {@code alongside} run on the reset's transaction, told whether
     * there was an account to reset (the audit entry of who reset it): if it fails, nothing changes.
     */
    public Optional<String> resetUser(String email, boolean clearTotp, TransactionWork alongside) {
        String address = normalize(email);
        String password = RecoveryCodes.display(codes.randomCode());
        return accounts.resetToInitialPassword(address, argon2.hash(password), clearTotp, alongside)
                ? Optional.of(password) : Optional.empty();
    }

    /**
     * The first administrator of a fresh gateway: when no account exists, creates {@code email} as an ADMIN with
     * a one-time password; when that account exists but its initial password was never changed, issues a new
     * one (the earlier one stops working), since it was only ever printed on a console that may be gone.
     *
     * @return the one-time password to show, or empty when there is nothing to set up
     */
    public Optional<String> ensureInitialAdmin(String email) {
        String address = requireEmail(email);
        if (!anyAccount()) {
            return Optional.of(createUser(address, "管理者 Administrator", null, Set.of(Role.ADMIN)));
        }
        Optional<Account> account = accounts.find(address);
        if (account.isPresent() && account.get().mustChangePassword() && account.get().passwordChangedAt() == null
                && account.get().lastLoginAt() == null) {
            return resetUser(address, false);
        }
        return Optional.empty();
    }

    /**
     * Checks a password for an active person with an account. A locked account is not checked. A wrong password
     * counts towards the lockout, also for an address without an account (see {@link UnknownAddressLocks}).
     */
    public PasswordCheck checkPassword(String email, String password) {
        String address = normalize(email);
        Instant now = clock.instant();
        Optional<Person> person = address == null ? Optional.empty() : directory.find(address).filter(Person::active);
        Optional<Account> account = person.isEmpty() ? Optional.empty() : accounts.find(address);
        if (password == null || password.length() > MAX_PASSWORD * 4) {
            // Rejected on its form alone (no password is that long): no hash to compute, nothing to count.
            return new PasswordCheck.Rejected(account.isPresent(), Optional.empty());
        }
        if (account.isEmpty()) {
            // An address without an account locks as an account would (same count, same lock, no hash while locked), so
            // the locked page does not tell which addresses have accounts.
            Optional<Instant> locked = address == null ? Optional.empty() : unknownLocks.lockedUntil(address, now);
            if (locked.isPresent()) {
                return new PasswordCheck.Locked(locked.get());
            }
            Argon2id.verify(dummyHash, password);
            return new PasswordCheck.Rejected(false, address == null ? Optional.empty()
                    : unknownLocks.recordFailure(address, now, lockout.maxFailures(), lockout.lockFor()));
        }
        Account a = account.get();
        if (a.lockedAt(now)) {
            return new PasswordCheck.Locked(a.lockedUntil());
        }
        if (!Argon2id.verify(a.passwordHash(), password)) {
            return new PasswordCheck.Rejected(true, accounts.recordFailure(address, now, lockout.maxFailures(), lockout.lockFor()));
        }
        return new PasswordCheck.Accepted(person.get(), a.mustChangePassword(), a.totpEnrolled(), stamp(a));
    }

    /**
     * A digest of what the account's credentials are now: its password hash (new at every change and reset, salted) and
     * whether a TOTP key is enrolled. A console session keeps the stamp it signed in with and ends when the account's
     * differs (an administrator's reset, a cleared TOTP key, a password changed elsewhere), as a lost phone or a
     * compromised account asks; a session that changed its own credentials takes the new stamp. Empty when the person
     * has no account (any more).
     */
    public Optional<String> credentialStamp(String email) {
        String address = normalize(email);
        return address == null ? Optional.empty() : accounts.find(address).map(ConsoleAccounts::stamp);
    }

    private static String stamp(Account a) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest((a.passwordHash() + "\n"
                    + a.totpEnrolled()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Records a completed sign-in (all factors passed): the failure count starts again. */
    public void recordSignIn(String email) {
        accounts.recordSuccess(normalize(email), clock.instant());
    }

    /** Whether the account is locked now. */
    public Optional<Instant> lockedUntil(String email) {
        Instant now = clock.instant();
        return accounts.find(normalize(email)).filter(a -> a.lockedAt(now)).map(Account::lockedUntil);
    }

    /**
     * Changes a password after checking the current one and the rules for the new one: 12 to 128 characters,
     * not the current password, not containing the address. A wrong current password counts towards the lockout.
     *
     * @return the problems, empty when the password was changed
     */
    public Optional<PasswordProblem> changePassword(String email, String current, String next, String confirmation) {
        return changePassword(email, current, next, confirmation, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #changePassword(String, String, String, String)}, with {@code alongside} run on the transaction that
     * stores the new password (the audit entry of the change): if it fails, the password stays as it was. It does not
     * run when the change is refused.
     */
    public Optional<PasswordProblem> changePassword(String email, String current, String next, String confirmation,
            TransactionWork alongside) {
        String address = normalize(email);
        Account a = accounts.find(address).orElseThrow(() -> new IllegalStateException("no account " + address));
        if (current == null || !Argon2id.verify(a.passwordHash(), current)) {
            accounts.recordFailure(address, clock.instant(), lockout.maxFailures(), lockout.lockFor());
            return Optional.of(PasswordProblem.CURRENT_WRONG);
        }
        String n = next == null ? "" : next;
        int length = n.codePointCount(0, n.length());
        if (length < MIN_PASSWORD) {
            return Optional.of(PasswordProblem.TOO_SHORT);
        }
        if (length > MAX_PASSWORD) {
            return Optional.of(PasswordProblem.TOO_LONG);
        }
        if (!n.equals(confirmation)) {
            return Optional.of(PasswordProblem.MISMATCH);
        }
        if (n.equals(current)) {
            return Optional.of(PasswordProblem.SAME_AS_CURRENT);
        }
        String local = address.substring(0, address.indexOf('@'));
        if (n.toLowerCase(Locale.ROOT).contains(address) || (local.length() >= 4 && n.toLowerCase(Locale.ROOT).contains(local))) {
            return Optional.of(PasswordProblem.CONTAINS_EMAIL);
        }
        accounts.changePassword(address, argon2.hash(n), clock.instant(), alongside);
        return Optional.empty();
    }

    /** A new TOTP key for {@code email}, not stored until {@link #finishEnrollment} confirms it. */
    public Enrollment startEnrollment(String email, String issuer) {
        byte[] secret = totp.newSecret();
        return new Enrollment(secret, Totp.displaySecret(secret),
                QrCodes.pngDataUri(Totp.otpauthUri(issuer, normalize(email), secret)));
    }

    /**
     * Stores the enrolled key once {@code code} proves the user's app has it, and issues new recovery codes.
     *
     * @return the recovery codes to show once, or empty when the code does not match
     */
    public Optional<List<String>> finishEnrollment(String email, Enrollment enrollment, String code) {
        return finishEnrollment(email, enrollment, code, Transactions.NOTHING_ALONGSIDE);
    }

    /**
     * As {@link #finishEnrollment(String, Enrollment, String)}, with {@code alongside} run on the transaction that
     * stores the key and the recovery codes (the audit entry of the enrolment); it does not run for a wrong code.
     */
    public Optional<List<String>> finishEnrollment(String email, Enrollment enrollment, String code,
            TransactionWork alongside) {
        String address = normalize(email);
        OptionalLong step = totp.matchingStep(enrollment.secret(), code, clock.instant());
        if (step.isEmpty()) {
            return Optional.empty();
        }
        RecoveryCodes.Issued issued = codes.issue();
        String sealed;
        try {
            sealed = Base64.getEncoder().encodeToString(keys.encryptSecret(enrollment.secret(), context(address)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        accounts.enrollTotp(address, sealed, step.getAsLong(), issued.stored(), clock.instant(), alongside);
        return Optional.of(issued.shown());
    }

    /** Whether {@code email} has enrolled TOTP. */
    public boolean totpEnrolled(String email) {
        return accounts.find(normalize(email)).map(Account::totpEnrolled).orElse(false);
    }

    /** Unused recovery codes of {@code email}. */
    public int recoveryCodesLeft(String email) {
        return accounts.unusedRecoveryCodes(normalize(email));
    }

    /**
     * Checks a second factor: a 6-digit TOTP code, or a recovery code (used up by this check). A wrong, expired
     * or reused code counts towards the lockout.
     */
    public SecondFactorCheck checkSecondFactor(String email, String input) {
        String address = normalize(email);
        Instant now = clock.instant();
        Account a = accounts.find(address).orElse(null);
        if (a == null || !a.totpEnrolled()) {
            return new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.NOT_ENROLLED, Optional.empty());
        }
        if (a.lockedAt(now)) {
            return new SecondFactorCheck.Locked(a.lockedUntil());
        }
        String given = input == null ? "" : input.strip();
        if (given.replace(" ", "").matches("\\d{6}")) {
            byte[] secret;
            try {
                secret = secretOf(a);
            } catch (IOException | IllegalArgumentException e) {
                // Not the user's mistake, so not counted towards the lockout; the caller audits the refusal.
                log.error("The TOTP key of {} cannot be decrypted, so its codes are refused: {}", address, e.getMessage());
                return new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.UNREADABLE, Optional.empty());
            }
            OptionalLong step = totp.matchingStep(secret, given, now);
            if (step.isPresent()) {
                if (accounts.acceptTotpStep(address, step.getAsLong())) {
                    return new SecondFactorCheck.Accepted(false, accounts.unusedRecoveryCodes(address));
                }
                return fail(address, now, SecondFactorCheck.Reason.REUSED);
            }
            return fail(address, now, expired(secret, given, now) ? SecondFactorCheck.Reason.EXPIRED : SecondFactorCheck.Reason.WRONG);
        }
        String code = RecoveryCodes.normalize(given);
        if (code != null) {
            Optional<RecoveryCodes.Candidate> candidate = accounts.recoveryCode(address, code.substring(0, RecoveryCodes.GROUP));
            if (candidate.isPresent() && Argon2id.verify(candidate.get().hash(), code)
                    && accounts.useRecoveryCode(candidate.get().id(), now)) {
                return new SecondFactorCheck.Accepted(true, accounts.unusedRecoveryCodes(address));
            }
            if (candidate.isEmpty()) {
                Argon2id.verify(dummyHash, code);
            }
        }
        return fail(address, now, SecondFactorCheck.Reason.WRONG);
    }

    private boolean expired(byte[] secret, String code, Instant now) {
        long current = Totp.step(now);
        for (long s = current - 2; s >= current - EXPIRED_STEPS_REPORTED; s--) {
            if (java.security.MessageDigest.isEqual(totp.code(secret, s).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    code.replace(" ", "").getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    private SecondFactorCheck fail(String address, Instant now, SecondFactorCheck.Reason reason) {
        return new SecondFactorCheck.Rejected(reason, accounts.recordFailure(address, now, lockout.maxFailures(), lockout.lockFor()));
    }

    /** The account's TOTP key; an {@link IllegalArgumentException} when the stored text is not Base64. */
    private byte[] secretOf(Account a) throws IOException {
        return keys.decryptSecret(Base64.getDecoder().decode(a.totpSecret()), context(a.email()));
    }

    /**
     * Encrypts every stored TOTP key that the primary master key does not encrypt yet under it (after a rotation, so
     * that the old keys can be retired). Each account is committed on its own, and its key is readable under the old
     * or the new master key at every moment, so an interrupted run loses nothing and can simply be run again. A key
     * enrolled again meanwhile is left as enrolled.
     */
    public Reencryption reencryptTotpSecrets() {
        int reencrypted = 0;
        int unreadable = 0;
        for (Map.Entry<String, String> entry : accounts.totpSecrets().entrySet()) {
            String email = entry.getKey();
            Optional<byte[]> again;
            try {
                again = keys.reencryptSecret(Base64.getDecoder().decode(entry.getValue()), context(email));
            } catch (IOException | IllegalArgumentException e) {
                log.warn("The TOTP key of {} cannot be decrypted and stays as it is: {}", email, e.getMessage());
                unreadable++;
                continue;
            }
            if (again.isPresent()
                    && accounts.replaceTotpSecret(email, entry.getValue(), Base64.getEncoder().encodeToString(again.get()))) {
                reencrypted++;
            }
        }
        return new Reencryption(reencrypted, unreadable);
    }

    /**
     * Whether any console account has a TOTP key, which only the master keyset that encrypted it can read (for telling
     * a first start from a database whose keyset has gone missing).
     */
    public static boolean holdsTotpSecrets(DataSource dataSource) {
        return new JdbcAccounts(dataSource).anyTotpSecret();
    }

    private static String context(String email) {
        return "totp:" + email;
    }

    private static String requireEmail(String email) {
        String address = normalize(email);
        if (address == null || !io.mamori.core.text.MailAddresses.plausible(address)) {
            throw ConsoleMessages.invalid("email.invalid", email);
        }
        return address;
    }

    /** An address as accounts are kept under: stripped and in lower case ({@code null} stays {@code null}). */
    public static String normalize(String email) {
        return email == null ? null : email.strip().toLowerCase(Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** An account for the address was created between the check and the insert. */
    private static final class AccountExists extends RuntimeException {
        AccountExists() {
            super(null, null, false, false);
        }
    }
}
