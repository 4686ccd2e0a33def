package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.lists.ListKind;
import io.mamori.core.lists.ListPattern;
import io.mamori.core.lists.ListTarget;
import io.mamori.core.message.Direction;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code lists} and {@code first_contact} sections, and how an allow changes the decision. */
class PolicyListsTest {

    private static final FindingCatalogue CATALOGUE = FindingCatalogue.builtIn();
    private final PolicyLoader loader = new PolicyLoader(CATALOGUE);

    private static final String BASE = """
            version: 1
            organisation:
              name: テスト
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
              forced: { SENDER_BLOCKED: QUARANTINE, ANALYZER_FAILED: TAG }
            outbound:
              thresholds: { tag: 6 }
            """;

    private List<String> errors(String yaml) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(BASE + yaml, "policy.yaml"));
        assertThat(e).as("expected the policy to be rejected").isNotNull();
        return e.errors().stream().map(PolicyError::render).toList();
    }

    @Test
    void listsAndFirstContactAreReadWithTheirKeysAsReferences() throws Exception {
        Policy p = loader.parse(BASE + """
                lists:
                  allow:
                    senders: [partner.co.jp, Boss@Partner2.example]
                    never_overrides: [MALWARE_FOUND]
                  block:
                    senders: [spam.example]
                    links: [evil.example, "https://bit.ly/3abc"]
                  file: lists.txt
                first_contact:
                  window_days: 30
                  learning_days: 0
                """, "policy.yaml");

        assertThat(p.lists().entries()).extracting(e -> e.kind(), e -> e.target(), e -> e.pattern(), e -> e.origin())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ListKind.ALLOW, ListTarget.SENDER,
                                new ListPattern.Domain("partner.co.jp"), "policy:lists.allow.senders[0]"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.ALLOW, ListTarget.SENDER,
                                new ListPattern.Address("boss@partner2.example"), "policy:lists.allow.senders[1]"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.BLOCK, ListTarget.SENDER,
                                new ListPattern.Domain("spam.example"), "policy:lists.block.senders[0]"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.BLOCK, ListTarget.LINK,
                                new ListPattern.Domain("evil.example"), "policy:lists.block.links[0]"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.BLOCK, ListTarget.LINK,
                                new ListPattern.Url("bit.ly", "/3abc"), "policy:lists.block.links[1]"));
        assertThat(p.lists().file()).contains("lists.txt");
        assertThat(p.lists().allowNeverOverrides()).as("what was written, and what always counts")
                .containsExactlyInAnyOrderElementsOf(Policy.Lists.ALWAYS_COUNTED).contains("MALWARE_FOUND");
        assertThat(p.firstContact()).isEqualTo(new Policy.FirstContact(30, 0));
    }

    @Test
    void omittedSectionsTakeTheDocumentedDefaults() throws Exception {
        Policy p = loader.parse(BASE, "policy.yaml");
        assertThat(p.lists().entries()).isEmpty();
        assertThat(p.lists().file()).isEmpty();
        assertThat(p.lists().allowNeverOverrides()).isEqualTo(Policy.Lists.DEFAULT_ALLOW_NEVER_OVERRIDES);
        assertThat(p.firstContact()).isEqualTo(new Policy.FirstContact(90, 14));
        assertThat(Policy.Lists.DEFAULT_ALLOW_NEVER_OVERRIDES).allSatisfy(code ->
                assertThat(CATALOGUE.entry(code)).as(code).isPresent());
    }

    @Test
    void theShippedPolicyForcesQuarantineForBlockedSendersAndLinks() {
        Policy p = loader.defaults();
        assertThat(p.inbound().forced()).containsEntry("SENDER_BLOCKED", Action.QUARANTINE)
                .containsEntry("LINK_BLOCKED", Action.QUARANTINE);
        assertThat(p.lists().allowNeverOverrides()).isEqualTo(Policy.Lists.DEFAULT_ALLOW_NEVER_OVERRIDES);
        assertThat(p.firstContact()).isEqualTo(Policy.FirstContact.DEFAULT);
    }

    @Test
    void badEntriesAreReportedWithFileLineColumnAndKey() {
        assertThat(errors("""
                lists:
                  allow:
                    senders: [co.jp, partner.example, partner.example]
                    links: [x.example]
                    never_overrides: [MALWARE_FUND]
                  block:
                    links: [a@b.example, "ftp://x.example/"]
                  file: ""
                first_contact:
                  window_days: 0
                  learning_days: 1.5
                """)).containsExactly(
                "policy.yaml:12:15: lists.allow.senders[0]: 'co.jp' is a public suffix; it would match every domain under it",
                "policy.yaml:12:39: lists.allow.senders[2]: duplicate of lists.allow.senders[1]",
                "policy.yaml:13:5: lists.allow.links: unknown key; expected one of senders, never_overrides",
                "policy.yaml:14:23: lists.allow.never_overrides[0]: unknown finding code; did you mean 'MALWARE_FOUND'?",
                "policy.yaml:16:13: lists.block.links[0]: 'a@b.example' is an address; addresses go on sender entries",
                "policy.yaml:16:26: lists.block.links[1]: 'ftp://x.example/': only http and https URLs can be listed",
                "policy.yaml:17:9: lists.file: must be a file path of 1 to 1024 characters without control characters",
                "policy.yaml:19:16: first_contact.window_days: must be a whole number of days from 1 to 3650",
                "policy.yaml:20:18: first_contact.learning_days: must be a whole number of days from 0 to 3650");
    }

    @Test
    void aBadListEntryInThePolicyIsExplainedInJapaneseToo() {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(BASE + """
                lists:
                  allow:
                    senders: [co.jp]
                """, "policy.yaml"));
        assertThat(e.errors()).extracting(PolicyError::renderBilingual).containsExactly("policy.yaml:12:15: "
                + "lists.allow.senders[0]: 'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます"
                + " / 'co.jp' is a public suffix; it would match every domain under it");
    }

    @Test
    void anAllowedSenderKeepsOnlyTheFindingsAnAllowNeverOverrides() throws Exception {
        Policy p = loader.parse(BASE, "policy.yaml");
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        List<Finding> scored = List.of(Finding.of("LURE_COMBINED", "x"), Finding.of("LOOKALIKE_DOMAIN", "y"),
                Finding.of("ANALYZER_FAILED", "links: timeout"));

        assertThat(engine.decide(p, Direction.INBOUND, scored).action()).isEqualTo(Action.QUARANTINE);
        List<Finding> allowed = new java.util.ArrayList<>(scored);
        allowed.add(Finding.of("SENDER_ALLOWED", "from=a@partner.example entry=partner.example source=policy:x (dmarc=pass)"));
        Verdict v = engine.decide(p, Direction.INBOUND, allowed);
        assertThat(v.score()).as("ANALYZER_FAILED is never overridden").isEqualTo(CATALOGUE.weight("ANALYZER_FAILED"));
        assertThat(v.action()).as("and its forced TAG still applies").isEqualTo(Action.TAG);
        assertThat(v.findings()).isEqualTo(allowed);

        Policy narrow = new Policy(p.version(), p.organisation(), p.inbound(), p.outbound(), p.tag(), p.antivirus(),
                p.protection(), new Policy.Lists(List.of(), Optional.empty(), Set.of()), p.firstContact(), p.access());
        assertThat(engine.decide(narrow, Direction.INBOUND, allowed).action())
                .as("an analyzer that did not finish counts whatever the list says").isEqualTo(Action.TAG);
        assertThat(engine.decide(narrow, Direction.INBOUND, List.of(scored.get(0), scored.get(1), allowed.get(3))).action())
                .isEqualTo(Action.DELIVER);
    }

    @Test
    void attachmentHandlingOfAnAllowedSenderFollowsNeverOverrides() throws Exception {
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        Finding encrypted = Finding.of("ENCRYPTED_ARCHIVE", "見積書.zip (part 2)");
        Finding allowedSender = Finding.of("SENDER_ALLOWED",
                "from=a@partner.example entry=partner.example source=policy:x (dmarc=pass)");
        Policy byDefault = loader.parse(BASE + "attachments: { encrypted: quarantine }\n", "policy.yaml");
        assertThat(engine.decide(byDefault, Direction.INBOUND, List.of(encrypted, allowedSender)).action())
                .as("ENCRYPTED_ARCHIVE is never overridden by default").isEqualTo(Action.QUARANTINE);
        assertThat(engine.counted(byDefault, List.of(encrypted, allowedSender))).containsExactly(encrypted);

        Policy trusting = loader.parse(BASE + "attachments: { encrypted: quarantine }\n"
                + "lists:\n  allow:\n    senders: [partner.example]\n    never_overrides: [MALWARE_FOUND]\n", "policy.yaml");
        assertThat(engine.decide(trusting, Direction.INBOUND, List.of(encrypted, allowedSender)).action())
                .isEqualTo(Action.DELIVER);
        assertThat(engine.counted(trusting, List.of(encrypted, allowedSender))).isEmpty();
        assertThat(engine.decide(trusting, Direction.INBOUND, List.of(encrypted)).action())
                .as("without the allow the section applies").isEqualTo(Action.QUARANTINE);
    }

    @Test
    void anEmptyNeverOverridesStillCountsMalwareBlocksAndUnscannedMail() throws Exception {
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        Finding allowedSender = Finding.of("SENDER_ALLOWED",
                "from=a@partner.example entry=partner.example source=policy:x (dmarc=pass)");
        Finding malware = Finding.of("MALWARE_FOUND", "Win.Test.EICAR_HDB-1 in invoice.zip");
        Finding unscanned = Finding.of("AV_UNAVAILABLE", "clamd 127.0.0.1:3310: Connection refused");
        Finding lure = Finding.of("LURE_PAYMENT", "振込先");
        Policy p = loader.parse(BASE + "lists:\n  allow:\n    senders: [partner.example]\n    never_overrides: []\n",
                "policy.yaml");

        assertThat(p.lists().allowNeverOverrides()).isEqualTo(Policy.Lists.ALWAYS_COUNTED);
        assertThat(engine.counted(p, List.of(malware, unscanned, lure, allowedSender))).containsExactly(malware, unscanned);
        Verdict v = engine.decide(p, Direction.INBOUND, List.of(malware, lure, allowedSender));
        assertThat(v.score()).isEqualTo(CATALOGUE.weight("MALWARE_FOUND"));
        assertThat(v.action()).isIn(Action.QUARANTINE, Action.REJECT);
    }

    @Test
    void anAllowVouchesForTheSenderNotForFormsScriptsOrTheSpamTestString() throws Exception {
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        Finding allowedSender = Finding.of("SENDER_ALLOWED",
                "from=a@partner.example entry=partner.example source=policy:x (dmarc=pass)");
        List<Finding> content = List.of(Finding.of("HTML_CREDENTIAL_FORM", "password field posting to https://x.example/"),
                Finding.of("HTML_ATTACHMENT_SCRIPT", "invoice.html"), Finding.of("PDF_JAVASCRIPT", "a.pdf"),
                Finding.of("GTUBE", "GTUBE"), Finding.of("DOMAIN_BLOCKLISTED", "x.example"));
        List<Finding> all = new java.util.ArrayList<>(content);
        all.add(allowedSender);

        assertThat(engine.counted(loader.parse(BASE, "policy.yaml"), all)).containsExactlyElementsOf(content);
    }

    @Test
    void anAllowedSenderIsNotPushedOverByACompositeOfFindingsTheAllowNeutralised() throws Exception {
        PolicyEngine engine = new PolicyEngine(CATALOGUE);
        Finding allowedSender = Finding.of("SENDER_ALLOWED",
                "from=a@partner.example entry=partner.example source=policy:x (dmarc=pass)");
        // A first contact asking for urgent action meets BEC_LURE, as the analysis pipeline would add it.
        List<Finding> plain = List.of(Finding.of("FIRST_CONTACT", "domain=partner.example never seen before"),
                Finding.of("LURE_URGENCY", "至急"), Finding.of("LURE_PAYMENT", "振込先"));
        List<Finding> composites = CATALOGUE.compositesOf(plain);
        assertThat(composites).extracting(Finding::code).containsExactly("BEC_LURE");
        List<Finding> scanned = new java.util.ArrayList<>(plain);
        scanned.addAll(composites);
        Policy p = loader.parse(BASE, "policy.yaml");
        assertThat(engine.decide(p, Direction.INBOUND, scanned).action()).as("without the allow")
                .isEqualTo(Action.TAG);

        List<Finding> allowed = new java.util.ArrayList<>(scanned);
        allowed.add(allowedSender);
        Verdict v = engine.decide(p, Direction.INBOUND, allowed);
        assertThat(v.score()).isZero();
        assertThat(v.action()).isEqualTo(Action.DELIVER);
        assertThat(v.findings()).as("kept for the analyst").isEqualTo(allowed);

        // Naming the composite is not enough while the findings it is built on are neutralised ...
        Policy compositeOnly = loader.parse(BASE + "lists:\n  allow:\n    never_overrides: [BEC_LURE, LURE_PAYMENT]\n",
                "policy.yaml");
        assertThat(engine.counted(compositeOnly, allowed)).extracting(Finding::code).containsExactly("LURE_PAYMENT");
        assertThat(engine.decide(compositeOnly, Direction.INBOUND, allowed).score())
                .isEqualTo(CATALOGUE.weight("LURE_PAYMENT"));
        // ... it counts when the counted findings alone meet it, and it is named.
        Policy both = loader.parse(BASE + "lists:\n  allow:\n    never_overrides: [BEC_LURE, LURE_PAYMENT, FIRST_CONTACT]\n",
                "policy.yaml");
        assertThat(engine.counted(both, allowed)).extracting(Finding::code)
                .containsExactly("FIRST_CONTACT", "LURE_PAYMENT", "BEC_LURE");
        Policy unnamed = loader.parse(BASE + "lists:\n  allow:\n    never_overrides: [LURE_PAYMENT, FIRST_CONTACT]\n",
                "policy.yaml");
        assertThat(engine.counted(unnamed, allowed)).extracting(Finding::code)
                .containsExactly("FIRST_CONTACT", "LURE_PAYMENT");
    }

    @Test
    void everySectionLoadsTogether() throws Exception {
        Policy p = loader.parse(BASE + """
                attachments: { encrypted: strip, macros: tag }
                disarm: { enabled: true, apply_to: tagged }
                lists:
                  block:
                    senders: [spam.example]
                first_contact: { window_days: 30, learning_days: 0 }
                access:
                  roles:
                    admin: { networks: [192.0.2.0/24], mfa_required: true }
                """, "policy.yaml");
        assertThat(p.attachments()).isEqualTo(new Policy.Attachments(Policy.Attachments.Handling.STRIP,
                Policy.Attachments.Handling.TAG));
        assertThat(p.disarm().enabled()).isTrue();
        assertThat(p.disarm().applyTo()).isEqualTo(Policy.Disarm.ApplyTo.TAGGED);
        assertThat(p.lists().entries()).hasSize(1);
        assertThat(p.firstContact()).isEqualTo(new Policy.FirstContact(30, 0));
        assertThat(p.access().roles()).containsOnlyKeys(io.mamori.core.access.Role.ADMIN);

        // eval's neutral organisation replaces the organisation and nothing else: every other component is kept
        Policy.Organisation neutral = new Policy.Organisation("neutral",
                List.of(new Policy.DomainPattern("evaluation.invalid", false)));
        Policy swapped = p.withOrganisation(neutral);
        assertThat(swapped.organisation()).isEqualTo(neutral);
        for (java.lang.reflect.RecordComponent c : Policy.class.getRecordComponents()) {
            if (!c.getName().equals("organisation")) {
                assertThat(c.getAccessor().invoke(swapped)).as(c.getName()).isEqualTo(c.getAccessor().invoke(p));
            }
        }
    }
}
