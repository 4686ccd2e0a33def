package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchivePasswordsTest {

    @Test
    void thousandsOfSeparatorsAfterThePasswordWordDoNotOverflowTheStack() throws Exception {
        // on a thread with a small stack, as the smallest JVM default is: the unbounded pattern overflowed here
        String text = "Password" + ":".repeat(20_000) + " secret12";
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                outcome.set(ArchivePasswords.candidates(text));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        assertThat(outcome.get()).isInstanceOf(java.util.List.class);
        assertThat(ArchivePasswords.candidates("Password" + ":".repeat(40) + " secret12")).containsExactly("secret12");
    }

    @Test
    void passwordsAreTakenAfterAPasswordWordInJapaneseOrEnglish() {
        assertThat(ArchivePasswords.candidates("パスワード：Inv0ice-2025")).containsExactly("Inv0ice-2025");
        assertThat(ArchivePasswords.candidates("パスワードは「x7Kp29q!」です。")).containsExactly("x7Kp29q!");
        assertThat(ArchivePasswords.candidates("Password: Sales#2025.")).containsExactly("Sales#2025");
        assertThat(ArchivePasswords.candidates("The password is qwerty77")).containsExactly("qwerty77");
        assertThat(ArchivePasswords.candidates("PW=ab12cd34")).containsExactly("ab12cd34");
        // PW and PWD right after Japanese, as Japanese mail writes them; not inside an English word
        assertThat(ArchivePasswords.candidates("添付ファイルのPW：Seikyu2025")).containsExactly("Seikyu2025");
        assertThat(ArchivePasswords.candidates("解凍pwdは「k8Df3Qa1」です")).containsExactly("k8Df3Qa1");
        assertThat(ArchivePasswords.candidates("the account was pwned: hunter22")).isEmpty();
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

    @Test
    void passwordWordsInCompatibilityFormsAreFound() {
        assertThat(ArchivePasswords.candidates("ﾊﾟｽﾜｰﾄﾞ：Abcd1234")).containsExactly("Abcd1234");
        assertThat(ArchivePasswords.candidates("ハ\u309Aスワード: Abcd1234")).containsExactly("Abcd1234");
        assertThat(ArchivePasswords.candidates("ⓅⒶⓈⓈⓌⓄⓇⒹ: Abcd1234")).containsExactly("Abcd1234");
        assertThat(ArchivePasswords.candidates("paſſword: Abcd1234")).containsExactly("Abcd1234");
        assertThat(ArchivePasswords.candidates("ＰＷ：Ａｂｃｄ１２３４")).containsExactly("Abcd1234");
    }

    @Test
    void theQuickScanPassesEveryTextWhoseFoldingNamesAPassword() {
        // Exhaustive over the BMP: whatever single character stands in for a letter of a password word, the scan that
        // spares most mail the folding lets the text through whenever the folded text holds the word.
        java.util.regex.Pattern word = java.util.regex.Pattern.compile(
                "(?i)(パスワード|パス|暗証番号|解凍キー|解凍用|password|passcode|passwd|pass ?word|\\bpw\\b|\\bpwd\\b)");
        int folded = 0;
        for (int c = 0x80; c < 0x10000; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            String x = String.valueOf((char) c);
            for (String text : java.util.List.of(x + "assword", "p" + x + "ssword", "pa" + x + "sword", "pas" + x + "word",
                    "p" + x + " ", x + "w ", x + "スワード", "ハ" + x + "スワード", x + "証番号", x + "凍キー")) {
                if (word.matcher(java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC)).find()) {
                    folded++;
                    assertThat(ArchivePasswords.mayNameAPassword(text)).as("U+%04X in %s", c, text).isTrue();
                }
            }
        }
        assertThat(folded).as("compatibility forms that fold into a password word's letters (57 on JDK 17)").isGreaterThan(40);
        assertThat(ArchivePasswords.mayNameAPassword("お世話になっております。請求書を送付いたします。\nThe report is attached."))
                .isFalse();
        assertThat(ArchivePasswords.mayNameAPassword("→ see the attachment ←")).isFalse();
    }
}
