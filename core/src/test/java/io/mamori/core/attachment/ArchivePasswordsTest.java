package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchivePasswordsTest {

    @Test
    void passwordsAreTakenAfterAPasswordWordInJapaneseOrEnglish() {
        assertThat(ArchivePasswords.candidates("パスワード：Inv0ice-2025")).containsExactly("Inv0ice-2025");
        assertThat(ArchivePasswords.candidates("パスワードは「x7Kp29q!」です。")).containsExactly("x7Kp29q!");
        assertThat(ArchivePasswords.candidates("Password: Sales#2025.")).containsExactly("Sales#2025");
        assertThat(ArchivePasswords.candidates("The password is qwerty77")).containsExactly("qwerty77");
        assertThat(ArchivePasswords.candidates("PW=ab12cd34")).containsExactly("ab12cd34");
        // full-width letters and colon, as Japanese mail often writes them
        assertThat(ArchivePasswords.candidates("解凍キー：ＡＢＣ－１２３")).containsExactly("ABC-123");
        // on the next line, when that line is the password alone
        assertThat(ArchivePasswords.candidates("【パスワード】\nk9Lm2Np4\n以上")).containsExactly("k9Lm2Np4");
    }

    @Test
    void textWithoutAPasswordGivesNoneAndCandidatesAreBounded() {
        assertThat(ArchivePasswords.candidates("パスワードは別途お送りします。")).isEmpty();
        assertThat(ArchivePasswords.candidates("パスワードを変更してください\nよろしくお願いいたします")).isEmpty();
        assertThat(ArchivePasswords.candidates("password: abc")).as("shorter than 4").isEmpty();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            many.append("password: pass").append(1000 + i).append('\n');
        }
        assertThat(ArchivePasswords.candidates(many.toString())).hasSize(ArchivePasswords.MAX_CANDIDATES)
                .startsWith("pass1000", "pass1001");
        assertThat(ArchivePasswords.candidates("password: same1234\npassword: same1234")).containsExactly("same1234");
    }
}
