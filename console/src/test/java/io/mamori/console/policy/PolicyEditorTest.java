package io.mamori.console.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditFilter;
import io.mamori.console.audit.AuditLogException;
import io.mamori.console.audit.JdbcAuditTrail;
import io.mamori.console.testing.MutableClock;
import io.mamori.console.testing.TestDatabases;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.PolicyError;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.policy.PolicyLoader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy editor with a real policy file and holder, and its history in H2 and PostgreSQL (V8). */
class PolicyEditorTest {

    private static final String POLICY = """
            version: 1
            organisation:
              name: テスト株式会社
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
            outbound:
              thresholds: { tag: 6 }
            """;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final List<AuditEntry> audit = new ArrayList<>();

    static java.util.stream.Stream<String> vendors() {
        return TestDatabases.vendors();
    }

    @AfterAll
    static void drop() throws Exception {
        TestDatabases.dropSchemas();
    }

    /** POLICY in the policy file, and a holder of it. */
    private PolicyHolder policyFile() throws Exception {
        Files.writeString(file(), POLICY, StandardCharsets.UTF_8);
        return new PolicyHolder(new PolicyLoader(FindingCatalogue.builtIn()), file());
    }

    private Path file() {
        return dir.resolve("policy.yaml");
    }

    private PolicyEditor editor(PolicyHolder holder, javax.sql.DataSource db, io.mamori.console.audit.AuditTrail trail) {
        return new PolicyEditor(holder, new PolicyLoader(FindingCatalogue.builtIn()), new PolicyVersions(db), trail, clock);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void savesOnlyValidEditsFromTheCurrentVersionAndKeepsEveryVersion(String vendor) throws Exception {
        PolicyHolder holder = policyFile();
        Path file = file();
        PolicyEditor editor = editor(holder, TestDatabases.fresh(vendor), audit::add);
        String base = editor.onDisk().hash();
        assertThat(editor.onDisk()).isEqualTo(new PolicyEditor.OnDisk.Text(POLICY, PolicyEditor.hash(POLICY)));

        String invalid = POLICY.replace("hold: 8", "hold: 2");
        assertThat(editor.validate(invalid)).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(6);
            assertThat(e.key()).startsWith("inbound.thresholds");
        });
        assertThat(editor.save(invalid, base, "hanako@example.co.jp", "192.0.2.1")).isInstanceOf(PolicyEditor.SaveResult.Invalid.class);
        assertThat(Files.readString(file)).isEqualTo(POLICY);

        String first = POLICY.replace("tag: 4", "tag: 5");
        var saved = (PolicyEditor.SaveResult.Saved) editor.save(first.replace("\n", "\r\n"), base, "hanako@example.co.jp", "192.0.2.1");
        assertThat(Files.readString(file)).isEqualTo(first);
        assertThat(editor.save(POLICY, base, "taro@example.co.jp", "192.0.2.2")).as("stale")
                .isEqualTo(new PolicyEditor.SaveResult.Stale(PolicyEditor.hash(first)));
        assertThat(editor.save(first, saved.contentHash(), "taro@example.co.jp", "192.0.2.2"))
                .isInstanceOf(PolicyEditor.SaveResult.Unchanged.class);

        assertThat(PolicyEditor.diff(holder.currentSource(), first, "a", "b")).contains("-  thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }",
                "+  thresholds: { tag: 5, hold: 8, quarantine: 10, reject: 20 }");
        holder.reload();
        assertThat(holder.currentSource()).isEqualTo(first);
        assertThat(PolicyEditor.diff(holder.currentSource(), first, "a", "b")).isEmpty();

        clock.advance(java.time.Duration.ofMinutes(5));
        String second = first.replace("reject: 20", "reject: 30");
        var saved2 = (PolicyEditor.SaveResult.Saved) editor.save(second, saved.contentHash(), "taro@example.co.jp", "192.0.2.2");
        List<PolicyVersions.Version> versions = editor.versions().list(10);
        assertThat(versions).extracting(PolicyVersions.Version::author).containsExactly("taro@example.co.jp", "hanako@example.co.jp");
        assertThat(versions.get(0).savedAt()).isEqualTo(clock.instant());
        assertThat(versions.get(0).baseHash()).isEqualTo(saved.contentHash());
        assertThat(editor.versions().find(saved2.versionId()).orElseThrow().content()).isEqualTo(second);
        assertThat(editor.versions().previous(saved2.versionId()).orElseThrow().id()).isEqualTo(saved.versionId());
        assertThat(editor.versions().previous(saved.versionId())).isEmpty();

