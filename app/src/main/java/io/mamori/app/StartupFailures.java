package io.mamori.app;

import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.PolicyException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * What `./mamori start` prints when the policy file or the list file it names cannot be used: Spring Boot's failure
 * report ("APPLICATION FAILED TO START", description and action) instead of a stack trace, in Japanese and English,
 * with every error on a line of its own (the exceptions' messages are already bilingual). Registered in
 * META-INF/spring.factories.
 */
final class StartupFailures implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PolicyException p) {
                return report(failure, "ポリシーファイル", "The policy file", p.errors().size(), p.getMessage(),
                        "<ファイル>", "<file>");
            }
            if (t instanceof ListFile.Invalid l) {
                return report(failure, "ポリシーが指定するリストファイル", "The list file that the policy names",
                        l.errors().size(), l.getMessage(), "<ポリシーファイル>", "<policy file>");
            }
        }
        return null;
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
