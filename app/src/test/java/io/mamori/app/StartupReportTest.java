package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.policy.Policy;
import io.mamori.core.policy.Policy.Attachments.Handling;
import org.junit.jupiter.api.Test;

/** The start-up report's line on password-protected attachments (PPAP). */
class StartupReportTest {

    @Test
    void theEncryptedAttachmentsLineSaysWhatThePolicyDoesWithThem() {
        assertThat(StartupReport.encryptedAttachments(Policy.Attachments.DEFAULT)).isEqualTo(
                "quarantine; メールのパスワードで開けたもの: quarantine; パスワード別送メール: 30 分待つ (ポリシー attachments.*)"
                        + " / quarantine; opened with a password given by mail: quarantine; password mails looked for 30 min"
                        + " (policy attachments.*)");
        assertThat(StartupReport.encryptedAttachments(new Policy.Attachments(Handling.QUARANTINE, Handling.SCORE,
                Handling.SCORE, Handling.SCORE, 0))).isEqualTo(
                "quarantine; メールのパスワードで開けたもの: score; パスワード別送メール: 待たない (ポリシー attachments.*)"
                        + " / quarantine; opened with a password given by mail: score; password mails not looked for"
                        + " (policy attachments.*)");
    }
}
