package io.mamori.app;

import io.mamori.core.lists.ListFile;
import io.mamori.core.policy.PolicyException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * What `./mamori start` prints when the policy file or the list file it names cannot be used: Spring Boot's failure
 * report ("APPLICATION FAILED TO START", description and action) instead of a stack trace, in Japanese and English,
 * with every error on a line of its own. Registered in META-INF/spring.factories.
 */
final class StartupFailures implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PolicyException p) {
                return new FailureAnalysis("""
                        ポリシーファイルにエラーが %d 件あるため、起動しません。
                        The policy file has %d error(s); the gateway does not start.
                        %s""".formatted(p.errors().size(), p.errors().size(), p.getMessage()), """
                        ファイルを直してから起動し直してください。./mamori policy validate <ファイル> で確認できます。
                        Correct the file and start again; ./mamori policy validate <file> checks it.""", failure);
            }
            if (t instanceof ListFile.Invalid l) {
                return new FailureAnalysis("""
                        ポリシーが指定するリストファイルにエラーが %d 件あるため、起動しません。
                        The list file that the policy names has %d error(s); the gateway does not start.
                        %s""".formatted(l.errors().size(), l.errors().size(), l.getMessage()), """
                        ファイルを直してから起動し直してください。./mamori policy validate <ポリシーファイル> で確認できます。
                        Correct the file and start again; ./mamori policy validate <policy file> checks it too.""", failure);
            }
        }
        return null;
    }
}
