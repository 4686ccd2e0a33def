package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * The start-up report of a bad policy or list file, or of a setting: found by Spring Boot, in Japanese and English,
 * every error shown.
 */
class StartupFailuresTest {

    @TempDir
    Path dir;

    private static StartupFailures registered() {
        // Spring Boot's own analyzers want the bean factory, which Boot gives them at a real failure; they are skipped
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(StartupFailuresTest.class.getClassLoader())
                .load(FailureAnalyzer.class, null, (type, name, problem) -> { });
        return analyzers.stream().filter(StartupFailures.class::isInstance).map(StartupFailures.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("StartupFailures is not registered: " + analyzers));
    }

    @Test
    void aBadPolicyFileIsReportedWithEveryErrorInJapaneseAndEnglish() throws Exception {
        Path bad = dir.resolve("policy.yaml");
        Files.writeString(bad, "version: 1\norganisation:\n  name: x\n  internal_domains: [example.co.jp]\n"
                + "inbound:\n  thresholds: { tag: 4, hold: 2 }\noutbound:\n  thresholds: {}\n");
        PolicyException invalid = catchThrowableOfType(() -> new PolicyLoader(FindingCatalogue.builtIn()).load(bad),
                PolicyException.class);
        // as Spring reports a bean whose factory method threw
        BeanCreationException failure = new BeanCreationException("policyHolder", "Failed to instantiate", invalid);

        FailureAnalysis analysis = registered().analyze(failure);

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription())
                .contains("ポリシーファイルにエラーが 1 件あるため、起動しません。")
                .contains("The policy file has 1 error(s); the gateway does not start.")
                .contains("policy.yaml:6:").contains("inbound.thresholds.hold: tag (4) 以上にしてください / must be ≥ tag (4)");
        assertThat(analysis.getAction()).contains("./mamori policy validate");
        assertThat(analysis.getCause()).isSameAs(failure);
    }

    @Test
    void aBadListFileIsReportedInJapaneseAndEnglish() throws Exception {
        Path lists = dir.resolve("lists.txt");
        Files.writeString(lists, "alow sender bank.example\n");
        ListFile.Invalid invalid = catchThrowableOfType(() -> ListFile.read(lists), ListFile.Invalid.class);

        FailureAnalysis analysis = registered().analyze(new BeanCreationException("listFileWatcher", "Failed", invalid));

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains("リストファイルにエラーが 1 件").contains("The list file")
                .contains(invalid.errors().get(0).renderBilingual());
    }

    @Test
    void aSettingThatCannotBeUsedIsReportedWithKeyAndValueInJapaneseAndEnglish() throws Exception {
        for (String[] setting : new String[][] {
            {"abc", "mamori.smtp.outbound.port='abc': 整数にしてください", "mamori.smtp.outbound.port='abc': must be a whole number"},
            {"70000", "mamori.smtp.outbound.port='70000': 0〜65535 にしてください（0 は空いているポート）",
                "mamori.smtp.outbound.port='70000': must be 0 to 65535 (0: any free port)"}}) {
            // bound as Spring Boot binds @ConfigurationProperties at start (over the shipped application.properties),
            // and reported as its bean failure
            Map<Object, Object> settings = shippedSettings();
            settings.put("mamori.smtp.outbound.port", setting[0]);
            BindException bind = catchThrowableOfType(() -> new Binder(new MapConfigurationPropertySource(settings))
                    .bind("mamori", MamoriProperties.class), BindException.class);
            FailureAnalysis analysis = registered().analyze(new BeanCreationException("gateway", "Unsatisfied dependency", bind));

            assertThat(analysis).as(setting[0]).isNotNull();
            assertThat(analysis.getDescription()).isEqualTo("設定に誤りがあるため、起動しません。\n"
                    + "A setting is invalid; the gateway does not start.\n" + setting[1] + "\n" + setting[2]);
            assertThat(analysis.getAction()).contains("--mamori.smtp.outbound.port=…");
        }
    }

    /** The application's own defaults, as the running gateway binds them first. */
    private static Map<Object, Object> shippedSettings() throws java.io.IOException {
        java.util.Properties shipped = new java.util.Properties();
        try (java.io.InputStream in = StartupFailuresTest.class.getResourceAsStream("/application.properties")) {
            shipped.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        return new java.util.HashMap<>(shipped);
    }

    @Test
    void aMissingKeysetOfADatabaseWithEncryptedDataIsReportedInJapaneseAndEnglish() throws Exception {
        Path keys = dir.resolve("data/keys");
        io.mamori.gateway.crypto.MasterKeys.KeysetMissing missing = catchThrowableOfType(
                () -> io.mamori.gateway.crypto.MasterKeys.openOrCreate(keys, () -> true),
                io.mamori.gateway.crypto.MasterKeys.KeysetMissing.class);

        FailureAnalysis analysis = registered().analyze(new BeanCreationException("localStore", "Failed to instantiate", missing));

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).startsWith("マスター鍵セットがないため、起動しません。\n"
                + "The master keyset is missing; the gateway does not start.\n" + missing.messageJa() + "\n" + missing.getMessage());
        assertThat(analysis.getAction()).contains("鍵ディレクトリ " + keys.toAbsolutePath() + " を、データと同時に取ったバックアップから戻して")
                .contains("Restore the keys directory " + keys.toAbsolutePath() + " from the backup");
    }

    @Test
    void otherFailuresAreLeftToSpringBoot() {
        assertThat(registered().analyze(new BeanCreationException("x", "y", new IllegalStateException("z")))).isNull();
    }
}
