package io.mamori.app;

import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.PolicyException;
import io.mamori.gateway.crypto.MasterKeys;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * What `./mamori start` prints when the policy file or the list file it names cannot be used, a {@code mamori.*}
 * setting, or when the master keyset of a database that holds encrypted data is missing: Spring Boot's failure report ("APPLICATION FAILED TO START", description and action) instead of a stack
 * trace, in Japanese and English, with every error on a line of its own (the exceptions' messages are already
 * bilingual; a setting is named with its value, as the other commands name it). Registered in
 * META-INF/spring.factories, and asked before Spring Boot's own analyzers, whose report of a setting it cannot bind is
 * in English.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class StartupFailures implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidSetting setting) {
                return setting(failure, setting);
            }
            if (t instanceof BindException bind && bind.getName().toString().startsWith("mamori.")) {
                return setting(failure, InvalidSetting.of(bind));
            }
            if (t instanceof PolicyException p) {
                return report(failure, "ポリシーファイル", "The policy file", p.errors().size(), p.getMessage(),
                        "<ファイル>", "<file>");
            }
            if (t instanceof MasterKeys.KeysetMissing missing) {
                return keysetMissing(failure, missing);
            }
            if (t instanceof ListFile.Invalid l) {
                return report(failure, "ポリシーが指定するリストファイル", "The list file that the policy names",
                        l.errors().size(), l.getMessage(), "<ポリシーファイル>", "<policy file>");
            }
        }
        return null;
    }

    private static FailureAnalysis setting(Throwable failure, InvalidSetting setting) {
        return new FailureAnalysis("""
                設定に誤りがあるため、起動しません。
                A setting is invalid; the gateway does not start.
                %s
                %s""".formatted(setting.messageJa(), setting.getMessage()), """
                設定（コマンドラインの --%1$s=…、環境変数、./config/mamori.properties のいずれか）を直してから起動し直してください。
                Correct the setting (--%1$s=… on the command line, an environment variable or ./config/mamori.properties) and\
                 start again.""".formatted(setting.key()), failure);
    }

    private static FailureAnalysis keysetMissing(Throwable failure, MasterKeys.KeysetMissing missing) {
        return new FailureAnalysis("""
                マスター鍵セットがないため、起動しません。
                The master keyset is missing; the gateway does not start.
                %s
                %s""".formatted(missing.messageJa(), missing.getMessage()), """
                鍵ディレクトリ %1$s を、データと同時に取ったバックアップから戻してから起動し直してください。新しい鍵では保存済みのデータを読めません。
                Restore the keys directory %1$s from the backup taken together with the data and start again; new keys\
                 cannot read the stored data.""".formatted(missing.directory()), failure);
    }

    private static FailureAnalysis report(Throwable failure, String fileJa, String fileEn, int errors, String lines,
            String argumentJa, String argumentEn) {
        return new FailureAnalysis("""
                %sにエラーが %d 件あるため、起動しません。
                %s has %d error(s); the gateway does not start.
                %s""".formatted(fileJa, errors, fileEn, errors, lines), """
                ファイルを直してから起動し直してください。./mamori policy validate %s で確認できます。
                Correct the file and start again; ./mamori policy validate %s checks it.""".formatted(argumentJa,
                argumentEn), failure);
    }
}
