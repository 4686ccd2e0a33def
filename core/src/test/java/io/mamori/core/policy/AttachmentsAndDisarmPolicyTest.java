package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.policy.Policy.Attachments.Handling;
import io.mamori.core.policy.Policy.Disarm.ApplyTo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code attachments} and {@code disarm} sections: parsing, validation errors and their effect on verdicts. */
class AttachmentsAndDisarmPolicyTest {

    /** The shipped catalogue: ENCRYPTED_ARCHIVE weighs 6, below the tag threshold of 7 used here. */
    private final PolicyLoader loader = new PolicyLoader(FindingCatalogue.builtIn());
    private final PolicyEngine engine = new PolicyEngine(FindingCatalogue.builtIn());

    private static final String BASE = """
            version: 1
            organisation:
              name: 株式会社サンプル
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 7, hold: 8, quarantine: 10, reject: 20 }
              forced:
                ANALYZER_FAILED: TAG
            outbound:
              thresholds: { tag: 7 }
            """;

    private List<PolicyError> errorsOf(String yaml) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(yaml, "policy.yaml"));
        assertThat(e).as("expected the policy to be rejected").isNotNull();
        return e.errors();
    }

    @Test
    void absentSectionsMeanEncryptedQuarantineMacrosByScoreAndDisarmOff() throws Exception {
        Policy p = loader.parse(BASE, "policy.yaml");

        assertThat(p.attachments()).isEqualTo(new Policy.Attachments(Handling.QUARANTINE, Handling.SCORE));
        assertThat(p.disarm()).isEqualTo(new Policy.Disarm(false, ApplyTo.EXTERNAL, false, true));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Policy p = loader.parse(BASE + """
                attachments:
                  encrypted: strip
                  macros: tag
                disarm:
                  enabled: true
                  apply_to: tagged
                  html_to_text: true
                  defang_links: false
                """, "policy.yaml");

        assertThat(p.attachments()).isEqualTo(new Policy.Attachments(Handling.STRIP, Handling.TAG));
        assertThat(p.attachments().stripCodes()).containsExactlyInAnyOrder("ENCRYPTED_ARCHIVE", "ENCRYPTED_ARCHIVE_OPENED");
        assertThat(p.disarm()).isEqualTo(new Policy.Disarm(true, ApplyTo.TAGGED, true, false));
    }

    @Test
    void aDocumentThatFetchesATemplateIsHandledAsAMacroDocument() throws Exception {
        Finding template = Finding.of("OFFICE_REMOTE_CONTENT", "見積書.docx: attachedTemplate https://evil.example/t.dotm");
        Policy byDefault = loader.parse(BASE, "policy.yaml");
        assertThat(byDefault.attachments().handling("OFFICE_REMOTE_CONTENT")).isEqualTo(Handling.SCORE);
        assertThat(engine.decide(byDefault, Direction.INBOUND, List.of(template)).action())
                .as("weight 5, below this policy's tag threshold of 7").isEqualTo(Action.DELIVER);

        Policy quarantine = loader.parse(BASE + "attachments:\n  macros: quarantine\n", "policy.yaml");
        assertThat(quarantine.attachments().handling("OFFICE_REMOTE_CONTENT")).isEqualTo(Handling.QUARANTINE);
        assertThat(engine.decide(quarantine, Direction.INBOUND, List.of(template)).action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void contentThatCouldNotBeInspectedIsScoredByDefaultAndQuarantinedOrStrippedWhenThePolicySaysSo() throws Exception {
        Finding notUnpacked = Finding.of("ATTACHMENT_NOT_INSPECTED",
                "請求書.rar: 2 compressed RAR entries not unpacked (damaged or unsupported; names checked)");
        Policy byDefault = loader.parse(BASE, "policy.yaml");
        assertThat(byDefault.attachments().uninspected()).isEqualTo(Handling.SCORE);
        assertThat(engine.decide(byDefault, Direction.INBOUND, List.of(notUnpacked)).action()).isEqualTo(Action.DELIVER);

        Policy quarantine = loader.parse(BASE + "attachments:\n  uninspected: quarantine\n", "policy.yaml");
        assertThat(quarantine.attachments()).isEqualTo(
                new Policy.Attachments(Handling.QUARANTINE, Handling.SCORE, Handling.QUARANTINE));
        assertThat(engine.decide(quarantine, Direction.INBOUND, List.of(notUnpacked)).action())
                .isEqualTo(Action.QUARANTINE);
        assertThat(engine.decide(quarantine, Direction.OUTBOUND, List.of(notUnpacked)).action())
                .as("inbound mail only").isEqualTo(Action.DELIVER);

        Policy strip = loader.parse(BASE + "attachments:\n  uninspected: strip\n  macros: strip\n", "policy.yaml");
        assertThat(strip.attachments().stripCodes()).containsExactlyInAnyOrder("OFFICE_MACRO", "OFFICE_REMOTE_CONTENT", "OFFICE_DDE",
                "PDF_LAUNCH_ACTION", "ATTACHMENT_NOT_INSPECTED");
        // a PDF that starts a program is handled as a macro document: quarantined when macros are
        Policy macros = loader.parse(BASE + "attachments:\n  macros: quarantine\n", "policy.yaml");
        assertThat(engine.decide(macros, Direction.INBOUND, List.of(Finding.of("PDF_LAUNCH_ACTION",
                "invoice.pdf: cmd.exe"))).action()).isEqualTo(Action.QUARANTINE);
        assertThat(engine.decide(byDefault, Direction.INBOUND, List.of(Finding.of("PDF_LAUNCH_ACTION",
                "invoice.pdf: cmd.exe"))).action()).as("scored by default: weight 5, below this tag threshold").isEqualTo(Action.DELIVER);

        List<PolicyError> errors = errorsOf(BASE.replace("ANALYZER_FAILED: TAG",
                "ANALYZER_FAILED: TAG\n    ATTACHMENT_NOT_INSPECTED: TAG") + "attachments:\n  uninspected: tag\n");
        assertThat(errors).containsExactly(new PolicyError("policy.yaml", 13, 16, "attachments.uninspected",
                "conflicts with inbound.forced.ATTACHMENT_NOT_INSPECTED (line 9); keep one of them"));
        // attachments.macros governs the DDE, remote-content and PDF Launch findings as well as OFFICE_MACRO
        for (String code : List.of("OFFICE_DDE", "OFFICE_REMOTE_CONTENT", "PDF_LAUNCH_ACTION")) {
            assertThat(errorsOf(BASE.replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: TAG\n    " + code + ": TAG")
                    + "attachments:\n  macros: quarantine\n")).containsExactly(new PolicyError("policy.yaml", 13, 11,
                    "attachments.macros", "conflicts with inbound.forced." + code + " (line 9); keep one of them"));
        }
    }

    @Test
    void aFileThatForcesTheCodeItselfKeepsItsMeaningWhenTheSectionIsAbsent() throws Exception {
        Policy p = loader.parse(BASE.replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: TAG\n    ENCRYPTED_ARCHIVE: HOLD"),
                "policy.yaml");

        assertThat(p.attachments().encrypted()).isEqualTo(Handling.SCORE);
        assertThat(engine.decide(p, Direction.INBOUND, List.of(Finding.of("ENCRYPTED_ARCHIVE", "a.zip (part 2)"))).action())
                .as("the forced HOLD, not the default quarantine").isEqualTo(Action.HOLD);
    }

    @Test
    void namingACodeInBothPlacesIsAnErrorThatPointsAtTheOtherLine() {
        List<PolicyError> errors = errorsOf(BASE.replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: TAG\n    ENCRYPTED_ARCHIVE: QUARANTINE")
                + "attachments:\n  encrypted: strip\n");

        assertThat(errors).containsExactly(new PolicyError("policy.yaml", 13, 14, "attachments.encrypted",
                "conflicts with inbound.forced.ENCRYPTED_ARCHIVE (line 9); keep one of them"));
    }

    @Test
    void badValuesAreReportedWithTheirPositionAndKey() {
        List<PolicyError> errors = errorsOf(BASE + """
                attachments:
                  encrypted: strp
                  macro: strip
                disarm:
                  enabled: yes
                  apply_to: internal
                  html_to_text: "true"
                  defang: true
                """);

        assertThat(errors).containsExactly(
                new PolicyError("policy.yaml", 12, 14, "attachments.encrypted",
                        "must be one of quarantine, tag, strip, score, not 'strp'; did you mean 'strip'?"),
                new PolicyError("policy.yaml", 13, 3, "attachments.macro", "unknown key; did you mean 'macros'?"),
                new PolicyError("policy.yaml", 15, 12, "disarm.enabled", "must be true or false, got a boolean 'yes'"),
                new PolicyError("policy.yaml", 16, 13, "disarm.apply_to", "must be external or tagged, not 'internal'"),
                new PolicyError("policy.yaml", 17, 17, "disarm.html_to_text", "must be true or false, got a string 'true'"),
                new PolicyError("policy.yaml", 18, 3, "disarm.defang",
                        "unknown key; expected one of enabled, apply_to, html_to_text, defang_links"));
    }

    @Test
    void sectionsGivenAsScalarsAreTheWrongType() {
        assertThat(errorsOf(BASE + "disarm: true\nattachments: strip\n")).extracting(PolicyError::key, PolicyError::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("disarm", "must be a mapping, got a boolean 'true'"),
                        org.assertj.core.groups.Tuple.tuple("attachments", "must be a mapping, got a string 'strip'"));
    }

    @Test
    void encryptedQuarantineAndTagAreMinimumsForInboundMailOnly() throws Exception {
        List<Finding> encrypted = List.of(Finding.of("ENCRYPTED_ARCHIVE", "a.zip (part 2)"));
        Policy quarantine = loader.parse(BASE, "policy.yaml");
        Policy tag = loader.parse(BASE + "attachments: { encrypted: tag }\n", "policy.yaml");
        Policy strip = loader.parse(BASE + "attachments: { encrypted: strip }\n", "policy.yaml");

        assertThat(engine.decide(quarantine, Direction.INBOUND, encrypted).action()).isEqualTo(Action.QUARANTINE);
        assertThat(engine.decide(quarantine, Direction.OUTBOUND, encrypted).action()).isEqualTo(Action.DELIVER);
        assertThat(engine.decide(tag, Direction.INBOUND, encrypted).action()).isEqualTo(Action.TAG);
        assertThat(engine.decide(strip, Direction.INBOUND, encrypted).action())
                .as("strip imposes no minimum (weight 6 < tag 7): the pipeline removes the part").isEqualTo(Action.DELIVER);
        assertThat(engine.decide(strip, Direction.INBOUND, encrypted).score()).isEqualTo(6.0);
    }

    @Test
    void openedEncryptedAttachmentsFollowEncryptedUnlessThePolicySaysOtherwise() throws Exception {
        List<Finding> opened = List.of(Finding.of("ENCRYPTED_ARCHIVE_OPENED", "a.zip (part 2)"),
                Finding.of("ARCHIVE_PASSWORD_SENT_SEPARATELY", "a.zip (part 2): password from message 0Q1"));
        List<Finding> notOpened = List.of(Finding.of("ENCRYPTED_ARCHIVE", "a.zip (part 2)"));
        Policy shipped = loader.parse(BASE, "policy.yaml");
        Policy tag = loader.parse(BASE + "attachments: { encrypted: tag }\n", "policy.yaml");
        Policy byContent = loader.parse(BASE + "attachments: { encrypted: quarantine, opened: score,"
                + " password_mail_minutes: 0 }\n", "policy.yaml");

        assertThat(shipped.attachments().opened()).isEqualTo(Handling.QUARANTINE);
        assertThat(shipped.attachments().passwordMailMinutes()).isEqualTo(30);
        assertThat(engine.decide(shipped, Direction.INBOUND, opened).action()).isEqualTo(Action.QUARANTINE);
        assertThat(tag.attachments().opened()).as("never stricter than an attachment nobody could open")
                .isEqualTo(Handling.TAG);
        assertThat(byContent.attachments()).isEqualTo(new Policy.Attachments(Handling.QUARANTINE, Handling.SCORE,
                Handling.SCORE, Handling.SCORE, 0));
        assertThat(engine.decide(byContent, Direction.INBOUND, opened).action())
                .as("opened and inspected: its content decides (weight 6 < tag 7)").isEqualTo(Action.DELIVER);
        assertThat(engine.decide(byContent, Direction.INBOUND, notOpened).action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void badPasswordMailMinutesAndOpenedValuesAreReported() {
        for (String bad : List.of("-1", "1441", "2.5", "soon")) {
            assertThat(errorsOf(BASE + "attachments:\n  password_mail_minutes: " + bad + "\n"))
                    .extracting(PolicyError::key).as(bad).containsExactly("attachments.password_mail_minutes");
        }
        assertThat(errorsOf(BASE + "attachments:\n  password_mail_minutes: 1441\n")).extracting(PolicyError::message)
                .containsExactly("must be a whole number of minutes from 0 to 1440");
        assertThat(errorsOf(BASE + "attachments:\n  opened: release\n")).extracting(PolicyError::message)
                .containsExactly("must be one of quarantine, tag, strip, score, not 'release'");
    }

    @Test
    void disarmAppliesToDeliverableInboundMailAsApplyToSays() {
        Policy.Disarm external = new Policy.Disarm(true, ApplyTo.EXTERNAL, false, true);
        Policy.Disarm tagged = new Policy.Disarm(true, ApplyTo.TAGGED, false, true);

        assertThat(List.of(Action.values())).filteredOn(external::appliesTo)
                .containsExactly(Action.DELIVER, Action.TAG, Action.HOLD);
        assertThat(List.of(Action.values())).filteredOn(tagged::appliesTo).containsExactly(Action.TAG, Action.HOLD);
        assertThat(List.of(Action.values())).filteredOn(Policy.Disarm.DEFAULT::appliesTo).isEmpty();
    }
}
