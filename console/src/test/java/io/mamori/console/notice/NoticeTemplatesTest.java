package io.mamori.console.notice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoticeTemplatesTest {

    @TempDir
    Path dir;

    static final String VALID = "Subject: [{company}] MFA\n\nDear {userName},\nset up at {setupUrl}\n";

    NoticeTemplate parse(NoticeKind kind, String text) throws NoticeTemplateException {
        return NoticeTemplate.parse(kind, NoticeLanguage.EN, text, "t.txt");
    }

    @Test
    void theShippedTemplatesAreValidInBothLanguages() throws Exception {
        new NoticeTemplates(dir.resolve("none")).checkAll();
        for (NoticeKind kind : NoticeKind.values()) {
            for (NoticeLanguage l : NoticeLanguage.values()) {
                assertThat(new NoticeTemplates(dir).template(kind, l).uses("userName")).as("%s %s", kind, l).isTrue();
            }
        }
    }

    @Test
    void placeholdersAreFilledAndDoubledBracesAreLiteral() throws Exception {
        NoticeTemplate t = parse(NoticeKind.MFA_REMINDER,
                "Subject: {{{company}}} MFA\r\n\r\n{userName} 様\r\n{setupUrl}\r\n\r\n");

        Map<String, String> values = Map.of("company", "テスト株式会社", "userName", "山田", "setupUrl", "https://x.example/mfa");
        assertThat(t.subject(values)).isEqualTo("{テスト株式会社} MFA");
        assertThat(t.body(values)).isEqualTo("山田 様\nhttps://x.example/mfa");
    }

    @Test
    void anUnknownPlaceholderIsAnErrorWithLineAndColumn() {
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: hi\n\nDear {username},\n{setupUrl}\n"))
                .isInstanceOfSatisfying(NoticeTemplateException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    NoticeTemplateException.Problem p = e.problems().get(0);
                    assertThat(p.line()).isEqualTo(3);
                    assertThat(p.column()).isEqualTo(6);
                    assertThat(p.message()).contains("unknown placeholder {username}").contains("{userName}")
                            .contains("不明な差し込み項目");
                    assertThat(e.getMessage()).startsWith("t.txt:3:6: ");
                });
    }

    @Test
    void anUnknownPlaceholderInTheSubjectNamesItsColumn() {
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject:   [{firm}]\n\n{setupUrl}\n"))
                .isInstanceOfSatisfying(NoticeTemplateException.class,
                        e -> assertThat(e.problems().get(0)).extracting(NoticeTemplateException.Problem::line,
                                NoticeTemplateException.Problem::column).containsExactly(1, 13));
    }

    @Test
    void unclosedAndStrayBracesAreErrors() {
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: x\n\n{setupUrl} {userName\n"))
                .hasMessageContaining("t.txt:3:12: ").hasMessageContaining("unclosed '{'");
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: x\n\n{setupUrl} }\n"))
                .hasMessageContaining("t.txt:3:12: ").hasMessageContaining("stray '}'");
    }

    @Test
    void theListOfChangesIsNotAllowedInTheSubject() {
        assertThatThrownBy(() -> parse(NoticeKind.ACCESS_CHANGED, "Subject: {changes}\n\n{changes}\n"))
                .hasMessageContaining("{changes} spans lines and cannot be used in the subject");
    }

    @Test
    void eachKindNeedsItsOwnPlaceholder() {
        assertThatThrownBy(() -> parse(NoticeKind.ACCESS_CHANGED, "Subject: x\n\nyour access changed\n"))
                .hasMessageContaining("must contain {changes}");
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: x\n\nplease set up MFA\n"))
                .hasMessageContaining("must contain {setupUrl}");
    }

    @Test
    void theLayoutIsChecked() {
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Hello {setupUrl}\n"))
                .hasMessageContaining("t.txt:1:1: ").hasMessageContaining("first line must be 'Subject: <subject>'");
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: x\nbody {setupUrl}\n"))
                .hasMessageContaining("t.txt:2:1: ").hasMessageContaining("second line must be empty");
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject:  \n\n{setupUrl}\n"))
                .hasMessageContaining("the subject is empty");
        assertThatThrownBy(() -> parse(NoticeKind.MFA_REMINDER, "Subject: x\n\n" + "y".repeat(40_000)))
                .hasMessageContaining("longer than");
    }

    @Test
    void aFileInTheDirectoryOverridesTheDefaultAndResetRestoresIt() throws Exception {
        NoticeTemplates templates = new NoticeTemplates(dir);
        assertThat(templates.overridden(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isFalse();

        templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.EN, VALID);

        assertThat(Files.readString(dir.resolve("mfa-reminder.en.txt"))).isEqualTo(VALID);
        assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isEqualTo(VALID);
        assertThat(templates.template(NoticeKind.MFA_REMINDER, NoticeLanguage.EN).subject(Map.of("company", "C")))
                .isEqualTo("[C] MFA");
        templates.reset(NoticeKind.MFA_REMINDER, NoticeLanguage.EN);
        assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN))
                .isEqualTo(NoticeTemplates.defaultText(NoticeKind.MFA_REMINDER, NoticeLanguage.EN));
    }

    @Test
    void aChangeWhoseEntryCannotBeRecordedDoesNotHappen() throws Exception {
        NoticeTemplates templates = new NoticeTemplates(dir);
        templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.EN, VALID);
        String edited = VALID.replace("MFA", "Two-factor");
        Runnable refused = () -> {
            throw new IllegalStateException("the audit log cannot be written");
        };

        assertThatThrownBy(() -> templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.EN, edited, refused))
                .hasMessageContaining("audit log");
        assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isEqualTo(VALID);
        assertThatThrownBy(() -> templates.reset(NoticeKind.MFA_REMINDER, NoticeLanguage.EN, refused))
                .hasMessageContaining("audit log");
        assertThat(templates.overridden(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file left")
                    .containsExactly("mfa-reminder.en.txt");
        }

        List<String> order = new java.util.ArrayList<>();
        templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.EN, edited, () -> {
            try {
                order.add("entry while the file still holds " + (templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)
                        .equals(VALID) ? "the old text" : "the new text"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(order).containsExactly("entry while the file still holds the old text");
        assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.EN)).isEqualTo(edited);
    }

    @Test
    void anInvalidTemplateIsNeverWritten() throws Exception {
        NoticeTemplates templates = new NoticeTemplates(dir);
        templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.JA, VALID);

        assertThatThrownBy(() -> templates.write(NoticeKind.MFA_REMINDER, NoticeLanguage.JA, "Subject: x\n\n{nope}\n"))
                .isInstanceOf(NoticeTemplateException.class).hasMessageContaining("mfa-reminder.ja.txt:3:1:")
                .hasMessageContaining("must contain {setupUrl}");
        assertThat(templates.read(NoticeKind.MFA_REMINDER, NoticeLanguage.JA)).isEqualTo(VALID);
        assertThat(templates.validate(NoticeKind.MFA_REMINDER, NoticeLanguage.JA, "Subject: x\n\n{setupUrl} {nope}\n"))
                .singleElement().satisfies(p -> assertThat(p.message()).contains("{nope}"));
        assertThat(templates.validate(NoticeKind.MFA_REMINDER, NoticeLanguage.JA, VALID)).isEmpty();
    }

    @Test
    void checkAllNamesBadFilesMisspeltNamesAndNonUtf8Files() throws Exception {
        Files.writeString(dir.resolve("mfa-reminder.en.txt"), "Subject: x\n\n{setupURL}\n{setupUrl}\n");
        Files.writeString(dir.resolve("acess-changed.ja.txt"), VALID);
        Files.write(dir.resolve("mfa-reminder.ja.txt"), "Subject: 件名\n\n{setupUrl}\n".getBytes(Charset.forName("Shift_JIS")));

        assertThatThrownBy(() -> new NoticeTemplates(dir).checkAll()).isInstanceOfSatisfying(NoticeTemplateException.class, e -> {
            assertThat(e.problems()).hasSize(3);
            assertThat(e.getMessage()).contains("mfa-reminder.en.txt:3:1: ").contains("unknown placeholder {setupURL}")
                    .contains("acess-changed.ja.txt: ").contains("unknown template file name")
                    .contains("mfa-reminder.ja.txt: ").contains("not UTF-8");
        });
    }

    @Test
    void languagesAreRecognisedLeniently() {
        assertThat(NoticeLanguage.of("ja-JP")).contains(NoticeLanguage.JA);
        assertThat(NoticeLanguage.of("en_US")).contains(NoticeLanguage.EN);
        assertThat(NoticeLanguage.of("English")).contains(NoticeLanguage.EN);
        assertThat(NoticeLanguage.of("")).isEmpty();
        assertThat(NoticeLanguage.of("fr")).isEmpty();
    }
}
