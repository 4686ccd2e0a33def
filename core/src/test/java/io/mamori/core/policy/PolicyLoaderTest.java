package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mamori.core.analysis.Action;
import io.mamori.core.policy.Policy.DomainPattern;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

    private static final Path EXAMPLE = Path.of("..", "config", "policy.example.yaml");

    private final PolicyLoader loader = new PolicyLoader(TestCatalogue.CATALOGUE);

    /** A valid policy; tests replace one line to make it invalid, so positions are easy to read. */
    private static final String VALID = """
            version: 1
            organisation:
              name: 株式会社サンプル
              internal_domains: [example.co.jp, example.jp]
            inbound:
              thresholds:
                tag: 4
                hold: 8
                quarantine: 10
                reject: 20
              forced:
                ATTACHMENT_EXECUTABLE: QUARANTINE
                ANALYZER_FAILED: TAG
            outbound:
              thresholds: { tag: 6, hold: 10, quarantine: 15 }
              forced: {}
            tag:
              subject_prefix: "[要注意]"
            """;

    private List<PolicyError> errorsOf(String yaml) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(yaml, "policy.yaml"));
        assertThat(e).as("expected the policy to be rejected").isNotNull();
        return e.errors();
    }

    private static String replace(String line, String with) {
        assertThat(VALID).contains(line);
        return VALID.replace(line, with);
    }

    private static PolicyError error(int line, int column, String key, String message) {
        return new PolicyError("policy.yaml", line, column, key, message);
    }

    @Test
    void validPolicyIsReadIntoTheRecordTree() throws Exception {
        Policy p = loader.parse(VALID, "policy.yaml");

        assertThat(p.version()).isEqualTo(1);
        assertThat(p.organisation().name()).isEqualTo("株式会社サンプル");
        assertThat(p.organisation().internalDomains()).containsExactly(
                new DomainPattern("example.co.jp", false), new DomainPattern("example.jp", false));
        assertThat(p.inbound().thresholds()).isEqualTo(
                Map.of(Action.TAG, 4.0, Action.HOLD, 8.0, Action.QUARANTINE, 10.0, Action.REJECT, 20.0));
        assertThat(p.inbound().forced()).isEqualTo(
                Map.of("ATTACHMENT_EXECUTABLE", Action.QUARANTINE, "ANALYZER_FAILED", Action.TAG));
        assertThat(p.outbound().thresholds()).isEqualTo(Map.of(Action.TAG, 6.0, Action.HOLD, 10.0, Action.QUARANTINE, 15.0));
        assertThat(p.outbound().forced()).isEmpty();
        assertThat(p.tag().subjectPrefix()).isEqualTo("[要注意]");
    }

    @Test
    void thresholdBelowAnEarlierActionNamesTheKeyAndTheBound() {
        assertThat(errorsOf(replace("    hold: 8", "    hold: 3")))
                .containsExactly(error(8, 11, "inbound.thresholds.hold", "must be ≥ tag (4)"));
    }

    @Test
    void laterThresholdIsComparedWithTheHighestBeforeIt() {
        String yaml = replace("    hold: 8", "    hold: 3").replace("    quarantine: 10", "    quarantine: 3.5");
        assertThat(errorsOf(yaml)).containsExactly(
                error(8, 11, "inbound.thresholds.hold", "must be ≥ tag (4)"),
                error(9, 17, "inbound.thresholds.quarantine", "must be ≥ tag (4)"));
    }

    @Test
    void misspelledActionIsRejectedWithASuggestion() {
        assertThat(errorsOf(replace("ATTACHMENT_EXECUTABLE: QUARANTINE", "ATTACHMENT_EXECUTABLE: QUARANTIN")))
                .containsExactly(error(12, 28, "inbound.forced.ATTACHMENT_EXECUTABLE",
                        "unknown action 'QUARANTIN'; did you mean 'QUARANTINE'?"));
    }

    @Test
    void lowerCaseActionIsNotAnAction() {
        assertThat(errorsOf(replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: Tagged")))
                .containsExactly(error(13, 22, "inbound.forced.ANALYZER_FAILED",
                        "unknown action 'Tagged'; expected one of DELIVER, TAG, HOLD, QUARANTINE, REJECT"));
    }

    @Test
    void deliverCannotBeForced() {
        assertThat(errorsOf(replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: DELIVER")))
                .containsExactly(error(13, 22, "inbound.forced.ANALYZER_FAILED",
                        "DELIVER cannot be forced; forced actions are minimums"));
    }

    @Test
    void misspelledTopLevelKeyIsUnknownAndTheRealKeyIsMissing() {
        assertThat(errorsOf(replace("organisation:", "organisaton:"))).containsExactly(
                error(1, 1, "organisation", "missing required key"),
                error(2, 1, "organisaton", "unknown key; did you mean 'organisation'?"));
    }

    @Test
    void errorsAreDescribedInJapaneseAsWellAsEnglish() {
        String yaml = replace("  subject_prefix: \"[要注意]\"", "  subject_prefx: \"[要注意]\"")
                .replace("  name: 株式会社サンプル", "  name: 42")
                + "access:\n  roles:\n    analyst:\n      networks: [10.0.0.0/8, 192.0.2.0/33]\n";

        List<PolicyError> errors = errorsOf(yaml);

        assertThat(errors).extracting(PolicyError::renderJa).containsExactly(
                "policy.yaml:3:9: organisation.name: 文字列にしてください（整数 '42' が指定されています）",
                "policy.yaml:18:3: tag.subject_prefx: 不明なキーです。'subject_prefix' のことですか？",
                "policy.yaml:22:30: access.roles.analyst.networks[1]: '192.0.2.0/33' は CIDR 表記の IP ネットワークとして正しくありません");
        assertThat(errors).extracting(PolicyError::render).containsExactly(
                "policy.yaml:3:9: organisation.name: must be a string, got an integer '42'",
                "policy.yaml:18:3: tag.subject_prefx: unknown key; did you mean 'subject_prefix'?",
                "policy.yaml:22:30: access.roles.analyst.networks[1]: prefix length must be 0..32: 33");
        assertThat(errors.get(1).message("ja")).isEqualTo("不明なキーです。'subject_prefix' のことですか？");
        assertThat(errors.get(1).message("en")).isEqualTo("unknown key; did you mean 'subject_prefix'?");
        assertThat(errors.get(0).renderBilingual()).isEqualTo(
                "policy.yaml:3:9: organisation.name: 文字列にしてください（整数 '42' が指定されています） / must be a string, got an integer '42'");
    }

    @Test
    void unknownKeyFarFromAnyKnownOneListsTheExpectedKeys() {
        assertThat(errorsOf(replace("  forced: {}", "  holdMinutes: 30")))
                .containsExactly(error(16, 3, "outbound.holdMinutes", "unknown key; expected one of thresholds, forced, weights"));
    }

    @Test
    void quotedNumberIsAStringNotAThreshold() {
        assertThat(errorsOf(replace("    tag: 4", "    tag: \"4\"")))
                .containsExactly(error(7, 10, "inbound.thresholds.tag", "must be a number, got a string '4'"));
    }

    @Test
    void domainListGivenAsOneStringIsTheWrongType() {
        assertThat(errorsOf(replace("internal_domains: [example.co.jp, example.jp]", "internal_domains: example.jp")))
                .containsExactly(error(4, 21, "organisation.internal_domains",
                        "must be a list of domains, got a string 'example.jp'"));
    }

    @Test
    void sectionGivenAsAScalarIsTheWrongType() {
        assertThat(errorsOf(replace("  subject_prefix: \"[要注意]\"", "").replace("tag:\n", "tag: yes\n")))
                .containsExactly(error(17, 6, "tag", "must be a mapping, got a boolean 'yes'"));
    }

    @Test
    void badDomainsAreReportedEachWithItsIndex() {
        String yaml = replace("internal_domains: [example.co.jp, example.jp]",
                "internal_domains: [example.co.jp, exa mple.jp, -bad.jp, localhost, \"*.*.jp\", 192.0.2.1, example.co.jp]");
        assertThat(errorsOf(yaml)).containsExactly(
                error(4, 37, "organisation.internal_domains[1]", "'exa mple.jp' is not a valid domain name (contains non-LDH ASCII characters)"),
                error(4, 50, "organisation.internal_domains[2]", "'-bad.jp' is not a valid domain name (has leading or trailing hyphen)"),
                error(4, 59, "organisation.internal_domains[3]", "'localhost' is not a valid domain name (needs at least two labels)"),
                error(4, 70, "organisation.internal_domains[4]", "'*' is only allowed as the whole first label, as in \"*.example.co.jp\""),
                error(4, 80, "organisation.internal_domains[5]", "'192.0.2.1' is not a valid domain name (top-level label is all digits (IP addresses are not domains))"),
                error(4, 91, "organisation.internal_domains[6]", "duplicate of organisation.internal_domains[0]"));
    }

    @Test
    void emptyDomainListIsRejected() {
        assertThat(errorsOf(replace("internal_domains: [example.co.jp, example.jp]", "internal_domains: []")))
                .containsExactly(error(4, 21, "organisation.internal_domains", "must list at least one domain"));
    }

    @Test
    void unknownFindingCodeIsRejectedWithASuggestion() {
        assertThat(errorsOf(replace("ATTACHMENT_EXECUTABLE: QUARANTINE", "ATTACHMENT_EXECUTABEL: QUARANTINE")))
                .containsExactly(error(12, 5, "inbound.forced.ATTACHMENT_EXECUTABEL",
                        "unknown finding code; did you mean 'ATTACHMENT_EXECUTABLE'?"));
    }

    @Test
    void findingCodeNothingLikeTheCatalogueSaysSo() {
        assertThat(errorsOf(replace("ANALYZER_FAILED: TAG", "PHISHING_KIT: TAG")))
                .containsExactly(error(13, 5, "inbound.forced.PHISHING_KIT",
                        "unknown finding code (not in the finding catalogue)"));
    }

    @Test
    void weightsAreReadPerDirection() throws Exception {
        Policy p = loader.parse(replace("  forced: {}\n", "  forced: {}\n  weights: { MIME_MALFORMED: 0.5, TENTH: 0 }\n"),
                "policy.yaml");
        assertThat(p.outbound().weights()).containsExactlyInAnyOrderEntriesOf(Map.of("MIME_MALFORMED", 0.5, "TENTH", 0.0));
        assertThat(p.inbound().weights()).isEmpty();
    }

    @Test
    void weightOfAnUnknownCodeOrOutOfRangeIsRejectedInBothLanguages() {
        List<PolicyError> errors = errorsOf(replace("  forced: {}\n",
                "  forced: {}\n  weights: { MIME_MALFORMD: 1, TENTH: -1, FIFTH: 101, ANALYZER_FAILED: \"3\" }\n"));
        assertThat(errors).containsExactly(
                error(17, 14, "outbound.weights.MIME_MALFORMD", "unknown finding code; did you mean 'MIME_MALFORMED'?"),
                error(17, 39, "outbound.weights.TENTH", "must be between 0 and 100"),
                error(17, 50, "outbound.weights.FIFTH", "must be between 0 and 100"),
                error(17, 72, "outbound.weights.ANALYZER_FAILED", "must be a number, got a string '3'"));
        assertThat(errors.get(1).messageJa()).isEqualTo("0 以上 100 以下にしてください");
        assertThat(errors.get(0).messageJa()).startsWith("不明な検知コードです");
    }

    @Test
    void tabIndentationIsASyntaxErrorAtTheTab() {
        assertThat(errorsOf(replace("    hold: 8", "\thold: 8")))
                .containsExactly(error(8, 1, "", "YAML syntax: tab character; indent with spaces"));
    }

    @Test
    void unclosedFlowMappingIsASyntaxError() {
        List<PolicyError> errors = errorsOf(replace("  forced: {}", "  forced: {"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).key()).isEmpty();
        assertThat(errors.get(0).line()).as("the parser notices at the end of the file").isEqualTo(18);
        assertThat(errors.get(0).message()).startsWith("YAML syntax: ");
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOccurrence() {
        assertThat(errorsOf(replace("    hold: 8", "    hold: 8\n    tag: 5")))
                .containsExactly(error(9, 5, "inbound.thresholds.tag", "duplicate key (first at line 7)"));
    }

    @Test
    void duplicateSectionIsReported() {
        assertThat(errorsOf(VALID + "inbound:\n  thresholds: {}\n"))
                .containsExactly(error(19, 1, "inbound", "duplicate key (first at line 5)"));
    }

    @Test
    void missingRequiredKeysAreReportedAtTheirParent() {
        String yaml = replace("  name: 株式会社サンプル\n", "")
                .replace("outbound:\n  thresholds: { tag: 6, hold: 10, quarantine: 15 }\n  forced: {}\n", "");
        assertThat(errorsOf(yaml)).containsExactly(
                error(1, 1, "outbound", "missing required key"),
                error(3, 3, "organisation.name", "missing required key"));
    }

    @Test
    void unsupportedVersionIsRejected() {
        assertThat(errorsOf(replace("version: 1", "version: 2")))
                .containsExactly(error(1, 10, "version", "unsupported version 2; expected 1"));
    }

    @Test
    void negativeAndNonDecimalThresholdsAreRejected() {
        String yaml = replace("    tag: 4", "    tag: -1").replace("    reject: 20", "    reject: .inf");
        assertThat(errorsOf(yaml)).containsExactly(
                error(7, 10, "inbound.thresholds.tag", "must be ≥ 0"),
                error(10, 13, "inbound.thresholds.reject", "must be a plain decimal number, got '.inf'"));
    }

    @Test
    void numbersWithExtremeExponentsOrTooManyDigitsAreRefusedWithoutExpandingThemAndShownClipped() {
        String manyDigits = "1" + "0".repeat(400_000) + "e-400000";
        String yaml = replace("version: 1", "version: 1e-999999999")
                .replace("    tag: 4", "    tag: 1e-2147483647")
                // explicitly tagged, since the parser leaves scalars over 1,024 characters untyped
                .replace("    hold: 8", "    hold: !!float " + manyDigits)
                .replace("    reject: 20", "    reject: 0e+99999")
                + "first_contact:\n  window_days: !!int 1" + "0".repeat(100_000) + "\n";
        // a hang guard, not a speed claim: expanding 1e-2147483647 into its digits would take far longer (or all memory)
        List<PolicyError> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> errorsOf(yaml));

        String range = "exponent out of range: at most 64 digits before and after the decimal point, got ";
        String tooLong = "a number of more than 32 characters, got '1" + "0".repeat(39) + "…'";
        assertThat(errors).containsExactly(
                error(1, 10, "version", range + "'1e-999999999'"),
                error(7, 10, "inbound.thresholds.tag", range + "'1e-2147483647'"),
                error(8, 11, "inbound.thresholds.hold", tooLong),
                error(10, 13, "inbound.thresholds.reject", range + "'0e+99999'"),
                error(20, 16, "first_contact.window_days", tooLong));
        assertThat(errors.get(2).messageJa()).isEqualTo("32 文字を超える数値は使えません（'1" + "0".repeat(39) + "…' が指定されています）");
    }

    @Test
    void numbersWithAnExponentWithinRangeAreStillRead() throws Exception {
        Policy p = loader.parse(replace("    reject: 20", "    reject: 2.5e1") + "first_contact:\n  window_days: 3.65e2\n",
                "policy.yaml");
        assertThat(p.inbound().thresholds()).containsEntry(Action.REJECT, 25.0);
        assertThat(p.firstContact().windowDays()).isEqualTo(365);
    }

    @Test
    void subjectPrefixWithALineBreakIsRejected() {
        assertThat(errorsOf(replace("subject_prefix: \"[要注意]\"", "subject_prefix: \"[要注意]\\r\\nBcc: x@evil.example\"")))
                .containsExactly(error(18, 19, "tag.subject_prefix", "must not contain control characters or line breaks"));
    }

    @Test
    void everyErrorInTheFileIsReportedInDocumentOrder() {
        String yaml = replace("version: 1", "version: 2")
                .replace("    hold: 8", "    hold: 3")
                .replace("ANALYZER_FAILED: TAG", "ANALYZER_FAILED: TAGG")
                .replace("  forced: {}", "  forcd: {}");
        List<PolicyError> errors = errorsOf(yaml);
        assertThat(errors).extracting(PolicyError::key).containsExactly(
                "version", "inbound.thresholds.hold", "inbound.forced.ANALYZER_FAILED", "outbound.forcd");
    }

    @Test
    void exceptionMessageRendersOneLinePerErrorJapaneseFirst() {
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> loader.parse(replace("    hold: 8", "    hold: 3").replace("version: 1", "version: 2"), "policy.yaml"));
        assertThat(e.getMessage()).isEqualTo("""
                policy.yaml:1:10: version: バージョン 2 には対応していません。1 を指定してください / unsupported version 2; expected 1
                policy.yaml:8:11: inbound.thresholds.hold: tag (4) 以上にしてください / must be ≥ tag (4)""");
    }

    @Test
    void unquotedWildcardDomainGetsAHintToQuoteIt() {
        List<PolicyError> errors = errorsOf(replace("internal_domains: [example.co.jp, example.jp]",
                "internal_domains:\n    - *.example.co.jp"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(5);
        assertThat(errors.get(0).message()).endsWith("(quote wildcard domains: \"*.example.co.jp\")");
    }

    @Test
    void aliasBombIsRefusedQuickly() {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append("]\n");
        }
        List<PolicyError> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> errorsOf(bomb.toString()));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).startsWith("YAML rejected: ").contains("aliases");
    }

    @Test
    void aliasesUnderUnknownKeysAreNotExpanded() {
        // Within the alias limit the composer shares nodes; the schema walk never visits unknown keys.
        String yaml = VALID + "x: &x [1, 2, 3]\ny: [*x, *x, *x]\n";
        assertThat(errorsOf(yaml)).containsExactly(
                error(19, 1, "x", "unknown key; expected one of version, organisation, inbound, outbound, tag, antivirus, protection, attachments, disarm, lists, first_contact, access, analysis, blocklists, send_as"),
                error(20, 1, "y", "unknown key; expected one of version, organisation, inbound, outbound, tag, antivirus, protection, attachments, disarm, lists, first_contact, access, analysis, blocklists, send_as"));
    }

    @Test
    void explicitTypeTagsAreNeverInstantiated() {
        assertThat(errorsOf(replace("  name: 株式会社サンプル", "  name: !!javax.script.ScriptEngineManager [!!java.net.URL [\"http://127.0.0.1/\"]]")))
                .containsExactly(error(3, 9, "",
                        "YAML tags naming types are not allowed: tag:yaml.org,2002:javax.script.ScriptEngineManager"));
    }

    @Test
    void localTagsMakeAValueTheWrongType() {
        assertThat(errorsOf(replace("  name: 株式会社サンプル", "  name: !secret 株式会社サンプル")))
                .containsExactly(error(3, 9, "organisation.name", "must be a string, got a value tagged !secret"));
    }

    @Test
    void mergeKeysAreRefused() {
        String yaml = replace("outbound:\n  thresholds: { tag: 6, hold: 10, quarantine: 15 }",
                "outbound:\n  <<: {}\n  thresholds: { tag: 6, hold: 10, quarantine: 15 }");
        assertThat(errorsOf(yaml)).containsExactly(
                error(15, 3, "outbound", "merge keys (<<) are not supported; write the keys out"));
    }

    @Test
    void emptyAndNonMappingDocumentsAreRejected() {
        assertThat(errorsOf("# nothing here\n")).containsExactly(error(1, 1, "", "the file is empty"));
        assertThat(errorsOf("- a\n- b\n")).containsExactly(
                error(1, 1, "", "the policy must be a mapping of keys, got a list"));
    }

    @Test
    void secondDocumentInTheFileIsASyntaxError() {
        List<PolicyError> errors = errorsOf(VALID + "---\nversion: 1\n");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(19);
        assertThat(errors.get(0).message()).startsWith("YAML syntax: ");
    }

    @Test
    void oversizedTextIsRefusedBeforeParsing() {
        String yaml = VALID + "#" + "x".repeat(PolicyLoader.MAX_BYTES) + "\n";
        assertThat(errorsOf(yaml)).containsExactly(
                error(1, 1, "", "larger than " + PolicyLoader.MAX_BYTES + " bytes"));
    }

    @Test
    void textIsMeasuredInUtf8BytesAsTheFileHoldingItIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        String over = VALID + "# " + "あ".repeat(200_000) + "\n";
        Files.writeString(file, over, StandardCharsets.UTF_8);
        assertThat(over.length()).as("fewer chars than the limit").isLessThan(PolicyLoader.MAX_BYTES);
        assertThat(errorsOf(over)).containsExactly(error(1, 1, "", "larger than " + PolicyLoader.MAX_BYTES + " bytes"));
        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(PolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::message)
                        .containsExactly("larger than " + PolicyLoader.MAX_BYTES + " bytes"));
        assertThat(errorsOf(over).get(0).messageJa()).isEqualTo(PolicyLoader.MAX_BYTES + " バイトを超えています");

        String under = VALID + "# " + "あ".repeat(170_000) + "😀".repeat(100) + "\n";
        Files.writeString(file, under, StandardCharsets.UTF_8);
        assertThat(Files.size(file)).isLessThanOrEqualTo(PolicyLoader.MAX_BYTES);
        assertThat(loader.parse(under, "policy.yaml")).isEqualTo(loader.load(file));
    }

    @Test
    void fileSavedAsShiftJisPointsAtTheFirstBadByte(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.write(file, VALID.getBytes(Charset.forName("Shift_JIS")));
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.errors()).containsExactly(
                        new PolicyError(file.toString(), 3, 9, "", "not valid UTF-8; save the file as UTF-8")));
    }

    @Test
    void missingFileIsAPolicyError(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.errors()).hasSize(1);
                    assertThat(e.errors().get(0).message()).startsWith("cannot read the file (NoSuchFileException");
                });
    }

    @Test
    void byteOrderMarkIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "\uFEFF" + VALID, StandardCharsets.UTF_8);
        assertThat(loader.load(file).organisation().name()).isEqualTo("株式会社サンプル");
    }

    @Test
    void optionalSectionsTakeTheirDefaults() throws Exception {
        String yaml = replace("tag:\n  subject_prefix: \"[要注意]\"\n", "").replace("  forced: {}\n", "  forced:\n");
        Policy p = loader.parse(yaml, "policy.yaml");
        assertThat(p.tag().subjectPrefix()).isEqualTo("[要注意]");
        assertThat(p.outbound().forced()).isEmpty();
    }

    @Test
    void omittedThresholdsAreNeverReachedByScore() throws Exception {
        Policy p = loader.parse(replace("  thresholds: { tag: 6, hold: 10, quarantine: 15 }", "  thresholds: { hold: 10 }"),
                "policy.yaml");
        assertThat(p.outbound().thresholds()).isEqualTo(Map.of(Action.HOLD, 10.0));
        assertThat(p.outbound().actionForScore(9.99)).isEqualTo(Action.DELIVER);
        assertThat(p.outbound().actionForScore(1000)).isEqualTo(Action.HOLD);
    }

    @Test
    void wildcardAndJapaneseDomainsAreStoredInAsciiForm() throws Exception {
        Policy p = loader.parse(replace("internal_domains: [example.co.jp, example.jp]",
                "internal_domains: [\"*.Example.CO.JP\", 例え.jp, ｅｘａｍｐｌｅ．ｎｅｔ, sample.jp.]"), "policy.yaml");
        assertThat(p.organisation().internalDomains()).containsExactly(
                new DomainPattern("example.co.jp", true),
                new DomainPattern("xn--r8jz45g.jp", false),
                new DomainPattern("example.net", false),
                new DomainPattern("sample.jp", false));
    }

    @Test
    void antivirusWhenUnavailableDefaultsToTempfailAndRejectsUnknownValuesWithTheirPosition() throws Exception {
        assertThat(loader.parse(VALID, "policy.yaml").antivirus()).isEqualTo(Policy.Antivirus.DEFAULT);
        assertThat(loader.parse(VALID + "antivirus:\n  when_unavailable: deliver\n", "policy.yaml").antivirus().whenUnavailable())
                .isEqualTo(Policy.Antivirus.WhenUnavailable.DELIVER);

        int line = (int) VALID.lines().count() + 2;
        assertThat(errorsOf(VALID + "antivirus:\n  when_unavailable: later\n")).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("antivirus.when_unavailable");
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.column()).isEqualTo(21);
            assertThat(e.message()).contains("tempfail or deliver");
        });
    }

    @Test
    void analysisWhenBusyDefaultsToTempfailAndRejectsUnknownValuesWithTheirPosition() throws Exception {
        assertThat(loader.parse(VALID, "policy.yaml").analysis()).isEqualTo(Policy.Analysis.DEFAULT);
        assertThat(Policy.Analysis.DEFAULT.whenBusy()).isEqualTo(Policy.Analysis.WhenBusy.TEMPFAIL);
        assertThat(loader.parse(VALID + "analysis:\n  when_busy: deliver\n", "policy.yaml").analysis().whenBusy())
                .isEqualTo(Policy.Analysis.WhenBusy.DELIVER);
        assertThat(loader.parse(VALID + "analysis:\n", "policy.yaml").analysis()).isEqualTo(Policy.Analysis.DEFAULT);

        int line = (int) VALID.lines().count() + 2;
        assertThat(errorsOf(VALID + "analysis:\n  when_busy: accept\n")).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("analysis.when_busy");
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.column()).isEqualTo(14);
            assertThat(e.message()).contains("tempfail or deliver, not 'accept'");
        });
        assertThat(errorsOf(VALID + "analysis:\n  when_unavailable: deliver\n")).singleElement()
                .satisfies(e -> assertThat(e.key()).isEqualTo("analysis.when_unavailable"));
    }

    @Test
    void protectionListsPartnerDomainsAndPeopleAndNamesABadAddress() throws Exception {
        Policy p = loader.parse(VALID + """
                protection:
                  partner_domains: [partner.co.jp]
                  people:
                    - name: 山田 太郎
                      addresses: [Yamada@example.co.jp, taro@example.jp]
                """, "policy.yaml");
        assertThat(p.protection().partnerDomains()).extracting(DomainPattern::domain).containsExactly("partner.co.jp");
        assertThat(p.protection().people()).containsExactly(
                new Policy.Person("山田 太郎", List.of("yamada@example.co.jp", "taro@example.jp")));
        assertThat(loader.parse(VALID, "policy.yaml").protection()).isEqualTo(Policy.Protection.NONE);

        assertThat(errorsOf(VALID + "protection:\n  people:\n    - name: x\n      addresses: [yamada]\n"))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("protection.people[0].addresses[0]");
                    assertThat(e.message()).contains("not an email address");
                });
    }

    @Test
    void aProtectedPersonMayHaveAliasesAndAnEmptyOrInvisibleAliasIsNamedInBothLanguages() throws Exception {
        Policy p = loader.parse(VALID + """
                protection:
                  people:
                    - name: 山田 太郎
                      addresses: [yamada@example.co.jp]
                      aliases: [ヤマダ タロウ, " Taro Yamada "]
                """, "policy.yaml");
        assertThat(p.protection().people()).containsExactly(new Policy.Person("山田 太郎",
                List.of("yamada@example.co.jp"), List.of("ヤマダ タロウ", "Taro Yamada")));

        assertThat(errorsOf(VALID + "protection:\n  people:\n    - name: x\n      addresses: [x@example.co.jp]\n"
                + "      aliases: [\"  \", \"ヤマ\\u200Bダ\"]\n")).satisfiesExactly(
                        e -> {
                            assertThat(e.key()).isEqualTo("protection.people[0].aliases[0]");
                            assertThat(e.message()).isEqualTo("must not be empty");
                            assertThat(e.messageJa()).isEqualTo("空にはできません");
                        },
                        e -> {
                            assertThat(e.key()).isEqualTo("protection.people[0].aliases[1]");
                            assertThat(e.message()).isEqualTo("'ヤマ<U+200B>ダ' holds a control or invisible character");
                            assertThat(e.messageJa()).isEqualTo("'ヤマ<U+200B>ダ' に制御文字または見えない文字が含まれています");
                        });
        assertThat(errorsOf(VALID + "protection:\n  people:\n    - name: x\n      addresses: [x@example.co.jp]\n"
                + "      aliases: ヤマダ\n")).singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("protection.people[0].aliases");
                    assertThat(e.message()).startsWith("must be a list of names");
                });
    }

    @Test
    void anAddressLongerThanAnyAddressCanBeIsRefusedQuickly() {
        String yaml = VALID + "protection:\n  people:\n    - name: x\n      addresses:\n        - \"a@"
                + ".".repeat(100_000) + "@\"\n";
        // a hang guard, not a speed claim: expanding 1e-2147483647 into its digits would take far longer (or all memory)
        List<PolicyError> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> errorsOf(yaml));
        assertThat(errors).containsExactly(error(23, 11, "protection.people[0].addresses[0]",
                "longer than 320 characters, the most an address can have (RFC 5321)"));
        assertThat(errors.get(0).messageJa()).isEqualTo("320 文字を超えています（RFC 5321 によるアドレスの最大長）");
    }

    @Test
    void shippedExampleIsTheBuiltInDefault() throws Exception {
        byte[] example = Files.readAllBytes(EXAMPLE);
        byte[] resource;
        try (var in = PolicyLoader.class.getResourceAsStream("default-policy.yaml")) {
            resource = in.readAllBytes();
        }
        assertThat(resource).as("core resource default-policy.yaml must be a copy of config/policy.example.yaml")
                .isEqualTo(example);
        PolicyLoader shipped = new PolicyLoader(io.mamori.core.analysis.FindingCatalogue.builtIn());
        assertThat(shipped.defaults()).isEqualTo(shipped.load(EXAMPLE));
    }

    @Test
    void builtInDefaultMatchesTheDocumentedValues() {
        Policy p = new PolicyLoader(io.mamori.core.analysis.FindingCatalogue.builtIn()).defaults();
        assertThat(p.organisation().internalDomains()).extracting(DomainPattern::toString)
                .containsExactly("example.co.jp", "example.jp");
        assertThat(p.inbound().thresholds()).isEqualTo(
                Map.of(Action.TAG, 4.0, Action.HOLD, 8.0, Action.QUARANTINE, 10.0, Action.REJECT, 20.0));
        assertThat(p.inbound().forced()).isEqualTo(Map.ofEntries(
                Map.entry("ATTACHMENT_EXECUTABLE", Action.QUARANTINE), Map.entry("ANALYZER_FAILED", Action.TAG),
                Map.entry("ANALYZER_NOT_RUN", Action.TAG), Map.entry("DMARC_REJECT_POLICY_FAIL", Action.QUARANTINE),
                Map.entry("MALWARE_FOUND", Action.QUARANTINE), Map.entry("ATTACHMENT_EXECUTABLE_CONTENT", Action.QUARANTINE),
                Map.entry("ARCHIVE_BOMB", Action.QUARANTINE), Map.entry("ARCHIVE_TOO_DEEP", Action.QUARANTINE),
                Map.entry("MIME_TOO_DEEP", Action.QUARANTINE), Map.entry("MIME_TOO_MANY_PARTS", Action.QUARANTINE),
                Map.entry("AV_UNAVAILABLE", Action.TAG),
                Map.entry("SENDER_BLOCKED", Action.QUARANTINE), Map.entry("LINK_BLOCKED", Action.QUARANTINE),
                Map.entry("OFFICE_EQUATION_EDITOR", Action.QUARANTINE), Map.entry("GTUBE", Action.QUARANTINE)));
        assertThat(p.analysis()).isEqualTo(Policy.Analysis.DEFAULT);
        assertThat(p.attachments()).isEqualTo(new Policy.Attachments(Policy.Attachments.Handling.QUARANTINE,
                Policy.Attachments.Handling.SCORE));
        assertThat(p.disarm()).isEqualTo(new Policy.Disarm(false, Policy.Disarm.ApplyTo.EXTERNAL, false, true));
        assertThat(p.outbound().thresholds()).isEqualTo(Map.of(Action.TAG, 6.0, Action.HOLD, 10.0, Action.QUARANTINE, 15.0));
        assertThat(p.outbound().forced()).isEqualTo(Map.of("SEND_AS_NOT_PERMITTED", Action.REJECT));
        assertThat(p.sendAs()).isEqualTo(Policy.SendAs.NONE);
        assertThat(p.tag().subjectPrefix()).isEqualTo("[要注意]");
    }

    @Test
    void sendAsGivesLoginsFurtherAddressesAndNamesWhatIsWrong() throws Exception {
        Policy p = loader.parse(VALID + """
                send_as:
                  - login: Scanner@Example.co.jp
                    addresses: [scan@example.co.jp]
                  - login: hanako@example.co.jp
                    addresses: [sales@example.co.jp, Info@例え.jp]
                """, "policy.yaml");
        assertThat(p.sendAs().permits("scanner@example.co.jp", "SCAN@example.co.jp")).isTrue();
        assertThat(p.sendAs().permits("hanako@example.co.jp", "info@xn--r8jz45g.jp")).isTrue();
        assertThat(p.sendAs().permits("hanako@example.co.jp", "hanako@example.co.jp")).as("its own").isTrue();
        assertThat(p.sendAs().permits("hanako@example.co.jp", "scan@example.co.jp")).as("another login's").isFalse();
        assertThat(loader.parse(VALID + "send_as: []\n", "policy.yaml").sendAs()).isEqualTo(Policy.SendAs.NONE);

        assertThat(errorsOf(VALID + "send_as:\n  - login: scanner\n    addresses: [scan@example.co.jp]\n"))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("send_as[0].login");
                    assertThat(e.message()).contains("not an email address");
                });
        assertThat(errorsOf(VALID + "send_as:\n  - login: a@example.co.jp\n    addresses: []\n"))
                .singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("send_as[0].addresses"));
        assertThat(errorsOf(VALID + "send_as:\n  - login: a@example.co.jp\n    addresses: [b@example.co.jp]\n"
                + "  - login: A@example.co.jp\n    addresses: [c@example.co.jp]\n")).singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("send_as[1].login");
                    assertThat(e.message()).isEqualTo("duplicate of send_as[0]");
                    assertThat(e.messageJa()).isEqualTo("send_as[0] と重複しています");
                });
        assertThat(errorsOf(VALID + "send_as:\n  a@example.co.jp: [b@example.co.jp]\n")).singleElement()
                .satisfies(e -> assertThat(e.message()).startsWith("must be a list of {login, addresses}"));
        assertThat(errorsOf(VALID + "send_as:\n  - login: a@example.co.jp\n")).singleElement()
                .satisfies(e -> assertThat(e.key()).startsWith("send_as[0]"));
    }
}
