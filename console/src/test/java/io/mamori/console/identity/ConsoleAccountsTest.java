package io.mamori.console.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleAccounts.PasswordCheck;
import io.mamori.console.identity.ConsoleAccounts.PasswordProblem;
import io.mamori.console.identity.ConsoleAccounts.SecondFactorCheck;
import io.mamori.console.testing.MutableClock;
import io.mamori.console.testing.TestDatabases;
import io.mamori.core.access.Role;
import io.mamori.gateway.auth.Argon2id;
import io.mamori.gateway.crypto.MasterKeys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Console accounts against H2 and PostgreSQL: passwords, lockout, TOTP with replay protection, recovery codes. */
class ConsoleAccountsTest {

    private static final String NEW_PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T01:00:10Z"));
    private DataSource dataSource;
    private JdbcDirectory directory;

    static java.util.stream.Stream<String> vendors() {
        return TestDatabases.vendors();
    }

    @AfterAll
    static void drop() throws Exception {
        TestDatabases.dropSchemas();
    }

    private ConsoleAccounts accounts(String vendor) throws Exception {
        dataSource = TestDatabases.fresh(vendor);
        directory = new JdbcDirectory(dataSource, clock);
        return new ConsoleAccounts(dataSource, directory, MasterKeys.openOrCreate(dir.resolve("keys")),
                new Argon2id(1024, 1, 1), new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock);
    }

    /** What an authenticator app shows for {@code secret} at {@code at}: computed independently with java-otp. */
    private static String appCode(String displayedSecret, Instant at) throws Exception {
        byte[] key = new Base32().decode(displayedSecret.replace(" ", ""));
        return new com.eatthepath.otp.TimeBasedOneTimePasswordGenerator()
                .generateOneTimePasswordString(new javax.crypto.spec.SecretKeySpec(key, "RAW"), at);
    }

    private List<String> enroll(ConsoleAccounts accounts, String email) throws Exception {
        ConsoleAccounts.Enrollment e = accounts.startEnrollment(email, "Mamori");
        return accounts.finishEnrollment(email, e, appCode(e.displaySecret(), clock.instant())).orElseThrow();
    }

    private String enrolledSecret;