        assertThat(audit).extracting(AuditEntry::action).containsOnly("policy.save");
        assertThat(audit).extracting(AuditEntry::success).containsExactly(false, true, false, true, true);
        assertThat(audit.get(2).after()).contains("stale");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("policy.yaml");
        }
    }

    /**
     * With the real audit trail: a save whose entry cannot be recorded is not in force (file and versions unchanged).
     */
    @ParameterizedTest
    @MethodSource("vendors")
    void aSaveIsInForceOnlyWithItsEntry(String vendor) throws Exception {
        PolicyHolder holder = policyFile();
        Path file = file();
        javax.sql.DataSource db = TestDatabases.fresh(vendor);
        JdbcAuditTrail trail = new JdbcAuditTrail(db);
        PolicyEditor editor = editor(holder, db, trail);
        String base = PolicyEditor.hash(POLICY);

        String first = POLICY.replace("tag: 4", "tag: 5");
        var saved = (PolicyEditor.SaveResult.Saved) editor.save(first, base, "hanako@example.co.jp", "192.0.2.1");
        assertThat(trail.search(AuditFilter.ALL, null, 10).entries()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("policy.save");
            assertThat(r.after()).isEqualTo("sha256:" + saved.contentHash() + " version " + saved.versionId());
            assertThat(r.success()).isTrue();
        });

        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }
        String second = first.replace("reject: 20", "reject: 30");
        assertThatThrownBy(() -> editor.save(second, saved.contentHash(), "taro@example.co.jp", "192.0.2.2"))
                .isInstanceOf(AuditLogException.class);
        assertThat(Files.readString(file)).as("not in force").isEqualTo(first);
        assertThat(editor.versions().list(10)).as("no version stored").hasSize(1);
        assertThat(names()).containsExactly("policy.yaml");

        holder.reload();
        assertThat(holder.currentSource()).isEqualTo(first);
    }

    @Test
    void aSaveNamingAListFileThatCannotBeUsedIsRefusedAsPolicyValidateRefusesIt() throws Exception {
        PolicyHolder holder = policyFile();
        PolicyEditor editor = editor(holder, TestDatabases.fresh("h2"), audit::add);
        String base = PolicyEditor.hash(POLICY);
        String naming = POLICY + "lists:\n  file: lists.txt\n";

        assertThat(editor.save(naming, base, "hanako@example.co.jp", "192.0.2.1")).isInstanceOfSatisfying(
                PolicyEditor.SaveResult.ListFileInvalid.class, r -> assertThat(r.errors()).singleElement().satisfies(e -> {
                    assertThat(e.render()).startsWith("lists.txt: cannot read the file (NoSuchFileException");
                    assertThat(e.renderJa()).startsWith("lists.txt: ファイルを読めません（NoSuchFileException");
                }));
        Files.writeString(dir.resolve("lists.txt"), "block sender spam.example\nblock sendr x.example\n");
        assertThat(editor.save(naming, base, "hanako@example.co.jp", "192.0.2.1")).isInstanceOfSatisfying(
                PolicyEditor.SaveResult.ListFileInvalid.class, r -> assertThat(r.errors()).extracting(ListFile.Error::render)
                        .containsExactly("lists.txt:2: unknown target 'sendr'; expected sender or link"));
        assertThat(Files.readString(file())).as("not saved").isEqualTo(POLICY);
        assertThat(editor.versions().list(10)).isEmpty();

        // what Validate asks: the same refusal, without saving or auditing
        assertThat(editor.check(naming)).isInstanceOfSatisfying(PolicyEditor.SaveResult.ListFileInvalid.class,
                r -> assertThat(r.errors()).extracting(ListFile.Error::render)
                        .containsExactly("lists.txt:2: unknown target 'sendr'; expected sender or link"));
        assertThat(editor.check(naming.replace("version: 1", "version: 2"))).isInstanceOf(PolicyEditor.SaveResult.Invalid.class);

        Files.writeString(dir.resolve("lists.txt"), "block sender spam.example\n");
        assertThat(editor.check(naming)).as("nothing to refuse").isNull();
        assertThat(editor.save(naming, base, "hanako@example.co.jp", "192.0.2.1")).isInstanceOf(PolicyEditor.SaveResult.Saved.class);
        assertThat(Files.readString(file())).isEqualTo(naming);

        assertThat(audit).extracting(AuditEntry::action).containsOnly("policy.save");
        assertThat(audit).extracting(AuditEntry::success).containsExactly(false, false, true);
        assertThat(audit.get(0).after()).startsWith("refused: list file: lists.txt: cannot read the file");
        assertThat(audit.get(1).after()).isEqualTo("refused: list file: lists.txt:2: unknown target 'sendr'; expected sender or link");
    }

    @Test
    void aPolicyFileTheGatewayCannotReadIsReportedWithItsReasonAndAValidSaveReplacesIt() throws Exception {
        PolicyHolder holder = policyFile();
        PolicyEditor editor = editor(holder, TestDatabases.fresh("h2"), audit::add);
        String edited = POLICY.replace("tag: 4", "tag: 5");

        Files.write(file(), POLICY.getBytes(Charset.forName("Shift_JIS")));
        PolicyEditor.OnDisk sjis = editor.onDisk();
        assertThat(sjis).isInstanceOfSatisfying(PolicyEditor.OnDisk.Unusable.class, u -> assertThat(u.errors())
                .containsExactly(new PolicyError(file().toString(), 3, 9, "", "not valid UTF-8; save the file as UTF-8",
                        "UTF-8 として正しくありません。ファイルを UTF-8 で保存してください")));
        assertThat(editor.save(edited, sjis.hash(), "hanako@example.co.jp", "192.0.2.1"))
                .isInstanceOf(PolicyEditor.SaveResult.Saved.class);
        assertThat(Files.readString(file())).isEqualTo(edited);
        assertThat(audit.get(0).before()).isEqualTo("unusable: " + file() + ":3:9: not valid UTF-8; save the file as UTF-8");

        Files.writeString(file(), POLICY + "# " + "x".repeat(600_000) + "\n");
        PolicyEditor.OnDisk large = editor.onDisk();
        assertThat(large).isInstanceOfSatisfying(PolicyEditor.OnDisk.Unusable.class, u -> assertThat(u.errors())
                .extracting(PolicyError::message).containsExactly("larger than 524288 bytes"));
        assertThat(editor.save(edited, "a hash from before", "hanako@example.co.jp", "192.0.2.1"))
                .as("the stale check still holds").isEqualTo(new PolicyEditor.SaveResult.Stale(large.hash()));
        assertThat(editor.save(edited, large.hash(), "hanako@example.co.jp", "192.0.2.1"))
                .isInstanceOf(PolicyEditor.SaveResult.Saved.class);
        assertThat(Files.readString(file())).isEqualTo(edited);
    }

    @Test
    void textsTooLargeToCompareAreRefusedBeforeTheDiffStarts() {
        String manyLines = POLICY + "# x\n".repeat(40_000);
        PolicyException lines = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> catchThrowableOfType(
                PolicyException.class, () -> PolicyEditor.diff(POLICY, manyLines, "running/policy.yaml", "edited/policy.yaml")));
        assertThat(lines).as("refused").isNotNull();
        assertThat(lines.errors()).containsExactly(new PolicyError("edited/policy.yaml", 1, 1, "",
                "more than 5000 lines, too many to compare", "5000 行を超えているため比較できません"));
        assertThat(lines.getMessage()).isEqualTo("edited/policy.yaml:1:1: 5000 行を超えているため比較できません"
                + " / more than 5000 lines, too many to compare");

        String large = POLICY + "# " + "あ".repeat(200_000) + "\n";
        PolicyException size = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> catchThrowableOfType(
                PolicyException.class, () -> PolicyEditor.diff(large, POLICY, "running/policy.yaml", "edited/policy.yaml")));
        assertThat(size).as("refused").isNotNull();
        assertThat(size.getMessage()).as("the loader's own refusal of an over-size policy")
                .isEqualTo("running/policy.yaml:1:1: 524288 バイトを超えています / larger than 524288 bytes");
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