    private ConsoleAccounts enrolledUser(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        String initial = accounts.createUser("taro@example.co.jp", "山田 太郎", "営業部", Set.of(Role.ANALYST));
        String before = accounts.credentialStamp("taro@example.co.jp").orElseThrow();
        assertThat(accounts.changePassword("taro@example.co.jp", initial, NEW_PASSWORD, NEW_PASSWORD)).isEmpty();
        assertThat(accounts.credentialStamp("taro@example.co.jp")).as("a session's credentials are told apart")
                .isPresent().get().isNotEqualTo(before);
        ConsoleAccounts.Enrollment e = accounts.startEnrollment("taro@example.co.jp", "Mamori");
        enrolledSecret = e.displaySecret();
        assertThat(accounts.finishEnrollment("taro@example.co.jp", e, appCode(enrolledSecret, clock.instant()))).isPresent();
        return accounts;
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aNewUserSignsInWithTheInitialPasswordWhichMustBeChanged(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        assertThat(accounts.anyAccount()).isFalse();
        String initial = accounts.createUser("Taro@Example.co.jp", "山田 太郎", "営業部", Set.of(Role.APPROVER));
        assertThat(initial).matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}");

        Person person = directory.find("taro@example.co.jp").orElseThrow();
        assertThat(person.source()).isEqualTo(Person.Source.CONSOLE);
        assertThat(person.approverDepartments()).containsExactly("営業部");
        assertThat(accounts.checkPassword("taro@example.co.jp", initial.toUpperCase()))
                .as("the initial password is exact").isInstanceOf(PasswordCheck.Rejected.class);
        PasswordCheck check = accounts.checkPassword("TARO@example.co.jp", initial);
        assertThat(check).isEqualTo(new PasswordCheck.Accepted(person, true, false,
                accounts.credentialStamp(person.email()).orElseThrow()));

        assertThat(accounts.changePassword("taro@example.co.jp", initial, NEW_PASSWORD, NEW_PASSWORD)).isEmpty();
        assertThat(accounts.checkPassword("taro@example.co.jp", initial)).isInstanceOf(PasswordCheck.Rejected.class);
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD))
                .isEqualTo(new PasswordCheck.Accepted(person, false, false,
                        accounts.credentialStamp(person.email()).orElseThrow()));
        assertThatThrownBy(() -> accounts.createUser("taro@example.co.jp", null, null, Set.of()))
                .as("the users page's words, in both languages").isInstanceOfSatisfying(io.mamori.core.text.InvalidInput.class,
                        e -> assertThat(e.bilingual()).isEqualTo("このユーザーにはすでにアカウントがあります。 / This user already has an account."));
        assertThatThrownBy(() -> accounts.createUser("not-an-address", null, null, Set.of()))
                .isInstanceOfSatisfying(io.mamori.core.text.InvalidInput.class, e -> assertThat(e.bilingual())
                        .isEqualTo("'not-an-address' はメールアドレスではありません / 'not-an-address' is not an email address"));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void passwordsAreStoredOnlyAsArgon2idHashes(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        String initial = accounts.createUser("taro@example.co.jp", null, null, Set.of());
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT password_hash FROM console_account")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("$argon2id$v=19$").doesNotContain(initial.replace("-", ""));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void newPasswordsFollowTheRules(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        String initial = accounts.createUser("taro.yamada@example.co.jp", null, null, Set.of());
        String email = "taro.yamada@example.co.jp";
        assertThat(accounts.changePassword(email, "wrong", NEW_PASSWORD, NEW_PASSWORD)).contains(PasswordProblem.CURRENT_WRONG);
        assertThat(accounts.changePassword(email, initial, "short", "short")).contains(PasswordProblem.TOO_SHORT);
        assertThat(accounts.changePassword(email, initial, "x".repeat(129), "x".repeat(129))).contains(PasswordProblem.TOO_LONG);
        assertThat(accounts.changePassword(email, initial, NEW_PASSWORD, NEW_PASSWORD + "!")).contains(PasswordProblem.MISMATCH);
        assertThat(accounts.changePassword(email, initial, initial, initial)).contains(PasswordProblem.SAME_AS_CURRENT);
        assertThat(accounts.changePassword(email, initial, "my Taro.Yamada pass", "my Taro.Yamada pass"))
                .contains(PasswordProblem.CONTAINS_EMAIL);
        assertThat(accounts.changePassword(email, initial, "日本語のパスフレーズ十二文字", "日本語のパスフレーズ十二文字")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void tenWrongPasswordsLockTheAccountUntilTheLockExpiresEvenForTheRightPassword(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        for (int i = 1; i <= 9; i++) {
            assertThat(accounts.checkPassword("taro@example.co.jp", "wrong " + i))
                    .isEqualTo(new PasswordCheck.Rejected(true, Optional.empty()));
        }
        Instant until = clock.instant().plus(Duration.ofMinutes(15));
        assertThat(accounts.checkPassword("taro@example.co.jp", "wrong 10"))
                .isEqualTo(new PasswordCheck.Rejected(true, Optional.of(until)));
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD)).isEqualTo(new PasswordCheck.Locked(until));
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", appCode(enrolledSecret, clock.instant())))
                .isEqualTo(new SecondFactorCheck.Locked(until));

        clock.advance(Duration.ofMinutes(14).plusSeconds(59));
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD)).isInstanceOf(PasswordCheck.Locked.class);
        clock.advance(Duration.ofSeconds(1));
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD)).isInstanceOf(PasswordCheck.Accepted.class);
        assertThat(accounts.lockedUntil("taro@example.co.jp")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aSuccessfulSignInStartsTheFailureCountAgain(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        for (int i = 0; i < 9; i++) {
            accounts.checkPassword("taro@example.co.jp", "wrong");
        }
        accounts.recordSignIn("taro@example.co.jp");
        for (int i = 0; i < 9; i++) {
            assertThat(accounts.checkPassword("taro@example.co.jp", "wrong")).isEqualTo(new PasswordCheck.Rejected(true, Optional.empty()));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void unknownAndInactiveUsersAreRejectedLikeWrongPasswords(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        assertThat(accounts.checkPassword("nobody@example.co.jp", NEW_PASSWORD)).isEqualTo(new PasswordCheck.Rejected(false, Optional.empty()));
        Person taro = directory.find("taro@example.co.jp").orElseThrow();
        directory.save(taro.withActive(false));
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD)).isEqualTo(new PasswordCheck.Rejected(false, Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anAddressWithoutAnAccountLocksExactlyAsAnAccountDoesSoTheLockPageTellsNothing(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        Person taro = directory.find("taro@example.co.jp").orElseThrow();
        directory.save(taro.withActive(false)); // an inactive person's account answers as no account
        for (String address : List.of("nobody@example.co.jp", "taro@example.co.jp")) {
            for (int i = 1; i <= 9; i++) {
                assertThat(accounts.checkPassword(address, "wrong " + i))
                        .isEqualTo(new PasswordCheck.Rejected(false, Optional.empty()));
            }
            Instant until = clock.instant().plus(Duration.ofMinutes(15));
            assertThat(accounts.checkPassword(address, "wrong 10"))
                    .isEqualTo(new PasswordCheck.Rejected(false, Optional.of(until)));
            assertThat(accounts.checkPassword(" " + address.toUpperCase(java.util.Locale.ROOT), "wrong 11"))
                    .isEqualTo(new PasswordCheck.Locked(until));
        }
        clock.advance(Duration.ofMinutes(15));
        assertThat(accounts.checkPassword("nobody@example.co.jp", "wrong"))
                .as("the lock ends when an account's would").isEqualTo(new PasswordCheck.Rejected(false, Optional.empty()));
        assertThat(accounts.checkPassword("someone-else@example.co.jp", "wrong"))
                .isEqualTo(new PasswordCheck.Rejected(false, Optional.empty()));
    }

    @Test
    void addressesWithoutAnAccountAreCountedInBoundedMemory() {
        UnknownAddressLocks locks = new UnknownAddressLocks(3);
        Instant now = Instant.parse("2026-12-02T01:00:00Z");
        for (int i = 0; i < 100; i++) {
            locks.recordFailure("a" + i + "@example.co.jp", now, 2, Duration.ofMinutes(15));
        }
        assertThat(locks.size()).isEqualTo(3);
        assertThat(locks.recordFailure("a99@example.co.jp", now, 2, Duration.ofMinutes(15)))
                .as("the most recent addresses are kept").contains(now.plus(Duration.ofMinutes(15)));
        assertThat(locks.recordFailure("a0@example.co.jp", now, 2, Duration.ofMinutes(15))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aTotpCodeIsAcceptedOnceAndNeverAfterItExpired(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", appCode(enrolledSecret, clock.instant())))
                .as("the enrollment code itself is used up")
                .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.REUSED, Optional.empty()));

        clock.advance(Duration.ofSeconds(30));
        String code = appCode(enrolledSecret, clock.instant());
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", code)).isEqualTo(new SecondFactorCheck.Accepted(false, 10));
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", code))
                .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.REUSED, Optional.empty()));

        clock.advance(Duration.ofMinutes(2));
        String old = appCode(enrolledSecret, clock.instant().minus(Duration.ofSeconds(90)));
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", old))
                .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.EXPIRED, Optional.empty()));
        String previousStep = appCode(enrolledSecret, clock.instant().minus(Duration.ofSeconds(30)));
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", previousStep))
                .as("one step of clock drift is allowed").isInstanceOf(SecondFactorCheck.Accepted.class);
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", appCode(enrolledSecret, clock.instant().minus(Duration.ofSeconds(60)))))
                .as("an earlier step than one already used is a replay, whatever its age")
                .isInstanceOf(SecondFactorCheck.Rejected.class);
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", "000000")).isInstanceOfSatisfying(
                SecondFactorCheck.Rejected.class, r -> assertThat(r.reason()).isIn(SecondFactorCheck.Reason.WRONG, SecondFactorCheck.Reason.EXPIRED));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void recoveryCodesWorkOnceEachInAnyCaseAndAreStoredHashed(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        accounts.createUser("taro@example.co.jp", null, null, Set.of(Role.ADMIN));
        List<String> codes = enroll(accounts, "taro@example.co.jp");
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}"));

        assertThat(accounts.checkSecondFactor("taro@example.co.jp", codes.get(3).toUpperCase().replace("-", " ")))
                .isEqualTo(new SecondFactorCheck.Accepted(true, 9));
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", codes.get(3)))
                .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.WRONG, Optional.empty()));
        assertThat(accounts.recoveryCodesLeft("taro@example.co.jp")).isEqualTo(9);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT lookup_code, code_hash FROM console_recovery_code")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                String lookup = rs.getString(1);
                String hash = rs.getString(2);
                assertThat(lookup).hasSize(4);
                assertThat(hash).startsWith("$argon2id$");
                String code = codes.stream().filter(x -> x.startsWith(lookup)).findFirst().orElseThrow().replace("-", "");
                assertThat(hash).doesNotContain(code.substring(4));
            }
            assertThat(rows).isEqualTo(10);
        }
        List<String> renewed = enroll(accounts, "taro@example.co.jp");
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", codes.get(0)))
                .as("a new enrollment replaces the old codes").isInstanceOf(SecondFactorCheck.Rejected.class);
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", renewed.get(0))).isInstanceOf(SecondFactorCheck.Accepted.class);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theTotpKeyIsStoredEncryptedAndBoundToItsAccount(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        accounts.createUser("hanako@example.co.jp", null, null, Set.of(Role.ADMIN));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT totp_secret FROM console_account WHERE email = 'taro@example.co.jp'")) {
                rs.next();
                assertThat(rs.getString(1)).doesNotContain(enrolledSecret.replace(" ", ""));
            }
            s.executeUpdate("UPDATE console_account SET totp_secret = (SELECT totp_secret FROM console_account"
                    + " WHERE email = 'taro@example.co.jp') WHERE email = 'hanako@example.co.jp'");
        }
        clock.advance(Duration.ofSeconds(30));
        assertThat(accounts.checkSecondFactor("hanako@example.co.jp", appCode(enrolledSecret, clock.instant())))
                .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.UNREADABLE, Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aTotpKeyThatCannotBeDecryptedRefusesCodesWithoutLockingAndRecoveryCodesStillWork(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        accounts.createUser("taro@example.co.jp", null, null, Set.of(Role.ADMIN));
        List<String> codes = enroll(accounts, "taro@example.co.jp");
        String secret = accounts.startEnrollment("x@example.co.jp", "Mamori").displaySecret();
        // as if its master key had been destroyed: a key the gateway's keyset does not hold
        byte[] foreign = MasterKeys.openOrCreate(dir.resolve("other-keys"))
                .encryptSecret(new Base32().decode(secret.replace(" ", "")), "totp:taro@example.co.jp");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE console_account SET totp_secret = '" + java.util.Base64.getEncoder().encodeToString(foreign)
                    + "' WHERE email = 'taro@example.co.jp'");
        }

        for (int i = 0; i < 12; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertThat(accounts.checkSecondFactor("taro@example.co.jp", appCode(secret, clock.instant())))
                    .isEqualTo(new SecondFactorCheck.Rejected(SecondFactorCheck.Reason.UNREADABLE, Optional.empty()));
        }
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", codes.get(0))).isEqualTo(new SecondFactorCheck.Accepted(true, 9));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aRotationReencryptsEveryTotpKeyUnderTheNewPrimaryKey(String vendor) throws Exception {
        ConsoleAccounts gateway = enrolledUser(vendor);
        gateway.createUser("hanako@example.co.jp", null, null, Set.of(Role.ADMIN));
        enroll(gateway, "hanako@example.co.jp");
        gateway.createUser("jiro@example.co.jp", null, null, Set.of(Role.ADMIN));
        // the keys rotate command, on the same keys directory
        MasterKeys command = MasterKeys.openOrCreate(dir.resolve("keys"));
        MasterKeys.Rotation rotation = command.rotate();
        ConsoleAccounts cli = new ConsoleAccounts(dataSource, directory, command, new Argon2id(1024, 1, 1),
                new ConsoleAccounts.Lockout(10, Duration.ofMinutes(15)), clock);

        assertThat(cli.reencryptTotpSecrets()).isEqualTo(new ConsoleAccounts.Reencryption(2, 0));

        assertThat(storedTotpKeyIds()).containsOnlyKeys("taro@example.co.jp", "hanako@example.co.jp")
                .containsValues(rotation.newPrimaryId(), rotation.newPrimaryId());
        assertThat(cli.reencryptTotpSecrets()).as("run again: nothing left to do").isEqualTo(new ConsoleAccounts.Reencryption(0, 0));
        clock.advance(Duration.ofSeconds(30));
        assertThat(gateway.checkSecondFactor("taro@example.co.jp", appCode(enrolledSecret, clock.instant())))
                .as("the running gateway reads the re-encrypted key").isEqualTo(new SecondFactorCheck.Accepted(false, 10));
    }

    /** The master key id in each stored TOTP key's Tink output prefix (0x01, then the id big-endian), read without Tink. */
    private java.util.Map<String, Integer> storedTotpKeyIds() throws Exception {
        java.util.Map<String, Integer> ids = new java.util.HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, totp_secret FROM console_account WHERE totp_secret IS NOT NULL")) {
            while (rs.next()) {
                byte[] sealed = java.util.Base64.getDecoder().decode(rs.getString(2));
                assertThat(sealed[0]).isEqualTo((byte) 1);
                ids.put(rs.getString(1), java.nio.ByteBuffer.wrap(sealed, 1, 4).getInt());
            }
        }
        return ids;
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void wrongCodesCountTowardsTheLockout(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        for (int i = 0; i < 9; i++) {
            assertThat(accounts.checkSecondFactor("taro@example.co.jp", "zzzz-zzzz-zzzz-zzzz")).isInstanceOf(SecondFactorCheck.Rejected.class);
        }
        assertThat(accounts.checkSecondFactor("taro@example.co.jp", "zzzz-zzzz-zzzz-zzzz")).isEqualTo(new SecondFactorCheck.Rejected(
                SecondFactorCheck.Reason.WRONG, Optional.of(clock.instant().plus(Duration.ofMinutes(15)))));
        assertThat(accounts.checkPassword("taro@example.co.jp", NEW_PASSWORD)).isInstanceOf(PasswordCheck.Locked.class);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aResetGivesANewInitialPasswordLiftsTheLockAndCanClearTotp(String vendor) throws Exception {
        ConsoleAccounts accounts = enrolledUser(vendor);
        for (int i = 0; i < 10; i++) {
            accounts.checkPassword("taro@example.co.jp", "wrong");
        }
        String fresh = accounts.resetUser("taro@example.co.jp", false).orElseThrow();
        assertThat(accounts.checkPassword("taro@example.co.jp", fresh)).isInstanceOfSatisfying(PasswordCheck.Accepted.class, a -> {
            assertThat(a.mustChangePassword()).isTrue();
            assertThat(a.totpEnrolled()).as("a password reset alone keeps the second factor").isTrue();
        });
        String again = accounts.resetUser("taro@example.co.jp", true).orElseThrow();
        assertThat(accounts.checkPassword("taro@example.co.jp", again)).isInstanceOfSatisfying(PasswordCheck.Accepted.class,
                a -> assertThat(a.totpEnrolled()).isFalse());
        assertThat(accounts.recoveryCodesLeft("taro@example.co.jp")).isZero();
        assertThat(accounts.resetUser("nobody@example.co.jp", false)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theFirstAdministratorIsCreatedOnceAndReissuedOnlyUntilUsed(String vendor) throws Exception {
        ConsoleAccounts accounts = accounts(vendor);
        String first = accounts.ensureInitialAdmin("admin@example.co.jp").orElseThrow();
        assertThat(directory.find("admin@example.co.jp").orElseThrow().roles()).containsExactly(Role.ADMIN);
        String second = accounts.ensureInitialAdmin("admin@example.co.jp").orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(accounts.checkPassword("admin@example.co.jp", first)).isInstanceOf(PasswordCheck.Rejected.class);

        assertThat(accounts.changePassword("admin@example.co.jp", second, NEW_PASSWORD, NEW_PASSWORD)).isEmpty();
        assertThat(accounts.ensureInitialAdmin("admin@example.co.jp")).isEmpty();
        assertThat(accounts.ensureInitialAdmin("other@example.co.jp")).as("accounts exist").isEmpty();
    }
}
